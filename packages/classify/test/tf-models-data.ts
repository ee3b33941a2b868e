import { type Matrix, Rng, toMatrix } from '@mlsd/core';

/** A seeded binary problem for the TensorFlow.js model tests. */
export interface SyntheticProblem {
  X: Matrix<Float64Array>;
  y: Uint8Array;
}

/**
 * Rows whose label follows a logistic model on 3 raw features of very different scales (an
 * amount around 50, a count offset by 1e6, a unit-scale signal) plus a pure-noise column;
 * `intercept` sets the positive rate (−3 gives roughly 8 %).
 */
export function linearProblem(rows: number, seed: number, intercept = -3): SyntheticProblem {
  const rng = new Rng(seed);
  const cols = 4;
  const data = new Float64Array(rows * cols);
  const y = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    const amount = Math.exp(rng.normal(3.5, 0.8));
    const count = 1e6 + rng.poisson(5);
    const signal = rng.normal();
    const noise = rng.normal();
    data.set([amount, count, signal, noise], i * cols);
    const logit = intercept + 0.02 * (amount - 40) + 0.4 * (count - 1e6 - 5) + 1.5 * signal;
    y[i] = rng.next() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
  }
  return { X: toMatrix(data, rows, cols), y };
}

/**
 * Two features whose label is their XOR sign pattern (with 5 % flipped labels): no linear
 * model can rank it, a network with a hidden layer can.
 */
export function xorProblem(rows: number, seed: number): SyntheticProblem {
  const rng = new Rng(seed);
  const data = new Float64Array(rows * 2);
  const y = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    const a = rng.uniform(-1, 1);
    const b = rng.uniform(-1, 1);
    data[2 * i] = a;
    data[2 * i + 1] = b;
    const label = a * b > 0 ? 1 : 0;
    y[i] = rng.next() < 0.05 ? 1 - label : label;
  }
  return { X: toMatrix(data, rows, 2), y };
}

/** Rows `[start, end)` of a problem. */
export function sliceRows(problem: SyntheticProblem, start: number, end: number): SyntheticProblem {
  const { cols } = problem.X;
  return {
    X: toMatrix(problem.X.data.slice(start * cols, end * cols), end - start, cols),
    y: problem.y.slice(start, end),
  };
}

/** Mean of the values at the rows where `mask` is 1 (or 0 with `value = 0`). */
export function meanWhere(values: Float64Array, mask: ArrayLike<number>, value = 1): number {
  let total = 0;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    if (mask[i] === value) {
      total += values[i]!;
      count++;
    }
  }
  return total / count;
}
