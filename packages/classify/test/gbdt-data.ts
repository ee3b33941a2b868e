import { type Matrix, Rng, toMatrix } from '@mlsd/core';

/** A labelled table for the gradient-boosting tests. */
export interface LabelledData {
  X: Matrix<Float64Array>;
  y: Uint8Array;
}

/**
 * `n` rows of `d` standard-normal features; `label(row)` returns P(y = 1) for a row's
 * features, and the label is drawn from it (seeded).
 */
export function makeData(
  n: number,
  d: number,
  probability: (row: Float64Array) => number,
  seed = 1,
): LabelledData {
  const rng = new Rng(seed);
  const data = new Float64Array(n * d);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const row = data.subarray(i * d, (i + 1) * d);
    for (let j = 0; j < d; j++) row[j] = rng.normal();
    y[i] = rng.next() < probability(row) ? 1 : 0;
  }
  return { X: toMatrix(data, n, d), y };
}

/** The logistic function. */
export function logistic(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/** Share of rows where `p ≥ 0.5` agrees with the label. */
export function accuracy(y: Uint8Array, p: Float64Array): number {
  let right = 0;
  for (let i = 0; i < y.length; i++) if ((p[i]! >= 0.5 ? 1 : 0) === y[i]) right++;
  return right / y.length;
}

/** Mean of an array. */
export function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return sum / values.length;
}
