import { InvalidDataError } from '@mlsd/core';
import { type FeatureSet, ID_RULE, isValidId } from '@mlsd/features';

/** The parts of one transaction an online state store records, checked. */
export interface TransactionFields {
  transactionId: number;
  /** Seconds since the feature set's calendar origin. */
  time: number;
  amount: number;
  /** 1 fraud, 0 genuine or not known yet. */
  label: 0 | 1;
  /** Entity id per entity column, in `features.entities` order. */
  entityIds: Float64Array;
  /** A fresh feature vector with the row features (those of the transaction alone) filled in. */
  vector: Float64Array;
}

/**
 * Checks a transaction with the rules of `OnlineFeatureState.update` (same messages) and
 * evaluates its row features, for stores that keep the windows elsewhere. What only the state
 * can check (time order, repeated ids) is left to the store.
 * @param caller - prefix of error messages, e.g. `'RedisStateStore.update'`.
 * @throws InvalidDataError naming the first bad field.
 */
export function readTransactionFields(
  features: FeatureSet,
  transaction: unknown,
  caller: string,
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
      `${caller}: ${columns.transactionId} is ${describe(transactionId)}; transaction ${ID_RULE}.`,
      { column: columns.transactionId, value: transactionId },
    );
  }
  const at = `${caller} (transaction ${transactionId})`;
  const time = row[columns.time];
  if (typeof time !== 'number' || !Number.isFinite(time)) {
    throw new InvalidDataError(
      `${at}: ${columns.time} is ${describe(time)}; it must be a finite number of seconds since ${features.calendar.origin}.`,
      { column: columns.time, transactionId, value: time },
    );
  }
  const amount = row[columns.amount];
  if (typeof amount !== 'number' || !Number.isFinite(amount)) {
    throw new InvalidDataError(
      `${at}: ${columns.amount} is ${describe(amount)}; amounts must be finite numbers.`,
      { column: columns.amount, transactionId, value: amount },
    );
  }
  const rawLabel = row[columns.label];
  const label =
    rawLabel === undefined || rawLabel === null || rawLabel === 0 || rawLabel === false
      ? 0
      : rawLabel === 1 || rawLabel === true
        ? 1
        : -1;
  if (label < 0) {
    throw new InvalidDataError(
      `${at}: ${columns.label} is ${describe(rawLabel)}; a fraud label must be 0, 1, true, false, or absent when not known yet.`,
      { column: columns.label, transactionId, value: rawLabel },
    );
  }
  const vector = new Float64Array(features.names.length);
  for (const { feature, output } of features.rowFeatures) {
    let value = 0;
    if (feature.column === columns.amount) value = amount;
    else if (feature.column !== undefined) {
      const input = row[feature.column];
      if (typeof input !== 'number') {
        throw new InvalidDataError(
          `${at}: ${feature.column} is ${describe(input)}; feature ${feature.name} needs a number.`,
          { column: feature.column, transactionId },
        );
      }
      value = input;
    }
    vector[output] = feature.evaluate(time, value);
  }
  const entityIds = new Float64Array(features.entities.length);
  features.entities.forEach((windows, e) => {
    const id = row[windows.entity];
    if (!isValidId(id)) {
      throw new InvalidDataError(`${at}: ${windows.entity} is ${describe(id)}; ${ID_RULE}.`, {
        column: windows.entity,
        transactionId,
        value: id,
      });
    }
    entityIds[e] = id;
  });
  return { transactionId, time, amount, label: label as 0 | 1, entityIds, vector };
}

/** A value as a message shows it. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  return value === null ? 'null' : value === undefined ? 'missing' : typeof value;
}
