import type { EventColumns } from './event-columns.js';
import type { EventLayout } from './event-layout.js';

const MIN_CAPACITY = 4;

/**
 * One entity's stored events in the in-process state: the fields of its {@link EventLayout} as
 * typed-array columns, live at positions `[first, end)`, in time order (equal times in arrival
 * order). New events usually append; a late one is inserted in order. Forgotten events leave
 * from the front; the columns are compacted when half of them are dead.
 */
export class EntityEvents implements EventColumns {
  times: Float64Array;
  labels: Uint8Array;
  labelTimes: Float64Array;
  values: Float64Array[];
  codes: Int32Array[];
  /** Transaction ids, by position. */
  transactionIds: string[];
  /** Position of the oldest live event. */
  first = 0;
  /** One past the newest live event. */
  end = 0;
  readonly #layout: EventLayout;

  constructor(layout: EventLayout, capacity = MIN_CAPACITY) {
    this.#layout = layout;
    const labelCapacity = layout.labels ? capacity : 0;
    this.times = new Float64Array(capacity);
    this.labels = new Uint8Array(labelCapacity);
    this.labelTimes = new Float64Array(labelCapacity);
    this.values = layout.valueColumns.map(() => new Float64Array(capacity));
    this.codes = layout.categoryColumns.map(() => new Int32Array(capacity));
    this.transactionIds = [];
  }

  /** Live events. */
  get length(): number {
    return this.end - this.first;
  }

  /** Allocated event slots. */
  get capacity(): number {
    return this.times.length;
  }

  /** Time of the newest event (−∞ when empty). */
  get newest(): number {
    return this.end > this.first ? this.times[this.end - 1]! : Number.NEGATIVE_INFINITY;
  }

  /** Position at which an event at `time` is inserted: after every event with time ≤ it. */
  insertionPoint(time: number): number {
    let position = this.end;
    while (position > this.first && this.times[position - 1]! > time) position--;
    return position;
  }

  /** Position of a live transaction, or −1. */
  positionOf(transactionId: string): number {
    for (let p = this.end - 1; p >= this.first; p--) {
      if (this.transactionIds[p] === transactionId) return p;
    }
    return -1;
  }

  /** Inserts an event at `position` (from {@link EntityEvents.insertionPoint}); returns it. */
  insert(
    position: number,
    transactionId: string,
    time: number,
    label: number,
    labelTime: number,
    values: ArrayLike<number>,
    codes: ArrayLike<number>,
  ): number {
    if (this.end === this.times.length) {
      position -= this.first;
      const live = this.end - this.first;
      this.#resize(live * 2 <= this.times.length ? this.times.length : this.times.length * 2);
      position += this.first;
    }
    const end = this.end;
    const labels = this.#layout.labels;
    if (position < end) {
      this.times.copyWithin(position + 1, position, end);
      if (labels) {
        this.labels.copyWithin(position + 1, position, end);
        this.labelTimes.copyWithin(position + 1, position, end);
      }
      for (const column of this.values) column.copyWithin(position + 1, position, end);
      for (const column of this.codes) column.copyWithin(position + 1, position, end);
      this.transactionIds.splice(position, 0, transactionId);
    } else {
      this.transactionIds[position] = transactionId;
    }
    this.times[position] = time;
    if (labels) {
      this.labels[position] = label;
      this.labelTimes[position] = labelTime;
    }
    for (let v = 0; v < this.values.length; v++) this.values[v]![position] = values[v]!;
    for (let c = 0; c < this.codes.length; c++) this.codes[c]![position] = codes[c]!;
    this.end = end + 1;
    return position;
  }

  /**
   * Forgets the events with time ≤ `cutoff` (oldest first), calling `forget` with each one's
   * position before it goes. The columns are compacted when the next insert finds them full.
   */
  forgetUntil(cutoff: number, forget: (position: number) => void): void {
    while (this.first < this.end && this.times[this.first]! <= cutoff) {
      forget(this.first);
      this.transactionIds[this.first] = '';
      this.first++;
    }
    const live = this.end - this.first;
    if (live === 0) {
      this.first = 0;
      this.end = 0;
      this.transactionIds.length = 0;
    } else if (this.times.length > 64 && live * 8 < this.times.length) {
      // Give memory back after a burst: memory follows what the windows hold.
      this.#resize(Math.max(MIN_CAPACITY, live * 2));
    }
  }

  /**
   * Moves the live events to the front: in place when `capacity` is the current one, else into
   * new columns of that size.
   */
  #resize(capacity: number): void {
    const live = this.end - this.first;
    if (capacity === this.times.length) {
      const first = this.first;
      const end = this.end;
      this.times.copyWithin(0, first, end);
      if (this.#layout.labels) {
        this.labels.copyWithin(0, first, end);
        this.labelTimes.copyWithin(0, first, end);
      }
      for (const column of this.values) column.copyWithin(0, first, end);
      for (const column of this.codes) column.copyWithin(0, first, end);
      this.transactionIds.copyWithin(0, first, end);
      this.transactionIds.length = live;
      this.end = live;
      this.first = 0;
      return;
    }
    const move = <A extends Float64Array | Uint8Array | Int32Array>(
      column: A,
      make: new (n: number) => A,
    ): A => {
      const next = new make(capacity);
      next.set(column.subarray(this.first, this.end));
      return next;
    };
    this.times = move(this.times, Float64Array);
    if (this.#layout.labels) {
      this.labels = move(this.labels, Uint8Array);
      this.labelTimes = move(this.labelTimes, Float64Array);
    }
    this.values = this.values.map((column) => move(column, Float64Array));
    this.codes = this.codes.map((column) => move(column, Int32Array));
    this.transactionIds = this.transactionIds.slice(this.first, this.end);
    this.end = live;
    this.first = 0;
  }
}
