import { DimensionMismatchError, InvalidDataError, parseOptions } from '@mlsd/core';
import { z } from 'zod';
import { checkBinaryInputs } from '../metrics/check-inputs.js';

/** zod schema of {@link CostOptions}. */
export const CostOptionsSchema = z
  .object({
    /** What investigating one alert costs, in the unit of the amounts (an analyst's time). */
    costPerAlert: z.number().nonnegative().finite(),
    /** Share of a caught fraud's amount that is saved (charge-back, blocked card); default 1. */
    recoveryRate: z.number().min(0).max(1).default(1),
  })
  .strict();

/** The economics of an alert: its cost, and how much of a caught fraud is saved. */
export type CostOptions = z.input<typeof CostOptionsSchema>;

/** Scored transactions with their amounts. */
export interface ScoredAmounts {
  label: ArrayLike<number>;
  /** Transaction amount, ≥ 0. */
  amount: ArrayLike<number>;
  score: ArrayLike<number>;
}

/** A threshold chosen by {@link thresholdForCost} and what it earns on the data it was chosen on. */
export interface CostThresholdChoice {
  /** Alert when score >= threshold (`Infinity`: no alert pays). */
  threshold: number;
  policy: 'cost';
  costPerAlert: number;
  recoveryRate: number;
  alerts: number;
  caughtFrauds: number;
  /** Fraud amount among the alerts. */
  caughtAmount: number;
  /** recoveryRate · caughtAmount − costPerAlert · alerts: what alerting at the threshold saves. */
  netSavings: number;
}

/**
 * The score threshold that maximises what alerting saves on labelled, scored transactions:
 * recoveryRate · (fraud amount among the alerts) − costPerAlert · (alerts). Every distinct score
 * is a candidate cut (ties alert together); when no cut saves anything, the threshold is
 * `Infinity` (alert nothing). Next to the daily-budget threshold, it answers "how many alerts
 * are worth an investigator's time" rather than "how many can the team handle".
 */
export function thresholdForCost(
  transactions: ScoredAmounts,
  options: CostOptions,
): CostThresholdChoice {
  const { costPerAlert, recoveryRate } = parseCost(options);
  const { label, amount, score } = transactions;
  checkBinaryInputs('thresholdForCost', label, score);
  if (amount.length !== label.length) {
    throw new DimensionMismatchError(
      `thresholdForCost: ${amount.length} amounts for ${label.length} transactions.`,
    );
  }
  const order = Int32Array.from({ length: label.length }, (_, i) => i);
  order.sort((a, b) => score[b]! - score[a]! || a - b);
  const best: CostThresholdChoice = {
    threshold: Number.POSITIVE_INFINITY,
    policy: 'cost',
    costPerAlert,
    recoveryRate,
    alerts: 0,
    caughtFrauds: 0,
    caughtAmount: 0,
    netSavings: 0,
  };
  let alerts = 0;
  let frauds = 0;
  let caught = 0;
  for (let k = 0; k < order.length; k++) {
    const row = order[k]!;
    const value = amount[row]!;
    if (!(value >= 0) || !Number.isFinite(value)) {
      throw new InvalidDataError(
        `thresholdForCost: amount at row ${row} is ${value}; amounts must be finite and ≥ 0.`,
      );
    }
    alerts++;
    if (label[row] === 1) {
      frauds++;
      caught += value;
    }
    // Only cut between distinct scores: tied rows are alerted together.
    const next = order[k + 1];
    if (next !== undefined && score[next] === score[row]) continue;
    const net = recoveryRate * caught - costPerAlert * alerts;
    if (net > best.netSavings) {
      best.threshold = score[row]!;
      best.alerts = alerts;
      best.caughtFrauds = frauds;
      best.caughtAmount = caught;
      best.netSavings = net;
    }
  }
  return best;
}

/**
 * The expected-value rule for a calibrated probability: alerting a transaction of `amount` pays
 * when P(fraud) · recoveryRate · amount ≥ costPerAlert, so the probability it needs is
 * costPerAlert / (recoveryRate · amount) (`Infinity` when it can never pay). Only meaningful
 * when scores are probabilities (see `CalibratedClassifier`).
 */
export function expectedValueThreshold(amount: number, options: CostOptions): number {
  const { costPerAlert, recoveryRate } = parseCost(options);
  const gain = recoveryRate * amount;
  if (!(gain > 0)) return costPerAlert > 0 ? Number.POSITIVE_INFINITY : 0;
  return costPerAlert / gain;
}

function parseCost(options: CostOptions): { costPerAlert: number; recoveryRate: number } {
  return parseOptions(CostOptionsSchema, options, 'cost options');
}
