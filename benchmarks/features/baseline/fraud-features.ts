import { parseOptions } from '@mlsd/core';
import { z } from 'zod';
import { FeatureSet } from './feature-set.js';
import {
  type FeatureDefinition,
  type FeatureSpec,
  TransactionColumnsSchema,
} from './feature-spec.js';

const FraudFeatureOptionsSchema = z
  .object({
    /** Window lengths in days, for both the customer and the terminal features. */
    windowsDays: z.array(z.number().positive().finite()).min(1).default([1, 7, 30]),
    /** Label delay in days: terminal windows end this long before the transaction. */
    delayDays: z.number().nonnegative().finite().default(7),
    /** Column of the customer (card) id. */
    customerKey: z.string().min(1).default('CUSTOMER_ID'),
    /** Column of the terminal (merchant) id. */
    terminalKey: z.string().min(1).default('TERMINAL_ID'),
    /** Date whose midnight is second 0 of the time column (`YYYY-MM-DD`, local time). */
    origin: z.string().default('2018-04-01'),
    /** Input column names (defaults: the simulator's). */
    columns: TransactionColumnsSchema.prefault({}),
    /** Last hour of the day (0–23) counted as night. */
    nightLastHour: z.number().int().min(0).max(23).default(6),
  })
  .strict();

/** Options of {@link defineFraudFeatures}; every field has the handbook's default. */
export type FraudFeatureOptions = z.input<typeof FraudFeatureOptionsSchema>;

/**
 * The handbook's 15 baseline feature names with the default options, in output order.
 */
export const FRAUD_FEATURE_NAMES: readonly string[] = Object.freeze([
  'TX_AMOUNT',
  'TX_DURING_WEEKEND',
  'TX_DURING_NIGHT',
  'CUSTOMER_ID_NB_TX_1DAY_WINDOW',
  'CUSTOMER_ID_AVG_AMOUNT_1DAY_WINDOW',
  'CUSTOMER_ID_NB_TX_7DAY_WINDOW',
  'CUSTOMER_ID_AVG_AMOUNT_7DAY_WINDOW',
  'CUSTOMER_ID_NB_TX_30DAY_WINDOW',
  'CUSTOMER_ID_AVG_AMOUNT_30DAY_WINDOW',
  'TERMINAL_ID_NB_TX_1DAY_WINDOW',
  'TERMINAL_ID_RISK_1DAY_WINDOW',
  'TERMINAL_ID_NB_TX_7DAY_WINDOW',
  'TERMINAL_ID_RISK_7DAY_WINDOW',
  'TERMINAL_ID_NB_TX_30DAY_WINDOW',
  'TERMINAL_ID_RISK_30DAY_WINDOW',
]);

/**
 * The spec of the baseline features of Le Borgne et al. (2022), *Reproducible Machine Learning
 * for Credit Card Fraud Detection – Practical Handbook*, section 3.3: the amount, weekend and
 * night flags, the customer's number of transactions and average amount over each window
 * (ending at and including the transaction), and the terminal's number of transactions and
 * fraud share over each window shifted back by the label delay.
 * @throws InvalidArgumentError for bad options.
 */
export function fraudFeatureSpec(options: FraudFeatureOptions = {}): FeatureSpec {
  const o = parseOptions(FraudFeatureOptionsSchema, options, 'fraudFeatureSpec options');
  const features: FeatureDefinition[] = [
    { kind: 'column', name: o.columns.amount, column: o.columns.amount },
    { kind: 'weekend', name: 'TX_DURING_WEEKEND' },
    { kind: 'night', name: 'TX_DURING_NIGHT', lastHour: o.nightLastHour },
  ];
  const window = (
    name: string,
    entity: string,
    windowDays: number,
    delayDays: number,
    aggregate: 'count' | 'mean-amount' | 'fraud-share',
  ): FeatureDefinition => ({ kind: 'window', name, entity, windowDays, delayDays, aggregate });
  for (const days of o.windowsDays) {
    const suffix = `${days}DAY_WINDOW`;
    features.push(window(`${o.customerKey}_NB_TX_${suffix}`, o.customerKey, days, 0, 'count'));
    features.push(
      window(`${o.customerKey}_AVG_AMOUNT_${suffix}`, o.customerKey, days, 0, 'mean-amount'),
    );
  }
  for (const days of o.windowsDays) {
    const suffix = `${days}DAY_WINDOW`;
    features.push(
      window(`${o.terminalKey}_NB_TX_${suffix}`, o.terminalKey, days, o.delayDays, 'count'),
    );
    features.push(
      window(`${o.terminalKey}_RISK_${suffix}`, o.terminalKey, days, o.delayDays, 'fraud-share'),
    );
  }
  return { origin: o.origin, columns: o.columns, features };
}

/** The handbook's baseline features as a {@link FeatureSet} (see {@link fraudFeatureSpec}). */
export function defineFraudFeatures(options: FraudFeatureOptions = {}): FeatureSet {
  return new FeatureSet(fraudFeatureSpec(options));
}
