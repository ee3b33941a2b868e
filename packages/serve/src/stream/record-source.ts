import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { InvalidArgumentError, InvalidDataError, NotFoundError } from '@mlsd/core';
import { CsvParser } from '@mlsd/ingest';
import type { StreamRecord } from './stream-scorer.js';

/**
 * Reads a transactions file record by record, as text, the way the stream carries it: a CSV
 * file (header line, RFC 4180 quoting) gives one record per line with the header's names; a
 * JSONL file (`.jsonl`/`.ndjson`) one per line, scalar values as text (`null` as an empty
 * field). Nothing is typed or checked here: the consumer's scorer does that, and refuses a bad
 * record with a decision that says why. Memory stays bounded by one chunk of the file.
 * @throws NotFoundError for a missing file; InvalidArgumentError for another extension;
 *   InvalidDataError for a CSV record with a quoting problem or the wrong number of fields, or
 *   a JSONL line that is not an object of scalars (naming the line).
 */
export async function* readRecords(path: string): AsyncGenerator<StreamRecord> {
  const lower = path.toLowerCase();
  const jsonl = lower.endsWith('.jsonl') || lower.endsWith('.ndjson');
  if (!jsonl && !lower.endsWith('.csv')) {
    throw new InvalidArgumentError(
      `${path}: expected a .csv or .jsonl (.ndjson) transactions file.`,
      { file: path },
    );
  }
  try {
    if ((await stat(path)).isDirectory()) {
      throw new InvalidArgumentError(`${path} is a folder, not a file.`, { file: path });
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new NotFoundError(`Input file ${path} does not exist.`, { file: path });
    }
    throw error;
  }
  yield* jsonl ? readJsonlRecords(path) : readCsvRecords(path);
}

async function* readCsvRecords(path: string): AsyncGenerator<StreamRecord> {
  let header: string[] | undefined;
  let ready: StreamRecord[] = [];
  let failure: InvalidDataError | undefined;
  const parser = new CsvParser((fields, line, problem) => {
    if (failure !== undefined) return;
    if (problem !== undefined) {
      failure = new InvalidDataError(`${path}:${line}: ${problem}`, { file: path, line });
      return;
    }
    if (header === undefined) {
      header = fields;
      return;
    }
    if (fields.length !== header.length) {
      failure = new InvalidDataError(
        `${path}:${line}: ${fields.length} fields where the header has ${header.length}.`,
        { file: path, line },
      );
      return;
    }
    const record: Record<string, string> = {};
    for (let i = 0; i < fields.length; i++) record[header[i]!] = fields[i]!;
    ready.push(record);
  });
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    parser.push(chunk as string);
    if (failure !== undefined) throw failure;
    const batch = ready;
    ready = [];
    yield* batch;
  }
  parser.end();
  if (failure !== undefined) throw failure;
  yield* ready;
}

async function* readJsonlRecords(path: string): AsyncGenerator<StreamRecord> {
  const lines = createInterface({
    input: createReadStream(path, { encoding: 'utf8' }),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let line = 0;
  for await (const text of lines) {
    line++;
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new InvalidDataError(`${path}:${line}: not JSON (${(error as Error).message}).`, {
        file: path,
        line,
      });
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new InvalidDataError(`${path}:${line}: expected a JSON object per line.`, {
        file: path,
        line,
      });
    }
    const record: Record<string, string> = {};
    for (const [name, field] of Object.entries(value)) {
      if (field !== null && typeof field === 'object') {
        throw new InvalidDataError(
          `${path}:${line}: field ${JSON.stringify(name)} is an object or array; a transaction's fields are scalars.`,
          { file: path, line, field: name },
        );
      }
      record[name] = field === null ? '' : String(field);
    }
    yield record;
  }
}
