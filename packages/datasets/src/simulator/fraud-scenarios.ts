import type { Rng } from '@mlsd/core';
import { roundToCents } from './generate-transactions.js';
import { forEachRowInDays, type RowsByEntity } from './rows-by-entity.js';
import { FRAUD_SCENARIO } from './transaction-columns.js';

/** Amounts strictly above this are fraud (scenario 1). */
export const LARGE_AMOUNT_THRESHOLD = 220;
/** Terminals compromised each day (scenario 2). */
export const TERMINALS_COMPROMISED_PER_DAY = 2;
/** Days a compromised terminal stays compromised, the compromise day included. */
export const TERMINAL_COMPROMISE_DAYS = 28;
/** Customers compromised each day (scenario 3). */
export const CUSTOMERS_COMPROMISED_PER_DAY = 3;
/** Days a compromised customer's card is used by the fraudster, the compromise day included. */
export const CUSTOMER_COMPROMISE_DAYS = 14;
/** Factor applied to the amounts of the fraudulent transactions of scenario 3. */
export const CUSTOMER_FRAUD_AMOUNT_FACTOR = 5;

/** The columns the fraud scenarios read and write (time-sorted). */
export interface ScenarioColumns {
  days: Int32Array;
  customers: Int32Array;
  terminals: Int32Array;
  /** Changed in place by scenario 3. */
  amounts: Float64Array;
  /** 0/1, written in place. */
  fraud: Uint8Array;
  /** {@link FRAUD_SCENARIO} codes, written in place. */
  scenario: Uint8Array;
}

/** Scenario 1: every transaction whose amount is above 220 is fraud. */
export function markLargeAmounts(columns: ScenarioColumns): void {
  const { amounts, fraud, scenario } = columns;
  for (let i = 0; i < amounts.length; i++) {
    if (amounts[i]! > LARGE_AMOUNT_THRESHOLD) {
      fraud[i] = 1;
      scenario[i] = FRAUD_SCENARIO.largeAmount;
    }
  }
}

/**
 * Scenario 2: each day, 2 terminals drawn without replacement are compromised; all their
 * transactions of that day and the next 27 are fraud.
 * @returns the compromised terminal ids, 2 per day (day-major: day d at [2d, 2d + 2)).
 */
export function markCompromisedTerminals(
  rng: Rng,
  columns: ScenarioColumns,
  byTerminal: RowsByEntity,
  terminalCount: number,
  days: number,
): Int32Array {
  const perDay = Math.min(TERMINALS_COMPROMISED_PER_DAY, terminalCount);
  const chosen = new Int32Array(days * perDay);
  const { fraud, scenario } = columns;
  const mark = (row: number): void => {
    fraud[row] = 1;
    scenario[row] = FRAUD_SCENARIO.compromisedTerminal;
  };
  for (let day = 0; day < days; day++) {
    const terminals = rng.sample(terminalCount, perDay);
    chosen.set(terminals, day * perDay);
    for (const terminal of terminals) {
      forEachRowInDays(
        byTerminal,
        columns.days,
        terminal,
        day,
        day + TERMINAL_COMPROMISE_DAYS,
        mark,
      );
    }
  }
  return chosen;
}

/**
 * Scenario 3: each day, 3 customers drawn without replacement are compromised; their
 * transactions of that day and the next 13 are pooled, and ⌊pool / 3⌋ of them, drawn without
 * replacement, get their amount multiplied by 5 (rounded to cents) and become fraud. Days are
 * processed in order, so a transaction in two overlapping pools can be chosen twice.
 * @returns the compromised customer ids, 3 per day (day-major: day d at [3d, 3d + 3)).
 */
export function markCompromisedCustomers(
  rng: Rng,
  columns: ScenarioColumns,
  byCustomer: RowsByEntity,
  customerCount: number,
  days: number,
): Int32Array {
  const perDay = Math.min(CUSTOMERS_COMPROMISED_PER_DAY, customerCount);
  const chosen = new Int32Array(days * perDay);
  const { amounts, fraud, scenario } = columns;
  let pool = new Int32Array(256);
  let poolSize = 0;
  const addToPool = (row: number): void => {
    if (poolSize === pool.length) {
      const grown = new Int32Array(pool.length * 2);
      grown.set(pool);
      pool = grown;
    }
    pool[poolSize++] = row;
  };
  for (let day = 0; day < days; day++) {
    const customers = rng.sample(customerCount, perDay);
    chosen.set(customers, day * perDay);
    poolSize = 0;
    for (const customer of customers) {
      forEachRowInDays(
        byCustomer,
        columns.days,
        customer,
        day,
        day + CUSTOMER_COMPROMISE_DAYS,
        addToPool,
      );
    }
    // Row order, so the draw does not depend on the order the customers were drawn in.
    const rows = pool.subarray(0, poolSize).sort();
    const picks = rng.sample(poolSize, Math.floor(poolSize / 3));
    for (const pick of picks) {
      const row = rows[pick]!;
      amounts[row] = roundToCents(amounts[row]! * CUSTOMER_FRAUD_AMOUNT_FACTOR);
      fraud[row] = 1;
      scenario[row] = FRAUD_SCENARIO.compromisedCustomer;
    }
  }
  return chosen;
}
