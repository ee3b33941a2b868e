import { InvalidDataError } from '@mlsd/core';
import type { Labels, Scores } from './check-inputs.js';
import { countByThreshold } from './threshold-counts.js';

/** A ROC curve: false- and true-positive rates at each threshold (decreasing). */
export interface RocCurve {
  fpr: Float64Array;
  tpr: Float64Array;
  /** `thresholds[0]` is +Infinity (nothing flagged); the rest are the distinct scores, decreasing. */
  thresholds: Float64Array;
}

/**
 * The ROC curve at every distinct score (scikit-learn's `roc_curve` with
 * `drop_intermediate=False`), starting at (0, 0).
 * @throws InvalidDataError when only one class is present.
 */
export function rocCurve(
  labels: Labels,
  scores: Scores,
  sampleWeight?: ArrayLike<number>,
): RocCurve {
  const { thresholds, tps, fps } = countByThreshold('rocCurve', labels, scores, sampleWeight);
  const positives = tps[tps.length - 1] ?? 0;
  const negatives = fps[fps.length - 1] ?? 0;
  if (positives === 0 || negatives === 0) {
    throw new InvalidDataError(
      `ROC needs both classes; got ${positives} positive and ${negatives} negative (weighted) samples.`,
    );
  }
  const n = thresholds.length + 1;
  const curve: RocCurve = {
    fpr: new Float64Array(n),
    tpr: new Float64Array(n),
    thresholds: new Float64Array(n),
  };
  curve.thresholds[0] = Number.POSITIVE_INFINITY;
  for (let i = 1; i < n; i++) {
    curve.fpr[i] = fps[i - 1]! / negatives;
    curve.tpr[i] = tps[i - 1]! / positives;
    curve.thresholds[i] = thresholds[i - 1]!;
  }
  return curve;
}

/**
 * Area under the ROC curve by the trapezoidal rule over the curve above, so tied scores
 * count half, as scikit-learn's `roc_auc_score` does.
 */
export function rocAuc(labels: Labels, scores: Scores, sampleWeight?: ArrayLike<number>): number {
  const { fpr, tpr } = rocCurve(labels, scores, sampleWeight);
  let area = 0;
  for (let i = 1; i < fpr.length; i++)
    area += ((fpr[i]! - fpr[i - 1]!) * (tpr[i]! + tpr[i - 1]!)) / 2;
  return area;
}
