import type { Rng } from '@mlsd/core';

/** Side of the square map customers and terminals live on. */
export const MAP_SIZE = 100;

/** The simulated customers (cards), one entry per customer id 0 … count − 1. */
export interface CustomerProfiles {
  /** Number of customers. */
  count: number;
  /** Location on the 100 × 100 map. */
  x: Float64Array;
  y: Float64Array;
  /** Mean amount of a transaction, U(5, 100). */
  meanAmount: Float64Array;
  /** Standard deviation of the amount: meanAmount / 2. */
  stdAmount: Float64Array;
  /** Mean number of transactions per day, U(0, 4). */
  meanTransactionsPerDay: Float64Array;
}

/**
 * Draws `count` customer profiles as Le Borgne et al. (2022, §3.2.1) specify: location
 * x, y ~ U(0, 100); mean amount ~ U(5, 100) with standard deviation mean / 2; mean number of
 * transactions per day ~ U(0, 4). Draws per customer in that order, from `rng`.
 */
export function generateCustomerProfiles(rng: Rng, count: number): CustomerProfiles {
  const x = new Float64Array(count);
  const y = new Float64Array(count);
  const meanAmount = new Float64Array(count);
  const stdAmount = new Float64Array(count);
  const meanTransactionsPerDay = new Float64Array(count);
  for (let c = 0; c < count; c++) {
    x[c] = rng.uniform(0, MAP_SIZE);
    y[c] = rng.uniform(0, MAP_SIZE);
    const mean = rng.uniform(5, 100);
    meanAmount[c] = mean;
    stdAmount[c] = mean / 2;
    meanTransactionsPerDay[c] = rng.uniform(0, 4);
  }
  return { count, x, y, meanAmount, stdAmount, meanTransactionsPerDay };
}
