import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { InvalidArgumentError, isMlsdError } from '../src/errors.js';
import { formatZodError, parseOptions } from '../src/options.js';

const Options = z
  .object({
    learningRate: z.number().gt(0).default(0.01),
    layers: z.array(z.object({ units: z.number().int().positive() })).default([]),
    name: z.string().optional(),
  })
  .strict();

describe('parseOptions', () => {
  it('returns the parsed value with defaults filled in', () => {
    expect(parseOptions(Options, {}, 'LogisticRegression options')).toEqual({
      learningRate: 0.01,
      layers: [],
    });
    expect(parseOptions(Options, { learningRate: 0.5, name: 'a' }, 'x')).toEqual({
      learningRate: 0.5,
      layers: [],
      name: 'a',
    });
  });

  it('throws InvalidArgumentError naming where and each issue', () => {
    let caught: unknown;
    try {
      parseOptions(Options, { learningRate: 0 }, 'LogisticRegression options');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidArgumentError);
    expect(isMlsdError(caught, 'INVALID_ARGUMENT')).toBe(true);
    const error = caught as InvalidArgumentError;
    expect(error.message).toBe(
      'LogisticRegression options: learningRate: Too small: expected number to be >0',
    );
    expect(error.details).toEqual({
      where: 'LogisticRegression options',
      issues: [{ path: 'learningRate', message: 'Too small: expected number to be >0' }],
    });
    expect(error.cause).toBeInstanceOf(z.ZodError);
  });

  it('lists several issues, nested paths and unknown keys', () => {
    expect(() =>
      parseOptions(
        Options,
        { learningRate: 'fast', layers: [{ units: 4 }, { units: -1 }], extra: true },
        'MLP options',
      ),
    ).toThrow(
      'MLP options: learningRate: Invalid input: expected number, received string; ' +
        'layers[1].units: Too small: expected number to be >0; Unrecognized key: "extra"',
    );
  });

  it('reports a wrong root type without a path', () => {
    expect(() => parseOptions(Options, 42, 'Scaler options')).toThrow(
      'Scaler options: Invalid input: expected object, received number',
    );
  });
});

describe('formatZodError', () => {
  it('formats the issues of any zod error as path: message', () => {
    const result = z
      .object({ amount: z.number(), tags: z.array(z.string()) })
      .safeParse({ amount: null, tags: ['a', 3] });
    expect(result.success).toBe(false);
    expect(formatZodError(result.error!)).toBe(
      'amount: Invalid input: expected number, received null; tags[1]: Invalid input: expected string, received number',
    );
  });
});
