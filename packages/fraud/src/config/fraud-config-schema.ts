import { ClassWeightSchema, classifierRegistry } from '@mlsd/classify';
import { describeWithNearest } from '@mlsd/core';
import { FeatureDefinitionSchema } from '@mlsd/features';
import { z } from 'zod';
import { FRAUD_MODEL_KINDS, TUNED_FRAUD_MODEL } from '../classifiers.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** Entity names go into feature names and state keys (the rule of @mlsd/features' entities). */
const IDENTIFIER = /^[A-Za-z0-9_.-]{1,64}$/;

const ColumnName = z
  .string()
  .min(1, 'a column name cannot be empty')
  .describe('A column of the input file, as its header (or JSON key) spells it.');

/** The keyword formats of a time column; any other string is a pattern such as `YYYY-MM-DD HH:mm:ss`. */
export const TIME_FORMAT_KEYWORDS = [
  'iso',
  'epoch-seconds',
  'epoch-millis',
  'seconds-since',
] as const;

/**
 * Where the event time is and how it is written: one column (`column`) or a date column plus
 * a time-of-day column (`date` + `time`, joined by a space before parsing).
 */
export const TimeColumnSchema = z
  .object({
    column: ColumnName.optional().describe('The column holding the event time.'),
    date: ColumnName.optional().describe('With `time`: the column holding the date.'),
    time: ColumnName.optional().describe(
      'With `date`: the column holding the time of day; the two are joined by a space.',
    ),
    format: z
      .string()
      .min(1)
      .default('iso')
      .describe(
        '"iso" (2018-04-01T07:19:05, with or without an offset), "epoch-seconds", "epoch-millis", ' +
          '"seconds-since" (with `origin`), or a pattern of YYYY MM M DD D HH H hh h mm ss SSS A Z ' +
          'and literal characters, e.g. "YYYY-MM-DD HH:mm:ss" or "DD/MM/YYYY hh:mm A".',
      ),
    origin: z
      .string()
      .regex(DATE, 'must be a date written YYYY-MM-DD')
      .optional()
      .describe('For "seconds-since": the date whose local midnight is second 0.'),
  })
  .strict()
  .superRefine((time, ctx) => {
    const single = time.column !== undefined;
    const pair = time.date !== undefined || time.time !== undefined;
    if (single === pair) {
      ctx.addIssue({
        code: 'custom',
        message: single
          ? 'give either `column` or `date` + `time`, not both'
          : 'name the time column: { "column": "..." } or { "date": "...", "time": "..." }',
      });
    } else if (pair && (time.date === undefined || time.time === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [time.date === undefined ? 'date' : 'time'],
        message: '`date` and `time` go together; name both columns',
      });
    }
    if (time.format === 'seconds-since' && time.origin === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['origin'],
        message: 'format "seconds-since" needs the origin date, e.g. "origin": "2018-04-01"',
      });
    }
    if (time.format !== 'seconds-since' && time.origin !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['origin'],
        message: `an origin only applies to format "seconds-since" (the format is "${time.format}")`,
      });
    }
  })
  .describe('The event time of each transaction.');

/** The fraud label and the values that mean fraud and genuine. */
export const LabelColumnSchema = z
  .object({
    column: ColumnName.describe('The column holding the label.'),
    fraud: z
      .array(z.string())
      .min(1)
      .default(['1', 'true'])
      .describe('Values meaning fraud (compared as text, case-insensitive).'),
    genuine: z
      .array(z.string())
      .min(1)
      .default(['0', 'false'])
      .describe('Values meaning genuine (compared as text, case-insensitive).'),
  })
  .strict()
  .superRefine((label, ctx) => {
    const fraud = new Set(label.fraud.map((value) => value.toLowerCase()));
    const both = label.genuine.filter((value) => fraud.has(value.toLowerCase()));
    if (both.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['genuine'],
        message: `${both.map((value) => `"${value}"`).join(', ')} cannot mean both fraud and genuine`,
      });
    }
  });

