import { describeWithNearest, parseOptions, TimeZone } from '@mlsd/core';
import { z } from 'zod';

/** The FeatureSpec version this package reads and writes. */
export const FEATURE_SPEC_VERSION = 2;

/** Aggregates of a `window` feature. */
export const WINDOW_AGGREGATES = ['count', 'sum', 'mean', 'std', 'min', 'max'] as const;
/** What a `window` feature computes over its window. */
export type WindowAggregate = (typeof WINDOW_AGGREGATES)[number];

/** Comparisons of an `amount-relative` feature. */
export const RELATIVE_KINDS = ['ratio-to-mean', 'z-score'] as const;
/** How an `amount-relative` feature compares the value with the entity's recent ones. */
export type RelativeKind = (typeof RELATIVE_KINDS)[number];

const ColumnName = z.string().min(1, 'a column name cannot be empty');
/** Names that also go into feature names and state keys. */
const Identifier = z
  .string()
  .regex(
    /^[A-Za-z0-9_.-]{1,64}$/,
    'use 1 to 64 letters, digits, "_", "." or "-" (it becomes part of feature names and state keys)',
  );
const FeatureName = z.string().min(1).max(200);
const WindowDays = z.number().positive().finite();
const DelayDays = z.number().nonnegative().finite();
const Smoothing = z.number().nonnegative().finite();
const LatLon = z.tuple([ColumnName, ColumnName]);

/**
 * A strict object whose unknown keys are reported with the nearest known key ("windowDay"
 * (did you mean "windowDays"?)), since a misspelt optional key would otherwise be a silent no-op.
 */
