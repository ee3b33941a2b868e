import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CategoryColumn, type Column, isNumericColumn, type Table } from '@mlsd/core';

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
  await writeStreamed(
    path,
    table.length,
    names.map(quoteCsv).join(','),
    (row) => cells.map((read) => quoteCsv(read(row) ?? '')).join(','),
    options,
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
  await writeStreamed(
    path,
    table.length,
    undefined,
    (row) => {
      const parts = cells.map((read, c) => {
        const value = read(row);
        const json = value === undefined ? 'null' : numeric[c] ? value : JSON.stringify(value);
        return `${keys[c]}:${json}`;
      });
      return `{${parts.join(',')}}`;
    },
    options,
  );
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

async function writeStreamed(
  path: string,
  rows: number,
  header: string | undefined,
  line: (row: number) => string,
  options: WriteTableOptions,
): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  const stream = createWriteStream(temp, { encoding: 'utf8' });
  const failed = new Promise<never>((_, reject) => stream.once('error', reject));
  failed.catch(() => {});
  try {
    let buffer = header === undefined ? '' : `${header}\n`;
    for (let row = 0; row < rows; row++) {
      buffer += `${line(row)}\n`;
      if (buffer.length >= 1 << 16) {
        if (!stream.write(buffer))
          await Promise.race([
            new Promise<void>((resolve) => stream.once('drain', () => resolve())),
            failed,
          ]);
        buffer = '';
        if (options.onProgress !== undefined && (row & 0xffff) === 0) options.onProgress(row);
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