/** When a transaction's label becomes known: a fixed delay, or a column with the time. */
export const LabelDelaySchema = z
  .object({
    days: z
      .number()
      .nonnegative()
      .finite()
      .optional()
      .describe('Labels are known this many days after the transaction.'),
    column: ColumnName.optional().describe(
      'A column holding when each label became known (same formats as the time).',
    ),
    format: z.string().min(1).default('iso').describe('Format of `column`, as for the time.'),
  })
  .strict()
  .superRefine((delay, ctx) => {
    if ((delay.days === undefined) === (delay.column === undefined)) {
      ctx.addIssue({
        code: 'custom',
        message: 'give either "days" (a fixed delay) or "column" (when each label became known)',
      });
    }
  });

/** Which columns of the file are what. */
export const ColumnsSchema = z
  .object({
    transactionId: ColumnName.describe('Unique id of each transaction (kept as text).'),
    time: TimeColumnSchema,
    timezone: z
      .string()
      .min(1)
      .default('UTC')
      .describe(
        'IANA zone that local times are written in, and in which hour of day / day of week are computed.',
      ),
    amount: ColumnName.describe('The amount of each transaction.'),
    label: LabelColumnSchema.optional().describe(
      'The fraud label; needed to train and evaluate, optional to score.',
    ),
    labelDelay: LabelDelaySchema.default({ days: 7, format: 'iso' }).describe(
      'When labels become known; label-reading features and the protocol wait this long.',
    ),
    entities: z
      .record(
        z
          .string()
          .regex(
            IDENTIFIER,
            'use 1 to 64 letters, digits, "_", "." or "-" (it becomes part of feature names)',
          ),
        z.array(ColumnName).min(1, 'an entity needs at least one column'),
      )
      .default({})
      .describe(
        'Named keys transactions are grouped by (card, merchant, device, ...): each the list of columns whose values together form the key.',
      ),
    numeric: z
      .array(ColumnName)
      .default([])
      .describe('Other numeric columns features may read (missing → NaN).'),
    categorical: z
      .array(ColumnName)
      .default([])
      .describe('Other text columns features may read (kept as text).'),
    ignore: z
      .array(ColumnName)
      .default([])
      .describe(
        'Columns left out on purpose (personal data such as names and addresses); columns not named anywhere are left out too.',
      ),
  })
  .strict();

/** The evaluation protocol: periods from the data's span, label delay, alert budget. */
export const ProtocolSchema = z
  .object({
    trainDays: z.number().int().positive().default(7).describe('Days the final model trains on.'),
    delayDays: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .describe(
        'Days between training and test (labels not known yet); default: the label delay in days, else 7.',
      ),
    testDays: z.number().int().positive().default(7).describe('Days of the test period.'),
    trainStart: z
      .union([z.literal('auto'), z.string().regex(DATE, 'must be "auto" or a date YYYY-MM-DD')])
      .default('auto')
      .describe(
        '"auto": the test period is the last testDays days of the data, the delay before it, training before that; or the first training day.',
      ),
    dailyBudget: z
      .number()
      .int()
      .positive()
      .default(100)
      .describe('Cards investigators can check a day (card precision@k, the alert threshold).'),
    cardEntity: z
      .string()
      .optional()
      .describe(
        'The entity that is a card (card precision@k, known-compromised removal); default "card", else the first entity.',
      ),
    dropKnownCompromised: z
      .boolean()
      .default(true)
      .describe(
        'Leave out test transactions of cards already known to be compromised (the handbook does).',
      ),
  })
  .strict();

/**
 * The classifier. Without a `kind`, the default model: the trees `mlsd fraud tune` chose on the
 * default world (`TUNED_FRAUD_MODEL`, `params` given here override theirs); with a `kind`, that
 * kind with its own defaults for what `params` leaves out.
 */
