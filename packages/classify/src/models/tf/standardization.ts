import { InvalidDataError, type Matrix } from '@mlsd/core';

/** Per-feature mean and standard deviation learned from training rows (row-major input). */
export interface Standardization {
  /** Mean of each feature over the training rows. */
  means: Float64Array;
  /** Population standard deviation (ddof = 0) of each feature; 1 for a constant feature. */
  stds: Float64Array;
}

/**
 * Learns the mean and population standard deviation of every column of `X`, as scikit-learn's
 * `StandardScaler` does (a constant column gets scale 1 so it maps to 0, not to NaN).
 * Two passes in float64 so large, offset features (amounts, timestamps) keep their precision.
 * @throws InvalidDataError when `X` has no rows or holds a non-finite value.
 */
export function fitStandardization(X: Matrix, where: string): Standardization {
  const { data, rows, cols } = X;
  if (rows === 0) {
    throw new InvalidDataError(`${where}: X has no rows; pass at least one training row.`);
  }
  const means = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    const offset = i * cols;
    for (let j = 0; j < cols; j++) {
      const value = data[offset + j]!;
      if (!Number.isFinite(value)) {
        throw new InvalidDataError(
          `${where}: X[${i}, ${j}] is ${value}; impute or drop non-finite feature values before fitting.`,
          { row: i, col: j, value },
        );
      }
      means[j]! += value;
    }
  }
  for (let j = 0; j < cols; j++) means[j]! /= rows;
  const stds = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    const offset = i * cols;
    for (let j = 0; j < cols; j++) {
      const centred = data[offset + j]! - means[j]!;
      stds[j]! += centred * centred;
    }
  }
  for (let j = 0; j < cols; j++) {
    const std = Math.sqrt(stds[j]! / rows);
    // Same cut-off idea as scikit-learn: a spread at rounding-noise level counts as constant.
    stds[j] = std > 10 * Number.EPSILON * Math.max(1, Math.abs(means[j]!)) ? std : 1;
  }
  return { means, stds };
}

/**
 * `(X - means) / stds` as a new row-major Float32Array, the dtype TensorFlow.js trains in.
 * @throws InvalidDataError naming the first non-finite value.
 */
export function applyStandardization(
  X: Matrix,
  standardization: Standardization,
  where: string,
): Float32Array {
  const { data, rows, cols } = X;
  const { means, stds } = standardization;
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const offset = i * cols;
    for (let j = 0; j < cols; j++) {
      const value = data[offset + j]!;
      if (!Number.isFinite(value)) {
        throw new InvalidDataError(
          `${where}: X[${i}, ${j}] is ${value}; impute or drop non-finite feature values first.`,
          { row: i, col: j, value },
        );
      }
      out[offset + j] = (value - means[j]!) / stds[j]!;
    }
  }
  return out;
}
