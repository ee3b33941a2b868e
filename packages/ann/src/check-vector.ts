import {
  DimensionMismatchError,
  InvalidArgumentError,
  InvalidDataError,
  NotFoundError,
} from '@mlsd/core';

/**
 * Throws when `vector` is not a `dim`-long array of finite numbers: DimensionMismatchError for
 * the length, InvalidDataError naming the first NaN/∞ position.
 * @param where - what was being done, first in the message ("HnswIndex.add('a')").
 */
export function checkVector(vector: ArrayLike<number>, dim: number, where: string): void {
  if (vector === null || typeof vector !== 'object' || typeof vector.length !== 'number') {
    throw new InvalidArgumentError(
      `${where}: the vector must be a Float32Array or an array of numbers, got ${describe(vector)}.`,
    );
  }
  if (vector.length !== dim) {
    throw new DimensionMismatchError(
      `${where}: the vector has ${vector.length} values but the index holds ${dim}-dimensional ` +
        'vectors. Embed with the same model (or pixel size) the index was built with.',
      { expected: dim, actual: vector.length },
    );
  }
  for (let i = 0; i < dim; i++) {
    const value = vector[i];
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new InvalidDataError(
        `${where}: value ${i} of the vector is ${String(value)}; every value must be a finite ` +
          'number (a NaN usually comes from normalising an all-zero vector or a failed decode).',
        { position: i, value: String(value) },
      );
    }
  }
}

/**
 * Checks that `vectors` holds `rows × dim` finite values, naming the first bad row.
 * @param where - what was being done, first in the message.
 */
export function checkRows(vectors: Float32Array, rows: number, dim: number, where: string): void {
  if (!(vectors instanceof Float32Array)) {
    throw new InvalidArgumentError(
      `${where}: vectors must be a row-major Float32Array, got ${describe(vectors)}.`,
    );
  }
  if (vectors.length !== rows * dim) {
    throw new DimensionMismatchError(
      `${where}: ${vectors.length} values are not ${rows} rows of ${dim} (${rows * dim} values). ` +
        'Pass one row of `dim` values per id, row-major.',
      { expected: rows * dim, actual: vectors.length, rows, dim },
    );
  }
  for (let k = 0; k < vectors.length; k++) {
    if (!Number.isFinite(vectors[k]!)) {
      const row = Math.floor(k / dim);
      throw new InvalidDataError(
        `${where}: row ${row}, value ${k - row * dim} is ${vectors[k]}; every value must be finite.`,
        { row, position: k - row * dim },
      );
    }
  }
}

/** Throws InvalidArgumentError unless `k` is a positive integer. */
export function checkK(k: number, where: string): void {
  if (!Number.isInteger(k) || k < 1) {
    throw new InvalidArgumentError(`${where}: k must be a positive integer, got ${k}.`, { k });
  }
}

/** Throws InvalidArgumentError unless `id` is a non-empty string. */
export function checkId(id: string, where: string): void {
  if (typeof id !== 'string' || id.length === 0) {
    throw new InvalidArgumentError(`${where}: ids must be non-empty strings, got ${describe(id)}.`);
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'an object';
  return `${typeof value} ${JSON.stringify(value)}`;
}

/**
 * Cosine distance needs a direction: throws InvalidDataError for an all-zero row of `source`
 * starting at `offset`.
 */
export function checkDirection(
  source: ArrayLike<number>,
  offset: number,
  dim: number,
  where: string,
): void {
  for (let j = 0; j < dim; j++) if (source[offset + j] !== 0) return;
  throw new InvalidDataError(
    `${where}: an all-zero vector has no direction, so its cosine distance is undefined. ` +
      "Drop it, or use space 'l2'.",
  );
}

/** NotFoundError for an id that is not live (never added, or deleted). */
export function missingId(id: string, where: string): NotFoundError {
  return new NotFoundError(
    `${where}: no item with id '${id}' (never added, or deleted). Check the id, or has(id) first.`,
    { id },
  );
}
