import type { Column, Table } from '@mlsd/core';
import type { FraudColumns } from './fraud-config-schema.js';
import { type FraudLog, FraudLogBuilder, type FraudLogOptions } from './fraud-log-builder.js';
import { type LabelRequirement, RowNormalizer } from './row-normalizer.js';

/**
 * Normalizes an in-memory table (columns named as in the config, e.g. the simulator's table with
 * the handbook preset) through the same {@link RowNormalizer} and {@link FraudLogBuilder} as a
 * file: the same accepted rows, quarantine reasons, duplicate and sorting rules. "Lines" in the
 * quarantine are row numbers + 1.
 * The quarantine stays in memory (`quarantine` of the result).
 * @throws SchemaMismatchError when the table lacks a column the config needs, naming the nearest.
 */
export function normalizeTable(
  table: Table,
  columns: FraudColumns,
  options: Omit<FraudLogOptions, 'quarantinePath'> & {
    labels?: LabelRequirement;
    name?: string;
  } = {},
): FraudLog {
  const name = options.name ?? 'table';
  const normalizer = new RowNormalizer(columns, { labels: options.labels ?? 'required' });
  const { layout } = normalizer;
  normalizer.bindHeader(table.columnNames, name);
  const sources: (Column | undefined)[] = layout.rawColumns.map((column) =>
    table.has(column) ? table.column(column) : undefined,
  );
  const builder = new FraudLogBuilder(normalizer, name, options);
  builder.hasLabel = layout.label !== undefined && table.has(layout.label);
  for (let row = 0; row < table.length; row++) {
    const problem = normalizer.normalizeTableRow(sources, row);
    builder.add(row + 1, () => JSON.stringify(table.row(row)), problem);
  }
  return builder.finish(columns, 0, 'no rows');
}
