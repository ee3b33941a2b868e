import {
  type Column,
  InvalidArgumentError,
  InvalidDataError,
  QuarantineLimitError,
  SchemaMismatchError,
  Table,
} from '@mlsd/core';
import {
  type ColumnBuilder,
  CsvParser,
  createColumnBuilder,
  Quarantine,
  type QuarantinedRow,
  type RowProblem,
  readTextChunks,
  readTextLines,
  type TextSource,
} from '@mlsd/ingest';
import type { FraudColumns } from './fraud-config-schema.js';
import type { NormalizedLayout } from './normalized-layout.js';
import { type LabelRequirement, RowNormalizer } from './row-normalizer.js';

/** Options of {@link readFraudLog}. */
export interface ReadFraudLogOptions {
  /** `required` (train, evaluate: a row without a valid label is refused) or `optional` (predict). */
  labels?: LabelRequirement;
  /** `csv` or `jsonl`; default from the file name (`.jsonl` / `.ndjson` → jsonl, else csv). */
  format?: 'csv' | 'jsonl';
  /** Write every refused row to this JSONL file (line, raw, reason, column). */
  quarantinePath?: string;
  /** Refused rows kept in memory in the result (default 100). */
  keepQuarantined?: number;
  /** Fail when more than this share of rows is refused, e.g. 0.05 (default: no limit). */
  maxQuarantineShare?: number;
  /** Called now and then with the rows read so far. */
  onProgress?: (rowsRead: number) => void;
  /** Name of the input in messages (default: the path, or "input"). */
  name?: string;
}

/** A transaction log read through a config: the normalized table and what happened on the way. */
export interface FraudLog {
  /**
   * The normalized table, sorted by time (stable): the id as text, the time in epoch seconds,
   * the amount, the label (Uint8Array 0/1) when the file has one, key and categorical columns
   * as CategoryColumns, numeric columns as Float64Array — named as {@link layout} says.
   */
  table: Table;
  layout: NormalizedLayout;
  stats: {
    /** Data records read (header and blank lines excluded); read = accepted + quarantined. */
    read: number;
    accepted: number;
    quarantined: number;
    /** Records refused because their id had been seen (counted in `quarantined` too). */
    duplicates: number;
    blankLines: number;
    /** True when the rows were not in time order and were sorted. */
    sorted: boolean;
    elapsedMs: number;
    quarantinePath?: string;
  };
  /** The first `keepQuarantined` refused rows, with line and reason. */
  quarantine: QuarantinedRow[];
  /** Sentences worth showing the user (sorted input, duplicates, columns left out). */
  notes: string[];
}

