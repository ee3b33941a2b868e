import { MomentsAccumulator } from './accumulators/moments-accumulator.js';
import type { EventColumns, EventPrefixes } from './event-columns.js';
import type { EventLayout } from './event-layout.js';

const INITIAL_CAPACITY = 1_024;

/**
 * The columns of one entity plan's stored events in the in-process state, shared by all its
 * entities: the fields of the {@link EventLayout} plus running totals (limbs of sums and sums of
 * squares per value field, the count of frauds known with the event). Each entity owns a block
 * of positions (a power of two long, from free lists by size), so a million cards cost a million
 * small bookkeeping objects, not millions of typed arrays for the garbage collector to track.
 */
export class EventArena {
  readonly layout: EventLayout;
  times: Float64Array;
  labels: Uint8Array;
  labelTimes: Float64Array;
  values: Float64Array[];
  codes: Int32Array[];
  transactionIds: string[];
  /** Slot of each event's transaction among the state's held transactions. */
  heldSlots: Int32Array;
  sumLow: Float64Array[];
  sumHigh: Float64Array[];
  squares0: Float64Array[];
  squares1: Float64Array[];
  squares2: Float64Array[];
  knownFrauds: Float64Array;
  /** Blocks handed out never reach beyond this position. */
  #top = 0;
  /** Free blocks by size: `#free[k]` holds starts of free blocks of 2^k positions. */
  readonly #free: number[][] = [];
  #freePositions = 0;
  readonly #totals: MomentsAccumulator[];
  readonly #view: ArenaView;

