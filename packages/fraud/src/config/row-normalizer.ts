import {
  CategoryColumn,
  type Column,
  describeWithNearest,
  findNearestName,
  isNumericColumn,
  SchemaMismatchError,
  TimeZone,
} from '@mlsd/core';
import type { RowProblem } from '@mlsd/ingest';
import { describeValue } from './describe-value.js';
import type { FraudColumns } from './fraud-config-schema.js';
import { type NormalizedLayout, normalizedLayout } from './normalized-layout.js';
import { TimeParser } from './time-format.js';

/** One transaction after normalization; the fields a {@link RowNormalizer} fills. */
export interface NormalizedRow {
  /** Transaction id, as text. */
  id: string;
  /** Seconds since the epoch (UTC). */
  time: number;
  amount: number;
  /** 1 fraud, 0 genuine, −1 not given. */
  label: number;
  /** When the label became known (seconds since the epoch); NaN when not given. */
  labelTime: number;
  /** Values of the layout's key columns, in order. */
  keys: string[];
  /** Values of the layout's categorical columns; undefined when missing. */
  categorical: (string | undefined)[];
  /** Values of the layout's numeric columns; NaN when missing. */
  numeric: Float64Array;
}

/** Whether records must carry a label. */
export type LabelRequirement = 'required' | 'optional';

/** Where each raw column is in a header, and what the header has beyond the config. */
export interface HeaderBinding {
  /** Position in the header of each of the layout's raw columns; −1 when absent. */
  index: Int32Array;
  /** Header columns the config leaves out on purpose (`columns.ignore`). */
  ignored: string[];
  /** Header columns the config does not name at all (left out too). */
  unused: string[];
}

type Step = () => string | undefined;

/**
 * The one place raw transaction records become normalized fields: the batch reader (CSV and
 * JSONL cells) and online scoring (JSON request bodies) both call it, so they accept and refuse
 * the same input with the same messages. Times are read in the config's zone and format, labels
 * mapped from the config's fraud/genuine values, ids and entity keys kept as text (a 19-digit
 * card number never becomes a JS number), numeric columns parsed, categorical ones kept as text.
 * The last record's fields are in {@link RowNormalizer.row}.
 */
/** Length at which a message stops listing unknown fields and counts the rest. */
const MAX_UNKNOWN_FIELDS_CHARS = 400;

export class RowNormalizer {
  readonly layout: NormalizedLayout;
  readonly columns: FraudColumns;
  readonly labels: LabelRequirement;
  /** The fields of the last record normalized without a problem. */
  readonly row: NormalizedRow;
  readonly #steps: Step[] = [];
  readonly #rawIndex = new Map<string, number>();
  readonly #allowed: Set<string>;
  #cells: readonly string[] = [];
  #cellIndex: Int32Array = new Int32Array(0);
  #object: Record<string, unknown> | undefined;
  #tableColumns: readonly (Column | undefined)[] | undefined;
  #tableRow = 0;
  #lastColumn = '';
  #lastValue: unknown;
  #problemValue: unknown;

  /**
   * @throws InvalidArgumentError for a config whose columns clash, an unknown zone or a bad time pattern.
   */
  constructor(columns: FraudColumns, options: { labels?: LabelRequirement } = {}) {
    this.columns = columns;
    this.labels = options.labels ?? 'required';
    const layout = normalizedLayout(columns);
    this.layout = layout;
    layout.rawColumns.forEach((column, i) => {
      this.#rawIndex.set(column, i);
    });
    this.#allowed = new Set([...layout.rawColumns, ...layout.ignored]);
    this.row = {
      id: '',
      time: Number.NaN,
      amount: Number.NaN,
      label: -1,
      labelTime: Number.NaN,
      keys: new Array<string>(layout.keyColumns.length).fill(''),
      categorical: new Array<string | undefined>(layout.categorical.length),
      numeric: new Float64Array(layout.numeric.length),
    };
    const zone = TimeZone.of(columns.timezone);
    this.#compile(zone);
  }

