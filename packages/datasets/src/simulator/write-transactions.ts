import {
  CategoryColumn,
  type Column,
  InvalidArgumentError,
  isNumericColumn,
  type Table,
  writeLinesAtomic,
} from '@mlsd/core';
import { DateTimeFormatter } from './format-datetime.js';

/** Options of {@link writeTransactionsCsv} and {@link writeTransactionsJsonl}. */
export interface WriteTransactionsOptions {
  /**
   * Numeric columns holding seconds since the epoch, written as `YYYY-MM-DD HH:MM:SS` text
   * (default `['TX_DATETIME']`; names the table lacks are ignored).
   */
  datetimeColumns?: readonly string[];
  /** Called now and then with the rows written so far, and once at the end. */
  onProgress?: (rowsWritten: number) => void;
}

/**
 * Writes a transactions table (any {@link Table}, in its column order) as CSV with a header:
 * date-time columns as `YYYY-MM-DD HH:MM:SS`, numbers in their shortest exact form, missing
 * numbers as empty cells, text quoted as RFC 4180 requires. Streamed into a temporary file in
 * the same folder, which is renamed over `path` only when complete.
 */
export async function writeTransactionsCsv(
  table: Table,
  path: string,
  options: WriteTransactionsOptions = {},
): Promise<void> {
  const names = table.columnNames;
  const cells = names.map((name) => cellWriter(table, name, options, 'csv'));
  await writeLinesAtomic(
    path,
    table.length,
    (row) => {
      let line = cells[0]!(row);
      for (let c = 1; c < cells.length; c++) line += `,${cells[c]!(row)}`;
      return line;
    },
    { header: names.map(quoteCsv).join(','), ...progressOf(options) },
  );
}

/**
 * Writes a transactions table as JSON Lines, one object per row with the table's column names
 * as keys: date-time columns as `"YYYY-MM-DD HH:MM:SS"` strings, missing numbers as null.
 * Streamed through a temporary file renamed over `path` when complete.
 */
export async function writeTransactionsJsonl(
  table: Table,
  path: string,
  options: WriteTransactionsOptions = {},
): Promise<void> {
  const names = table.columnNames;
  const keys = names.map((name) => `${JSON.stringify(name)}:`);
  const cells = names.map((name) => cellWriter(table, name, options, 'json'));
  await writeLinesAtomic(
    path,
    table.length,
    (row) => {
      let line = `{${keys[0]}${cells[0]!(row)}`;
      for (let c = 1; c < cells.length; c++) line += `,${keys[c]}${cells[c]!(row)}`;
      return `${line}}`;
    },
    progressOf(options),
  );
}

/**
 * The format a transactions file name asks for: `.csv` → 'csv', `.jsonl` / `.ndjson` → 'jsonl'
 * (case-insensitive). Check a path with it before a long computation whose result it will hold.
 * @throws InvalidArgumentError for any other name.
 */
export function transactionsFileFormat(path: string): 'csv' | 'jsonl' {
  const lower = path.toLowerCase();
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'jsonl';
  throw new InvalidArgumentError(
    `Cannot tell the format of "${path}" from its name; name the file .csv or .jsonl.`,
    { path },
  );
}

/** Writes CSV or JSONL as the file name says (see {@link transactionsFileFormat}). */
export async function writeTransactions(
  table: Table,
  path: string,
  options: WriteTransactionsOptions = {},
): Promise<void> {
  return transactionsFileFormat(path) === 'csv'
    ? writeTransactionsCsv(table, path, options)
    : writeTransactionsJsonl(table, path, options);
}

type Format = 'csv' | 'json';

/** Returns the text of one column's cell for a row, in the given format. */
function cellWriter(
  table: Table,
  name: string,
  options: WriteTransactionsOptions,
  format: Format,
): (row: number) => string {
  const column: Column = table.column(name);
  const text = format === 'csv' ? quoteCsv : (value: string) => JSON.stringify(value);
  const missing = format === 'csv' ? '' : 'null';
  if (isNumericColumn(column)) {
    if ((options.datetimeColumns ?? ['TX_DATETIME']).includes(name)) {
      const formatter = new DateTimeFormatter();
      return (row) => {
        const value = column[row]!;
        return Number.isNaN(value) ? missing : text(formatter.format(value));
      };
    }
    if (column instanceof Float64Array || column instanceof Float32Array) {
      return (row) => {
        const value = column[row]!;
        return Number.isFinite(value) ? String(value) : missing;
      };
    }
    return (row) => String(column[row]);
  }
  if (column instanceof CategoryColumn) {
    return (row) => {
      const value = column.get(row);
      return value === undefined ? missing : text(value);
    };
  }
  return (row) => text(column[row] ?? '');
}

function quoteCsv(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

function progressOf(options: WriteTransactionsOptions): { onProgress?: (rows: number) => void } {
  return options.onProgress === undefined ? {} : { onProgress: options.onProgress };
}
