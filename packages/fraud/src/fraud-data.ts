import { InvalidDataError, type Matrix, type Table, toMatrix } from '@mlsd/core';
import { computeFeatures, type FeatureSet } from '@mlsd/features';

/** A transactions table turned into what models and metrics need, row-aligned. */
export interface FraudData {
  /** Feature matrix (float32, row-major), one row per transaction. */
  X: Matrix<Float32Array>;
  names: readonly string[];
  day: Int32Array;
  card: Int32Array;
  label: Uint8Array;
  amount: Float64Array;
}

/**
 * Computes the point-in-time features of a time-sorted transactions table (the simulator's
 * columns) and collects the day, card, label and amount columns the protocol and metrics use.
 * @throws NotFoundError for a missing column; InvalidDataError for unsorted times and the like.
 */
export function prepareFraudData(table: Table, features: FeatureSet): FraudData {
  const matrix = computeFeatures(table, features, { dtype: 'float32' });
  const days = table.numeric('TX_TIME_DAYS');
  const cards = table.numeric('CUSTOMER_ID');
  const labels = table.numeric(features.columns.label ?? 'TX_FRAUD');
  const amounts = table.numeric(features.columns.amount);
  const day = Int32Array.from(days);
  const label = new Uint8Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const value = labels[i]!;
    if (value !== 0 && value !== 1) {
      throw new InvalidDataError(
        `Column "${features.columns.label}" row ${i}: label is ${value}; fraud labels must be 0 or 1.`,
      );
    }
    label[i] = value;
  }
  return {
    X: toMatrix(matrix.values, matrix.rows, matrix.columns, matrix.names),
    names: matrix.names,
    day,
    card: Int32Array.from(cards),
    label,
    amount: Float64Array.from(amounts),
  };
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
