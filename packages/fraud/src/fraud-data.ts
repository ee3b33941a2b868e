import { InvalidDataError, type Matrix, Table, toMatrix } from '@mlsd/core';
import { computeFeatures, type FeatureSet, readCategoryCodes } from '@mlsd/features';
import type { FraudProtocol } from './fraud-protocol.js';
import { dayNumbers } from './protocol/fraud-periods.js';

/** A normalized transactions table turned into what models and metrics need, row-aligned. */
export interface FraudData {
  /** Feature matrix (float32, row-major), one row per transaction. */
  X: Matrix<Float32Array>;
  names: readonly string[];
  /** Local day of each transaction, counted from the protocol's origin. */
  day: Int32Array;
  /** A code per card (the protocol's card entity), for card precision@k. */
  card: Int32Array;
  label: Uint8Array;
  amount: Float64Array;
}

/**
 * Computes the point-in-time features of a normalized, time-sorted table and collects the day,
 * card, label and amount columns the protocol and metrics use.
 * @param cardColumns - the key columns of the protocol's card entity.
 * @throws NotFoundError for a missing column; InvalidDataError for unsorted times, a missing
 *   label column or labels other than 0/1.
 */
export function prepareFraudData(
  table: Table,
  features: FeatureSet,
  protocol: FraudProtocol,
  cardColumns: readonly string[],
): FraudData {
  const matrix = computeFeatures(table, features, { dtype: 'float32' });
  const { time, amount, label: labelColumn } = features.columns;
  if (labelColumn === null || !table.has(labelColumn)) {
    throw new InvalidDataError(
      `The transactions have no label column${labelColumn === null ? '' : ` "${labelColumn}"`}: training and evaluation need the fraud labels (columns.label).`,
    );
  }
  const labels = table.numeric(labelColumn);
  const label = new Uint8Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const value = labels[i]!;
    if (value !== 0 && value !== 1) {
      throw new InvalidDataError(
        `Column "${labelColumn}" row ${i}: label is ${value}; fraud labels must be 0 or 1.`,
      );
    }
    label[i] = value;
  }
  return {
    X: toMatrix(matrix.values, matrix.rows, matrix.columns, matrix.names),
    names: matrix.names,
    day: dayNumbers(table.numeric(time), protocol),
    card: entityCodes(table, cardColumns),
    label,
    amount: Float64Array.from(table.numeric(amount)),
  };
}

/**
 * One integer code per row for an entity key over one or more columns (values compared as text,
 * as the features compare them); −1 when a key column is missing.
 */
export function entityCodes(table: Table, columns: readonly string[]): Int32Array {
  const parts = columns.map((name) => readCategoryCodes(table.column(name)).codes);
  if (parts.length === 1) return parts[0]!;
  const codes = new Int32Array(table.length);
  const index = new Map<string, number>();
  for (let i = 0; i < codes.length; i++) {
    let key = '';
    let missing = false;
    for (const part of parts) {
      const code = part[i]!;
      if (code < 0) missing = true;
      key += `${code},`;
    }
    if (missing) {
      codes[i] = -1;
      continue;
    }
    let code = index.get(key);
    if (code === undefined) {
      code = index.size;
      index.set(key, code);
    }
    codes[i] = code;
  }
  return codes;
}

/**
 * Feature columns of some rows (default all) as a Table, one Float64Array per feature: what a
 * drift monitor compares (e.g. `{ ...data, X: model.reference }` for the training reference).
 */
export function fraudFeatureTable(
  data: { X: Matrix<Float32Array>; names: readonly string[] },
  rows?: Int32Array,
): Table {
  const { X } = data;
  const count = rows === undefined ? X.rows : rows.length;
  const columns: Record<string, Float64Array> = {};
  data.names.forEach((name, j) => {
    const values = new Float64Array(count);
    for (let r = 0; r < count; r++) {
      const row = rows === undefined ? r : rows[r]!;
      values[r] = X.data[row * X.cols + j]!;
    }
    columns[name] = values;
  });
  return new Table(columns);
}

/** The rows `indices` of a matrix, as a new matrix. */
export function takeRows(matrix: Matrix<Float32Array>, indices: Int32Array): Matrix<Float32Array> {
  const { cols } = matrix;
  const data = new Float32Array(indices.length * cols);
  for (let r = 0; r < indices.length; r++) {
    const from = indices[r]! * cols;
    data.set(matrix.data.subarray(from, from + cols), r * cols);
  }
  return toMatrix(data, indices.length, cols, matrix.columnNames);
}

/** `values[indices]` for a typed array. */
export function takeValues<T extends Int32Array | Uint8Array | Float64Array>(
  values: T,
  indices: Int32Array,
): T {
  const out = new (values.constructor as new (n: number) => T)(indices.length);
  for (let r = 0; r < indices.length; r++) out[r] = values[indices[r]!]!;
  return out;
}
