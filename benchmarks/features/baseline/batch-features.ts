import { InvalidArgumentError, Table } from '@mlsd/core';
import { groupByEntity } from './entity-groups.js';
import { EventBuffer } from './event-buffer.js';
import type { FeatureSet } from './feature-set.js';
import { defineFraudFeatures } from './fraud-features.js';
import { readTransactions } from './transaction-columns.js';

/** Features of many transactions: a row-major `rows × columns` matrix and its column names. */
export interface FeatureMatrix<
  T extends Float64Array | Float32Array = Float64Array | Float32Array,
> {
  /** Feature names, one per column. */
  readonly names: readonly string[];
  /** Row-major values: feature `j` of row `i` is `values[i * columns + j]`. */
  readonly values: T;
  /** Number of rows (transactions). */
  readonly rows: number;
  /** Number of columns (features). */
  readonly columns: number;
}

/** Options of {@link computeFeatures}. */
export interface ComputeFeaturesOptions {
  /** Element type of the matrix (default `'float64'`); values are computed in float64 either way. */
  dtype?: 'float64' | 'float32';
}

/**
 * Computes `features` for every row of a time-sorted transactions table, each row seeing only
 * what was known at its own time. O(n) overall: rows are grouped by entity with a counting sort,
 * then each entity's windows slide over its rows with two pointers and running sums
 * ({@link SlidingWindow.slide}, the same code the online path runs).
 *
 * @param table - transactions sorted by time (see {@link FeatureSet.columns} for the names).
 * @param features - what to compute; default the handbook's 15 baseline features.
 * @throws InvalidDataError for unsorted or non-finite times, non-finite amounts, labels other
 * than 0/1, or ids that are not non-negative integers (naming the column and first bad row).
 * @throws NotFoundError for a missing column.
 */
export function computeFeatures(
  table: Table,
  features?: FeatureSet,
  options?: { dtype?: 'float64' },
): FeatureMatrix<Float64Array>;
export function computeFeatures(
  table: Table,
  features: FeatureSet | undefined,
  options: { dtype: 'float32' },
): FeatureMatrix<Float32Array>;
export function computeFeatures(
  table: Table,
  features?: FeatureSet,
  options?: ComputeFeaturesOptions,
): FeatureMatrix;
export function computeFeatures(
  table: Table,
  features: FeatureSet = defineFraudFeatures(),
  options: ComputeFeaturesOptions = {},
): FeatureMatrix {
  const dtype = options.dtype ?? 'float64';
  if (dtype !== 'float64' && dtype !== 'float32') {
    throw new InvalidArgumentError(
      `computeFeatures: dtype must be 'float64' or 'float32', got ${JSON.stringify(dtype)}.`,
    );
  }
  const input = readTransactions(table, features);
  const n = table.length;
  const columns = features.names.length;
  const values =
    dtype === 'float32' ? new Float32Array(n * columns) : new Float64Array(n * columns);

  for (const { feature, output } of features.rowFeatures) {
    const column = feature.column === undefined ? undefined : input.passthrough.get(feature.column);
    feature.evaluateColumn(input.times, column, values, columns, output);
  }

  // One set of gathered columns, reused by every entity key.
  const times = new Float64Array(n);
  const amounts = new Float64Array(n);
  const labels = new Uint8Array(n);
  const events = EventBuffer.view(times, amounts, labels);
  for (const windows of features.entities) {
    const { order, starts } = groupByEntity(input.entityIds.get(windows.entity)!);
    for (let k = 0; k < n; k++) {
      const row = order[k]!;
      times[k] = input.times[row]!;
      amounts[k] = input.amounts[row]!;
      labels[k] = input.labels[row]!;
    }
    const cursor = new Float64Array(windows.cursorLength);
    for (let g = 0; g + 1 < starts.length; g++) {
      const start = starts[g]!;
      const end = starts[g + 1]!;
      windows.reset(cursor, start);
      for (let k = start; k < end; k++) {
        windows.advance(cursor, events, k + 1, times[k]!);
        windows.read(cursor, values, order[k]! * columns);
      }
    }
  }
  return { names: features.names, values, rows: n, columns };
}

/** The matrix as a {@link Table} with one typed-array column per feature. */
export function featureMatrixToTable(matrix: FeatureMatrix): Table {
  const { names, values, rows, columns } = matrix;
  const Constructor = values instanceof Float32Array ? Float32Array : Float64Array;
  const out: Record<string, Float64Array | Float32Array> = {};
  names.forEach((name, j) => {
    const column = new Constructor(rows);
    for (let i = 0; i < rows; i++) column[i] = values[i * columns + j]!;
    out[name] = column;
  });
  return new Table(out);
}
