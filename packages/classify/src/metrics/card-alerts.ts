import { DimensionMismatchError, InvalidArgumentError } from '@mlsd/core';
import { checkBinaryInputs } from './check-inputs.js';

/** Scored transactions of a test period, column by column. */
export interface ScoredTransactions {
  /** Day index of each transaction (e.g. TX_TIME_DAYS). */
  day: ArrayLike<number>;
  /** Card (customer) id of each transaction. */
  card: ArrayLike<number>;
  /** 1 when the transaction is fraudulent. */
  label: ArrayLike<number>;
  /** Model score; higher is more suspicious. */
  score: ArrayLike<number>;
}

/** What a fraud team's daily alert list of `k` cards would have found, day by day. */
export interface DailyCardAlerts {
  /** Alerts per day. */
  k: number;
  /** The days, in increasing order. */
  days: Int32Array;
  /** Compromised cards among the day's top k, divided by k (even if fewer cards exist). */
  cardPrecision: Float64Array;
  /** Compromised cards among the day's top k. */
  caught: Int32Array;
  /** Compromised cards that transacted that day (not already detected earlier). */
  compromised: Int32Array;
}

/**
 * Ranks cards day by day as an investigation team would (Le Borgne et al. 2022, §4.2): each
 * day, cards already detected on an earlier day are left out; each remaining card gets its
 * highest transaction score and is compromised if any of its transactions that day is fraud;
 * the top `k` cards are investigated and the compromised ones among them count as detected
 * from then on. Ties in score are broken by card id, so results are deterministic.
 */
export function rankCardsDaily(transactions: ScoredTransactions, k: number): DailyCardAlerts {
  const { day, card, label, score } = transactions;
  if (!Number.isInteger(k) || k <= 0) {
    throw new InvalidArgumentError(`card alerts: k must be a positive integer, got ${k}.`);
  }
  checkBinaryInputs('card alerts', label, score);
  if (day.length !== label.length || card.length !== label.length) {
    throw new DimensionMismatchError(
      `card alerts: day (${day.length}), card (${card.length}) and label (${label.length}) must have one entry per transaction.`,
    );
  }
  const order = new Int32Array(label.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  order.sort((a, b) => day[a]! - day[b]! || a - b);

  const detected = new Set<number>();
  const days: number[] = [];
  const precision: number[] = [];
  const caught: number[] = [];
  const compromised: number[] = [];
  let start = 0;
  while (start < order.length) {
    const today = day[order[start]!]!;
    let end = start;
    const maxScore = new Map<number, number>();
    const isCompromised = new Map<number, boolean>();
    while (end < order.length && day[order[end]!] === today) {
      const i = order[end]!;
      const id = card[i]!;
      end++;
      if (detected.has(id)) continue;
      const best = maxScore.get(id);
      if (best === undefined || score[i]! > best) maxScore.set(id, score[i]!);
      if (label[i] === 1) isCompromised.set(id, true);
      else if (!isCompromised.has(id)) isCompromised.set(id, false);
    }
    const ranked = [...maxScore.keys()].sort(
      (a, b) => maxScore.get(b)! - maxScore.get(a)! || a - b,
    );
    let found = 0;
    for (const id of ranked.slice(0, k)) {
      if (isCompromised.get(id)) {
        found++;
        detected.add(id);
      }
    }
    let total = 0;
    for (const value of isCompromised.values()) if (value) total++;
    days.push(today);
    precision.push(found / k);
    caught.push(found);
    compromised.push(total);
    start = end;
  }
  return {
    k,
    days: Int32Array.from(days),
    cardPrecision: Float64Array.from(precision),
    caught: Int32Array.from(caught),
    compromised: Int32Array.from(compromised),
  };
}

/** Mean over days of the daily card precision among the top `k` cards (CP@k). */
export function cardPrecisionAtK(transactions: ScoredTransactions, k = 100): number {
  const alerts = rankCardsDaily(transactions, k);
  return mean(alerts.cardPrecision);
}

/**
 * Share of compromised cards a team that investigates `budget` cards a day would catch:
 * Σ caught / Σ compromised over the days (cards already detected earlier are not counted
 * again). NaN when no card was compromised.
 */
export function recallAtDailyBudget(transactions: ScoredTransactions, budget = 100): number {
  const alerts = rankCardsDaily(transactions, budget);
  const caught = alerts.caught.reduce((sum, value) => sum + value, 0);
  const total = alerts.compromised.reduce((sum, value) => sum + value, 0);
  return total === 0 ? Number.NaN : caught / total;
}

function mean(values: Float64Array): number {
  if (values.length === 0) return Number.NaN;
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}
