import { InvalidArgumentError } from '@mlsd/core';
import { checkBinaryInputs, descendingOrder, type Labels, type Scores } from './check-inputs.js';

/** Counts of a binary decision `score >= threshold` against the labels. */
export interface ConfusionMatrix {
  threshold: number;
  truePositives: number;
  falsePositives: number;
  trueNegatives: number;
  falseNegatives: number;
  /** TP / (TP + FP); NaN when nothing is flagged. */
  precision: number;
  /** TP / (TP + FN); NaN when there are no positives. */
  recall: number;
  /** FP / (FP + TN); NaN when there are no negatives. */
  falsePositiveRate: number;
}

/** The confusion matrix of flagging every sample with `score >= threshold`. */
export function confusionMatrix(
  labels: Labels,
  scores: Scores,
  threshold: number,
): ConfusionMatrix {
  checkBinaryInputs('confusionMatrix', labels, scores);
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (let i = 0; i < labels.length; i++) {
    const flagged = scores[i]! >= threshold;
    if (labels[i] === 1) flagged ? tp++ : fn++;
    else flagged ? fp++ : tn++;
  }
  return {
    threshold,
    truePositives: tp,
    falsePositives: fp,
    trueNegatives: tn,
    falseNegatives: fn,
    precision: tp + fp === 0 ? Number.NaN : tp / (tp + fp),
    recall: tp + fn === 0 ? Number.NaN : tp / (tp + fn),
    falsePositiveRate: fp + tn === 0 ? Number.NaN : fp / (fp + tn),
  };
}

/**
 * Share of positives among the `k` highest-scored samples (ties broken by position), divided
 * by k even when fewer than k samples exist.
 */
export function precisionAtK(labels: Labels, scores: Scores, k: number): number {
  if (!Number.isInteger(k) || k <= 0) {
    throw new InvalidArgumentError(`precisionAtK: k must be a positive integer, got ${k}.`);
  }
  checkBinaryInputs('precisionAtK', labels, scores);
  const order = descendingOrder(scores);
  let hits = 0;
  for (let r = 0; r < Math.min(k, order.length); r++) hits += labels[order[r]!]!;
  return hits / k;
}
