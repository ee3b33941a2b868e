import { InvalidArgumentError } from '@mlsd/core';
import { z } from 'zod';

const SECONDS_PER_DAY = 86_400;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A resolved evaluation protocol (Le Borgne et al. 2022, section 5.2), as a model saves it:
 * train on `trainDays` local days from `trainStart`, skip a `delayDays` delay in which labels
 * are not yet known, test on the next `testDays` days. Model selection (the threshold) uses the
 * same layout shifted back by delay + test days. The defaults are the handbook's (train 7 days
 * from 2018-07-25 on the simulator's days); `resolveProtocol` derives one from a config and the
 * data's span.
 */
export const FraudProtocolSchema = z
  .object({
    /** Day 0, `YYYY-MM-DD` (a local date; the simulator's `TX_TIME_DAYS` 0). */
    origin: z.string().regex(DATE).default('2018-04-01'),
    /** First training day, `YYYY-MM-DD`. */
    trainStart: z.string().regex(DATE).default('2018-07-25'),
    trainDays: z.number().int().positive().default(7),
    delayDays: z.number().int().nonnegative().default(7),
    testDays: z.number().int().positive().default(7),
    /** Cards investigators can check per day (card precision@k, recall at the budget). */
    dailyBudget: z.number().int().positive().default(100),
    /** IANA zone whose local days the periods count. */
    timezone: z.string().min(1).default('UTC'),
    /** The entity that is the card (card precision@k, known-compromised cards). */
    cardEntity: z.string().min(1).default('CUSTOMER_ID'),
    /** Leave out test transactions of cards already known to be compromised. */
    dropKnownCompromised: z.boolean().default(true),
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
