import type { EventArena } from './event-arena.js';
import type { EventColumns, EventPrefixes } from './event-columns.js';

const MIN_BLOCK = 4;
const NONE: readonly number[] = [];

/**
 * One entity's stored events in the in-process state: a block `[start, start + capacity)` of its
 * plan's {@link EventArena}, live at `[first, end)`, in time order (equal times in arrival
 * order), with running totals counting from `start`. New events usually append (O(1)); a late
 * one is inserted in order (shifting the few events after it). Forgotten events leave from the
 * front; a full block is compacted in place (while at most three quarters of it is live) or
 * moved to a block twice its size, and the totals are recounted from its new start (so they
 * stay small); a block less than a quarter live moves to a smaller one.
 */
export class EntityEvents {
  readonly #arena: EventArena;
  start: number;
  capacity: number;
  first: number;
  end: number;
  /** Positions, ascending, of frauds whose label time is finite (see `EventPrefixes`). */
  laterFrauds: number[] = NONE as number[];
  /** The entity's key in its store. */
  readonly key: string;
  /** Neighbours in the store's list of entities, least recently updated first. */
  older: EntityEvents | undefined;
  newer: EntityEvents | undefined;

  constructor(arena: EventArena, key: string, capacity = MIN_BLOCK) {
    this.#arena = arena;
    this.key = key;
    let size = MIN_BLOCK;
    while (size < capacity) size *= 2;
    this.capacity = size;
    this.start = arena.allocate(size);
    this.first = this.start;
    this.end = this.start;
  }

  /** Live events. */
  get length(): number {
    return this.end - this.first;
  }

  /** Time of the newest event (−∞ when empty). */
  get newest(): number {
    return this.end > this.first ? this.#arena.times[this.end - 1]! : Number.NEGATIVE_INFINITY;
  }

  /** The arena's columns as this entity's events, for the accumulators. */
  view(): EventColumns & { prefix: EventPrefixes } {
    return this.#arena.viewOf(this.start, this.laterFrauds);
  }

  /** Position at which an event at `time` goes: after every event with time ≤ it. */
  insertionPoint(time: number): number {
    const times = this.#arena.times;
    let position = this.end;
    while (position > this.first && times[position - 1]! > time) position--;
    return position;
  }

  /** Position of a live transaction, or −1. */
  positionOf(transactionId: string): number {
    const ids = this.#arena.transactionIds;
    for (let p = this.end - 1; p >= this.first; p--) if (ids[p] === transactionId) return p;
    return -1;
  }

  /** Inserts an event at `position` (from {@link EntityEvents.insertionPoint}); returns where it is. */
  insert(
    position: number,
    transactionId: string,
    heldSlot: number,
    time: number,
    label: number,
    labelTime: number,
    values: ArrayLike<number>,
    codes: ArrayLike<number>,
  ): number {
    if (this.end === this.start + this.capacity) {
      const offset = position - this.first;
      // Compact in place while a quarter of the block is free after it; grow otherwise.
      const live = this.end - this.first;
      this.#relocate(live * 4 <= this.capacity * 3 ? this.capacity : this.capacity * 2);
      position = this.first + offset;
    }
    const arena = this.#arena;
    if (position < this.end) {
      arena.move(position, position + 1, this.end - position);
      for (let k = 0; k < this.laterFrauds.length; k++) {
        if (this.laterFrauds[k]! >= position) this.laterFrauds[k]!++;
      }
    }
    arena.times[position] = time;
    arena.transactionIds[position] = transactionId;
    arena.heldSlots[position] = heldSlot;
    if (arena.layout.labels) {
      arena.labels[position] = label;
      arena.labelTimes[position] = labelTime;
      if (label === 1 && Number.isFinite(labelTime)) this.#addLater(position);
    }
    for (let v = 0; v < arena.values.length; v++) arena.values[v]![position] = values[v]!;
    for (let c = 0; c < arena.codes.length; c++) arena.codes[c]![position] = codes[c]!;
    this.end++;
    arena.recomputeTotals(this.start, position, this.end);
    return position;
  }

  /** Sets the label of the event at `position` (and its running totals after it). */
  setLabel(position: number, label: number, labelTime: number): void {
    const arena = this.#arena;
    arena.labels[position] = label;
    arena.labelTimes[position] = labelTime;
    const at = this.laterFrauds.indexOf(position);
    if (at >= 0) this.laterFrauds.splice(at, 1);
    if (label === 1 && Number.isFinite(labelTime)) this.#addLater(position);
    arena.recomputeTotals(this.start, position, this.end);
  }

  /**
   * Forgets the events with time ≤ `cutoff` (oldest first), calling `forget` with each one's
   * position before it goes.
   */
  forgetUntil(cutoff: number, forget: (position: number) => void): void {
    const times = this.#arena.times;
    while (this.first < this.end && times[this.first]! <= cutoff) forget(this.first++);
    while (this.laterFrauds.length > 0 && this.laterFrauds[0]! < this.first) {
      this.laterFrauds.shift();
    }
    const live = this.end - this.first;
    if (live === 0) {
      this.first = this.start;
      this.end = this.start;
    } else if (this.capacity > 16 && live * 4 < this.capacity) {
      // Give memory back after a burst: memory follows what the windows hold.
      let size = MIN_BLOCK;
      while (size < live * 2) size *= 2;
      this.#relocate(size);
    }
  }

  /** Returns the block to the arena (the entity is forgotten). */
  release(): void {
    this.#arena.release(this.start, this.capacity);
  }

  /** Moves the live events to the start of a block of `size` (this one when the same size). */
  #relocate(size: number): void {
    const arena = this.#arena;
    const live = this.end - this.first;
    const start = size === this.capacity ? this.start : arena.allocate(size);
    arena.move(this.first, start, live);
    const shift = start - this.first;
    for (let k = 0; k < this.laterFrauds.length; k++) this.laterFrauds[k]! += shift;
    if (start !== this.start) arena.release(this.start, this.capacity);
    this.start = start;
    this.capacity = size;
    this.first = start;
    this.end = start + live;
    arena.recomputeTotals(start, start, this.end);
  }

  #addLater(position: number): void {
    if (this.laterFrauds === NONE) this.laterFrauds = [];
    let at = this.laterFrauds.length;
    while (at > 0 && this.laterFrauds[at - 1]! > position) at--;
    this.laterFrauds.splice(at, 0, position);
  }
}
