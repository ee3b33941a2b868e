import { InvalidArgumentError } from 'commander';

// Commander reports these errors as usage errors (exit code 2) naming the option.

/** Parses a positive integer flag value, or throws a message naming the flag. */
export function parsePositiveInt(flag: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed <= 0) {
      throw new InvalidArgumentError(`${flag} must be a positive integer, got "${value}".`);
    }
    return parsed;
  };
}

/** Parses a finite number flag value, or throws a message naming the flag. */
export function parseNumber(flag: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (value.trim() === '' || !Number.isFinite(parsed)) {
      throw new InvalidArgumentError(`${flag} must be a number, got "${value}".`);
    }
    return parsed;
  };
}

/** Parses a comma-separated list of positive integers ("10,20,40"). */
export function parseIntList(flag: string) {
  const one = parsePositiveInt(flag);
  return (value: string): number[] => value.split(',').map((part) => one(part.trim()));
}