function strict<T extends z.ZodRawShape>(shape: T) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown key ${issue.keys.map((key) => describeWithNearest(key, known)).join(', ')}; the keys here are ${known.join(', ')}`
        : undefined,
  });
}

/** Column names of the normalized transactions table the features read. */
export const SpecColumnsSchema = strict({
  /** Transaction id (opaque: compared as a string). Used online for duplicates and late labels. */
  transactionId: ColumnName,
  /** Event time: epoch seconds (UTC), or seconds since `timeOrigin` when that is set. */
  time: ColumnName,
  /** Amount; the default column of window aggregates and amount-relative features. */
  amount: ColumnName,
  /** Fraud label 0/1; needed by `risk` and `target-encoding` features and by fitting. */
  label: ColumnName.nullable().default(null),
  /** Time (same clock as `time`) at which each label became known; null: known `delay` after. */
  labelTime: ColumnName.nullable().default(null),
});

/** A named entity key over one or more columns (a card, a merchant, a card × merchant pair). */
export const EntitySchema = strict({
  name: Identifier,
  columns: z.array(ColumnName).min(1, 'an entity needs at least one key column'),
});

const Named = { name: FeatureName.optional() };
const FEATURE_KIND_NAMES = [
  'numeric',
  'hour',
  'day-of-week',
  'weekend',
  'night',
  'window',
  'distinct',
  'time-since-previous',
  'amount-relative',
  'risk',
  'target-encoding',
  'frequency',
  'one-hot',
  'geo-distance',
];

/**
 * One feature definition, as plain JSON; `kind` says which family. Every field left out takes
 * the default in the table of the package README; `name` defaults to a stable name derived from
 * the definition ({@link defaultFeatureName}).
 */
export const FeatureDefinitionSchema = z.discriminatedUnion(
  'kind',
  [
    strict({
      kind: z.literal('numeric'),
      ...Named,
      column: ColumnName,
      fill: z.number().default(0),
    }),
    strict({ kind: z.literal('hour'), ...Named }),
    strict({ kind: z.literal('day-of-week'), ...Named }),
    strict({ kind: z.literal('weekend'), ...Named }),
    strict({
      kind: z.literal('night'),
      ...Named,
      lastHour: z.number().int().min(0).max(23).default(6),
    }),
    strict({
      kind: z.literal('window'),
      ...Named,
      entity: Identifier,
      windowDays: WindowDays,
      delayDays: DelayDays.default(0),
      aggregate: z.enum(WINDOW_AGGREGATES),
      of: ColumnName.optional(),
    }),
    strict({
      kind: z.literal('distinct'),
      ...Named,
      entity: Identifier,
      windowDays: WindowDays,
      delayDays: DelayDays.default(0),
      of: ColumnName,
    }),
    strict({
      kind: z.literal('time-since-previous'),
      ...Named,
      entity: Identifier,
      capDays: WindowDays.default(30),
    }),
    strict({
      kind: z.literal('amount-relative'),
      ...Named,
      entity: Identifier,
      windowDays: WindowDays,
      relative: z.enum(RELATIVE_KINDS),
      of: ColumnName.optional(),
    }),
    strict({
      kind: z.literal('risk'),
      ...Named,
      entity: Identifier,
      windowDays: WindowDays,
      delayDays: DelayDays.optional(),
      smoothing: Smoothing.default(0),
    }),
    strict({
      kind: z.literal('target-encoding'),
      ...Named,
      column: ColumnName,
      windowDays: WindowDays.default(30),
      delayDays: DelayDays.optional(),
      smoothing: Smoothing.default(20),
    }),
    strict({ kind: z.literal('frequency'), ...Named, column: ColumnName }),
    strict({
      kind: z.literal('one-hot'),
      ...Named,
      column: ColumnName,
      maxCategories: z.number().int().min(1).max(1000).default(10),
    }),
    strict({ kind: z.literal('geo-distance'), ...Named, from: LatLon, to: LatLon }),
  ],
  {
    // zod's own message lists the kinds but not the nearest one to a misspelt kind.
    error: (issue) => {
      const input = (issue as { input?: unknown }).input;
      if (
        (issue.code as string) !== 'invalid_union' ||
        typeof input !== 'object' ||
        input === null
      ) {
        return undefined;
      }
      const kind = String((input as { kind?: unknown }).kind);
      return `unknown feature kind ${describeWithNearest(kind, FEATURE_KIND_NAMES)}; the kinds are ${FEATURE_KIND_NAMES.join(', ')}`;
    },
  },
);

/** One kind of feature. */
export type FeatureKind = z.output<typeof FeatureDefinitionSchema>['kind'];
/** The kinds of feature, in the order of the README's table. */
export const FEATURE_KINDS: readonly FeatureKind[] = FEATURE_KIND_NAMES as readonly FeatureKind[];

/** What fitting learned from the training rows, per fitted feature (by output name prefix). */
export const FittedFeatureSchema = z.union([
  strict({ frequency: z.record(z.string(), z.number().min(0).max(1)) }),
  strict({ categories: z.array(z.string()) }),
]);

/** Parameters fitted on the training rows only (see `fitFeatureSet`). */
export const FittedSchema = strict({
  /** Training rows the parameters were fitted on. */
  rows: z.number().int().nonnegative(),
  /** Fraud share of the training rows: the prior that smoothed risk shrinks toward. */
  fraudRate: z.number().min(0).max(1).nullable(),
  /** Frequency tables and one-hot vocabularies, by feature name. */
  features: z.record(z.string(), FittedFeatureSchema),
});

/** The spec's JSON shape, before defaults are resolved (see {@link resolveFeatureSpec}). */
export const FeatureSpecSchema = strict({
  version: z.literal(FEATURE_SPEC_VERSION),
  columns: SpecColumnsSchema,
  /** IANA time zone for hour, day of week, weekend and night. */
  timezone: z.string().min(1).default('UTC'),
  /**
   * When set (`YYYY-MM-DD`), the time column counts seconds since midnight of that date in
   * `timezone` (the handbook simulator's TX_TIME_SECONDS) instead of epoch seconds.
   */
  timeOrigin: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'write the date as YYYY-MM-DD')
    .nullable()
    .default(null),
  /** Default delay of label-reading features (`risk`, `target-encoding`), days. */
  labelDelayDays: DelayDays.default(7),
  entities: z.array(EntitySchema).default([]),
  /** Decimals kept per column for exact window sums (default 2 for every column). */
  precision: z.record(z.string(), z.number().int().min(0).max(9)).default({}),
  features: z.array(FeatureDefinitionSchema).min(1, 'a spec needs at least one feature'),
  /** Filled in by fitting; absent until then. */
  fitted: FittedSchema.optional(),
}).superRefine((spec, ctx) => {
  checkTimezone(spec.timezone, ctx);
  if (spec.timeOrigin !== null && !isRealDate(spec.timeOrigin)) {
    ctx.addIssue({
      code: 'custom',
      path: ['timeOrigin'],
      message: `${JSON.stringify(spec.timeOrigin)} is not a date; write it YYYY-MM-DD, such as "2018-04-01"`,
    });
  }
  const entityNames = spec.entities.map((entity) => entity.name);
  spec.entities.forEach((entity, index) => {
    if (entityNames.indexOf(entity.name) !== index) {
      ctx.addIssue({
        code: 'custom',
        path: ['entities', index, 'name'],
        message: `entity "${entity.name}" is declared twice; give each entity its own name`,
      });
    }
  });
  const readsLabels = spec.features.some(
    (feature) => feature.kind === 'risk' || feature.kind === 'target-encoding',
  );
  if (readsLabels && (spec.columns.label ?? null) === null) {
    ctx.addIssue({
      code: 'custom',
      path: ['columns', 'label'],
      message: 'a risk or target-encoding feature reads fraud labels; name the label column here',
    });
  }
  const seen = new Map<string, number>();
  spec.features.forEach((feature, index) => {
    if ('entity' in feature && !entityNames.includes(feature.entity)) {
      ctx.addIssue({
        code: 'custom',
        path: ['features', index, 'entity'],
        message: `unknown entity ${describeWithNearest(feature.entity, entityNames)}; declared entities: ${entityNames.length === 0 ? '(none: add one under "entities")' : entityNames.join(', ')}`,
      });
    }
    const name = defaultFeatureName(feature, {
      amount: spec.columns.amount,
      labelDelayDays: spec.labelDelayDays,
    });
    const first = seen.get(name);
    if (first !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['features', index, 'name'],
        message: `feature name "${name}" is already used by features[${first}]; give one of them another "name"`,
      });
    } else seen.set(name, index);
  });
});

/** A feature spec as written (defaults may be left out). */
export type FeatureSpecInput = z.input<typeof FeatureSpecSchema>;
/** One feature definition as written. */
export type FeatureDefinitionInput = z.input<typeof FeatureDefinitionSchema>;
/** A named entity key. */
export type EntityDefinition = z.output<typeof EntitySchema>;
/** Column names of the normalized table, defaults filled in. */
export type SpecColumns = z.output<typeof SpecColumnsSchema>;
/** Fitted parameters. */
export type FittedParameters = z.output<typeof FittedSchema>;
/** What fitting learned for one feature. */
export type FittedFeature = z.output<typeof FittedFeatureSchema>;

type Parsed = z.output<typeof FeatureDefinitionSchema>;
/** Definitions whose `delayDays` defaults to the spec's `labelDelayDays`. */
type Delayed = Extract<Parsed, { kind: 'risk' | 'target-encoding' }>;

/**
 * One feature definition with every default resolved: `name` set, `delayDays` of label-reading
 * features set, `of` of window and amount-relative features set to a column.
 */
export type FeatureDefinition =
  | (Exclude<Parsed, Delayed | { kind: 'window' | 'amount-relative' }> & { name: string })
  | (Extract<Parsed, { kind: 'window' | 'amount-relative' }> & { name: string; of: string })
  | (Delayed & { name: string; delayDays: number });

/** A feature spec with every default resolved: what a `FeatureSet` holds and saves. */
export interface FeatureSpec {
  version: typeof FEATURE_SPEC_VERSION;
  columns: SpecColumns;
  timezone: string;
  timeOrigin: string | null;
  labelDelayDays: number;
  entities: EntityDefinition[];
  precision: Record<string, number>;
  features: FeatureDefinition[];
  fitted?: FittedParameters;
}

/** What {@link defaultFeatureName} needs from the spec around a definition. */
export interface NameContext {
  /** The spec's amount column (windows over it are named `amount`). */
  amount: string;
  /** The spec's default label delay, days. */
  labelDelayDays: number;
}

/**
 * The stable default name of a feature, derived from its definition (e.g.
 * `card_amount_mean_7d`, `card_count_1d`, `merchant_risk_7d_delay7d`, `category_frequency`).
 * An explicit `name` wins. For a one-hot feature this is the prefix of its outputs
 * (`category=food`, …, `category=other`).
 */
export function defaultFeatureName(feature: FeatureDefinitionInput, context: NameContext): string {
  if (feature.name !== undefined) return feature.name;
  const days = (value: number): string => `${value}d`;
  const delay = (value: number | undefined): string =>
    value === undefined || value === 0 ? '' : `_delay${days(value)}`;
  const of = (column: string | undefined): string =>
    column === undefined || column === context.amount ? 'amount' : column;
  switch (feature.kind) {
    case 'numeric':
      return feature.column;
    case 'hour':
      return 'hour';
    case 'day-of-week':
      return 'day_of_week';
    case 'weekend':
      return 'weekend';
    case 'night': {
      const lastHour = feature.lastHour ?? 6;
      return lastHour === 6 ? 'night' : `night_until_${lastHour}h`;
    }
    case 'window':
      return feature.aggregate === 'count'
        ? `${feature.entity}_count_${days(feature.windowDays)}${delay(feature.delayDays)}`
        : `${feature.entity}_${of(feature.of)}_${feature.aggregate}_${days(feature.windowDays)}${delay(feature.delayDays)}`;
    case 'distinct':
      return `${feature.entity}_distinct_${feature.of}_${days(feature.windowDays)}${delay(feature.delayDays)}`;
    case 'time-since-previous': {
      const cap = feature.capDays ?? 30;
      return `${feature.entity}_seconds_since_previous${cap === 30 ? '' : `_cap${days(cap)}`}`;
    }
    case 'amount-relative':
      return `${feature.entity}_${of(feature.of)}_${feature.relative.replaceAll('-', '_')}_${days(feature.windowDays)}`;
    case 'risk': {
      const smoothing = feature.smoothing ?? 0;
      return `${feature.entity}_risk_${days(feature.windowDays)}_delay${days(feature.delayDays ?? context.labelDelayDays)}${smoothing === 0 ? '' : `_m${smoothing}`}`;
    }
    case 'target-encoding': {
      const smoothing = feature.smoothing ?? 20;
      return `${feature.column}_target_${days(feature.windowDays ?? 30)}_delay${days(feature.delayDays ?? context.labelDelayDays)}${smoothing === 20 ? '' : `_m${smoothing}`}`;
    }
    case 'frequency':
      return `${feature.column}_frequency`;
    case 'one-hot':
      return feature.column;
    case 'geo-distance':
      return `distance_km_${feature.from[0]}_${feature.from[1]}_${feature.to[0]}_${feature.to[1]}`;
  }
}

/**
 * Validates a spec and resolves every default (names, delays, `of` columns), so the result is
 * self-contained JSON: saved with a model, it means the same thing whatever the defaults of a
 * later version.
 * @throws InvalidArgumentError naming the key path of every problem, what was found and what to do.
 */
export function resolveFeatureSpec(input: unknown): FeatureSpec {
  const spec = parseSpec(input);
  const context = { amount: spec.columns.amount, labelDelayDays: spec.labelDelayDays };
  const features = spec.features.map((feature): FeatureDefinition => {
    const name = defaultFeatureName(feature, context);
    switch (feature.kind) {
      case 'window':
      case 'amount-relative':
        return { ...feature, name, of: feature.of ?? spec.columns.amount };
      case 'risk':
      case 'target-encoding':
        return { ...feature, name, delayDays: feature.delayDays ?? spec.labelDelayDays };
      default:
        return { ...feature, name };
    }
  });
  const resolved: FeatureSpec = {
    version: FEATURE_SPEC_VERSION,
    columns: { ...spec.columns },
    timezone: spec.timezone,
    timeOrigin: spec.timeOrigin,
    labelDelayDays: spec.labelDelayDays,
    entities: spec.entities.map((entity) => ({ name: entity.name, columns: [...entity.columns] })),
    precision: { ...spec.precision },
    features,
  };
  if (spec.fitted !== undefined) resolved.fitted = spec.fitted;
  return resolved;
}

/** Parses the spec JSON with the schema; the error lists every problem with its key path. */
function parseSpec(input: unknown): z.output<typeof FeatureSpecSchema> {
  const version =
    typeof input === 'object' && input !== null && 'version' in input
      ? (input as { version: unknown }).version
      : FEATURE_SPEC_VERSION;
  const where =
    version === FEATURE_SPEC_VERSION
      ? 'FeatureSpec'
      : `FeatureSpec (version ${JSON.stringify(version)}; this package reads version ${FEATURE_SPEC_VERSION})`;
  return parseOptions(FeatureSpecSchema, input, where);
}

function checkTimezone(name: string, ctx: z.RefinementCtx): void {
  try {
    TimeZone.of(name);
  } catch {
    ctx.addIssue({
      code: 'custom',
      path: ['timezone'],
      message: `unknown time zone "${name}"; use an IANA name such as "UTC", "Europe/Paris" or "America/New_York"`,
    });
  }
}

function isRealDate(text: string): boolean {
  const time = Date.parse(`${text}T00:00:00Z`);
  // Date.parse rolls 2018-02-30 over into March; a real date reads back unchanged.
  return !Number.isNaN(time) && new Date(time).toISOString().slice(0, 10) === text;
}
