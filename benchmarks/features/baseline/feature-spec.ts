import { z } from 'zod';
import { AGGREGATE_KINDS, type AggregateKind } from './window-aggregate.js';

const Name = z.string().min(1);

/** Column names of the transactions table (defaults: the simulator's). */
export const TransactionColumnsSchema = z
  .object({
    /** Unique non-negative integer id of each transaction (online label lookups). */
    transactionId: Name.default('TRANSACTION_ID'),
    /** Seconds since midnight of the spec's `origin` date, non-decreasing. */
    time: Name.default('TX_TIME_SECONDS'),
    /** Transaction amount. */
    amount: Name.default('TX_AMOUNT'),
    /** Fraud label, 0 or 1. */
    label: Name.default('TX_FRAUD'),
  })
  .strict();

/** Column names of the transactions table. */
export type TransactionColumns = z.output<typeof TransactionColumnsSchema>;

/** One feature, as plain JSON; `kind` says which family it belongs to. */
export const FeatureDefinitionSchema = z.discriminatedUnion('kind', [
  /** A numeric input column passed through unchanged. */
  z.object({ kind: z.literal('column'), name: Name, column: Name }).strict(),
  /** 1 on Saturday or Sunday, else 0. */
  z.object({ kind: z.literal('weekend'), name: Name }).strict(),
  /** 1 when the hour of the day is at most `lastHour`, else 0. */
  z
    .object({
      kind: z.literal('night'),
      name: Name,
      lastHour: z.number().int().min(0).max(23).default(6),
    })
    .strict(),
  /**
   * An aggregate over the transactions of the same `entity` with time in
   * `(t − delayDays − windowDays, t − delayDays]` (days of 86,400 s).
   */
  z
    .object({
      kind: z.literal('window'),
      name: Name,
      entity: Name,
      windowDays: z.number().positive().finite(),
      delayDays: z.number().nonnegative().finite().default(0),
      aggregate: z.enum(AGGREGATE_KINDS as [AggregateKind, ...AggregateKind[]]),
    })
    .strict(),
]);

/** One feature definition (parsed, defaults filled in). */
export type FeatureDefinition = z.output<typeof FeatureDefinitionSchema>;

/**
 * A list of features over a transactions table: the JSON that defines a {@link FeatureSet}
 * and that the online state stores in its snapshots.
 */
export const FeatureSpecSchema = z
  .object({
    /** Date whose midnight is second 0 of the time column, `YYYY-MM-DD`, local time. */
    origin: z.string().default('2018-04-01'),
    columns: TransactionColumnsSchema.prefault({}),
    features: z.array(FeatureDefinitionSchema).min(1),
  })
  .strict()
  .superRefine((spec, ctx) => {
    const seen = new Set<string>();
    spec.features.forEach((feature, index) => {
      if (seen.has(feature.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['features', index, 'name'],
          message: `"${feature.name}" is used by two features; names must be unique`,
        });
      }
      seen.add(feature.name);
    });
  });

/** A feature spec as written (defaults may be left out). */
export type FeatureSpecInput = z.input<typeof FeatureSpecSchema>;
/** A feature spec after validation, every default filled in. */
export type FeatureSpec = z.output<typeof FeatureSpecSchema>;
