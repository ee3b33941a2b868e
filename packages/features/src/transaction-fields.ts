import { InvalidDataError } from '@mlsd/core';
import { ID_RULE, isValidId } from './entity-id.js';
import type { FeatureSet } from './feature-set.js';

/** The checked scalar fields of one transaction (see {@link readTransactionFields}). */
export interface TransactionFields {
  transactionId: number;
  /** Seconds since the feature set's calendar origin. */
  time: number;
  amount: number;
  /** 1 fraud, 0 genuine or not known yet. */
  label: 0 | 1;
}

/** Where {@link readTransactionFields} writes, so a hot caller can reuse its buffers. */
export interface TransactionFieldsTarget {
  /** Receives the row features (those of the transaction alone) at their output positions. */
  vector: Float32Array | Float64Array;
  /** Receives the entity id of each entity column, in `features.entities` order. */
  entityIds: Float64Array;
  /** Receives the scalar fields; default a new object. */
  fields?: TransactionFields;
  /**
   * Called right after the time is read, before the other fields are checked, by stores that
   * check time order themselves (the in-process state); it throws to refuse.
   */
  checkTime?: (time: number, transactionId: number) => void;
}

/**
 * Checks one transaction against what every online state store needs (transaction id, time,
 * amount, label, the inputs of the row features, entity ids) and evaluates its row features.
 * What only the state can know (time order, repeated ids) is left to the store. Shared by
 * {@link OnlineFeatureState} and the service's Redis store so both refuse the same input with
 * the same messages.
 * @param caller - prefix of error messages, e.g. `'OnlineFeatureState.update'`.
 * @throws InvalidDataError naming the first bad field.
 */
export function readTransactionFields(
  features: FeatureSet,
  transaction: unknown,
  caller: string,
  target: TransactionFieldsTarget,
): TransactionFields {
  if (typeof transaction !== 'object' || transaction === null) {
    throw new InvalidDataError(
      `${caller}: expected a transaction object, got ${transaction === null ? 'null' : typeof transaction}.`,
    );
  }
  const row = transaction as Readonly<Record<string, unknown>>;
  const columns = features.columns;
  const transactionId = row[columns.transactionId];
  if (!isValidId(transactionId)) {
    throw new InvalidDataError(
      `${caller}: ${columns.transactionId} is ${describeValue(transactionId)}; transaction ${ID_RULE}.`,
      { column: columns.transactionId, value: transactionId },
    );
  }
  const at = `${caller} (transaction ${transactionId})`;
  const time = row[columns.time];
  if (typeof time !== 'number' || !Number.isFinite(time)) {
    throw new InvalidDataError(
      `${at}: ${columns.time} is ${describeValue(time)}; it must be a finite number of seconds since ${features.calendar.origin}.`,
      { column: columns.time, transactionId, value: time },
    );
  }
  target.checkTime?.(time, transactionId);
  const amount = row[columns.amount];
  if (typeof amount !== 'number' || !Number.isFinite(amount)) {
    throw new InvalidDataError(
      `${at}: ${columns.amount} is ${describeValue(amount)}; amounts must be finite numbers.`,
      { column: columns.amount, transactionId, value: amount },
    );
  }
  const label = toFraudLabel(row[columns.label], true);
  if (label < 0) {
    throw new InvalidDataError(
      `${at}: ${columns.label} is ${describeValue(row[columns.label])}; a fraud label must be 0, 1, true, false, or absent when not known yet.`,
      { column: columns.label, transactionId, value: row[columns.label] },
    );
  }
  const { vector, entityIds } = target;
  const rowFeatures = features.rowFeatures;
  for (let r = 0; r < rowFeatures.length; r++) {
    const { feature, output } = rowFeatures[r]!;
    let value = 0;
    if (feature.column === columns.amount) value = amount;
    else if (feature.column !== undefined) {
      const input = row[feature.column];
      if (typeof input !== 'number') {
        throw new InvalidDataError(
          `${at}: ${feature.column} is ${describeValue(input)}; feature ${feature.name} needs a number.`,
          { column: feature.column, transactionId },
        );
      }
      value = input;
    }
    vector[output] = feature.evaluate(time, value);
  }
  const entities = features.entities;
  for (let e = 0; e < entities.length; e++) {
    const column = entities[e]!.entity;
    const id = row[column];
    if (!isValidId(id)) {
      throw new InvalidDataError(`${at}: ${column} is ${describeValue(id)}; ${ID_RULE}.`, {
        column,
        transactionId,
        value: id,
      });
    }
    entityIds[e] = id;
  }
  const fields = target.fields ?? { transactionId: 0, time: 0, amount: 0, label: 0 };
  fields.transactionId = transactionId;
  fields.time = time;
  fields.amount = amount;
  fields.label = label as 0 | 1;
  return fields;
}

/**
 * Checks the arguments of a late label (`recordLabel`): a valid transaction id and 0/1/true/
 * false.
 * @returns the label as 0 or 1.
 * @throws InvalidDataError otherwise, prefixed with `caller`.
 */
export function checkLateLabel(transactionId: unknown, fraud: unknown, caller: string): 0 | 1 {
  if (!isValidId(transactionId)) {
    throw new InvalidDataError(
      `${caller}: transaction id is ${describeValue(transactionId)}; transaction ${ID_RULE}.`,
      { transactionId },
    );
  }
  const label = toFraudLabel(fraud, false);
  if (label < 0) {
    throw new InvalidDataError(
      `${caller} (transaction ${transactionId}): fraud must be 0, 1, true or false, got ${describeValue(fraud)}.`,
      { transactionId, value: fraud },
    );
  }
  return label as 0 | 1;
}

/** 0 or 1 for a label, -1 for anything else; null/undefined count as 0 when `absentIsGenuine`. */
function toFraudLabel(value: unknown, absentIsGenuine: boolean): -1 | 0 | 1 {
  if (absentIsGenuine && (value === undefined || value === null)) return 0;
  if (value === 0 || value === false) return 0;
  if (value === 1 || value === true) return 1;
  return -1;
}

/** A value as an error message shows it. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  return value === null ? 'null' : value === undefined ? 'missing' : typeof value;
}
