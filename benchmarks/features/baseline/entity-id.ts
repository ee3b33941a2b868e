/**
 * Entity and transaction ids are non-negative safe integers (0 … 2^53 − 1), as the simulator's
 * are; string ids must be encoded first (a `CategoryColumn`'s codes will do). One rule for the
 * batch and the online path, so an id accepted by one is accepted by the other.
 */
export function isValidId(value: unknown): value is number {
  return (
    typeof value === 'number' &&
    value >= 0 &&
    value <= Number.MAX_SAFE_INTEGER &&
    Math.floor(value) === value
  );
}

/** How to fix a bad id, for error messages. */
export const ID_RULE =
  'ids must be non-negative integers (encode string ids first, e.g. with CategoryColumn.fromValues(values).codes)';
