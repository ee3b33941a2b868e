import { InvalidArgumentError, InvalidDataError } from '@mlsd/core';

/**
 * Checks that a sample is non-empty and all finite, naming the sample and the first bad index.
 * Returns it as a Float64Array (copied, so callers may sort it).
 */
export function finiteSample(values: ArrayLike<number>, name: string, where: string): Float64Array {
  if (values === null || typeof values !== 'object' || typeof values.length !== 'number') {
    throw new InvalidArgumentError(`${where}: ${name} must be an array of numbers.`);
  }
  if (values.length === 0) {
    throw new InvalidDataError(`${where}: ${name} is empty; it needs at least one value.`, {
      sample: name,
    });
  }
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new InvalidDataError(
        `${where}: ${name}[${i}] is ${String(value)}; drift statistics need finite numbers (drop or count missing values first).`,
        { sample: name, index: i },
      );
    }
    out[i] = value;
  }
  return out;
}
