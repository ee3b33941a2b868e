import type { Labels, Scores } from './check-inputs.js';
import { countByThreshold } from './threshold-counts.js';

/** A precision–recall curve, ordered by increasing threshold as scikit-learn returns it. */
export interface PrecisionRecallCurve {
  /** Precision at each threshold, then 1 for the end point (recall 0). */
  precision: Float64Array;
  /** Recall at each threshold (decreasing), then 0. */
  recall: Float64Array;
  /** The distinct scores, increasing (one fewer than precision/recall). */
  thresholds: Float64Array;
}

/**
 * Precision and recall at every distinct score (scikit-learn's `precision_recall_curve`).
 * With no positive sample, recall is 1 everywhere, as scikit-learn sets it.
 */
export function precisionRecallCurve(
  labels: Labels,
  scores: Scores,
  sampleWeight?: ArrayLike<number>,
): PrecisionRecallCurve {
  const { thresholds, tps, fps } = countByThreshold(
    'precisionRecallCurve',
    labels,
    scores,
    sampleWeight,
  );
  const steps = thresholds.length;
  const positives = tps[steps - 1] ?? 0;
  const curve: PrecisionRecallCurve = {
    precision: new Float64Array(steps + 1),
    recall: new Float64Array(steps + 1),
    thresholds: new Float64Array(steps),
  };
  for (let i = 0; i < steps; i++) {
    const from = steps - 1 - i;
    const flagged = tps[from]! + fps[from]!;
    curve.precision[i] = flagged === 0 ? 0 : tps[from]! / flagged;
    curve.recall[i] = positives === 0 ? 1 : tps[from]! / positives;
    curve.thresholds[i] = thresholds[from]!;
  }
  curve.precision[steps] = 1;
  curve.recall[steps] = 0;
  return curve;
}

/**
 * Average precision: the step-wise sum Σₙ (Rₙ − Rₙ₋₁)·Pₙ over thresholds from the highest
 * score down (scikit-learn's `average_precision_score`), not the trapezoidal area, which is
 * optimistic on imbalanced data.
 */
export function averagePrecision(
  labels: Labels,
  scores: Scores,
  sampleWeight?: ArrayLike<number>,
): number {
  const { tps, fps } = countByThreshold('averagePrecision', labels, scores, sampleWeight);
  const positives = tps[tps.length - 1] ?? 0;
  if (positives === 0) return Number.NaN;
  let sum = 0;
  let previousTp = 0;
  for (let i = 0; i < tps.length; i++) {
    const tp = tps[i]!;
    if (tp !== previousTp) {
      sum += ((tp - previousTp) / positives) * (tp / (tp + fps[i]!));
      previousTp = tp;
    }
  }
  return sum;
}
