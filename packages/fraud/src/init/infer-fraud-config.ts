import { InvalidDataError } from '@mlsd/core';
import { FRAUD_MODEL_KINDS, TUNED_FRAUD_MODEL } from '../classifiers.js';
import { defaultFeatures } from '../config/default-features.js';
import type {
  FraudColumns,
  FraudPipelineConfigInput,
  TimeColumn,
} from '../config/fraud-config-schema.js';
import { type ColumnProfile, profileColumns } from './column-profile.js';
import { inferTime } from './infer-time.js';
import type { LogSample } from './read-log-sample.js';

/** The handbook simulator's columns: a file with all of them gets the handbook preset. */
const HANDBOOK_COLUMNS = [
  'TRANSACTION_ID',
  'CUSTOMER_ID',
  'TERMINAL_ID',
  'TX_AMOUNT',
  'TX_TIME_SECONDS',
  'TX_FRAUD',
];

/** Name patterns of personal data, left out by default, with what they look like. */
const PERSONAL: readonly [RegExp, string][] = [
  [/^(first|last|middle|given|family|full|sur|fore)_?name$|^(first|last|surname)$/i, 'a name'],
  [/(^|_)(first|last)_?name/i, 'a name'],
  [/street|address|^addr/i, 'an address'],
  [/^(city|town|state|province|county|region|country)$/i, 'part of an address'],
  [/zip|post_?code|postal/i, 'a postal code'],
  [/dob|birth/i, 'a birth date'],
  [/ssn|social_?security|passport|national_?id|tax_?id/i, 'an identity number'],
  [/phone|mobile|^tel/i, 'a phone number'],
  [/e_?mail/i, 'an e-mail address (add it to columns.entities to use it as a key)'],
  [/^(gender|sex)$/i, 'a protected attribute'],
  [/^(job|occupation|profession|employer)$/i, 'an occupation'],
  [
    /^(lat|long|lon|lng|latitude|longitude)$|^(customer|cust|user|home|cardholder)_?(lat|long|lon|lng)/i,
    "the cardholder's location (a geo-distance feature could use it, if you decide to)",
  ],
];
const ID_NAME =
  /(^|_)(trans|tx|txn|transaction)(_?(id|num|no|number|ref|key))?$|^id$|uuid|^trans_?num/i;
const LABEL_NAME = /fraud|label|target|class|^is_|chargeback|^y$/i;
const AMOUNT_NAME = /^(amt|amount|tx_amount|value|price|sum|total)$|amount|(^|_)amt$/i;
const FRAUD_VALUES = [
  '1',
  'true',
  'yes',
  'y',
  't',
  'fraud',
  'fraudulent',
  'chargeback',
  'positive',
];
const GENUINE_VALUES = [
  '0',
  'false',
  'no',
  'n',
  'f',
  'genuine',
  'legit',
  'legitimate',
  'normal',
  'negative',
  'ok',
];
/** Entity names for key columns, by name pattern, in order of preference. */
const ENTITY_HINTS: readonly [RegExp, string, string][] = [
  [/(^|_)(cc|card|pan)(_|$)|card_?(num|number|no|id)|^cc_?num|account|acct/i, 'card', 'a card'],
  [/customer|client|(^|_)cust(_|$)|user|member/i, 'customer', 'a customer'],
  [/merchant|terminal|store|shop|vendor|seller|payee/i, 'merchant', 'a merchant or terminal'],
  [/device|fingerprint/i, 'device', 'a device'],
  [/(^|_)ip(_|$)|ip_?addr/i, 'ip', 'an IP address'],
];
const KEY_NAME = /(id|_key|_code|_no|_num|number)$/i;
const SMALL_VOCABULARY = 20;
const MAX_CATEGORIES = 200;

/** A column left out of the draft, and why. */
export interface LeftOut {
  column: string;
  reason: string;
}

/** What {@link inferFraudConfig} drafted from a sample. */
export interface InferredConfig {
  config: FraudPipelineConfigInput;
  /** One sentence per guess and per column left out (for stderr). */
  explanations: string[];
  /** Columns left out, with the reason. */
  leftOut: LeftOut[];
}

