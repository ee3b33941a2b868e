import { InvalidDataError, isNumericColumn, type NumericColumn, type Table } from '@mlsd/core';
import { ID_RULE, isValidId } from './entity-id.js';
import type { FeatureSet } from './feature-set.js';

/** The columns a {@link FeatureSet} reads from a transactions table, checked. */
export interface TransactionArrays {
  /** Seconds since the calendar origin, finite and non-decreasing. */
  times: NumericColumn;
  /** Amounts, finite. */
  amounts: NumericColumn;
  /** Fraud labels 0/1 (all zeros when no feature reads labels). */
  labels: Uint8Array;
  /** Id column of each entity the features group by. */
  entityIds: ReadonlyMap<string, NumericColumn>;
  /** Columns passed through by column features. */
  passthrough: ReadonlyMap<string, NumericColumn>;
}

/**
 * Reads and checks what `features` needs from `table`: times finite and sorted, amounts
 * finite, labels 0/1 (only when a feature uses them), entity ids non-negative integers.
 * @throws NotFoundError for a missing column (naming the nearest existing one).
 * @throws InvalidDataError naming the column, the first bad row (0-based) and its value.
 */
export function readTransactions(table: Table, features: FeatureSet): TransactionArrays {
  const { time, amount, label } = features.columns;
  const times = numericColumn(table, time, 'seconds since the origin');
  for (let i = 0; i < times.length; i++) {
    const t = times[i]!;
    if (!Number.isFinite(t)) {
      throw new InvalidDataError(
        `Column "${time}" row ${i}: time is ${t}; every transaction needs a finite time in seconds since ${features.calendar.origin}.`,
        { column: time, row: i, value: t },
      );
    }
    if (i > 0 && t < times[i - 1]!) {
      throw new InvalidDataError(
        `Column "${time}" is not sorted: row ${i} has ${t} but row ${i - 1} has ${times[i - 1]}. ` +
          `Point-in-time features need the transactions in time order; sort first with table.sortBy('${time}') (stable).`,
        { column: time, row: i, value: t, previous: times[i - 1] },
      );
    }
  }
  const amounts = numericColumn(table, amount, 'amounts');
  checkFinite(amounts, amount);

  const labels = new Uint8Array(table.length);
  if (features.usesLabels) {
    const column = numericColumn(table, label, 'fraud labels 0/1');
    for (let i = 0; i < column.length; i++) {
      const value = column[i]!;
      if (value !== 0 && value !== 1) {
        throw new InvalidDataError(
          `Column "${label}" row ${i}: fraud label is ${value}; labels must be 0 (genuine) or 1 (fraud).`,
          { column: label, row: i, value },
        );
      }
      labels[i] = value;
    }
  }

  const entityIds = new Map<string, NumericColumn>();
  for (const { entity } of features.entities) {
    const ids = numericColumn(table, entity, 'entity ids');
    for (let i = 0; i < ids.length; i++) {
      if (!isValidId(ids[i])) {
        throw new InvalidDataError(`Column "${entity}" row ${i}: id is ${ids[i]}; ${ID_RULE}.`, {
          column: entity,
          row: i,
          value: ids[i],
        });
      }
    }
    entityIds.set(entity, ids);
  }

  const passthrough = new Map<string, NumericColumn>();
  for (const { feature } of features.rowFeatures) {
    if (feature.column === undefined || passthrough.has(feature.column)) continue;
    passthrough.set(
      feature.column,
      feature.column === amount ? amounts : numericColumn(table, feature.column, 'numbers'),
    );
  }
  return { times, amounts, labels, entityIds, passthrough };
}

function numericColumn(table: Table, name: string, what: string): NumericColumn {
  const column = table.column(name);
  if (!isNumericColumn(column)) {
    throw new InvalidDataError(
      `Column "${name}" holds strings; it must be a numeric typed array of ${what}.` +
        (what === 'entity ids' ? ` ${ID_RULE}.` : ''),
      { column: name },
    );
  }
  return column;
}

function checkFinite(values: NumericColumn, name: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) {
      throw new InvalidDataError(
        `Column "${name}" row ${i}: value is ${values[i]}; amounts must be finite numbers (drop or repair the row first).`,
        { column: name, row: i, value: values[i] },
      );
    }
  }
}
