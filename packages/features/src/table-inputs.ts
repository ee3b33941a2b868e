import {
  InvalidDataError,
  isNumericColumn,
  NotFoundError,
  type NumericColumn,
  type Table,
} from '@mlsd/core';
import { type CategoryCodes, readCategoryCodes } from './category-codes.js';
import type { FeatureSet } from './feature-set.js';
import { describeFixedPointRange, toFixedPoint } from './fixed-point.js';
import { missingSpecColumns } from './spec-columns.js';

/** What the batch evaluator reads from a normalized table, checked. */
export interface TableInputs {
  rows: number;
  /** Event times, finite and non-decreasing. */
  times: NumericColumn;
  /** Fraud labels 0/1 (empty when no feature reads labels). */
  labels: Uint8Array;
  /** Time each label counts from: −∞ without a label-time column, +∞ for a missing one. */
  labelTimes: Float64Array;
  /** True when the spec names a label-time column (labels then arrive over time). */
  hasLabelTimes: boolean;
  /** Numeric inputs of row features (NaN missing). */
  numeric: Map<string, NumericColumn>;
  /** Category inputs of row features and distinct counts. */
  categories: Map<string, CategoryCodes>;
  /** Fixed-point values of the columns window features read. */
  values: Map<string, Float64Array>;
  /** Dense key of each row per entity (−1 when a key column is missing), and the key count. */
  keys: Map<string, { ids: Int32Array; count: number }>;
}

/**
 * Reads and checks what `features` needs from `table`: times finite and sorted, labels 0/1
 * (only when a feature reads them), window values finite and inside the exact fixed-point
 * range, every column present with the right kind.
 * @throws NotFoundError listing every missing column with its key path and nearest name.
 * @throws InvalidDataError naming the column, the first bad row (0-based), its value and the fix.
 */
export function readTableInputs(table: Table, features: FeatureSet): TableInputs {
  const { time, label, labelTime } = features.columns;
  const missing = missingSpecColumns(features.spec, table.columnNames);
  if (missing.length > 0) {
    throw new NotFoundError(
      `The table lacks columns the features read: ${missing.join('; ')}. Columns: ${table.columnNames.join(', ')}.`,
      { missing },
    );
  }
  const n = table.length;
  const times = numericColumn(table, time, 'event times (epoch seconds)');
  for (let i = 0; i < n; i++) {
    const t = times[i]!;
    if (!Number.isFinite(t)) {
      throw new InvalidDataError(
        `Column "${time}" row ${i}: time is ${t}; every transaction needs a finite time.`,
        { column: time, row: i, value: t },
      );
    }
    if (i > 0 && t < times[i - 1]!) {
      throw new InvalidDataError(
        `Column "${time}" is not sorted: row ${i} has ${t} but row ${i - 1} has ${times[i - 1]}. ` +
          `Point-in-time features need the transactions in time order; sort first with table.sortBy('${time}') (stable, so equal times keep their order).`,
        { column: time, row: i, value: t, previous: times[i - 1] },
      );
    }
  }

  let labels: Uint8Array = new Uint8Array(0);
  let labelTimes = new Float64Array(0);
  const hasLabelTimes = features.readsLabels && labelTime !== null;
  if (features.readsLabels && label !== null) {
    labels = readLabels(table, label);
    labelTimes = new Float64Array(n).fill(Number.NEGATIVE_INFINITY);
    if (labelTime !== null) {
      const column = numericColumn(table, labelTime, 'label times');
      for (let i = 0; i < n; i++) {
        const value = column[i]!;
        labelTimes[i] = Number.isNaN(value) ? Number.POSITIVE_INFINITY : value;
      }
    }
  }

  const numeric = new Map<string, NumericColumn>();
  const categories = new Map<string, CategoryCodes>();
  const readCategories = (column: string): void => {
    if (!categories.has(column)) categories.set(column, readCategoryCodes(table.column(column)));
  };
  for (const feature of features.rowFeatures) {
    for (const column of feature.numericInputs) {
      if (!numeric.has(column)) numeric.set(column, numericColumn(table, column, 'numbers'));
    }
    if (feature.categoryInput !== undefined) readCategories(feature.categoryInput);
  }

  const values = new Map<string, Float64Array>();
  const keys = new Map<string, { ids: Int32Array; count: number }>();
  for (const entity of features.entities) {
    const layout = entity.layout;
    layout.valueColumns.forEach((column, v) => {
      if (!values.has(column)) {
        values.set(column, readFixedPoint(table, column, layout.valueScales[v]!));
      }
    });
    for (const column of layout.categoryColumns) readCategories(column);
    keys.set(entity.name, readKeys(table, entity.columns));
  }
  return { rows: n, times, labels, labelTimes, hasLabelTimes, numeric, categories, values, keys };
}

