/**
 * Values that window features sum are kept as integers: `round(value × 10^precision)`, e.g. an
 * amount in cents. Integer sums do not depend on the order of additions and removals, so a
 * window's value is a function of the set of events in it, whichever way it was reached.
 *
 * The largest magnitude accepted, `2^40` units (10,995,116,277.76 at 2 decimals), keeps every
 * intermediate result of the accumulators exact (see `MomentsAccumulator`).
 */
export const FIXED_POINT_LIMIT = 2 ** 40;

/** Decimals kept when a spec's `precision` does not name a column. */
export const DEFAULT_PRECISION = 2;

/** `10^precision`. */
export function fixedPointScale(precision: number): number {
  return 10 ** precision;
}

/**
 * `value` in units of `1 / scale`, rounded half up; NaN when it is not finite or its magnitude
 * exceeds {@link FIXED_POINT_LIMIT} units (the caller refuses it, naming the column).
 */
export function toFixedPoint(value: number, scale: number): number {
  const units = Math.round(value * scale);
  return units <= FIXED_POINT_LIMIT && units >= -FIXED_POINT_LIMIT ? units : Number.NaN;
}

/** The accepted range of a column at `precision` decimals, for error messages. */
export function describeFixedPointRange(precision: number): string {
  const bound = FIXED_POINT_LIMIT / fixedPointScale(precision);
  return `|value| ≤ ${bound.toLocaleString('en-US', { maximumFractionDigits: precision })} (2^40 units of 10^-${precision})`;
}