/**
 * Drafts a fraud pipeline config from the first rows of a log: the time column and its format
 * (and zone, when an epoch column and local text agree), the transaction id (unique values),
 * the label (two values, named like fraud / label / target / class / is_*), the amount, entity
 * keys (id-like columns whose values repeat: card, merchant, device, ...), categorical and
 * numeric columns, and personal data (names, addresses, birth dates, ...), which is left out.
 * A file with the handbook simulator's columns gets `"preset": "handbook"`. Every guess is
 * explained in `explanations`; the draft is meant to be read and edited.
 * @param schemaRef - the `$schema` to put in the draft (the path of the package's JSON Schema).
 * @throws InvalidDataError when the sample has no rows, or no column reads as a time.
 */
export function inferFraudConfig(
  sample: LogSample,
  options: { schemaRef?: string } = {},
): InferredConfig {
  const schema = options.schemaRef === undefined ? {} : { $schema: options.schemaRef };
  const { header, rows, name } = sample;
  if (HANDBOOK_COLUMNS.every((column) => header.includes(column))) {
    return {
      config: { ...schema, version: 1, preset: 'handbook' },
      explanations: [
        `${name} has the handbook simulator's columns (${HANDBOOK_COLUMNS.join(', ')}): using "preset": "handbook" — its 15 features and protocol (train 7 days from 2018-07-25, 7-day delay, 7 test days).`,
      ],
      leftOut: [],
    };
  }
  if (rows.length === 0) {
    throw new InvalidDataError(`${name} has a header but no data rows to infer a config from.`);
  }
  const profiles = profileColumns(header, rows);
  const explanations: string[] = [
    `read ${rows.length.toLocaleString('en-US')} rows${sample.truncated ? ' from the start of the file' : ''}${sample.skipped > 0 ? ` (${sample.skipped} malformed skipped)` : ''} to infer the columns:`,
  ];
  const leftOut: LeftOut[] = [];
  const taken = new Set<string>();
  const leave = (column: string, reason: string) => {
    leftOut.push({ column, reason });
    taken.add(column);
  };

  for (const profile of profiles) {
    const personal = PERSONAL.find(([pattern]) => pattern.test(profile.name));
    if (personal !== undefined) leave(profile.name, `personal data: ${personal[1]}`);
  }

  const time = inferTime(
    profiles.filter((profile) => !taken.has(profile.name)),
    rows,
  );
  if (time === undefined) {
    throw new InvalidDataError(
      `${name}: no column reads as a time (ISO 8601 text, a common date-time pattern, a date + time-of-day pair, or epoch seconds/milliseconds). ` +
        `Write the config by hand and name it in columns.time, with its format. Columns: ${header.join(', ')}.`,
    );
  }
  for (const column of time.columns) taken.add(column);
  for (const column of time.redundant) leave(column, 'the same instants as the time column');
  explanations.push(...time.notes);

  const free = () => profiles.filter((profile) => !taken.has(profile.name));
  const label = pickLabel(free(), rows.length);
  if (label !== undefined) {
    taken.add(label.profile.name);
    explanations.push(label.explanation);
  } else {
    explanations.push(
      'label: none found (a two-valued column named like fraud, label, target, class or is_*); add columns.label to train and evaluate.',
    );
  }

  const id = pickId(free(), rows.length);
  if (id === undefined) {
    throw new InvalidDataError(
      `${name}: no column has a different value on every sampled row, so there is no transaction id to key on. ` +
        'Add one (a row number will do) and name it in columns.transactionId.',
    );
  }
  taken.add(id.name);
  explanations.push(
    `transaction id: ${id.name} — a different value on each of the ${rows.length.toLocaleString('en-US')} sampled rows (e.g. '${id.examples[0]}'); kept as text.`,
  );

  const amount = pickAmount(free());
  if (amount === undefined) {
    throw new InvalidDataError(
      `${name}: no numeric column looks like the amount (named amt / amount / value / price, or numbers with decimals). Name it in columns.amount.`,
    );
  }
  taken.add(amount.name);
  explanations.push(
    `amount: ${amount.name} — numbers from ${amount.min} to ${amount.max} (e.g. ${amount.examples[0]}).`,
  );

  const entities: Record<string, string[]> = {};
  const entityNotes: string[] = [];
  for (const profile of free()) {
    const entity = entityOf(profile, rows.length);
    if (entity === undefined) continue;
    let entityName = entity.name;
    if (entities[entityName] !== undefined)
      entityName = profile.name.replace(/[^A-Za-z0-9_.-]/g, '_');
    entities[entityName] = [profile.name];
    taken.add(profile.name);
    entityNotes.push(
      `entity ${entityName}: ${profile.name} — ${entity.what}, ${profile.distinct.toLocaleString('en-US')} distinct values repeated over ${profile.present.toLocaleString('en-US')} rows${profile.integer && profile.maxLength >= 16 ? ' (long numbers: kept as text, never as JS numbers)' : ''}.`,
    );
  }
  if (Object.keys(entities).length === 0) {
    entityNotes.push(
      'entities: none found (id-like columns whose values repeat, e.g. a card number); add the card under columns.entities — windows, risk and card precision@k need it.',
    );
  }
  explanations.push(...entityNotes);

  const categorical: string[] = [];
  const numeric: string[] = [];
  const oneHot = new Set<string>();
  for (const profile of free()) {
    if (profile.present === 0) leave(profile.name, 'empty in the sample');
    else if (profile.distinct === 1)
      leave(profile.name, `one value in the sample ('${profile.examples[0]}')`);
    else if (profile.numeric) numeric.push(profile.name);
    else if (profile.distinct <= MAX_CATEGORIES) {
      categorical.push(profile.name);
      if (profile.distinct <= SMALL_VOCABULARY) oneHot.add(profile.name);
    } else {
      leave(
        profile.name,
        `free text: ${profile.distinct.toLocaleString('en-US')} distinct values (not an entity key by its name; add it to columns.entities if it is one)`,
      );
    }
    taken.add(profile.name);
  }
  if (categorical.length > 0) {
    explanations.push(
      `categorical: ${categorical.map((column) => `${column} (${profiles.find((p) => p.name === column)!.distinct} values)`).join(', ')}.`,
    );
  }
  if (numeric.length > 0) explanations.push(`numeric: ${numeric.join(', ')}.`);
  for (const { column, reason } of leftOut) explanations.push(`left out: ${column} — ${reason}.`);

  const cardEntity =
    entities.card !== undefined
      ? 'card'
      : entities.customer !== undefined
        ? 'customer'
        : Object.keys(entities)[0];
  const columns: FraudColumns = {
    transactionId: id.name,
    time: time.time as TimeColumn,
    timezone: time.timezone,
    amount: amount.name,
    ...(label === undefined ? {} : { label: label.column }),
    labelDelay: { days: 7, format: 'iso' },
    entities,
    numeric,
    categorical,
    ignore: leftOut.map((entry) => entry.column),
  };
  const features = cardEntity === undefined ? [] : defaultFeatures(columns, { cardEntity, oneHot });
  explanations.push(
    `features: ${features.length} defaults over the amount, the time of day and the entities — edit the list (kinds: numeric, hour, day-of-week, weekend, night, window, distinct, time-since-previous, amount-relative, risk, target-encoding, frequency, one-hot, geo-distance).`,
    `model: no "kind", so the tuned trees (${TUNED_FRAUD_MODEL.kind}, the hyperparameters mlsd fraud tune chose on the simulated world); run mlsd fraud tune --in <file> --config <this file> to search your own data, or set model.kind (${FRAUD_MODEL_KINDS.join(', ')}).`,
    `protocol: the last 7 days are the test, a 7-day label delay before them, 7 training days before that; the alert threshold is chosen one layout earlier; ${cardEntity === undefined ? 'no card entity yet' : `cards are "${cardEntity}"`}, 100 alerts a day. Set columns.labelDelay.days to how long your labels take, and protocol.dailyBudget to the cards your investigators can check a day (a budget near the number of active cards alerts on almost everything).`,
  );
  const config: FraudPipelineConfigInput = {
    ...schema,
    version: 1,
    columns: {
      ...columns,
      time: stripUndefined(columns.time),
      labelDelay: { days: 7 },
    },
    ...(features.length === 0 ? {} : { features }),
    protocol: {
      trainDays: 7,
      testDays: 7,
      trainStart: 'auto',
      dailyBudget: 100,
      ...(cardEntity === undefined ? {} : { cardEntity }),
      dropKnownCompromised: true,
    },
    // No kind: the trees tuned on the default world (TUNED_FRAUD_MODEL); `mlsd fraud tune`
    // searches the user's own data when those do not suit it.
    model: { classWeight: 'none', seed: 0 },
  };
  return { config, explanations, leftOut };
}