  /**
   * Locates the raw columns in a file's header.
   * @throws SchemaMismatchError naming every missing column with the nearest header name.
   */
  bindHeader(header: readonly string[], source: string): HeaderBinding {
    const position = new Map<string, number>();
    header.forEach((column, i) => {
      if (!position.has(column)) position.set(column, i);
    });
    const index = new Int32Array(this.layout.rawColumns.length);
    const missing: string[] = [];
    this.layout.rawColumns.forEach((column, i) => {
      const at = position.get(column);
      index[i] = at ?? -1;
      if (at === undefined && !this.#optional(column)) missing.push(column);
    });
    if (missing.length > 0) {
      throw new SchemaMismatchError(
        `${source}: the config names column${missing.length > 1 ? 's' : ''} ${missing
          .map((column) => describeWithNearest(column, header))
          .join(
            ', ',
          )} that the file does not have; its header is ${header.join(', ')}. Fix the names in the config's "columns".`,
        { missing, header },
      );
    }
    const ignoredSet = new Set(this.layout.ignored);
    return {
      index,
      ignored: header.filter((column) => ignoredSet.has(column)),
      unused: header.filter((column) => !this.#allowed.has(column)),
    };
  }

  /**
   * Normalizes a text record: `cells[index[i]]` is raw column i's text (see {@link bindHeader}).
   * @returns the problem, naming the column, when the record is refused.
   */
  normalizeCells(cells: readonly string[], index: Int32Array): RowProblem | undefined {
    this.#cells = cells;
    this.#cellIndex = index;
    this.#object = undefined;
    this.#tableColumns = undefined;
    return this.#run();
  }

  /**
   * Normalizes row `row` of in-memory columns: `columns[i]` is raw column i of the layout
   * (undefined when absent); typed arrays give numbers, string and category columns text.
   */
  normalizeTableRow(columns: readonly (Column | undefined)[], row: number): RowProblem | undefined {
    this.#tableColumns = columns;
    this.#tableRow = row;
    this.#object = undefined;
    return this.#run();
  }

  /** The raw value of the first refused field of the last record (to count a label column's values). */
  get problemValue(): unknown {
    return this.#problemValue;
  }

  /**
   * Normalizes a JSON object (a request body, a JSONL line) with the file's column names as keys.
   * Keys the config does not know are refused, naming the nearest known one — or, for files,
   * collected in `unknownKeys` and left out like CSV columns the config does not name.
   */
  normalizeObject(
    record: Record<string, unknown>,
    options: { unknownKeys?: 'refuse' | Set<string> } = {},
  ): RowProblem | undefined {
    const collect = options.unknownKeys instanceof Set ? options.unknownKeys : undefined;
    let unknown: RowProblem | undefined;
    let unlisted = 0;
    for (const key of Object.keys(record)) {
      if (this.#allowed.has(key)) continue;
      if (collect !== undefined) {
        if (collect.size < 100) collect.add(key);
        continue;
      }
      if (unknown !== undefined && unknown.reason.length >= MAX_UNKNOWN_FIELDS_CHARS) {
        unlisted++;
        continue;
      }
      const nearest = findNearestName(key, this.#allowed);
      const reason = `unknown field "${key.slice(0, 100)}"${nearest === undefined ? '' : ` (did you mean "${nearest}"?)`}`;
      unknown =
        unknown === undefined
          ? { column: key, reason }
          : { column: unknown.column ?? key, reason: `${unknown.reason}; ${reason}` };
    }
    if (unknown !== undefined && unlisted > 0) {
      unknown = {
        ...unknown,
        reason: `${unknown.reason}; and ${unlisted} more unknown field${unlisted === 1 ? '' : 's'}`,
      };
    }
    this.#object = record;
    this.#tableColumns = undefined;
    const problem = this.#run();
    if (unknown === undefined) return problem;
    const known = `the model reads ${this.layout.rawColumns.join(', ')}`;
    return problem === undefined
      ? { ...unknown, reason: `${unknown.reason}; ${known}` }
      : { column: unknown.column ?? '', reason: `${unknown.reason}; ${problem.reason}; ${known}` };
  }

  /**
   * The last normalized row as the record the online feature state takes: fields named by the
   * layout (id and keys as text, time in epoch seconds, the label only when given).
   */
  toRecord(): Record<string, string | number> {
    const { layout, row } = this;
    const record: Record<string, string | number> = {
      [layout.transactionId]: row.id,
      [layout.time]: row.time,
      [layout.amount]: row.amount,
    };
    if (layout.label !== undefined && row.label >= 0) record[layout.label] = row.label;
    if (layout.labelTime !== undefined && !Number.isNaN(row.labelTime)) {
      record[layout.labelTime] = row.labelTime;
    }
    layout.keyColumns.forEach((column, i) => {
      record[column] = row.keys[i]!;
    });
    layout.categorical.forEach((column, i) => {
      const value = row.categorical[i];
      if (value !== undefined) record[column] = value;
    });
    layout.numeric.forEach((column, i) => {
      record[column] = row.numeric[i]!;
    });
    return record;
  }

  #optional(column: string): boolean {
    const { layout } = this;
    if (this.labels === 'optional') {
      return column === layout.label || column === layout.labelTime;
    }
    return false;
  }

  /**
   * Runs every step; a refused record names every field that is wrong (the first one's column
   * is the problem's column), so a person fixes them all at once.
   */
  #run(): RowProblem | undefined {
    const steps = this.#steps;
    let first: RowProblem | undefined;
    for (let s = 0; s < steps.length; s++) {
      const problem = steps[s]!();
      if (problem === undefined) continue;
      if (first === undefined) {
        first = { column: this.#lastColumn, reason: problem };
        this.#problemValue = this.#lastValue;
      } else first.reason += `; ${problem}`;
    }
    return first;
  }

  /** The raw value of a column in the current record (undefined when absent). */
  #get(column: string): unknown {
    this.#lastColumn = column;
    this.#lastValue = this.#value(column);
    return this.#lastValue;
  }

  #value(column: string): unknown {
    const object = this.#object;
    if (object !== undefined) return Object.hasOwn(object, column) ? object[column] : undefined;
    const raw = this.#rawIndex.get(column)!;
    const columns = this.#tableColumns;
    if (columns !== undefined) {
      const values = columns[raw];
      if (values === undefined) return undefined;
      const row = this.#tableRow;
      if (isNumericColumn(values)) return values[row];
      return values instanceof CategoryColumn ? values.get(row) : values[row];
    }
    const at = this.#cellIndex[raw]!;
    return at < 0 ? undefined : this.#cells[at];
  }

  #compile(zone: TimeZone): void {
    const { columns, layout, row } = this;
    const steps = this.#steps;
    steps.push(() => {
      const text = readKey(this.#get(layout.transactionId));
      if (typeof text !== 'string') return `${layout.transactionId}: ${text.problem}`;
      row.id = text;
      return undefined;
    });

    const time = columns.time;
    const parser = new TimeParser(time.format, zone, time.origin);
    if (time.column !== undefined) {
      const column = time.column;
      steps.push(() => {
        const value = this.#get(column);
        if (isMissing(value)) return `${column}: missing time`;
        const seconds = parser.parse(value);
        if (Number.isNaN(seconds)) return `${column}: ${parser.problem}`;
        row.time = seconds;
        return undefined;
      });
    } else {
      const dateColumn = time.date!;
      const timeColumn = time.time!;
      steps.push(() => {
        const date = this.#get(dateColumn);
        if (isMissing(date)) return `${dateColumn}: missing date`;
        const clock = this.#get(timeColumn);
        if (isMissing(clock)) return `${timeColumn}: missing time of day`;
        const seconds = parser.parse(`${String(date).trim()} ${String(clock).trim()}`);
        if (Number.isNaN(seconds)) return `${dateColumn} + ${timeColumn}: ${parser.problem}`;
        row.time = seconds;
        return undefined;
      });
    }

    steps.push(() => {
      const value = this.#get(layout.amount);
      if (isMissing(value)) return `${layout.amount}: missing amount`;
      const amount = readNumber(value);
      if (!Number.isFinite(amount)) {
        return `${layout.amount}: ${describeValue(value)} is not a number`;
      }
      // A payment amount; refunds and reversals are other events, not transactions to score.
      if (amount < 0) {
        return `${layout.amount}: ${describeValue(value)} is negative; amounts are 0 or more`;
      }
      row.amount = amount;
      return undefined;
    });

    const label = columns.label;
    if (label !== undefined) {
      const fraud = new Set(label.fraud.map((value) => value.toLowerCase()));
      const genuine = new Set(label.genuine.map((value) => value.toLowerCase()));
      const accepted = `fraud ${label.fraud.map((v) => `"${v}"`).join(', ')} or genuine ${label.genuine.map((v) => `"${v}"`).join(', ')}`;
      steps.push(() => {
        const value = this.#get(label.column);
        if (isMissing(value)) {
          if (this.labels === 'optional') {
            row.label = -1;
            return undefined;
          }
          return `${label.column}: missing label; expected ${accepted}`;
        }
        const text = String(value).trim().toLowerCase();
        if (fraud.has(text)) row.label = 1;
        else if (genuine.has(text)) row.label = 0;
        else {
          return `${label.column}: ${describeValue(value)} is neither ${accepted} (set columns.label.fraud / .genuine)`;
        }
        return undefined;
      });
    }

    const labelTime = layout.labelTime;
    if (labelTime !== undefined) {
      const labelParser = new TimeParser(columns.labelDelay.format, zone);
      steps.push(() => {
        const value = this.#get(labelTime);
        if (isMissing(value)) {
          row.labelTime = Number.NaN;
          return undefined;
        }
        const seconds = labelParser.parse(value);
        if (Number.isNaN(seconds)) return `${labelTime}: ${labelParser.problem}`;
        row.labelTime = seconds;
        return undefined;
      });
    }

    layout.keyColumns.forEach((column, k) => {
      steps.push(() => {
        const key = readKey(this.#get(column));
        if (typeof key !== 'string') return `${column}: ${key.problem}`;
        row.keys[k] = key;
        return undefined;
      });
    });
    layout.categorical.forEach((column, c) => {
      steps.push(() => {
        const value = this.#get(column);
        if (isMissing(value)) row.categorical[c] = undefined;
        else if (typeof value === 'object')
          return `${column}: expected text, found ${describeValue(value)}`;
        else row.categorical[c] = String(value).trim();
        return undefined;
      });
    });
    layout.numeric.forEach((column, n) => {
      steps.push(() => {
        const value = this.#get(column);
        if (isMissing(value)) {
          row.numeric[n] = Number.NaN;
          return undefined;
        }
        const number = readNumber(value);
        if (!Number.isFinite(number)) return `${column}: ${describeValue(value)} is not a number`;
        row.numeric[n] = number;
        return undefined;
      });
    });
  }
}

function isMissing(value: unknown): boolean {
  return (
    value === undefined ||
    value === null ||
    (typeof value === 'string' && value.trim() === '') ||
    (typeof value === 'number' && Number.isNaN(value))
  );
}

function readNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') return Number(value);
  return Number.NaN;
}

/** An id or entity key as text; JSON numbers only when they are exact integers. */
function readKey(value: unknown): string | { problem: string } {
  if (typeof value === 'string') {
    const text = value.trim();
    return text === '' ? { problem: 'missing value' } : text;
  }
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value)) return String(value);
    return {
      problem: `${describeValue(value)} is not an exact integer (numbers past 2^53 lose digits in JSON); send ids and keys as strings`,
    };
  }
  if (value === undefined || value === null) return { problem: 'missing value' };
  return { problem: `expected text, found ${describeValue(value)}` };
}