export const ModelSchema = z
  .object({
    kind: z
      .string()
      .min(1)
      .refine((kind) => classifierRegistry.has(kind), {
        error: (issue) =>
          `no classifier kind ${describeWithNearest(String(issue.input), classifierRegistry.names)}; registered: ${classifierRegistry.names.join(', ')}`,
      })
      .optional()
      .describe(
        `The classifier: a kind registered in @mlsd/classify's classifierRegistry (built in: ${FRAUD_MODEL_KINDS.join(', ')}). Default: "${TUNED_FRAUD_MODEL.kind}" with the hyperparameters tuned on the handbook's world.`,
      ),
    params: z
      .record(z.string(), z.json())
      .optional()
      .describe(
        "The kind's hyperparameters (what `mlsd fraud tune` chose); the rest take the kind's defaults.",
      ),
    classWeight: ClassWeightSchema.default('none').describe(
      '"none", "balanced" (n / (2 · count) per class) or { "0": w0, "1": w1 }.',
    ),
    seed: z.number().int().default(0).describe('Seed of every random draw of the model.'),
  })
  .strict()
  .transform(({ kind, params, ...rest }) =>
    kind === undefined
      ? {
          kind: TUNED_FRAUD_MODEL.kind as string,
          params: { ...TUNED_FRAUD_MODEL.params, ...params },
          ...rest,
        }
      : { kind, params: params ?? {}, ...rest },
  );

/**
 * One feature over the normalized columns and the named entities: a FeatureSpec v2 definition
 * of @mlsd/features (`kind` plus that kind's fields, each with a default name).
 */
export const FeatureEntrySchema = FeatureDefinitionSchema;

/** The presets a config can start from. */
export const FRAUD_CONFIG_PRESETS = ['handbook', 'handbook+'] as const;
/** A preset's name. */
export type FraudConfigPreset = (typeof FRAUD_CONFIG_PRESETS)[number];

/**
 * The fraud pipeline on one transaction log, as one JSON file: which columns are what, the
 * features, the protocol and the model. `mlsd fraud init` drafts it from a file.
 */
export const FraudPipelineConfigSchema = z
  .object({
    $schema: z.string().optional().describe('JSON Schema of this file, for editors.'),
    version: z.literal(1).describe('Version of this file format: 1.'),
    preset: z
      .enum(FRAUD_CONFIG_PRESETS)
      .optional()
      .describe(
        '"handbook": the Fraud Detection Handbook\'s columns, 15 features and protocol; "handbook+": the same plus the feature groups the ablation kept (the card\'s amount z-scores over 7 and 30 days); the keys given here override it.',
      ),
    columns: ColumnsSchema.optional().describe(
      'Which columns of the file are what; required unless a preset gives them.',
    ),
    features: z
      .array(FeatureEntrySchema)
      .min(1, 'list at least one feature')
      .optional()
      .describe(
        'The features (FeatureSpec v2 definitions); default: a set over the entities and the amount.',
      ),
    protocol: ProtocolSchema.prefault({}),
    model: ModelSchema.prefault({}),
  })
  .strict()
  .superRefine((config, ctx) => {
    if (config.columns === undefined && config.preset === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['columns'],
        message:
          'say which columns are what (`mlsd fraud init --in <file>` drafts this), or start from "preset": "handbook"',
      });
    }
  });

/** A config as written in the file. */
export type FraudPipelineConfigInput = z.input<typeof FraudPipelineConfigSchema>;
/** A config with every default filled in. */
export type FraudPipelineConfig = z.output<typeof FraudPipelineConfigSchema>;
/** The `columns` section, parsed. */
export type FraudColumns = z.output<typeof ColumnsSchema>;
/** The `columns.time` section, parsed. */
export type TimeColumn = FraudColumns['time'];
/** The `protocol` section, parsed. */
export type ProtocolConfig = FraudPipelineConfig['protocol'];
/** One feature entry as written (defaults may be left out). */
export type FeatureEntry = z.input<typeof FeatureEntrySchema>;
/** One feature entry after validation (defaults of its fields filled in). */
export type ParsedFeatureEntry = z.output<typeof FeatureEntrySchema>;
