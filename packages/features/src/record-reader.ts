import { InvalidDataError } from '@mlsd/core';
import { categoryValue } from './category-codes.js';
import { MAX_TEXT_BYTES } from './event-layout.js';
import type { FeatureSet } from './feature-set.js';
import { describeFixedPointRange, toFixedPoint } from './fixed-point.js';

/** One normalized transaction as {@link RecordReader.read} checked it. */
export interface RecordFields {
  /** The transaction id as a string (numbers are written with `String`). */
  transactionId: string;
  time: number;
  /** 1 fraud; 0 genuine or not known. */
  label: 0 | 1;
  /** Time from which the label counts: −∞ known with the transaction, +∞ not known yet. */
  labelTime: number;
  /** Key of each entity of the feature set (null when a key column is missing). */
  keys: (string | null)[];
  /** 32-bit hash of every value the features read (not the label): a repeat must match it. */
  fingerprint: number;
}

/**
 * Reads and checks one normalized transaction record (fields named by the spec's columns) for
 * every online store: the same rules as the batch reader, so both accept and refuse the same
 * values. It evaluates the row features into the caller's vector and keeps the values each
 * entity's events store until the next read (see {@link RecordReader.eventValues}).
 */
export class RecordReader {
  readonly features: FeatureSet;
  readonly #valueColumns: string[];
  readonly #valueScales: number[];
  readonly #categoryColumns: string[];
  readonly #values: Float64Array;
  readonly #categories: (string | null)[];
  /** Per entity: indices into the value and category columns, in layout order. */
  readonly #entityValues: Int32Array[];
  readonly #entityCategories: Int32Array[];
  readonly #entityValueScratch: Float64Array[];
  readonly #entityCategoryScratch: (string | null)[][];
  readonly #numbers = new Float64Array(4);
  readonly #hash = new Float64Array(1);
  readonly #hashWords = new Uint32Array(this.#hash.buffer);

