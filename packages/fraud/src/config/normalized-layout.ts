import { InvalidArgumentError } from '@mlsd/core';
import type { FraudColumns } from './fraud-config-schema.js';
import { type ConfigProblem, configError } from './parse-fraud-config.js';

/** Name of the normalized time column when the time comes from a date and a time-of-day column. */
export const JOINED_TIME_COLUMN = 'time';

/**
 * The columns of the normalized table a config produces, by role. Each keeps the raw column's
 * name, except a time read from a date + time pair, which is called {@link JOINED_TIME_COLUMN}.
 */
export interface NormalizedLayout {
  /** Transaction id (text). */
  transactionId: string;
  /** Event time, seconds since the epoch (UTC). */
  time: string;
  amount: string;
  /** Fraud label 0/1, when the config has one. */
  label: string | undefined;
  /** When the label became known (seconds since the epoch), when the config has a column for it. */
  labelTime: string | undefined;
  /** Columns of the entity keys, each once, in config order. */
  keyColumns: readonly string[];
  /** Other text columns (not already key columns). */
  categorical: readonly string[];
  numeric: readonly string[];
  /** Every raw column the normalizer reads, each once. */
  rawColumns: readonly string[];
  /** Raw columns the config leaves out on purpose. */
  ignored: readonly string[];
}

/**
 * Derives the normalized layout of a config's `columns` and checks that no column has two
 * roles that clash (the amount also listed as numeric, a column both used and ignored, ...).
 * @throws InvalidArgumentError naming each clash by its key path.
 */
export function normalizedLayout(columns: FraudColumns, source = 'fraud config'): NormalizedLayout {
  const problems: ConfigProblem[] = [];
  const roles = new Map<string, string>();
  const claim = (column: string, path: string, shareable = false): void => {
    const earlier = roles.get(column);
    if (earlier === undefined) roles.set(column, path);
    else if (!shareable) {
      problems.push({
        path,
        message: `column "${column}" is already used as ${earlier}; give each column one role`,
      });
    }
  };
  const { time } = columns;
  claim(columns.transactionId, 'columns.transactionId');
  if (time.column !== undefined) claim(time.column, 'columns.time.column');
  else {
    claim(time.date!, 'columns.time.date');
    claim(time.time!, 'columns.time.time');
  }
  claim(columns.amount, 'columns.amount');
  if (columns.label !== undefined) claim(columns.label.column, 'columns.label.column');
  const labelTime = columns.labelDelay.column;
  if (labelTime !== undefined) claim(labelTime, 'columns.labelDelay.column');
  const keyColumns: string[] = [];
  for (const [entity, keys] of Object.entries(columns.entities)) {
    keys.forEach((column, i) => {
      const path = `columns.entities.${entity}[${i}]`;
      if (keyColumns.includes(column)) return;
      if (keys.indexOf(column) !== i) {
        problems.push({ path, message: `column "${column}" is named twice in this entity` });
        return;
      }
      claim(column, path);
      keyColumns.push(column);
    });
  }
  const categorical: string[] = [];
  columns.categorical.forEach((column, i) => {
    // A key column may also be read as a category (its values are text either way).
    if (keyColumns.includes(column)) return;
    claim(column, `columns.categorical[${i}]`);
    categorical.push(column);
  });
  columns.numeric.forEach((column, i) => {
    claim(column, `columns.numeric[${i}]`);
  });
  columns.ignore.forEach((column, i) => {
    const used = roles.get(column);
    if (used !== undefined) {
      problems.push({
        path: `columns.ignore[${i}]`,
        message: `column "${column}" is used as ${used}; remove it from one of the two`,
      });
    }
  });
  const timeName = time.column ?? JOINED_TIME_COLUMN;
  if (time.column === undefined && roles.has(JOINED_TIME_COLUMN)) {
    problems.push({
      path: 'columns.time',
      message: `a time read from date + time columns is called "${JOINED_TIME_COLUMN}", which is already the column ${roles.get(JOINED_TIME_COLUMN)}`,
    });
  }
  if (problems.length > 0) throw configError(source, problems);
  const rawColumns = [...roles.keys()];
  return {
    transactionId: columns.transactionId,
    time: timeName,
    amount: columns.amount,
    label: columns.label?.column,
    labelTime,
    keyColumns,
    categorical,
    numeric: [...columns.numeric],
    rawColumns,
    ignored: [...columns.ignore],
  };
}

/** The entity whose key is the card (protocol: card precision@k, known-compromised cards). */
export function cardEntityOf(
  entities: Readonly<Record<string, readonly string[]>>,
  named?: string,
) {
  const names = Object.keys(entities);
  if (named !== undefined) {
    if (!names.includes(named)) {
      throw new InvalidArgumentError(
        `protocol.cardEntity: no entity "${named}"; the entities are ${names.join(', ') || '(none)'}.`,
        { cardEntity: named },
      );
    }
    return named;
  }
  if (names.includes('card')) return 'card';
  const first = names[0];
  if (first === undefined) {
    throw new InvalidArgumentError(
      'columns.entities is empty: name at least the card, e.g. "entities": { "card": ["cc_num"] } — the protocol counts alerts per card.',
    );
  }
  return first;
}