function stripUndefined(time: TimeColumn): TimeColumn {
  return Object.fromEntries(
    Object.entries(time).filter(([, value]) => value !== undefined),
  ) as TimeColumn;
}

function pickId(profiles: readonly ColumnProfile[], rows: number): ColumnProfile | undefined {
  const unique = profiles.filter(
    (profile) =>
      profile.present === rows &&
      profile.distinct === rows &&
      (!profile.numeric || profile.integer),
  );
  return (
    unique.find((profile) => ID_NAME.test(profile.name)) ??
    unique.find((profile) => !profile.numeric) ??
    unique[0]
  );
}

function pickLabel(
  profiles: readonly ColumnProfile[],
  rows: number,
):
  | { profile: ColumnProfile; column: NonNullable<FraudColumns['label']>; explanation: string }
  | undefined {
  const candidates = profiles.filter(
    (profile) =>
      profile.present === rows &&
      profile.distinct >= 1 &&
      profile.distinct <= 2 &&
      (LABEL_NAME.test(profile.name) ||
        profile.top.every(([value]) => mapsToLabel(value) !== undefined)),
  );
  const profile =
    candidates.find((candidate) => LABEL_NAME.test(candidate.name) && candidate.distinct === 2) ??
    candidates.find((candidate) => LABEL_NAME.test(candidate.name));
  if (profile === undefined) return undefined;
  const values = profile.top.map(([value]) => value);
  let fraud = values.filter((value) => mapsToLabel(value) === 1);
  let genuine = values.filter((value) => mapsToLabel(value) === 0);
  let how = 'by their values';
  if (fraud.length !== 1 || genuine.length !== 1) {
    // Unknown names: the rarer value is fraud (frauds are the minority in any card log).
    const [common, rare] = profile.top;
    genuine = common === undefined ? [] : [common[0]];
    fraud = rare === undefined ? [] : [rare[0]];
    how = 'the rarer value taken as fraud — check it';
  }
  if (fraud.length === 0) {
    const only = genuine[0] ?? '';
    fraud = [mapsToLabel(only) === 0 ? counterpart(only) : '1'];
  }
  const fraudCount = profile.top.find(([value]) => value === fraud[0])?.[1] ?? 0;
  const share = ((100 * fraudCount) / rows).toFixed(2);
  return {
    profile,
    column: { column: profile.name, fraud, genuine },
    explanation:
      profile.distinct === 1
        ? `label: ${profile.name} — named like a label but only '${values[0]}' appears in the sample (no fraud seen yet); fraud is '${fraud[0]}'. Check columns.label.`
        : `label: ${profile.name} — two values, '${fraud[0]}' fraud (${share} % of the sample) and '${genuine[0]}' genuine (${how}).`,
  };
}

