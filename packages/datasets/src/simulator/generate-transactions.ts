import type { Progress, Rng } from '@mlsd/core';
import type { CustomerProfiles } from './customer-profiles.js';
import { GrowableColumn } from './growable-column.js';
import type { NearbyTerminals } from './terminal-grid.js';
import { SECONDS_PER_DAY } from './transaction-columns.js';

/** Transactions before any fraud is injected, sorted by time (ties in customer order). */
export interface GenuineTransactions {
  /** Seconds since midnight of the first day. */
  seconds: Int32Array;
  /** Day index, 0 = the first day. */
  days: Int32Array;
  customers: Int32Array;
  terminals: Int32Array;
  /** Amounts in currency units, rounded to cents. */
  amounts: Float64Array;
}

/** Options of {@link generateGenuineTransactions}. */
export interface GenerateOptions {
  days: number;
  /** From `fromDay` on, mean and standard deviation of every amount are multiplied by `factor`. */
  amountShift?: { fromDay: number; factor: number } | undefined;
  /** Ticked once per simulated day. */
  progress?: Progress | undefined;
}

/** Mean time of day of a transaction: noon. */
const MEAN_SECOND = SECONDS_PER_DAY / 2;
/** Standard deviation of the time of day, in seconds. */
const STD_SECONDS = 20_000;

/**
 * Simulates the customers' transactions day by day, as Le Borgne et al. (2022, §3.2.4)
 * specify: each day each customer makes Poisson(mean per day) transactions; for each, the time
 * of day ~ Normal(noon, 20,000 s), kept only when it falls inside the day (not redrawn) and
 * truncated to a whole second; the amount ~ Normal(mean, std), a negative draw replaced once by
 * U(0, 2 · mean), rounded to cents; the terminal uniform among the customer's nearby ones (a
 * customer without any makes no transaction). Each day's transactions are put in time order
 * with a stable counting sort on the second, so the whole result is sorted without a global sort.
 */
export function generateGenuineTransactions(
  rng: Rng,
  customers: CustomerProfiles,
  nearby: NearbyTerminals,
  options: GenerateOptions,
): GenuineTransactions {
  const { days, amountShift, progress } = options;
  const { count, meanAmount, stdAmount, meanTransactionsPerDay } = customers;
  const { offsets, terminals: nearbyIds } = nearby;

  let expectedPerDay = 0;
  for (let c = 0; c < count; c++) {
    if (offsets[c + 1]! > offsets[c]!) expectedPerDay += meanTransactionsPerDay[c]!;
  }
  const capacity = Math.ceil(expectedPerDay * days * 1.02) + 1024;
  const seconds = new GrowableColumn(Int32Array, capacity);
  const dayColumn = new GrowableColumn(Int32Array, capacity);
  const customerColumn = new GrowableColumn(Int32Array, capacity);
  const terminalColumn = new GrowableColumn(Int32Array, capacity);
  const amountColumn = new GrowableColumn(Float64Array, capacity);

  const dayCapacity = Math.ceil(expectedPerDay * 1.2) + 64;
  const daySecond = new GrowableColumn(Int32Array, dayCapacity);
  const dayCustomer = new GrowableColumn(Int32Array, dayCapacity);
  const dayTerminal = new GrowableColumn(Int32Array, dayCapacity);
  const dayAmount = new GrowableColumn(Float64Array, dayCapacity);
  const perSecond = new Int32Array(SECONDS_PER_DAY + 1);

  for (let day = 0; day < days; day++) {
    const scale = amountShift !== undefined && day >= amountShift.fromDay ? amountShift.factor : 1;
    daySecond.clear();
    dayCustomer.clear();
    dayTerminal.clear();
    dayAmount.clear();
    for (let c = 0; c < count; c++) {
      const n = rng.poisson(meanTransactionsPerDay[c]!);
      if (n === 0) continue;
      const first = offsets[c]!;
      const available = offsets[c + 1]! - first;
      const mean = meanAmount[c]! * scale;
      const std = stdAmount[c]! * scale;
      for (let k = 0; k < n; k++) {
        const time = rng.normal(MEAN_SECOND, STD_SECONDS);
        if (!(time >= 0 && time < SECONDS_PER_DAY)) continue;
        let amount = rng.normal(mean, std);
        if (amount < 0) amount = rng.uniform(0, 2 * mean);
        if (available === 0) continue;
        const terminal = nearbyIds[first + rng.integer(0, available)]!;
        daySecond.push(Math.floor(time));
        dayCustomer.push(c);
        dayTerminal.push(terminal);
        dayAmount.push(roundToCents(amount));
      }
    }
    appendInTimeOrder(day);
    progress?.tick();
  }

  return {
    seconds: seconds.finish(),
    days: dayColumn.finish(),
    customers: customerColumn.finish(),
    terminals: terminalColumn.finish(),
    amounts: amountColumn.finish(),
  };

  /** Stable counting sort of the day's rows by second, appended to the output columns. */
  function appendInTimeOrder(day: number): void {
    const n = daySecond.length;
    const secondsOfDay = daySecond.view();
    perSecond.fill(0);
    for (let i = 0; i < n; i++) perSecond[secondsOfDay[i]! + 1]!++;
    for (let s = 0; s < SECONDS_PER_DAY; s++) perSecond[s + 1]! += perSecond[s]!;
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[perSecond[secondsOfDay[i]!]!++] = i;
    const dayStart = day * SECONDS_PER_DAY;
    seconds.reserve(n);
    dayColumn.reserve(n);
    customerColumn.reserve(n);
    terminalColumn.reserve(n);
    amountColumn.reserve(n);
    for (let j = 0; j < n; j++) {
      const i = order[j]!;
      seconds.push(dayStart + secondsOfDay[i]!);
      dayColumn.push(day);
      customerColumn.push(dayCustomer.get(i));
      terminalColumn.push(dayTerminal.get(i));
      amountColumn.push(dayAmount.get(i));
    }
  }
}

/** Rounds to two decimals (cents), halves away from zero for positive amounts. */
export function roundToCents(amount: number): number {
  return Math.round(amount * 100) / 100;
}
