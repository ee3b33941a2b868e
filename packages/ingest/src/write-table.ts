import {
  CategoryColumn,
  type Column,
  isNumericColumn,
  type Table,
  writeLinesAtomic,
} from '@mlsd/core';

/** Options of {@link writeCsv} and {@link writeJsonl}. */
export interface WriteTableOptions {
  /** Columns to write, in order (default: all). */
  columns?: readonly string[];
  /** Formats a column's value as text (e.g. seconds as a date); the result is quoted as needed. */
  format?: Readonly<Record<string, (value: number | string | undefined, row: number) => string>>;
  /** Called now and then with the rows written so far. */
  onProgress?: (rowsWritten: number) => void;
}

/**
 * Writes a table as CSV with a header (RFC 4180 quoting where a value holds a comma, quote or
 * line break; missing numbers as empty cells), streamed to a temporary file renamed into place,
 * so the target is never half-written.
 */
export async function writeCsv(
  path: string,
  table: Table,
  options: WriteTableOptions = {},
): Promise<void> {
  const names = options.columns ?? table.columnNames;
  const cells = names.map((name) => cellReader(table.column(name), options.format?.[name]));
  await writeLinesAtomic(
    path,
    table.length,
    (row) => cells.map((read) => quoteCsv(read(row) ?? '')).join(','),
    { header: names.map(quoteCsv).join(','), ...progressOf(options) },
  );
}

/** Writes a table as JSON Lines: one object per row, missing numbers as null. */
export async function writeJsonl(
  path: string,
  table: Table,
  options: WriteTableOptions = {},
): Promise<void> {
  const names = options.columns ?? table.columnNames;
  const keys = names.map((name) => JSON.stringify(name));
  const cells = names.map((name) => cellReader(table.column(name), options.format?.[name]));
  const numeric = names.map(
    (name) => isNumericColumn(table.column(name)) && options.format?.[name] === undefined,
  );
  await writeLinesAtomic(
    path,
    table.length,
    (row) => {
      const parts = cells.map((read, c) => {
        const value = read(row);
        const json = value === undefined ? 'null' : numeric[c] ? value : JSON.stringify(value);
        return `${keys[c]}:${json}`;
      });
      return `{${parts.join(',')}}`;
    },
    progressOf(options),
  );
}

function progressOf(options: WriteTableOptions): { onProgress?: (rows: number) => void } {
  return options.onProgress === undefined ? {} : { onProgress: options.onProgress };
}

/** Reads row i of a column as text, or undefined when missing. */
function cellReader(
  column: Column,
  format: ((value: number | string | undefined, row: number) => string) | undefined,
): (row: number) => string | undefined {
  if (column instanceof CategoryColumn) {
    return format ? (row) => format(column.get(row), row) : (row) => column.get(row);
  }
  if (Array.isArray(column))
    return format ? (row) => format(column[row], row) : (row) => column[row];
  return format
    ? (row) => format(column[row], row)
    : (row) => {
        const value = column[row]!;
        return Number.isNaN(value) ? undefined : String(value);
      };
}

function quoteCsv(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
