import { InvalidArgumentError } from '@mlsd/core';
import { z } from 'zod';

const SECONDS_PER_DAY = 86_400;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The evaluation protocol of the handbook (Le Borgne et al. 2022, section 5.2): train on 7 days
 * from 2018-07-25, skip a 7-day delay in which labels are not yet known, test on the next 7
 * days. Model selection (the threshold) uses the same layout shifted back one test period.
 */
export const FraudProtocolSchema = z
  .object({
    /** Day 0 of `TX_TIME_DAYS`, `YYYY-MM-DD`. */
    origin: z.string().regex(DATE).default('2018-04-01'),
    /** First training day, `YYYY-MM-DD`. */
    trainStart: z.string().regex(DATE).default('2018-07-25'),
    trainDays: z.number().int().positive().default(7),
    delayDays: z.number().int().nonnegative().default(7),
    testDays: z.number().int().positive().default(7),
    /** Cards investigators can check per day (card precision@k, recall at the budget). */
    dailyBudget: z.number().int().positive().default(100),
  })
  .strict();

/** Protocol options as callers write them. */
export type FraudProtocolOptions = z.input<typeof FraudProtocolSchema>;
/** The protocol with defaults filled in. */
export type FraudProtocol = z.output<typeof FraudProtocolSchema>;

/** Day number of `date` counted from `origin` (both `YYYY-MM-DD`). */
export function dayNumber(origin: string, date: string): number {
  const days =
    (Date.parse(`${date}T00:00:00Z`) - Date.parse(`${origin}T00:00:00Z`)) /
    (SECONDS_PER_DAY * 1000);
  if (!Number.isInteger(days)) {
    throw new InvalidArgumentError(`Not calendar dates: origin "${origin}", date "${date}".`);
  }
  return days;
}
