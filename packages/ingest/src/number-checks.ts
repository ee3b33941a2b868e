import type { z } from 'zod';

/** The zod 4 number checks this module understands, as their definitions look. */
interface CheckDef {
  check: string;
  format?: string;
  value?: number | bigint;
  inclusive?: boolean;
}

const INTEGER_FORMATS: Readonly<Record<string, [number, number]>> = {
  safeint: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  int32: [-(2 ** 31), 2 ** 31 - 1],
  uint32: [0, 2 ** 32 - 1],
};

/**
 * Compiles a zod number schema's checks (integer formats, min/max, multipleOf) into one
 * predicate, so a reader validating millions of cells does not call `safeParse` per cell.
 * Returns undefined when the schema has a check this does not know; callers then use zod.
 * The predicate only says pass/fail; the message of a failure still comes from zod.
 */
export function compileNumberChecks(schema: z.ZodType): ((value: number) => boolean) | undefined {
  const def = (
    schema as unknown as { _zod: { def: CheckDef & { checks?: { _zod: { def: CheckDef } }[] } } }
  )._zod.def;
  const checks = (def.checks ?? []).map((check) => check._zod.def);
  // z.int(), z.int32() ... carry their format on the schema itself rather than in `checks`.
  if (def.check !== undefined) checks.push({ ...def });
  let min = Number.NEGATIVE_INFINITY;
  let minInclusive = true;
  let max = Number.POSITIVE_INFINITY;
  let maxInclusive = true;
  let integer = false;
  const multiples: number[] = [];
  for (const check of checks) {
    if (
      check.check === 'number_format' &&
      check.format !== undefined &&
      check.format in INTEGER_FORMATS
    ) {
      const [low, high] = INTEGER_FORMATS[check.format]!;
      integer = true;
      if (low > min) [min, minInclusive] = [low, true];
      if (high < max) [max, maxInclusive] = [high, true];
    } else if (check.check === 'greater_than' && typeof check.value === 'number') {
      if (check.value > min || (check.value === min && !check.inclusive))
        [min, minInclusive] = [check.value, check.inclusive === true];
    } else if (check.check === 'less_than' && typeof check.value === 'number') {
      if (check.value < max || (check.value === max && !check.inclusive))
        [max, maxInclusive] = [check.value, check.inclusive === true];
    } else if (check.check === 'multiple_of' && typeof check.value === 'number') {
      multiples.push(check.value);
    } else {
      return undefined;
    }
  }
  return (value) =>
    (minInclusive ? value >= min : value > min) &&
    (maxInclusive ? value <= max : value < max) &&
    (!integer || Number.isInteger(value)) &&
    multiples.every((step) => Number.isInteger(value / step));
}
