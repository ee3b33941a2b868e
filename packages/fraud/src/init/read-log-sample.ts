import { SchemaMismatchError } from '@mlsd/core';
import { CsvParser, readTextChunks, readTextLines, type TextSource } from '@mlsd/ingest';

/** The first rows of a log, as text cells under a header. */
export interface LogSample {
  /** Input name, for messages. */
  name: string;
  format: 'csv' | 'jsonl';
  header: string[];
  /** Rows whose field count matches the header (JSONL: values as text, '' when absent). */
  rows: string[][];
  /** Records skipped because they were malformed. */
  skipped: number;
  /** True when the file has more rows than were read. */
  truncated: boolean;
}

/**
 * Reads up to `maxRows` records from the start of a CSV (with a header) or JSONL log, as text,
 * for inferring a config. Stops reading once it has enough.
 * @throws SchemaMismatchError for an empty file.
 */
export async function readLogSample(
  source: TextSource,
  options: { maxRows?: number; name?: string; format?: 'csv' | 'jsonl' } = {},
): Promise<LogSample> {
  const name = options.name ?? (typeof source === 'string' ? source : 'input');
  const maxRows = options.maxRows ?? 50_000;
  const lower = name.toLowerCase();
  const format =
    options.format ?? (lower.endsWith('.jsonl') || lower.endsWith('.ndjson') ? 'jsonl' : 'csv');
  const sample: LogSample = { name, format, header: [], rows: [], skipped: 0, truncated: false };
  if (format === 'csv') {
    let headerSeen = false;
    const parser = new CsvParser((fields, _line, problem) => {
      if (!headerSeen) {
        headerSeen = true;
        sample.header = fields.map((field) => field.trim());
        return;
      }
      if (sample.rows.length >= maxRows) {
        sample.truncated = true;
        return;
      }
      if (problem !== undefined || fields.length !== sample.header.length) sample.skipped++;
      else sample.rows.push(fields);
    });
    for await (const chunk of readTextChunks(source, name)) {
      parser.push(chunk);
      if (sample.truncated) break;
    }
    if (!sample.truncated) parser.end();
    if (!headerSeen) throw new SchemaMismatchError(`${name} is empty: no header row.`);
    return sample;
  }
  const positions = new Map<string, number>();
  const records: Record<string, unknown>[] = [];
  for await (const line of readTextLines(source, name)) {
    if (line.trim() === '') continue;
    if (records.length >= maxRows) {
      sample.truncated = true;
      break;
    }
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      sample.skipped++;
      continue;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      sample.skipped++;
      continue;
    }
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record))
      if (!positions.has(key)) positions.set(key, positions.size);
    records.push(record);
  }
  if (records.length === 0 && sample.skipped === 0) {
    throw new SchemaMismatchError(`${name} is empty: no JSON lines.`);
  }
  sample.header = [...positions.keys()];
  sample.rows = records.map((record) =>
    sample.header.map((key) => {
      const value = record[key];
      return value === undefined || value === null ? '' : String(value);
    }),
  );
  return sample;
}
