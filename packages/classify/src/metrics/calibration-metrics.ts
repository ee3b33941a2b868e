import { InvalidArgumentError, InvalidDataError } from '@mlsd/core';
import { checkBinaryInputs, type Labels } from './check-inputs.js';

/**
 * The Brier score: the (weighted) mean of (p − y)², scikit-learn's `brier_score_loss`. Lower is
 * better; it rewards calibration and ranking together (0 is perfect; always predicting the base
 * rate r scores r·(1 − r)).
 */
export function brierScore(
  labels: Labels,
  probabilities: ArrayLike<number>,
  sampleWeight?: ArrayLike<number>,
): number {
  checkProbabilities('brierScore', labels, probabilities, sampleWeight);
  let sum = 0;
  let total = 0;
  for (let i = 0; i < labels.length; i++) {
    const w = sampleWeight === undefined ? 1 : sampleWeight[i]!;
    sum += w * (probabilities[i]! - labels[i]!) ** 2;
    total += w;
  }
  return sum / total;
}

/** A reliability (calibration) curve: per non-empty bin, mean prediction vs observed rate. */
export interface ReliabilityCurve {
  /** Mean predicted probability of each non-empty bin, increasing. */
  meanPredicted: Float64Array;
  /** Share of positives in each bin. */
  fractionPositive: Float64Array;
  /** Rows in each bin. */
  count: Int32Array;
  /** Bin edges (`bins + 1` values; quantile edges may repeat). */
  edges: Float64Array;
}

/**
 * Bins the predictions and compares each bin's mean prediction with its share of positives, as
 * scikit-learn's `calibration_curve`: `'uniform'` bins cut [0, 1] evenly, `'quantile'` bins hold
 * about the same number of rows (what rare-positive scores need: uniform bins put nearly every
 * transaction in the first one). A value on an inner edge goes to the lower bin; empty bins are
 * left out. A calibrated model's points lie on the diagonal.
 */
export function reliabilityCurve(
  labels: Labels,
  probabilities: ArrayLike<number>,
  options: { bins?: number; strategy?: 'uniform' | 'quantile' } = {},
): ReliabilityCurve {
  const bins = options.bins ?? 10;
  const strategy = options.strategy ?? 'uniform';
  if (!Number.isInteger(bins) || bins < 1) {
    throw new InvalidArgumentError(
      `reliabilityCurve: bins must be a positive integer, got ${bins}.`,
    );
  }
  checkProbabilities('reliabilityCurve', labels, probabilities);
  const n = labels.length;
  const edges = new Float64Array(bins + 1);
  if (strategy === 'uniform') {
    for (let b = 0; b <= bins; b++) edges[b] = b / bins;
  } else {
    // numpy's default (linear) percentile at 0, 100/bins, …, 100.
    const sorted = Float64Array.from(probabilities).sort();
    for (let b = 0; b <= bins; b++) {
      const position = ((n - 1) * b) / bins;
      const lo = Math.floor(position);
      const hi = Math.min(n - 1, lo + 1);
      edges[b] = sorted[lo]! + (position - lo) * (sorted[hi]! - sorted[lo]!);
    }
  }
  const sums = new Float64Array(bins);
  const positives = new Float64Array(bins);
  const counts = new Int32Array(bins);
  for (let i = 0; i < n; i++) {
    const p = probabilities[i]!;
    // First inner edge ≥ p (numpy.searchsorted, side 'left', over edges[1..bins−1]).
    let lo = 1;
    let hi = bins;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (edges[mid]! < p) lo = mid + 1;
      else hi = mid;
    }
    const bin = lo - 1;
    sums[bin]! += p;
    positives[bin]! += labels[i]!;
    counts[bin]!++;
  }
  const kept: number[] = [];
  for (let b = 0; b < bins; b++) if (counts[b]! > 0) kept.push(b);
  return {
    meanPredicted: Float64Array.from(kept, (b) => sums[b]! / counts[b]!),
    fractionPositive: Float64Array.from(kept, (b) => positives[b]! / counts[b]!),
    count: Int32Array.from(kept, (b) => counts[b]!),
    edges,
  };
}

function checkProbabilities(
  where: string,
  labels: Labels,
  probabilities: ArrayLike<number>,
  sampleWeight?: ArrayLike<number>,
): void {
  checkBinaryInputs(where, labels, probabilities, sampleWeight);
  if (labels.length === 0) throw new InvalidDataError(`${where}: no rows.`);
  for (let i = 0; i < probabilities.length; i++) {
    const p = probabilities[i]!;
    if (p < 0 || p > 1) {
      throw new InvalidDataError(
        `${where}: probability at index ${i} is ${p}; calibration metrics need values in [0, 1].`,
        { index: i },
      );
    }
  }
}