  constructor(features: FeatureSet) {
    this.features = features;
    const valueColumns: string[] = [];
    const valueScales: number[] = [];
    const categoryColumns: string[] = [];
    for (const plan of features.entities) {
      plan.layout.valueColumns.forEach((column, v) => {
        if (!valueColumns.includes(column)) {
          valueColumns.push(column);
          valueScales.push(plan.layout.valueScales[v]!);
        }
      });
      for (const column of plan.layout.categoryColumns) {
        if (!categoryColumns.includes(column)) categoryColumns.push(column);
      }
    }
    this.#valueColumns = valueColumns;
    this.#valueScales = valueScales;
    this.#categoryColumns = categoryColumns;
    this.#values = new Float64Array(valueColumns.length);
    this.#categories = new Array<string | null>(categoryColumns.length).fill(null);
    this.#entityValues = features.entities.map((plan) =>
      Int32Array.from(plan.layout.valueColumns, (column) => valueColumns.indexOf(column)),
    );
    this.#entityCategories = features.entities.map((plan) =>
      Int32Array.from(plan.layout.categoryColumns, (column) => categoryColumns.indexOf(column)),
    );
    this.#entityValueScratch = features.entities.map(
      (plan) => new Float64Array(plan.layout.valueColumns.length),
    );
    this.#entityCategoryScratch = features.entities.map((plan) =>
      new Array<string | null>(plan.layout.categoryColumns.length).fill(null),
    );
  }

  /**
   * Checks `record` and writes its row features into `vector`.
   * @param caller - prefix of error messages, e.g. `'OnlineFeatureState.update'`.
   * @throws InvalidDataError naming the first bad field, its value and what is accepted.
   */
  read(record: unknown, caller: string, vector: Float64Array | Float32Array): RecordFields {
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      throw new InvalidDataError(
        `${caller}: expected a transaction object, got ${record === null ? 'null' : Array.isArray(record) ? 'an array' : typeof record}.`,
      );
    }
    const row = record as Readonly<Record<string, unknown>>;
    const features = this.features;
    const columns = features.columns;
    const rawId = row[columns.transactionId];
    const transactionId = categoryValue(rawId);
    if (
      transactionId === null ||
      transactionId === undefined ||
      typeof rawId === 'boolean' ||
      Buffer.byteLength(transactionId) > MAX_TEXT_BYTES
    ) {
      throw new InvalidDataError(
        `${caller}: ${columns.transactionId} is ${describeValue(rawId)}; every transaction needs an id (a non-empty string or a number).`,
        { column: columns.transactionId, value: describeValue(rawId) },
      );
    }
    const at = `${caller} (transaction ${transactionId})`;
    const time = row[columns.time];
    if (typeof time !== 'number' || !Number.isFinite(time)) {
      throw new InvalidDataError(
        `${at}: ${columns.time} is ${describeValue(time)}; it must be a finite number of seconds.`,
        { column: columns.time, transactionId, value: describeValue(time) },
      );
    }
    let label: 0 | 1 = 0;
    let labelTime = Number.POSITIVE_INFINITY;
    if (columns.label !== null) {
      const raw = row[columns.label];
      const value = raw === 1 || raw === true ? 1 : raw === 0 || raw === false ? 0 : -1;
      if (value < 0 && raw !== null && raw !== undefined) {
        throw new InvalidDataError(
          `${at}: ${columns.label} is ${describeValue(raw)}; a fraud label must be 0, 1, true, false, or absent when not known yet.`,
          { column: columns.label, transactionId, value: describeValue(raw) },
        );
      }
      if (value >= 0) {
        label = value as 0 | 1;
        labelTime = Number.NEGATIVE_INFINITY;
        if (columns.labelTime !== null) {
          const known = row[columns.labelTime];
          if (known !== null && known !== undefined && typeof known !== 'number') {
            throw new InvalidDataError(
              `${at}: ${columns.labelTime} is ${describeValue(known)}; a label time must be a number of seconds (or absent).`,
              { column: columns.labelTime, transactionId, value: describeValue(known) },
            );
          }
          labelTime =
            typeof known === 'number' && !Number.isNaN(known) ? known : Number.POSITIVE_INFINITY;
        }
      }
    }

    let hash = mix(0x811c9dc5, time, this.#hash, this.#hashWords);
    const values = this.#values;
    for (let v = 0; v < values.length; v++) {
      const column = this.#valueColumns[v]!;
      const raw = row[column];
      const units = typeof raw === 'number' ? toFixedPoint(raw, this.#valueScales[v]!) : Number.NaN;
      if (Number.isNaN(units)) {
        const precision = Math.round(Math.log10(this.#valueScales[v]!));
        throw new InvalidDataError(
          `${at}: ${column} is ${describeValue(raw)}; window features need a finite number with ${describeFixedPointRange(precision)}.`,
          { column, transactionId, value: describeValue(raw), reason: 'out-of-range' },
        );
      }
      values[v] = units;
      hash = mix(hash, units, this.#hash, this.#hashWords);
    }
    const categories = this.#categories;
    for (let c = 0; c < categories.length; c++) {
      const value = this.#category(row, this.#categoryColumns[c]!, at, transactionId);
      categories[c] = value;
      hash = mixText(hash, value);
    }
    const numbers = this.#numbers;
    for (const feature of features.rowFeatures) {
      const inputs = feature.numericInputs;
      for (let k = 0; k < inputs.length; k++) {
        const column = inputs[k]!;
        const raw = row[column];
        if (raw !== null && raw !== undefined && typeof raw !== 'number') {
          throw new InvalidDataError(
            `${at}: ${column} is ${describeValue(raw)}; feature "${feature.name}" needs a number (or null when missing).`,
            { column, transactionId, value: describeValue(raw) },
          );
        }
        numbers[k] = typeof raw === 'number' ? raw : Number.NaN;
        hash = mix(hash, numbers[k]!, this.#hash, this.#hashWords);
      }
      const category =
        feature.categoryInput === undefined
          ? null
          : this.#category(row, feature.categoryInput, at, transactionId);
      if (feature.categoryInput !== undefined) hash = mixText(hash, category);
      feature.write(vector, 0, time, numbers, category);
    }
    const keys = features.entities.map((plan) => {
      const columns = plan.columns;
      if (columns.length === 1) return this.#category(row, columns[0]!, at, transactionId);
      const parts: string[] = [];
      for (const column of columns) {
        const value = this.#category(row, column, at, transactionId);
        if (value === null) return null;
        parts.push(value);
      }
      // The unit separator cannot be confused with text inside a part.
      return parts.join('\u001f');
    });
    for (const key of keys) hash = mixText(hash, key);
    return {
      transactionId,
      time,
      label,
      labelTime,
      keys,
      fingerprint: hash >>> 0,
    };
  }

  /** Fixed-point values of entity `e`'s layout from the last {@link RecordReader.read}. */
  eventValues(e: number): Float64Array {
    const indices = this.#entityValues[e]!;
    const out = this.#entityValueScratch[e]!;
    for (let v = 0; v < indices.length; v++) out[v] = this.#values[indices[v]!]!;
    return out;
  }

  /** Category values of entity `e`'s layout from the last {@link RecordReader.read}. */
  eventCategories(e: number): (string | null)[] {
    const indices = this.#entityCategories[e]!;
    const out = this.#entityCategoryScratch[e]!;
    for (let c = 0; c < indices.length; c++) out[c] = this.#categories[indices[c]!]!;
    return out;
  }

  #category(
    row: Readonly<Record<string, unknown>>,
    column: string,
    at: string,
    transactionId: string,
  ): string | null {
    const raw = row[column];
    const value = categoryValue(raw);
    if (value === undefined || (value !== null && Buffer.byteLength(value) > MAX_TEXT_BYTES)) {
      throw new InvalidDataError(
        `${at}: ${column} is ${describeValue(raw)}; it must be a string or a number (or null when missing), at most ${MAX_TEXT_BYTES} bytes.`,
        { column, transactionId, value: describeValue(raw) },
      );
    }
    return value;
  }
}

/** FNV-1a over the 8 bytes of a double. */
function mix(hash: number, value: number, scratch: Float64Array, words: Uint32Array): number {
  scratch[0] = value;
  for (let w = 0; w < 2; w++) {
    const word = words[w]!;
    for (let s = 0; s < 32; s += 8) hash = Math.imul(hash ^ ((word >>> s) & 0xff), 0x01000193);
  }
  return hash;
}

/** FNV-1a over a text's UTF-16 code units (and a marker for null). */
function mixText(hash: number, text: string | null): number {
  if (text === null) return Math.imul(hash ^ 0xff, 0x01000193);
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return Math.imul(hash ^ 0xfe, 0x01000193);
}

/** A value as an error message shows it (long texts shortened). */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  if (value === null) return 'null';
  if (value === undefined) return 'missing';
  return Array.isArray(value) ? 'an array' : typeof value;
}