/**
 * Reads a transaction log (CSV with a header, or JSON Lines) through a config's columns: every
 * record goes through the one {@link RowNormalizer}; refused records go to the quarantine with
 * their line and reason (counts reconcile: read = accepted + quarantined). A repeated
 * transaction id keeps its first row and quarantines the others, naming the first line. Rows out
 * of time order are sorted (stable, so equal times keep file order) and a note says so. A label
 * column with values the config does not map is refused with the values found.
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
  const started = performance.now();
  const name = options.name ?? (typeof source === 'string' ? source : 'input');
  const format = options.format ?? formatOf(name);
  const labels = options.labels ?? 'required';
  const normalizer = new RowNormalizer(columns, { labels });
  const { layout, row } = normalizer;
  const quarantine = new Quarantine(options.quarantinePath, options.keepQuarantined ?? 100);
  const out = new NormalizedColumns(layout);
  const firstLine = new Map<string, number>();
  const labelValues = new Map<string, number>();
  const notes: string[] = [];
  let read = 0;
  let duplicates = 0;
  let blankLines = 0;
  let previousTime = Number.NEGATIVE_INFINITY;
  let unsortedAt: { line: number; time: number; previous: number } | undefined;

  const accept = (line: number, raw: () => string, problem: RowProblem | undefined): void => {
    read++;
    if (problem === undefined) {
      const seen = firstLine.get(row.id);
      if (seen !== undefined) {
        duplicates++;
        problem = {
          column: layout.transactionId,
          reason: `${layout.transactionId}: duplicate transaction id '${row.id}' (first on line ${seen}); kept the first`,
        };
      }
    }
    if (problem !== undefined) {
      if (problem.column === layout.label) {
        const value = labelCell();
        labelValues.set(value, (labelValues.get(value) ?? 0) + 1);
      }
      quarantine.add({
        line,
        raw: raw(),
        reason: problem.reason,
        ...(problem.column === undefined ? {} : { column: problem.column }),
      });
    } else {
      firstLine.set(row.id, line);
      if (row.time < previousTime && unsortedAt === undefined) {
        unsortedAt = { line, time: row.time, previous: previousTime };
      }
      previousTime = row.time;
      out.push(row);
    }
    if (options.onProgress !== undefined && (read & 0xffff) === 0) options.onProgress(read);
  };

  let labelCell: () => string = () => '';
  await quarantine.open();
  try {
    if (format === 'csv') {
      let header: string[] | undefined;
      let index: Int32Array = new Int32Array(0);
      const parser = new CsvParser((fields, line, malformed, raw) => {
        if (header === undefined) {
          header = fields.map((field) => field.trim());
          const binding = normalizer.bindHeader(header, name);
          index = binding.index;
          out.hasLabel = layout.label !== undefined && header.includes(layout.label);
          const labelAt = layout.label === undefined ? -1 : header.indexOf(layout.label);
          labelCell = () => current[labelAt] ?? '';
          noteColumns(notes, name, binding.ignored, binding.unused);
          return;
        }
        current = fields;
        let problem: RowProblem | undefined;
        if (malformed !== undefined) problem = { reason: `malformed CSV: ${malformed}` };
        else if (fields.length !== header.length) {
          problem = { reason: `expected ${header.length} fields, found ${fields.length}` };
        } else problem = normalizer.normalizeCells(fields, index);
        accept(line, raw, problem);
      });
      let current: string[] = [];
      for await (const chunk of readTextChunks(source, name)) parser.push(chunk);
      parser.end();
      blankLines = parser.blankLines;
      if (header === undefined) {
        throw new SchemaMismatchError(`${name} is empty: no header row.`, { file: name });
      }
    } else {
      let lineNumber = 0;
      let record: Record<string, unknown> = {};
      labelCell = () => String(record[layout.label ?? ''] ?? '');
      const unknown = new Set<string>();
      for await (const text of readTextLines(source, name)) {
        lineNumber++;
        if (text.trim() === '') {
          blankLines++;
          continue;
        }
        let problem: RowProblem | undefined;
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch (error) {
          problem = { reason: `invalid JSON: ${(error as Error).message}` };
        }
        if (problem === undefined) {
          if (value === null || typeof value !== 'object' || Array.isArray(value)) {
            problem = { reason: 'expected a JSON object on the line' };
          } else {
            record = value as Record<string, unknown>;
            if (layout.label !== undefined && record[layout.label] !== undefined) {
              out.hasLabel = true;
            }
            problem = normalizer.normalizeObject(record, { unknownKeys: unknown });
          }
        }
        accept(lineNumber, () => text, problem);
      }
      noteColumns(notes, name, [], [...unknown]);
    }
    checkLimit(quarantine, read, options, name);
  } finally {
    await quarantine.close();
  }

  if (read === 0) {
    throw new InvalidDataError(
      `${name} has no transactions: ${format === 'csv' ? 'a header and no data rows' : 'no lines'}. Give a file with rows.`,
      { file: name },
    );
  }
  checkLabelValues(labelValues, read, columns, name);
  const accepted = read - quarantine.count;
  if (accepted === 0) {
    const first = quarantine.kept[0];
    throw new InvalidDataError(
      `${name}: all ${read} rows were refused; the first on line ${first?.line}: ${first?.reason}. Check the config's "columns" against the file.`,
      { file: name, read },
    );
  }
  if (duplicates > 0) {
    notes.push(
      `${name}: ${duplicates} row${duplicates === 1 ? '' : 's'} repeated an earlier transaction id and ${duplicates === 1 ? 'was' : 'were'} quarantined (the first of each id kept).`,
    );
  }
  let table = out.finish();
  if (unsortedAt !== undefined) {
    table = table.sortBy(layout.time);
    notes.push(
      `${name}: rows are not in time order (line ${unsortedAt.line} is at ${iso(unsortedAt.time)}, before ${iso(unsortedAt.previous)}); sorted them by time, equal times kept in file order.`,
    );
  }
  return {
    table,
    layout,
    stats: {
      read,
      accepted,
      quarantined: quarantine.count,
      duplicates,
      blankLines,
      sorted: unsortedAt !== undefined,
      elapsedMs: performance.now() - started,
      ...(quarantine.path === undefined ? {} : { quarantinePath: quarantine.path }),
    },
    quarantine: quarantine.kept,
    notes,
  };
}

function formatOf(name: string): 'csv' | 'jsonl' {
  const lower = name.toLowerCase();
  return lower.endsWith('.jsonl') || lower.endsWith('.ndjson') ? 'jsonl' : 'csv';
}

function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
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

function checkLimit(
  quarantine: Quarantine,
  read: number,
  options: ReadFraudLogOptions,
  name: string,
): void {
  const limit = options.maxQuarantineShare;
  if (limit === undefined) return;
  if (!(limit >= 0 && limit <= 1)) {
    throw new InvalidArgumentError(`maxQuarantineShare must be in [0, 1], got ${limit}.`);
  }
  if (read > 0 && quarantine.count / read > limit) {
    const first = quarantine.kept[0];
    throw new QuarantineLimitError(
      `${name}: ${quarantine.count} of ${read} rows refused (${((100 * quarantine.count) / read).toFixed(2)}%), above the limit of ${(100 * limit).toFixed(2)}%.` +
        (first === undefined ? '' : ` First: line ${first.line}: ${first.reason}.`),
      { quarantined: quarantine.count, read },
    );
  }
}

/**
 * A label column with values the config does not map is a config problem, not a few bad rows,
 * once it is more than a sliver of the file: say which values were found.
 */
