import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { compileNumberChecks } from '../src/number-checks.js';

describe('compileNumberChecks agrees with zod', () => {
  const schemas = {
    'int nonnegative': z.number().int().nonnegative(),
    'positive max 10': z.number().positive().max(10),
    'gt -1 lt 1': z.number().gt(-1).lt(1),
    'int32 between': z.int32().min(-5).max(5),
    'multipleOf 0.5': z.number().multipleOf(0.5),
    'min and stricter min': z.number().min(0).gt(0),
    'no checks': z.number(),
  };
  const values = [
    -1e20,
    -6,
    -5,
    -1,
    -0.5,
    0,
    0.25,
    0.5,
    1,
    1.5,
    5,
    9.999,
    10,
    10.5,
    2 ** 31,
    2 ** 53,
    1e20,
  ];

  for (const [name, schema] of Object.entries(schemas)) {
    it(name, () => {
      const check = compileNumberChecks(schema);
      expect(check).toBeDefined();
      for (const value of values) expect(check!(value)).toBe(schema.safeParse(value).success);
    });
  }

  it('declines checks it does not know, leaving them to zod', () => {
    expect(compileNumberChecks(z.number().refine((v) => v !== 3))).toBeUndefined();
  });
});
