import { InvalidArgumentError } from '@mlsd/core';

const MIN_CAPACITY = 8;
/** Largest ring: positions are folded into 29 bits by the online label index. */
const MAX_CAPACITY = 2 ** 29;
/** Positions of a read-only view over whole columns (no wrap-around below 2^31). */
const NO_WRAP_MASK = 0x7fffffff;

/**
 * The events of one entity (a card, a terminal) in time order: time, amount, fraud label and
 * transaction id in parallel typed arrays used as a ring. Events are addressed by absolute
 * positions that only grow (`head` is the oldest live event, `tail` one past the newest); the
 * slot of position `p` is `p & mask`. Window cursors keep positions, so growing or shrinking the
 * ring never invalidates them.
 *
 * The batch evaluator uses the same type over whole, entity-grouped columns ({@link
 * EventBuffer.view}), so {@link SlidingWindow.slide} reads one kind of buffer in both paths.
 */
export class EventBuffer {
  /** Seconds since the calendar origin, by slot. */
  times: Float64Array;
  /** Transaction amounts, by slot. */
  amounts: Float64Array;
  /** Fraud labels (1 fraud, 0 genuine or not known yet), by slot. */
  labels: Uint8Array;
  /** Transaction ids, by slot (online only; empty in a batch view). */
  ids: Float64Array;
  /** `capacity - 1` for a ring; all ones below 2^31 for a batch view. */
  mask: number;
  /** Position of the oldest live event. */
  head = 0;
  /** One past the position of the newest event. */
  tail = 0;
  readonly #growable: boolean;

  /**
   * An empty ring with room for `capacity` events (rounded up to a power of two), or, given
   * columns, a read-only view over them (see {@link EventBuffer.view}).
   */
  constructor(
    capacity: number | { times: Float64Array; amounts: Float64Array; labels: Uint8Array } = 0,
  ) {
    if (typeof capacity === 'number') {
      const size = roundUpToPowerOfTwo(capacity);
      this.times = new Float64Array(size);
      this.amounts = new Float64Array(size);
      this.labels = new Uint8Array(size);
      this.ids = new Float64Array(size);
      this.mask = size - 1;
      this.#growable = true;
    } else {
      this.times = capacity.times;
      this.amounts = capacity.amounts;
      this.labels = capacity.labels;
      this.ids = new Float64Array(0);
      this.mask = NO_WRAP_MASK;
      this.tail = capacity.times.length;
      this.#growable = false;
    }
  }

  /**
   * A read-only view over whole columns, positions equal to indices (`head = 0`,
   * `tail = times.length`, at most 2^31 − 1 events): what the batch evaluator slides its
   * windows over.
   */
  static view(times: Float64Array, amounts: Float64Array, labels: Uint8Array): EventBuffer {
    return new EventBuffer({ times, amounts, labels });
  }

  /** Number of live events. */
  get length(): number {
    return this.tail - this.head;
  }

  /** Allocated slots. */
  get capacity(): number {
    return this.times.length;
  }

  /** Appends an event and returns its position; doubles the ring when it is full. */
  push(time: number, amount: number, label: number, id: number): number {
    if (this.tail - this.head === this.times.length) this.#resize(this.times.length * 2);
    const slot = this.tail & this.mask;
    this.times[slot] = time;
    this.amounts[slot] = amount;
    this.labels[slot] = label;
    this.ids[slot] = id;
    return this.tail++;
  }

  /**
   * Drops events before `position`, calling `onEvict(id)` for each so an index of ids can
   * follow; halves the ring when it is mostly empty, so a burst does not pin memory.
   */
  evictBefore(position: number, onEvict?: (id: number) => void): void {
    if (position <= this.head) return;
    if (onEvict !== undefined) {
      for (let p = this.head; p < position; p++) onEvict(this.ids[p & this.mask]!);
    }
    this.head = position;
    const capacity = this.times.length;
    if (this.#growable && capacity > 4 * MIN_CAPACITY && (this.tail - this.head) * 4 < capacity) {
      this.#resize(capacity / 2);
    }
  }

  #resize(capacity: number): void {
    if (!this.#growable) {
      throw new InvalidArgumentError('EventBuffer: a batch view is read-only.');
    }
    if (capacity > MAX_CAPACITY) {
      throw new InvalidArgumentError(
        `EventBuffer: one entity would hold more than ${MAX_CAPACITY} events inside its windows; shorten the windows.`,
      );
    }
    const times = new Float64Array(capacity);
    const amounts = new Float64Array(capacity);
    const labels = new Uint8Array(capacity);
    const ids = new Float64Array(capacity);
    const mask = capacity - 1;
    for (let p = this.head; p < this.tail; p++) {
      const from = p & this.mask;
      const to = p & mask;
      times[to] = this.times[from]!;
      amounts[to] = this.amounts[from]!;
      labels[to] = this.labels[from]!;
      ids[to] = this.ids[from]!;
    }
    this.times = times;
    this.amounts = amounts;
    this.labels = labels;
    this.ids = ids;
    this.mask = mask;
  }
}

function roundUpToPowerOfTwo(value: number): number {
  let size = MIN_CAPACITY;
  while (size < value) size *= 2;
  return size;
}
