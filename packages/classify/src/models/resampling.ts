import {
  DimensionMismatchError,
  InvalidDataError,
  type Matrix,
  parseOptions,
  Rng,
  toMatrix,
} from '@mlsd/core';
import { z } from 'zod';
import { type BinaryLabels, countBinaryLabels } from './class-weights.js';

const ResampleOptionsSchema = z
  .object({
    /**
     * Wanted ratio of positives (fraud) to negatives after resampling, in (0, 1]; default 1
     * (as many of each). With undersampling the negatives kept are ⌈positives / ratio⌉; with
     * oversampling the positives become ⌈ratio · negatives⌉.
     */
    ratio: z.number().gt(0).lte(1).default(1),
    /** Seed of the draw. */
    seed: z.number().int().default(0),
  })
  .strict();

/** Options of {@link randomUndersample} and {@link randomOversample}. */
export type ResampleOptions = z.input<typeof ResampleOptionsSchema>;

/**
 * Random undersampling of the majority class (label 0): every positive row is kept, and a
 * seeded random subset of the negatives, without replacement, so that positives / negatives is
 * `ratio`. A comparison baseline for class weighting, as imbalanced-learn's
 * `RandomUnderSampler`; it throws information away, so use it for speed or to compare.
 *
 * @returns the row indices to train on, ascending (so time order is kept); apply them with
 *   {@link takeResampledRows}.
 * @throws InvalidDataError for labels other than 0/1 or when a class is missing;
 *   InvalidArgumentError for bad options.
 */
export function randomUndersample(y: BinaryLabels, options: ResampleOptions = {}): Int32Array {
  const { ratio, seed } = parseOptions(ResampleOptionsSchema, options, 'randomUndersample');
  const { negatives, positives } = checkedCounts(y, 'randomUndersample');
  const keepNegatives = Math.min(negatives, Math.ceil(positives / ratio));
  const negativeRows = rowsOfClass(y, 0, negatives);
  const chosen = new Rng(seed).sample(negatives, keepNegatives);
  const keep = new Uint8Array(y.length);
  for (let i = 0; i < y.length; i++) if (y[i] === 1) keep[i] = 1;
  for (const index of chosen) keep[negativeRows[index]!] = 1;
  const rows = new Int32Array(positives + keepNegatives);
  let next = 0;
  for (let i = 0; i < y.length; i++) if (keep[i] === 1) rows[next++] = i;
  return rows;
}

/**
 * Random oversampling of the minority class (label 1): every row is kept once, and positive
 * rows are drawn again with replacement (seeded) until positives / negatives is `ratio`, as
 * imbalanced-learn's `RandomOverSampler`. Duplicated rows are placed right after their
 * original, so the indices stay in ascending order.
 *
 * @returns the row indices to train on (with repeats), ascending; apply them with
 *   {@link takeResampledRows}.
 * @throws InvalidDataError for labels other than 0/1 or when a class is missing;
 *   InvalidArgumentError for bad options.
 */
export function randomOversample(y: BinaryLabels, options: ResampleOptions = {}): Int32Array {
  const { ratio, seed } = parseOptions(ResampleOptionsSchema, options, 'randomOversample');
  const { negatives, positives } = checkedCounts(y, 'randomOversample');
  const extra = Math.max(0, Math.ceil(ratio * negatives) - positives);
  const positiveRows = rowsOfClass(y, 1, positives);
  const copies = new Int32Array(y.length).fill(1);
  const rng = new Rng(seed);
  for (let k = 0; k < extra; k++) copies[positiveRows[rng.integer(0, positives)]!]!++;
  const rows = new Int32Array(y.length + extra);
  let next = 0;
  for (let i = 0; i < y.length; i++) {
    for (let c = 0; c < copies[i]!; c++) rows[next++] = i;
  }
  return rows;
}

/**
 * The rows `rows` of `X` and `y` (and of `sampleWeight` when given), in that order: the
 * training set a resampling produced.
 * @throws DimensionMismatchError when `y` or `sampleWeight` do not match `X`.
 */
export function takeResampledRows(
  rows: Int32Array,
  X: Matrix,
  y: BinaryLabels,
  sampleWeight?: ArrayLike<number>,
): { X: Matrix; y: Uint8Array; sampleWeight?: Float64Array } {
  if (y.length !== X.rows || (sampleWeight !== undefined && sampleWeight.length !== X.rows)) {
    throw new DimensionMismatchError(
      `takeResampledRows: X has ${X.rows} rows but y has ${y.length}${sampleWeight === undefined ? '' : ` and sampleWeight ${sampleWeight.length}`}.`,
      { expected: X.rows },
    );
  }
  const { cols } = X;
  const data = new (X.data.constructor as Float64ArrayConstructor)(rows.length * cols);
  const labels = new Uint8Array(rows.length);
  const weights = sampleWeight === undefined ? undefined : new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    data.set(X.data.subarray(row * cols, (row + 1) * cols), i * cols);
    labels[i] = y[row]!;
    if (weights !== undefined) weights[i] = sampleWeight![row]!;
  }
  return {
    X: toMatrix(data, rows.length, cols),
    y: labels,
    ...(weights === undefined ? {} : { sampleWeight: weights }),
  };
}

function checkedCounts(y: BinaryLabels, where: string): { negatives: number; positives: number } {
  const counts = countBinaryLabels(y);
  if (counts.negatives === 0 || counts.positives === 0) {
    throw new InvalidDataError(
      `${where}: y holds only class ${counts.positives === 0 ? 0 : 1} (${y.length} rows); resampling balances two classes, so both must be present.`,
      counts,
    );
  }
  return counts;
}

function rowsOfClass(y: BinaryLabels, label: 0 | 1, count: number): Int32Array {
  const rows = new Int32Array(count);
  let next = 0;
  for (let i = 0; i < y.length; i++) if (y[i] === label) rows[next++] = i;
  return rows;
}
