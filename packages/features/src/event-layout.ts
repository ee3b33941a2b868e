import { InvalidArgumentError } from '@mlsd/core';
import type { EventColumns } from './event-columns.js';

/** Bytes before the value fields: time (f64) and, with labels, label (u8) and label time (f64). */
const TIME_BYTES = 8;
const LABEL_BYTES = 9;
/** Length marker of a missing category value. */
const MISSING = 0xffff;
/** Longest transaction id or category value, in UTF-8 bytes. */
export const MAX_TEXT_BYTES = 0xfffe;

/** One event as the stores record it (before packing). */
export interface EventRecord {
  transactionId: string;
  time: number;
  /** 1 fraud, 0 genuine or not known. */
  label: number;
  /** Time from which the label counts (−∞ with the event, +∞ not known yet). */
  labelTime: number;
  /** Fixed-point values, in the layout's `valueColumns` order. */
  values: ArrayLike<number>;
  /** Category values (null missing), in the layout's `categoryColumns` order. */
  categories: readonly (string | null)[];
}

/**
 * The declared record of one entity's events, derived once from the feature set: the
 * transaction id and time always, the label and label time when a feature of the entity reads
 * labels, and the fixed-point values and category values its features read. The in-process
 * store keeps these fields as typed-array columns; the Redis store keeps each event packed by
 * {@link EventLayout.pack} and hands the records back to {@link EventLayout.unpack}. No store
 * knows what a feature computes.
 *
 * Packed body (little-endian): u16 id length, id (UTF-8), f64 time, [u8 label, f64 label time],
 * f64 per value, then per category a u16 length (0xFFFF missing) and the UTF-8 text. Stores may
 * prefix their own bytes (the Redis store prefixes an 8-byte arrival number).
 */
export class EventLayout {
  /** Entity name. */
  readonly entity: string;
  /** True when labels and label times are kept. */
  readonly labels: boolean;
  /** Columns kept as fixed-point values, and each one's scale (10^precision). */
  readonly valueColumns: readonly string[];
  readonly valueScales: readonly number[];
  /** Columns kept as category values. */
  readonly categoryColumns: readonly string[];

  constructor(
    entity: string,
    labels: boolean,
    values: readonly { column: string; scale: number }[],
    categoryColumns: readonly string[],
  ) {
    this.entity = entity;
    this.labels = labels;
    this.valueColumns = values.map((value) => value.column);
    this.valueScales = values.map((value) => value.scale);
    this.categoryColumns = [...categoryColumns];
  }

  /** The layout as JSON (for snapshots and the Redis namespace marker). */
  toJSON(): {
    entity: string;
    labels: boolean;
    values: { column: string; scale: number }[];
    categories: string[];
  } {
    return {
      entity: this.entity,
      labels: this.labels,
      values: this.valueColumns.map((column, i) => ({ column, scale: this.valueScales[i]! })),
      categories: [...this.categoryColumns],
    };
  }

  /** Offset of the label byte in a body whose id takes `idBytes` bytes (labels only). */
  labelOffset(idBytes: number): number {
    return 2 + idBytes + TIME_BYTES;
  }

  /** Packs one event into a body (see the class comment). */
  pack(event: EventRecord): Buffer {
    const id = Buffer.from(event.transactionId, 'utf8');
    const categories = event.categories.map((value) =>
      value === null ? null : Buffer.from(value, 'utf8'),
    );
    let size = 2 + id.length + TIME_BYTES + (this.labels ? LABEL_BYTES : 0);
    size += 8 * this.valueColumns.length;
    for (const text of categories) size += 2 + (text?.length ?? 0);
    const body = Buffer.allocUnsafe(size);
    let at = body.writeUInt16LE(id.length, 0);
    at += id.copy(body, at);
    at = body.writeDoubleLE(event.time, at);
    if (this.labels) {
      at = body.writeUInt8(event.label, at);
      at = body.writeDoubleLE(event.labelTime, at);
    }
    for (let v = 0; v < this.valueColumns.length; v++) {
      at = body.writeDoubleLE(event.values[v]!, at);
    }
    for (const text of categories) {
      at = body.writeUInt16LE(text === null ? MISSING : text.length, at);
      if (text !== null) at += text.copy(body, at);
    }
    return body;
  }