function numericColumn(table: Table, name: string, what: string): NumericColumn {
  const column = table.column(name);
  if (!isNumericColumn(column)) {
    throw new InvalidDataError(
      `Column "${name}" holds strings; it must be a numeric typed array of ${what} (normalize the log first, e.g. through a FraudPipelineConfig).`,
      { column: name },
    );
  }
  return column;
}

function readLabels(table: Table, name: string): Uint8Array {
  const column = numericColumn(table, name, 'fraud labels 0/1');
  if (column instanceof Uint8Array) {
    for (let i = 0; i < column.length; i++) if (column[i]! > 1) badLabel(name, i, column[i]!);
    return column;
  }
  const labels = new Uint8Array(column.length);
  for (let i = 0; i < column.length; i++) {
    const value = column[i]!;
    if (value !== 0 && value !== 1) badLabel(name, i, value);
    labels[i] = value;
  }
  return labels;
}

function badLabel(column: string, row: number, value: number): never {
  throw new InvalidDataError(
    `Column "${column}" row ${row}: fraud label is ${value}; labels must be 0 (genuine) or 1 (fraud).`,
    { column, row, value },
  );
}

function readFixedPoint(table: Table, name: string, scale: number): Float64Array {
  const column = numericColumn(table, name, 'numbers');
  const out = new Float64Array(column.length);
  for (let i = 0; i < column.length; i++) {
    const units = toFixedPoint(column[i]!, scale);
    if (Number.isNaN(units)) {
      throw new InvalidDataError(
        `Column "${name}" row ${i}: value ${column[i]} is outside what window features can sum exactly (${describeFixedPointRange(Math.round(Math.log10(scale)))}); ` +
          'drop or repair the row, or lower the column\'s "precision" in the spec.',
        { column: name, row: i, value: column[i] },
      );
    }
    out[i] = units;
  }
  return out;
}

/** Dense ids of the rows' keys over `columns` (−1 when any part is missing). */
function readKeys(table: Table, columns: readonly string[]): { ids: Int32Array; count: number } {
  let current: CategoryCodes | undefined;
  let ids: Int32Array = new Int32Array(0);
  let count = 0;
  for (const column of columns) {
    const part = readCategoryCodes(table.column(column));
    if (current === undefined) {
      current = part;
      ids = part.codes;
      count = part.levels.length;
      continue;
    }
    ({ ids, count } = combineKeys(ids, count, part.codes, part.levels.length));
  }
  return { ids, count };
}

/**
 * Dense ids of the pairs `(a[i], b[i])` (−1 when either is missing), numbered by `a` then by
 * first appearance within it. Rows are bucketed by `a` (a counting sort), and each bucket
 * numbers its `b` values through one array indexed by `b`, stamped with the bucket: no hash of
 * the pairs, whose number can reach `aCount × bCount`.
 */
function combineKeys(
  a: Int32Array,
  aCount: number,
  b: Int32Array,
  bCount: number,
): { ids: Int32Array; count: number } {
  const n = a.length;
  const starts = new Int32Array(aCount + 1);
  for (let i = 0; i < n; i++) {
    if (a[i]! >= 0 && b[i]! >= 0) starts[a[i]! + 1]!++;
  }
  for (let g = 0; g < aCount; g++) starts[g + 1]! += starts[g]!;
  const rows = new Int32Array(starts[aCount]!);
  const next = starts.slice(0, aCount);
  for (let i = 0; i < n; i++) {
    if (a[i]! >= 0 && b[i]! >= 0) rows[next[a[i]!]!++] = i;
  }
  const combined = new Int32Array(n).fill(-1);
  const stamp = new Int32Array(bCount).fill(-1);
  const local = new Int32Array(bCount);
  let ids = 0;
  for (let g = 0; g < aCount; g++) {
    for (let k = starts[g]!; k < starts[g + 1]!; k++) {
      const i = rows[k]!;
      const value = b[i]!;
      if (stamp[value] !== g) {
        stamp[value] = g;
        local[value] = ids++;
      }
      combined[i] = local[value]!;
    }
  }
  return { ids: combined, count: ids };
}
