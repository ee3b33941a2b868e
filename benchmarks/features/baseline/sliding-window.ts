import { InvalidArgumentError } from '@mlsd/core';
import type { EventBuffer } from './event-buffer.js';

/**
 * Running state of one window over one entity's events, kept in a `Float64Array` at an offset
 * (`CURSOR_STRIDE` numbers per window), so an entity's cursors are one small typed array.
 */
export const CURSOR_STRIDE = 6;
/** Offset of the position of the oldest event inside the window. */
export const CURSOR_LO = 0;
/** Offset of one past the position of the newest event inside the window. */
export const CURSOR_HI = 1;
/** Offset of the number of events inside the window. */
export const CURSOR_COUNT = 2;
/** Offset of the running sum of amounts (Neumaier: this plus {@link CURSOR_COMP} is the sum). */
export const CURSOR_SUM = 3;
/** Offset of the running compensation of {@link CURSOR_SUM}'s rounding error. */
export const CURSOR_COMP = 4;
/** Offset of the number of fraud labels inside the window. */
export const CURSOR_FRAUDS = 5;

/**
 * A time window over one entity's past events, relative to the transaction being scored at
 * time `t` (seconds): the events with time in `(t − delay − length, t − delay]` that were
 * processed up to and including that transaction. With `delay = 0` this is pandas'
 * `rolling('<length>')` on a time index (rows later in the table with the same timestamp are not
 * in an earlier row's window); with `delay > 0` every event inside is strictly older than `t`,
 * which is how a label delay keeps unknown labels out.
 *
 * {@link SlidingWindow.slide} is the single implementation of the window arithmetic: the batch
 * evaluator calls it over entity-grouped columns and the online evaluator over per-entity rings,
 * with the same sequence of additions and removals, so both give bit-identical sums.
 */
export class SlidingWindow {
  /** Window length in seconds. */
  readonly lengthSeconds: number;
  /** Shift of the window into the past in seconds (the label delay; 0 for none). */
  readonly delaySeconds: number;

  /** @throws InvalidArgumentError unless length > 0 and delay ≥ 0 are finite. */
  constructor(lengthSeconds: number, delaySeconds = 0) {
    if (!(Number.isFinite(lengthSeconds) && lengthSeconds > 0)) {
      throw new InvalidArgumentError(
        `SlidingWindow: length must be a positive number of seconds, got ${lengthSeconds}.`,
      );
    }
    if (!(Number.isFinite(delaySeconds) && delaySeconds >= 0)) {
      throw new InvalidArgumentError(
        `SlidingWindow: delay must be a non-negative number of seconds, got ${delaySeconds}.`,
      );
    }
    this.lengthSeconds = lengthSeconds;
    this.delaySeconds = delaySeconds;
  }

  /** How far back (seconds) an event can still matter to this window: length + delay. */
  get spanSeconds(): number {
    return this.lengthSeconds + this.delaySeconds;
  }

  /** True when both windows cover the same span of time. */
  equals(other: SlidingWindow): boolean {
    return this.lengthSeconds === other.lengthSeconds && this.delaySeconds === other.delaySeconds;
  }

  /** Empties the window at `cursor[at…]`; its next event to consider is at `position`. */
  static reset(cursor: Float64Array, at: number, position: number): void {
    cursor[at + CURSOR_LO] = position;
    cursor[at + CURSOR_HI] = position;
    cursor[at + CURSOR_COUNT] = 0;
    cursor[at + CURSOR_SUM] = 0;
    cursor[at + CURSOR_COMP] = 0;
    cursor[at + CURSOR_FRAUDS] = 0;
  }

  /**
   * Moves the window at `cursor[at…]` to the one of a transaction at `time` whose own event is
   * the last of `events` before position `end`. Times of `events` must not decrease.
   *
   * Removals come before additions, and an emptied window restarts from exact zeros, so an
   * entity whose history has all left the window is in exactly the state of a new entity: this
   * is what lets the online state forget idle entities without changing any value.
   */
  slide(cursor: Float64Array, at: number, events: EventBuffer, end: number, time: number): void {
    const times = events.times;
    const amounts = events.amounts;
    const labels = events.labels;
    const mask = events.mask;
    const upper = time - this.delaySeconds;
    const lower = upper - this.lengthSeconds;
    let lo = cursor[at + CURSOR_LO]!;
    let hi = cursor[at + CURSOR_HI]!;
    let count = cursor[at + CURSOR_COUNT]!;
    let sum = cursor[at + CURSOR_SUM]!;
    let comp = cursor[at + CURSOR_COMP]!;
    let frauds = cursor[at + CURSOR_FRAUDS]!;

    while (lo < hi && times[lo & mask]! <= lower) {
      const slot = lo & mask;
      const x = -amounts[slot]!;
      const t = sum + x;
      comp += Math.abs(sum) >= Math.abs(x) ? sum - t + x : x - t + sum;
      sum = t;
      frauds -= labels[slot]!;
      count--;
      lo++;
    }
    if (lo === hi) {
      count = 0;
      sum = 0;
      comp = 0;
      frauds = 0;
      // Events that aged out before they ever entered (possible with a delay) are skipped.
      while (hi < end && times[hi & mask]! <= lower) hi++;
      lo = hi;
    }
    while (hi < end && times[hi & mask]! <= upper) {
      const slot = hi & mask;
      const x = amounts[slot]!;
      const t = sum + x;
      comp += Math.abs(sum) >= Math.abs(x) ? sum - t + x : x - t + sum;
      sum = t;
      frauds += labels[slot]!;
      count++;
      hi++;
    }

    cursor[at + CURSOR_LO] = lo;
    cursor[at + CURSOR_HI] = hi;
    cursor[at + CURSOR_COUNT] = count;
    cursor[at + CURSOR_SUM] = sum;
    cursor[at + CURSOR_COMP] = comp;
    cursor[at + CURSOR_FRAUDS] = frauds;
  }

  /**
   * Applies a label change of the event at `position` (`delta` = new − old label) to the window
   * at `cursor[at…]` if the event is inside it; an event not yet inside is counted with its new
   * label when it enters.
   */
  static relabel(cursor: Float64Array, at: number, position: number, delta: number): void {
    if (position >= cursor[at + CURSOR_LO]! && position < cursor[at + CURSOR_HI]!) {
      cursor[at + CURSOR_FRAUDS]! += delta;
    }
  }
}
