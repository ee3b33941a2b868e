import { DimensionMismatchError, InvalidArgumentError, InvalidDataError } from '@mlsd/core';
import type { ScoredTransactions } from '../metrics/card-alerts.js';
import { checkBinaryInputs } from '../metrics/check-inputs.js';
import { countByThreshold } from '../metrics/threshold-counts.js';

/** A chosen decision threshold and what it means on the data it was chosen on. */
export interface ThresholdChoice {
  /** Flag a transaction when its score >= threshold. */
  threshold: number;
  policy: 'daily-budget' | 'min-precision';
  /** The constraint: cards a day, or the minimum precision. */
  constraint: number;
  /** Transaction-level precision and recall at the threshold on the selection data. */
  precision: number;
  recall: number;
}

/**
 * The lowest threshold (so the highest recall) at which the mean number of distinct cards
 * flagged per day stays within `budget` — what an investigation team of a given size can
 * check. A card is flagged on a day when any of its transactions scores >= threshold.
 */
export function thresholdForDailyBudget(
  transactions: ScoredTransactions,
  budget: number,
): ThresholdChoice {
  if (!Number.isInteger(budget) || budget <= 0) {
    throw new InvalidArgumentError(
      `thresholdForDailyBudget: budget must be a positive integer, got ${budget}.`,
    );
  }
  const { day, card, label, score } = transactions;
  checkBinaryInputs('thresholdForDailyBudget', label, score);
  if (day.length !== label.length || card.length !== label.length) {
    throw new DimensionMismatchError(
      'thresholdForDailyBudget: day, card, label and score differ in length.',
    );
  }
  // Highest score of each (day, card): a threshold flags that card-day iff it is <= this.
  const best = new Map<string, number>();
  const days = new Set<number>();
  for (let i = 0; i < label.length; i++) {
    const key = `${day[i]}:${card[i]}`;
    const previous = best.get(key);
    if (previous === undefined || score[i]! > previous) best.set(key, score[i]!);
    days.add(day[i]!);
  }
  const cardDayMax = Float64Array.from(best.values()).sort().reverse();
  const allowed = budget * days.size; // total card-days over the period at the mean budget
  let threshold: number;
  if (cardDayMax.length <= allowed) {
    threshold = cardDayMax[cardDayMax.length - 1] ?? 0;
  } else {
    // Flag the top `allowed` card-days; ties at the boundary would exceed it, so step above them.
    const boundary = cardDayMax[allowed]!;
    threshold = nextAbove(boundary, cardDayMax);
  }
  return {
    ...precisionRecallAt(label, score, threshold),
    threshold,
    policy: 'daily-budget',
    constraint: budget,
  };
}

/**
 * The lowest threshold whose precision on the selection data is at least `minPrecision`
 * (the most recall a precision floor allows).
 * @throws InvalidDataError when no threshold reaches that precision.
 */
export function thresholdForMinPrecision(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  minPrecision: number,
): ThresholdChoice {
  if (!(minPrecision > 0 && minPrecision <= 1)) {
    throw new InvalidArgumentError(
      `thresholdForMinPrecision: minPrecision must be in (0, 1], got ${minPrecision}.`,
    );
  }
  const { thresholds, tps, fps } = countByThreshold('thresholdForMinPrecision', labels, scores);
  let chosen = -1;
  for (let i = 0; i < thresholds.length; i++) {
    if (tps[i]! / (tps[i]! + fps[i]!) >= minPrecision) chosen = i;
  }
  if (chosen === -1) {
    throw new InvalidDataError(
      `thresholdForMinPrecision: no threshold reaches precision ${minPrecision} on this data; lower the floor or improve the model.`,
    );
  }
  const threshold = thresholds[chosen]!;
  return {
    ...precisionRecallAt(labels, scores, threshold),
    threshold,
    policy: 'min-precision',
    constraint: minPrecision,
  };
}

/** Frauds a threshold lets through, and what they cost. */
export interface FalseNegativeCost {
  threshold: number;
  /** Fraudulent transactions scored below the threshold. */
  count: number;
  /** Their total amount. */
  amount: number;
  /** Share of all frauds missed. */
  share: number;
}

/** Counts the frauds scored below `threshold` and sums their amounts. */
export function falseNegativeCost(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  amounts: ArrayLike<number>,
  threshold: number,
): FalseNegativeCost {
  checkBinaryInputs('falseNegativeCost', labels, scores);
  if (amounts.length !== labels.length) {
    throw new DimensionMismatchError(
      `falseNegativeCost: ${amounts.length} amounts for ${labels.length} labels.`,
    );
  }
  let count = 0;
  let amount = 0;
  let frauds = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== 1) continue;
    frauds++;
    if (scores[i]! < threshold) {
      count++;
      amount += amounts[i]!;
    }
  }
  return { threshold, count, amount, share: frauds === 0 ? Number.NaN : count / frauds };
}

function precisionRecallAt(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  threshold: number,
): { precision: number; recall: number } {
  let tp = 0;
  let fp = 0;
  let positives = 0;
  for (let i = 0; i < labels.length; i++) {
    const flagged = scores[i]! >= threshold;
    if (labels[i] === 1) {
      positives++;
      if (flagged) tp++;
    } else if (flagged) fp++;
  }
  return {
    precision: tp + fp === 0 ? Number.NaN : tp / (tp + fp),
    recall: positives === 0 ? Number.NaN : tp / positives,
  };
}

/** The smallest value in `sortedDescending` strictly above `value`, or just above it. */
function nextAbove(value: number, sortedDescending: Float64Array): number {
  let candidate = Number.POSITIVE_INFINITY;
  for (const v of sortedDescending) {
    if (v > value) candidate = v;
    else break;
  }
  return candidate === Number.POSITIVE_INFINITY
    ? value + Math.max(Math.abs(value) * 1e-12, 1e-300)
    : candidate;
}
