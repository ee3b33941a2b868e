import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import {
  CategoryColumn,
  type Column,
  InvalidArgumentError,
  isNumericColumn,
  type Table,
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

/** Text written before the stream is asked to take it (bytes ≈ characters here). */
const CHUNK_CHARS = 1 << 17;

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
  await writeLines(path, table.length, `${names.map(quoteCsv).join(',')}\n`, options, (row) => {
    let line = cells[0]!(row);
    for (let c = 1; c < cells.length; c++) line += `,${cells[c]!(row)}`;
    return line;
  });
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
  await writeLines(path, table.length, '', options, (row) => {
    let line = `{${keys[0]}${cells[0]!(row)}`;
    for (let c = 1; c < cells.length; c++) line += `,${keys[c]}${cells[c]!(row)}`;
    return `${line}}`;
  });
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

/** Streams `header` and one line per row to a temp file, then renames it to `path`. */
async function writeLines(
  path: string,
  rows: number,
  header: string,
  options: WriteTransactionsOptions,
  line: (row: number) => string,
): Promise<void> {
  const folder = dirname(path);
  await mkdir(folder, { recursive: true });
  const temp = join(folder, `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  const stream = createWriteStream(temp, { encoding: 'utf8', flags: 'wx' });
  const failed = new Promise<never>((_, reject) => stream.once('error', reject));
  failed.catch(() => {});
  try {
    let buffer = header;
    for (let row = 0; row < rows; row++) {
      buffer += `${line(row)}\n`;
      if (buffer.length >= CHUNK_CHARS) {
        if (!stream.write(buffer)) {
          await Promise.race([
            new Promise<void>((resolve) => stream.once('drain', () => resolve())),
            failed,
          ]);
        }
        buffer = '';
        options.onProgress?.(row + 1);
      }
    }
    await Promise.race([
      new Promise<void>((resolve, reject) =>
        stream.end(buffer, (error?: Error | null) => (error ? reject(error) : resolve())),
      ),
      failed,
    ]);
    await rename(temp, path);
    options.onProgress?.(rows);
  } catch (error) {
    stream.destroy();
    await rm(temp, { force: true });
    throw error;
  }
}