  /** The label bytes (label, label time) of a body, for a store that rewrites them in place. */
  packLabel(label: number, labelTime: number): Buffer {
    const bytes = Buffer.allocUnsafe(LABEL_BYTES);
    bytes.writeUInt8(label, 0);
    bytes.writeDoubleLE(labelTime, 1);
    return bytes;
  }

  /**
   * Unpacks bodies (each starting `skip` bytes into its buffer) into `into`, in order.
   * @throws InvalidArgumentError when a body does not fit the layout (another layout wrote it).
   */
  unpack(records: readonly Buffer[], skip: number, into: UnpackedEvents): void {
    into.prepare(records.length, this);
    for (let i = 0; i < records.length; i++) {
      const body = records[i]!;
      const fail = (): never => {
        throw new InvalidArgumentError(
          `EventLayout "${this.entity}": a stored event of ${body.length} bytes does not fit this layout; the state was written for other features.`,
        );
      };
      let at = skip;
      if (body.length < at + 2) fail();
      const idBytes = body.readUInt16LE(at);
      at += 2;
      const fixed = TIME_BYTES + (this.labels ? LABEL_BYTES : 0) + 8 * this.valueColumns.length;
      if (body.length < at + idBytes + fixed) fail();
      into.transactionIds[i] = body.toString('utf8', at, at + idBytes);
      at += idBytes;
      into.times[i] = body.readDoubleLE(at);
      at += TIME_BYTES;
      if (this.labels) {
        into.labels[i] = body.readUInt8(at);
        into.labelTimes[i] = body.readDoubleLE(at + 1);
        at += LABEL_BYTES;
      }
      for (let v = 0; v < this.valueColumns.length; v++, at += 8) {
        into.values[v]![i] = body.readDoubleLE(at);
      }
      for (let c = 0; c < this.categoryColumns.length; c++) {
        if (body.length < at + 2) fail();
        const length = body.readUInt16LE(at);
        at += 2;
        if (length === MISSING) {
          into.codes[c]![i] = -1;
          continue;
        }
        if (body.length < at + length) fail();
        into.codes[c]![i] = into.intern(body.toString('utf8', at, at + length));
        at += length;
      }
      if (at !== body.length) fail();
    }
  }
}

/**
 * Reusable columns that {@link EventLayout.unpack} fills: the events a store read back, ready
 * for the accumulators. Category values are numbered in order of first appearance per unpack
 * (codes only need to agree within one evaluation).
 */
export class UnpackedEvents implements EventColumns {
  times = new Float64Array(0);
  labels = new Uint8Array(0);
  labelTimes = new Float64Array(0);
  values: Float64Array[] = [];
  codes: Int32Array[] = [];
  transactionIds: string[] = [];
  length = 0;
  readonly #dictionary = new Map<string, number>();

  /** Sizes the columns for `count` events of `layout` and forgets earlier category codes. */
  prepare(count: number, layout: EventLayout): void {
    if (this.times.length < count) {
      const size = Math.max(count, this.times.length * 2, 16);
      this.times = new Float64Array(size);
      this.labels = new Uint8Array(size);
      this.labelTimes = new Float64Array(size);
      this.values = [];
      this.codes = [];
    }
    const size = this.times.length;
    while (this.values.length < layout.valueColumns.length)
      this.values.push(new Float64Array(size));
    while (this.codes.length < layout.categoryColumns.length) this.codes.push(new Int32Array(size));
    this.transactionIds.length = count;
    this.length = count;
    this.#dictionary.clear();
  }

  /** The code of a category value in this unpack. */
  intern(value: string): number {
    let code = this.#dictionary.get(value);
    if (code === undefined) {
      code = this.#dictionary.size;
      this.#dictionary.set(value, code);
    }
    return code;
  }
}