  /**
   * @param squaredFields - per value field, whether running sums of squares are kept (only
   *   where a std or z-score reads them: 24 bytes per event otherwise spent for nothing).
   */
  constructor(layout: EventLayout, squaredFields: readonly boolean[]) {
    this.layout = layout;
    const n = INITIAL_CAPACITY;
    const labels = layout.labels ? n : 0;
    const fields = layout.valueColumns.length;
    const many = (size: number, only?: readonly boolean[]) =>
      Array.from({ length: fields }, (_, f) => new Float64Array(only?.[f] === false ? 0 : size));
    this.times = new Float64Array(n);
    this.labels = new Uint8Array(labels);
    this.labelTimes = new Float64Array(labels);
    this.values = many(n);
    this.codes = layout.categoryColumns.map(() => new Int32Array(n));
    this.transactionIds = new Array<string>(n).fill('');
    this.heldSlots = new Int32Array(n);
    this.sumLow = many(n);
    this.sumHigh = many(n);
    this.squares0 = many(n, squaredFields);
    this.squares1 = many(n, squaredFields);
    this.squares2 = many(n, squaredFields);
    this.knownFrauds = new Float64Array(labels);
    this.#totals = layout.valueColumns.map(
      (_, f) => new MomentsAccumulator(f, squaredFields[f] === true),
    );
    this.#view = new ArenaView(this);
  }

  /** Positions the arena has room for. */
  get capacity(): number {
    return this.times.length;
  }

  /** Positions held by entities' blocks. */
  get allocated(): number {
    return this.#top - this.#freePositions;
  }

  /** Bytes of the columns (what the arena holds, whether allocated or not). */
  get bytes(): number {
    let perPosition = 8 + 12; // time; the id's slot in the JS array, its held slot
    if (this.layout.labels) perPosition += 17;
    for (let f = 0; f < this.values.length; f++) {
      perPosition += 24 + (this.squares0[f]!.length > 0 ? 24 : 0);
    }
    perPosition += 4 * this.codes.length;
    return this.capacity * perPosition;
  }

  /** A free block of `size` positions (a power of two), growing the arena when needed. */
  allocate(size: number): number {
    const k = Math.log2(size);
    const start = this.#free[k]?.pop();
    if (start !== undefined) {
      this.#freePositions -= size;
      return start;
    }
    if (this.#top + size > this.capacity) this.#grow(this.#top + size);
    const at = this.#top;
    this.#top += size;
    return at;
  }

  /** Returns a block to its free list. */
  release(start: number, size: number): void {
    const k = Math.log2(size);
    (this.#free[k] ??= []).push(start);
    this.#freePositions += size;
    this.transactionIds.fill('', start, start + size);
  }

  /** Copies `count` events (every column) from `from` to `to`; the ranges may overlap. */
  move(from: number, to: number, count: number): void {
    const end = from + count;
    this.times.copyWithin(to, from, end);
    if (this.layout.labels) {
      this.labels.copyWithin(to, from, end);
      this.labelTimes.copyWithin(to, from, end);
    }
    for (const column of this.values) column.copyWithin(to, from, end);
    for (const column of this.codes) column.copyWithin(to, from, end);
    this.transactionIds.copyWithin(to, from, end);
    this.heldSlots.copyWithin(to, from, end);
  }

  /**
   * Recomputes the running totals of positions `from … to − 1` of an entity whose totals count
   * from `base` (each from the one before it).
   */
  recomputeTotals(base: number, from: number, to: number): void {
    const view = this.viewOf(base, []);
    const known = this.knownFrauds;
    for (let p = from; p < to; p++) {
      for (const totals of this.#totals) totals.extendPrefix(view, view.prefix, p);
      if (this.layout.labels) {
        const own = this.labels[p] === 1 && this.labelTimes[p] === Number.NEGATIVE_INFINITY ? 1 : 0;
        known[p] = (p > base ? known[p - 1]! : 0) + own;
      }
    }
  }

  /** The columns as one entity's events: totals counting from `base`, its later frauds. */
  viewOf(base: number, laterFrauds: readonly number[]): EventColumns & { prefix: EventPrefixes } {
    return this.#view.point(base, laterFrauds);
  }

  #grow(needed: number): void {
    // By half again (not double): the arena is most of the state's memory.
    let size = Math.ceil(this.capacity * 1.5);
    while (size < needed) size = Math.ceil(size * 1.5);
    const widen = <A extends Float64Array | Uint8Array | Int32Array>(column: A): A => {
      if (column.length === 0) return column;
      const next = new (column.constructor as new (n: number) => A)(size);
      next.set(column);
      return next;
    };
    this.times = widen(this.times);
    this.labels = widen(this.labels);
    this.labelTimes = widen(this.labelTimes);
    this.values = this.values.map(widen);
    this.codes = this.codes.map(widen);
    this.sumLow = this.sumLow.map(widen);
    this.sumHigh = this.sumHigh.map(widen);
    this.squares0 = this.squares0.map(widen);
    this.squares1 = this.squares1.map(widen);
    this.squares2 = this.squares2.map(widen);
    this.knownFrauds = widen(this.knownFrauds);
    this.heldSlots = widen(this.heldSlots);
    const ids = this.transactionIds;
    const old = ids.length;
    ids.length = size;
    ids.fill('', old);
  }
}

/**
 * The arena's columns seen as one entity's events (what the accumulators read); one object per
 * arena, re-pointed for each entity, so evaluating allocates nothing.
 */
class ArenaView implements EventColumns, EventPrefixes {
  readonly #arena: EventArena;
  base = 0;
  laterFrauds: readonly number[] = [];

  constructor(arena: EventArena) {
    this.#arena = arena;
  }

  point(base: number, laterFrauds: readonly number[]): this & { prefix: EventPrefixes } {
    this.base = base;
    this.laterFrauds = laterFrauds;
    return this as this & { prefix: EventPrefixes };
  }

  get prefix(): EventPrefixes {
    return this;
  }
  get times(): Float64Array {
    return this.#arena.times;
  }
  get labels(): Uint8Array {
    return this.#arena.labels;
  }
  get labelTimes(): Float64Array {
    return this.#arena.labelTimes;
  }
  get values(): Float64Array[] {
    return this.#arena.values;
  }
  get codes(): Int32Array[] {
    return this.#arena.codes;
  }
  get sumLow(): Float64Array[] {
    return this.#arena.sumLow;
  }
  get sumHigh(): Float64Array[] {
    return this.#arena.sumHigh;
  }
  get squares0(): Float64Array[] {
    return this.#arena.squares0;
  }
  get squares1(): Float64Array[] {
    return this.#arena.squares1;
  }
  get squares2(): Float64Array[] {
    return this.#arena.squares2;
  }
  get knownFrauds(): Float64Array {
    return this.#arena.knownFrauds;
  }
}