function mapsToLabel(value: string): 0 | 1 | undefined {
  const lower = value.toLowerCase();
  if (FRAUD_VALUES.includes(lower)) return 1;
  if (GENUINE_VALUES.includes(lower)) return 0;
  return undefined;
}

/** The fraud value paired with a genuine one ('0' → '1', 'false' → 'true', ...). */
function counterpart(genuine: string): string {
  const index = GENUINE_VALUES.indexOf(genuine.toLowerCase());
  return FRAUD_VALUES[Math.min(index, FRAUD_VALUES.length - 1)] ?? '1';
}

function pickAmount(profiles: readonly ColumnProfile[]): ColumnProfile | undefined {
  const numeric = profiles.filter((profile) => profile.numeric);
  return (
    numeric.find((profile) => AMOUNT_NAME.test(profile.name)) ??
    numeric
      .filter((profile) => !profile.integer && profile.min >= 0)
      .sort((a, b) => b.distinct - a.distinct)[0]
  );
}

function entityOf(
  profile: ColumnProfile,
  rows: number,
): { name: string; what: string } | undefined {
  if (profile.numeric && !profile.integer) return undefined;
  if (profile.distinct < 2 || profile.distinct >= profile.present) return undefined;
  const hint = ENTITY_HINTS.find(([pattern]) => pattern.test(profile.name));
  if (hint !== undefined)
    return profile.distinct >= 10 ? { name: hint[1], what: hint[2] } : undefined;
  const many = profile.distinct >= Math.max(50, 0.01 * rows) && profile.distinct <= 0.9 * rows;
  if (many && KEY_NAME.test(profile.name)) {
    return {
      name:
        profile.name
          .replace(/_?(id|key|code|no|num|number)$/i, '')
          .replace(/[^A-Za-z0-9_.-]/g, '_') || profile.name,
      what: 'an id-like key',
    };
  }
  return undefined;
}
