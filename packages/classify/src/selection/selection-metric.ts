import { DimensionMismatchError, InvalidArgumentError } from '@mlsd/core';
import { cardPrecisionAtK } from '../metrics/card-alerts.js';
import { averagePrecision } from '../metrics/precision-recall.js';
import type { DatedTransactions } from '../protocol/time-split.js';
import { type CostOptions, thresholdForCost } from '../thresholds/cost-threshold.js';

/**
 * What model selection maximises: a score of one validation fold's predictions. `rows` are
 * the fold's validation rows (indices into the searched data) and `scores` the candidate's
 * scores of those rows, in the same order. Higher is better. Evaluated on the calling thread,
 * so a metric may read any column of the data (days, cards, amounts) by row.
 */
export interface SelectionMetric {
  /** Short name for tables and reports, e.g. `"average precision"`. */
  readonly name: string;
  evaluate(rows: Int32Array, scores: Float64Array): number;
}

function gather(values: ArrayLike<number>, rows: Int32Array): Float64Array {
  const out = new Float64Array(rows.length);
  for (let k = 0; k < rows.length; k++) out[k] = values[rows[k]!]!;
  return out;
}

function checkLength(where: string, expected: number, columns: Record<string, ArrayLike<number>>) {
  for (const [name, column] of Object.entries(columns)) {
    if (column.length !== expected) {
      throw new DimensionMismatchError(
        `${where}: ${name} has ${column.length} values, the labels ${expected}; give one per row of the searched data.`,
      );
    }
  }
}

/** Average precision of the validation rows (the default: ranking quality on rare positives). */
export function averagePrecisionMetric(labels: ArrayLike<number>): SelectionMetric {
  return {
    name: 'average precision',
    evaluate: (rows, scores) => averagePrecision(gather(labels, rows), scores),
  };
}

/**
 * Card precision@k of the validation rows, mean over their days (what an investigation team of
 * `k` cards a day finds; cards found on an earlier validation day are left out).
 */
export function cardPrecisionMetric(data: DatedTransactions, k: number): SelectionMetric {
  if (!Number.isInteger(k) || k <= 0) {
    throw new InvalidArgumentError(`cardPrecisionMetric: k must be a positive integer, got ${k}.`);
  }
  checkLength('cardPrecisionMetric', data.label.length, { day: data.day, card: data.card });
  return {
    name: `card precision@${k}`,
    evaluate: (rows, scores) =>
      cardPrecisionAtK(
        {
          day: gather(data.day, rows),
          card: gather(data.card, rows),
          label: gather(data.label, rows),
          score: scores,
        },
        k,
      ),
  };
}

/**
 * Net savings per validation row at the fold's own best cost threshold (see
 * `thresholdForCost`): recoveryRate · fraud amount alerted − costPerAlert · alerts, divided by
 * the fold's rows so folds of different sizes weigh alike. A candidate wins when its ranking puts
 * the frauds that are worth an investigator's time first.
 */
export function netSavingsMetric(
  data: { label: ArrayLike<number>; amount: ArrayLike<number> },
  cost: CostOptions,
): SelectionMetric {
  checkLength('netSavingsMetric', data.label.length, { amount: data.amount });
  return {
    name: 'net savings per transaction',
    evaluate: (rows, scores) =>
      thresholdForCost(
        { label: gather(data.label, rows), amount: gather(data.amount, rows), score: scores },
        cost,
      ).netSavings / Math.max(1, rows.length),
  };
}
