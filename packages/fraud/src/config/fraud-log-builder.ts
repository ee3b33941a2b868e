import {
  type Column,
  InvalidArgumentError,
  InvalidDataError,
  QuarantineLimitError,
  Table,
} from '@mlsd/core';
import {
  type ColumnBuilder,
  createColumnBuilder,
  Quarantine,
  type QuarantinedRow,
  type RowProblem,
} from '@mlsd/ingest';
import type { FraudColumns } from './fraud-config-schema.js';
import type { NormalizedLayout } from './normalized-layout.js';
import type { RowNormalizer } from './row-normalizer.js';

/** Options of the readers of a log ({@link FraudLogBuilder}'s quarantine and limits). */
export interface FraudLogOptions {
  /** Write every refused row to this JSONL file (line, raw, reason, column). */
  quarantinePath?: string;
  /** Refused rows kept in memory in the result (default 100). */
  keepQuarantined?: number;
  /** Fail when more than this share of rows is refused, e.g. 0.05 (default: no limit). */
  maxQuarantineShare?: number;
  /** Called now and then with the rows read so far. */
  onProgress?: (rowsRead: number) => void;
}

/** A transaction log read through a config: the normalized table and what happened on the way. */
export interface FraudLog {
  /**
   * The normalized table, sorted by time (stable): the id as text, the time in epoch seconds,
   * the amount, the label (Uint8Array 0/1) when the input has one, key and categorical columns
   * as CategoryColumns, numeric columns as Float64Array — named as {@link layout} says.
   */
  table: Table;
  layout: NormalizedLayout;
  stats: {
    /** Records read (header and blank lines excluded); read = accepted + quarantined. */
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
 * Collects normalized rows into a {@link FraudLog}, whatever they were read from: refused rows
 * go to the quarantine with their line and reason; a repeated transaction id keeps its first row
 * and quarantines the others, naming the first line; rows out of time order are sorted at the
 * end (stable) with a note; a label column with values the config does not map is refused,
 * naming the values found.
 */
export class FraudLogBuilder {
  /** Sentences for the user; readers add theirs (columns left out, ...). */
  readonly notes: string[] = [];
  /** The label column was present in the input (a label column is kept only then). */
  hasLabel = false;
  readonly #normalizer: RowNormalizer;
  readonly #name: string;
  readonly #options: FraudLogOptions;
  readonly #quarantine: Quarantine;
  readonly #out: NormalizedColumns;
  readonly #firstLine = new Map<string, number>();
  readonly #labelValues = new Map<string, number>();
  readonly #started = performance.now();
  #read = 0;
  #duplicates = 0;
  #previousTime = Number.NEGATIVE_INFINITY;
  #unsortedAt: { line: number; time: number; previous: number } | undefined;

  constructor(normalizer: RowNormalizer, name: string, options: FraudLogOptions) {
    this.#normalizer = normalizer;
    this.#name = name;
    this.#options = options;
    this.#quarantine = new Quarantine(options.quarantinePath, options.keepQuarantined ?? 100);
    this.#out = new NormalizedColumns(normalizer.layout);
  }

  /** Opens the quarantine file, if any. */
  open(): Promise<void> {
    return this.#quarantine.open();
  }

  /** Closes the quarantine file (also after a failed read). */
  close(): Promise<void> {
    return this.#quarantine.close();
  }

  /**
   * Takes one record: `problem` is what the normalizer (or the parser) found wrong with it, else
   * its fields are in the normalizer's row.
   */
  add(line: number, raw: () => string, problem: RowProblem | undefined): void {
    this.#read++;
    const normalizer = this.#normalizer;
    const { layout, row } = normalizer;
    if (problem === undefined) {
      const seen = this.#firstLine.get(row.id);
      if (seen !== undefined) {
        this.#duplicates++;
        problem = {
          column: layout.transactionId,
          reason: `${layout.transactionId}: duplicate transaction id '${row.id}' (first on line ${seen}); kept the first`,
        };
      }
    }
    if (problem !== undefined) {
      if (problem.column !== undefined && problem.column === layout.label) {
        const value = String(normalizer.problemValue ?? '');
        this.#labelValues.set(value, (this.#labelValues.get(value) ?? 0) + 1);
      }
      this.#quarantine.add({
        line,
        raw: raw(),
        reason: problem.reason,
        ...(problem.column === undefined ? {} : { column: problem.column }),
      });
      checkLimit(this.#quarantine, this.#read, this.#options, this.#name, true);
    } else {
      this.#firstLine.set(row.id, line);
      if (row.time < this.#previousTime && this.#unsortedAt === undefined) {
        this.#unsortedAt = { line, time: row.time, previous: this.#previousTime };
      }
      this.#previousTime = row.time;
      this.#out.push(row);
    }
    if (this.#options.onProgress !== undefined && (this.#read & 0xffff) === 0) {
      this.#options.onProgress(this.#read);
    }
  }

  /**
   * The log: the checks that need every row (no rows, label values, limits), then the table,
   * sorted by time when it was not.
   * @param empty - what to call an input without rows ("a header and no data rows").
   */
  finish(columns: FraudColumns, blankLines: number, empty: string): FraudLog {
    const name = this.#name;
    const quarantine = this.#quarantine;
    const read = this.#read;
    checkLimit(quarantine, read, this.#options, name, false);
    if (read === 0) {
      throw new InvalidDataError(`${name} has no transactions: ${empty}. Give a file with rows.`, {
        file: name,
      });
    }
    checkLabelValues(this.#labelValues, read, columns, name);
    const accepted = read - quarantine.count;
    if (accepted === 0) {
      const first = quarantine.kept[0];
      throw new InvalidDataError(
        `${name}: all ${read} rows were refused; the first on line ${first?.line}: ${first?.reason}. Check the config's "columns" against the file.`,
        { file: name, read },
      );
    }
    const notes = this.notes;
    const duplicates = this.#duplicates;
    if (duplicates > 0) {
      notes.push(
        `${name}: ${duplicates} row${duplicates === 1 ? '' : 's'} repeated an earlier transaction id and ${duplicates === 1 ? 'was' : 'were'} quarantined (the first of each id kept).`,
      );
    }
    const layout = this.#normalizer.layout;
    let table = this.#out.finish(this.hasLabel);
    const unsorted = this.#unsortedAt;
    if (unsorted !== undefined) {
      table = table.sortBy(layout.time);
      notes.push(
        `${name}: rows are not in time order (line ${unsorted.line} is at ${iso(unsorted.time)}, before ${iso(unsorted.previous)}); sorted them by time, equal times kept in file order.`,
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
        sorted: unsorted !== undefined,
        elapsedMs: performance.now() - this.#started,
        ...(quarantine.path === undefined ? {} : { quarantinePath: quarantine.path }),
      },
      quarantine: quarantine.kept,
      notes,
    };
  }
}

function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

/** Past `maxQuarantineShare` of the rows refused: a config problem rather than a few bad rows. */
function checkLimit(
  quarantine: Quarantine,
  read: number,
  options: FraudLogOptions,
  name: string,
  running: boolean,
): void {
  const limit = options.maxQuarantineShare;
  if (limit === undefined) return;
  // While reading, judge only once enough rows were seen for a share to mean something.
  if (running && read < 1000) return;
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

  finish(hasLabel: boolean): Table {
    const layout = this.#layout;
    const columns = new Map<string, Column>();
    columns.set(layout.transactionId, this.#id.finish());
    columns.set(layout.time, this.#time.finish());
    columns.set(layout.amount, this.#amount.finish());
    if (layout.label !== undefined && hasLabel) columns.set(layout.label, this.#label.finish());
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
