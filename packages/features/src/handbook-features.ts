import { parseOptions } from '@mlsd/core';
import { z } from 'zod';
import { FeatureSet } from './feature-set.js';
import type { FeatureDefinitionInput, FeatureSpec } from './feature-spec.js';
import { resolveFeatureSpec } from './feature-spec.js';

const HandbookOptionsSchema = z
  .object({
    /** Window lengths in days, for both the customer and the terminal features. */
    windowsDays: z.array(z.number().positive().finite()).min(1).default([1, 7, 30]),
    /** Label delay in days: terminal windows end this long before the transaction. */
    delayDays: z.number().nonnegative().finite().default(7),
    /** Column of the customer (card) id; also the entity's name. */
    customerKey: z.string().min(1).default('CUSTOMER_ID'),
    /** Column of the terminal (merchant) id; also the entity's name. */
    terminalKey: z.string().min(1).default('TERMINAL_ID'),
    /** Date whose midnight (UTC) is second 0 of the time column (`YYYY-MM-DD`); null for epoch seconds. */
    origin: z.string().nullable().default('2018-04-01'),
    /** Input column names (defaults: the simulator's). */
    columns: z
      .object({
        transactionId: z.string().min(1).default('TRANSACTION_ID'),
        time: z.string().min(1).default('TX_TIME_SECONDS'),
        amount: z.string().min(1).default('TX_AMOUNT'),
        label: z.string().min(1).default('TX_FRAUD'),
      })
      .strict()
      .prefault({}),
    /** Last hour of the day (0–23) counted as night. */
    nightLastHour: z.number().int().min(0).max(23).default(6),
  })
  .strict();

/** Options of {@link handbookFeatureSpec}; every field has the handbook's default. */
export type HandbookFeatureOptions = z.input<typeof HandbookOptionsSchema>;

/**
 * The handbook's 15 baseline feature names with the default options, in output order.
 */
export const HANDBOOK_FEATURE_NAMES: readonly string[] = Object.freeze([
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
 * The baseline features of Le Borgne et al. (2022), *Reproducible Machine Learning for Credit
 * Card Fraud Detection – Practical Handbook*, §3.3, as one FeatureSpec v2 over the simulator's
 * columns: the amount, weekend and night flags (UTC, time counted from `origin`), the
 * customer's number of transactions and mean amount over each window (ending at and including
 * the transaction), and the terminal's number of transactions and fraud share over each window
 * shifted back by the label delay (0 when empty). Names as the handbook's.
 * @throws InvalidArgumentError for bad options.
 */
export function handbookFeatureSpec(options: HandbookFeatureOptions = {}): FeatureSpec {
  const o = parseOptions(HandbookOptionsSchema, options, 'handbookFeatureSpec options');
  const customer = o.customerKey;
  const terminal = o.terminalKey;
  const features: FeatureDefinitionInput[] = [
    { kind: 'numeric', name: o.columns.amount, column: o.columns.amount },
    { kind: 'weekend', name: 'TX_DURING_WEEKEND' },
    { kind: 'night', name: 'TX_DURING_NIGHT', lastHour: o.nightLastHour },
  ];
  for (const days of o.windowsDays) {
    const suffix = `${days}DAY_WINDOW`;
    features.push(
      {
        kind: 'window',
        name: `${customer}_NB_TX_${suffix}`,
        entity: customer,
        windowDays: days,
        aggregate: 'count',
      },
      {
        kind: 'window',
        name: `${customer}_AVG_AMOUNT_${suffix}`,
        entity: customer,
        windowDays: days,
        aggregate: 'mean',
      },
    );
  }
  for (const days of o.windowsDays) {
    const suffix = `${days}DAY_WINDOW`;
    features.push(
      {
        kind: 'window',
        name: `${terminal}_NB_TX_${suffix}`,
        entity: terminal,
        windowDays: days,
        delayDays: o.delayDays,
        aggregate: 'count',
      },
      {
        kind: 'risk',
        name: `${terminal}_RISK_${suffix}`,
        entity: terminal,
        windowDays: days,
        delayDays: o.delayDays,
      },
    );
  }
  return resolveFeatureSpec({
    version: 2,
    columns: { ...o.columns, labelTime: null },
    timezone: 'UTC',
    timeOrigin: o.origin,
    labelDelayDays: o.delayDays,
    entities: [
      { name: customer, columns: [customer] },
      { name: terminal, columns: [terminal] },
    ],
    features,
  });
}

/** The handbook's baseline features as a {@link FeatureSet} (see {@link handbookFeatureSpec}). */
export function handbookFeatureSet(options: HandbookFeatureOptions = {}): FeatureSet {
  return new FeatureSet(handbookFeatureSpec(options));
}
