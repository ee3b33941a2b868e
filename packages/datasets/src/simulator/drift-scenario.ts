import type { Rng } from '@mlsd/core';
import { roundToCents } from './generate-transactions.js';
import { FRAUD_SCENARIO, SECONDS_PER_DAY } from './transaction-columns.js';

/** Transactions strictly before this second of the day are candidates for the new pattern (06:00). */
export const CARD_TESTING_BEFORE_SECOND = 6 * 3600;
/** Amounts of the new pattern's frauds are drawn from U(low, high). */
export const CARD_TESTING_AMOUNT = Object.freeze({ low: 0.5, high: 5 });

/** The columns {@link markCardTesting} reads and writes. */
export interface DriftColumns {
  seconds: Int32Array;
  days: Int32Array;
  amounts: Float64Array;
  fraud: Uint8Array;
  scenario: Uint8Array;
}

/**
 * The drift option's new fraud pattern ("card testing"): from `fromDay` on, each transaction
 * made before 06:00 becomes, with probability `probability`, a fraud with a small amount
 * U(0.5, 5) rounded to cents, labelled scenario 4. Runs after the three handbook scenarios,
 * so its label wins.
 * @returns how many transactions it turned into fraud.
 */
export function markCardTesting(
  rng: Rng,
  columns: DriftColumns,
  fromDay: number,
  probability: number,
): number {
  const { seconds, days, amounts, fraud, scenario } = columns;
  let marked = 0;
  for (let i = 0; i < seconds.length; i++) {
    if (days[i]! < fromDay) continue;
    if (seconds[i]! - days[i]! * SECONDS_PER_DAY >= CARD_TESTING_BEFORE_SECOND) continue;
    if (rng.next() >= probability) continue;
    amounts[i] = roundToCents(rng.uniform(CARD_TESTING_AMOUNT.low, CARD_TESTING_AMOUNT.high));
    fraud[i] = 1;
    scenario[i] = FRAUD_SCENARIO.driftPattern;
    marked++;
  }
  return marked;
}
