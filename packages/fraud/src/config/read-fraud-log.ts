import { SchemaMismatchError } from '@mlsd/core';
import {
  CsvParser,
  type RowProblem,
  readTextChunks,
  readTextLines,
  type TextSource,
} from '@mlsd/ingest';
import type { FraudColumns } from './fraud-config-schema.js';
import { type FraudLog, FraudLogBuilder, type FraudLogOptions } from './fraud-log-builder.js';
import { type LabelRequirement, RowNormalizer } from './row-normalizer.js';

/** Options of {@link readFraudLog}. */
export interface ReadFraudLogOptions extends FraudLogOptions {
  /** `required` (train, evaluate: a row without a valid label is refused) or `optional` (predict). */
  labels?: LabelRequirement;
  /** `csv` or `jsonl`; default from the file name (`.jsonl` / `.ndjson` → jsonl, else csv). */
  format?: 'csv' | 'jsonl';
  /** Name of the input in messages (default: the path, or "input"). */
  name?: string;
}

/**
 * Reads a transaction log (CSV with a header, or JSON Lines) through a config's columns: every
 * record goes through the one {@link RowNormalizer}, and a {@link FraudLogBuilder} quarantines
 * refused rows (counts reconcile: read = accepted + quarantined), keeps the first of repeated
 * ids, sorts rows out of time order and refuses a label column with unmapped values.
 * @throws SchemaMismatchError when the file lacks a column the config names (with the nearest
 *   name) or is empty; InvalidDataError for a file with a header and no rows, when no row is
 *   accepted, or a label column holding values other than the two mapped;
 *   QuarantineLimitError past `maxQuarantineShare`.
 */
export async function readFraudLog(
  source: TextSource,
  columns: FraudColumns,
  options: ReadFraudLogOptions = {},
): Promise<FraudLog> {
  const name = options.name ?? (typeof source === 'string' ? source : 'input');
  const format = options.format ?? formatOf(name);
  const normalizer = new RowNormalizer(columns, { labels: options.labels ?? 'required' });
  const { layout } = normalizer;
  const builder = new FraudLogBuilder(normalizer, name, options);
  let blankLines = 0;
  await builder.open();
  try {
    if (format === 'csv') {
      let header: string[] | undefined;
      let index: Int32Array = new Int32Array(0);
      const parser = new CsvParser((fields, line, malformed, raw) => {
        if (header === undefined) {
          header = fields.map((field) => field.trim());
          const binding = normalizer.bindHeader(header, name);
          index = binding.index;
          builder.hasLabel = layout.label !== undefined && header.includes(layout.label);
          noteColumns(builder.notes, name, binding.ignored, binding.unused);
          return;
        }
        let problem: RowProblem | undefined;
        if (malformed !== undefined) problem = { reason: `malformed CSV: ${malformed}` };
        else if (fields.length !== header.length) {
          problem = { reason: `expected ${header.length} fields, found ${fields.length}` };
        } else problem = normalizer.normalizeCells(fields, index);
        builder.add(line, raw, problem);
      });
      for await (const chunk of readTextChunks(source, name)) parser.push(chunk);
      parser.end();
      blankLines = parser.blankLines;
      if (header === undefined) {
        throw new SchemaMismatchError(`${name} is empty: no header row.`, { file: name });
      }
    } else {
      let lineNumber = 0;
      const unknown = new Set<string>();
      for await (const text of readTextLines(source, name)) {
        lineNumber++;
        if (text.trim() === '') {
          blankLines++;
          continue;
        }
        builder.add(lineNumber, () => text, normalizeJsonLine(text, normalizer, builder, unknown));
      }
      noteColumns(builder.notes, name, [], [...unknown]);
    }
  } finally {
    await builder.close();
  }
  return builder.finish(
    columns,
    blankLines,
    format === 'csv' ? 'a header and no data rows' : 'no lines',
  );
}

function normalizeJsonLine(
  text: string,
  normalizer: RowNormalizer,
  builder: FraudLogBuilder,
  unknown: Set<string>,
): RowProblem | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { reason: `invalid JSON: ${(error as Error).message}` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { reason: 'expected a JSON object on the line' };
  }
  const record = value as Record<string, unknown>;
  const label = normalizer.layout.label;
  if (label !== undefined && record[label] !== undefined) builder.hasLabel = true;
  return normalizer.normalizeObject(record, { unknownKeys: unknown });
}

function formatOf(name: string): 'csv' | 'jsonl' {
  const lower = name.toLowerCase();
  return lower.endsWith('.jsonl') || lower.endsWith('.ndjson') ? 'jsonl' : 'csv';
}

function noteColumns(notes: string[], name: string, ignored: string[], unused: string[]): void {
  if (ignored.length > 0) {
    notes.push(`${name}: left out as the config says: ${ignored.join(', ')}.`);
  }
  if (unused.length > 0) {
    notes.push(
      `${name}: left out (not named in the config; list them in columns.ignore to silence this): ${unused.join(', ')}.`,
    );
  }
}