function checkLabelValues(
  refused: Map<string, number>,
  read: number,
  columns: FraudColumns,
  name: string,
): void {
  let count = 0;
  for (const n of refused.values()) count += n;
  const label = columns.label;
  if (label === undefined || count === 0 || count / read <= 0.01) return;
  const found = [...refused.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 10)
    .map(([value, n]) => `'${value}' (${n} rows)`)
    .join(', ');
  throw new InvalidDataError(
    `${name}: label column "${label.column}" has values other than the two the config maps ` +
      `(fraud ${label.fraud.join(', ')}; genuine ${label.genuine.join(', ')}): ${found}. ` +
      'A fraud label has two values; set columns.label.fraud and columns.label.genuine, or pick another column.',
    { column: label.column, values: [...refused.keys()].slice(0, 10) },
  );
}

/** Column builders for the normalized table. */
class NormalizedColumns {
  hasLabel = false;
  readonly #layout: NormalizedLayout;
  readonly #id = createColumnBuilder('string');
  readonly #time = createColumnBuilder('float64');
  readonly #amount = createColumnBuilder('float64');
  readonly #label = createColumnBuilder('uint8');
  readonly #labelTime = createColumnBuilder('float64');
  readonly #keys: ColumnBuilder[];
  readonly #categorical: ColumnBuilder[];
  readonly #numeric: ColumnBuilder[];

  constructor(layout: NormalizedLayout) {
    this.#layout = layout;
    this.#keys = layout.keyColumns.map(() => createColumnBuilder('category'));
    this.#categorical = layout.categorical.map(() => createColumnBuilder('category'));
    this.#numeric = layout.numeric.map(() => createColumnBuilder('float64'));
  }

  push(row: RowNormalizer['row']): void {
    this.#id.push(row.id);
    this.#time.push(row.time);
    this.#amount.push(row.amount);
    // A row without a label (optional labels) counts as not known to be fraud.
    this.#label.push(row.label === 1 ? 1 : 0);
    this.#labelTime.push(row.labelTime);
    for (let k = 0; k < this.#keys.length; k++) this.#keys[k]!.push(row.keys[k]!);
    for (let c = 0; c < this.#categorical.length; c++) {
      this.#categorical[c]!.push(row.categorical[c]);
    }
    for (let n = 0; n < this.#numeric.length; n++) this.#numeric[n]!.push(row.numeric[n]!);
  }

  finish(): Table {
    const layout = this.#layout;
    const columns = new Map<string, Column>();
    columns.set(layout.transactionId, this.#id.finish());
    columns.set(layout.time, this.#time.finish());
    columns.set(layout.amount, this.#amount.finish());
    if (layout.label !== undefined && this.hasLabel)
      columns.set(layout.label, this.#label.finish());
    if (layout.labelTime !== undefined) columns.set(layout.labelTime, this.#labelTime.finish());
    layout.keyColumns.forEach((name, k) => {
      columns.set(name, this.#keys[k]!.finish());
    });
    layout.categorical.forEach((name, c) => {
      columns.set(name, this.#categorical[c]!.finish());
    });
    layout.numeric.forEach((name, n) => {
      columns.set(name, this.#numeric[n]!.finish());
    });
    return new Table(columns);
  }
}
