import type { Accumulator } from './accumulators/accumulator.js';
import { CountAccumulator } from './accumulators/count-accumulator.js';
import type { EventColumns } from './event-columns.js';

/**
 * The events of one entity that a window holds for a transaction at time `t` at position
 * `self` (in time order, equal times in arrival order): those with time in
 * `(t − delay − length, t − delay]` at positions up to `self` — including `self` itself when
 * `includeSelf` (the handbook's convention for windows without delay), excluding it for
 * "the window before this transaction". With a delay every event inside is strictly older than
 * `t`, which is how label-reading windows keep labels from the future out.
 *
 * A `Window` owns the accumulators of every aggregate read over it. The batch evaluator slides
 * it ({@link Window.slide}: additions then removals, oldest first); the online evaluators
 * rebuild it from an entity's stored events ({@link Window.rebuild}). Both hand the same events
 * to the same accumulators.
 */
export class Window {
  /** Window length, seconds. */
  readonly lengthSeconds: number;
  /** How far the window's end lies before the transaction, seconds. */
  readonly delaySeconds: number;
  /** True when the transaction's own event is inside (delay 0 windows of aggregates). */
  readonly includeSelf: boolean;
  /**
   * Every window counts its events: set from the window's bounds (`hi − lo`) rather than fed
   * event by event like the attached accumulators.
   */
  readonly count = new CountAccumulator();
  readonly #accumulators: Accumulator[] = [];
  /** Sliding state (batch): positions of the oldest held event and one past the newest. */
  #lo = 0;
  #hi = 0;

  constructor(lengthSeconds: number, delaySeconds: number, includeSelf: boolean) {
    this.lengthSeconds = lengthSeconds;
    this.delaySeconds = delaySeconds;
    this.includeSelf = includeSelf;
  }

  /** How far back (seconds) an event can matter to this window. */
  get spanSeconds(): number {
    return this.lengthSeconds + this.delaySeconds;
  }

  /** True when `other` holds the same events for every transaction. */
  sameAs(lengthSeconds: number, delaySeconds: number, includeSelf: boolean): boolean {
    return (
      this.lengthSeconds === lengthSeconds &&
      this.delaySeconds === delaySeconds &&
      (this.includeSelf === includeSelf || delaySeconds > 0)
    );
  }

  /** Adds an accumulator (at compile time); the window feeds it every event it holds. */
  attach<A extends Accumulator>(accumulator: A): A {
    this.#accumulators.push(accumulator);
    return accumulator;
  }

  /** Positions `[lo, hi)` the window holds (batch). */
  get lo(): number {
    return this.#lo;
  }

  get hi(): number {
    return this.#hi;
  }

  /** Empties the window; its first event will be at `position` (batch, a new entity). */
  resetAt(position: number): void {
    this.#lo = position;
    this.#hi = position;
    this.count.reset();
    for (const accumulator of this.#accumulators) accumulator.reset();
  }

  /**
   * Moves the window to the transaction at position `self`, time `time` (batch). Times of
   * `events` must not decrease and `self` must not go back.
   */
  slide(events: EventColumns, self: number, time: number): void {
    const times = events.times;
    const accumulators = this.#accumulators;
    const upper = time - this.delaySeconds;
    const lower = upper - this.lengthSeconds;
    const limit = this.includeSelf ? self + 1 : self;
    let hi = this.#hi;
    while (hi < limit && times[hi]! <= upper) {
      for (let a = 0; a < accumulators.length; a++) accumulators[a]!.add(events, hi, time);
      hi++;
    }
    let lo = this.#lo;
    while (lo < hi && times[lo]! <= lower) {
      for (let a = 0; a < accumulators.length; a++) accumulators[a]!.remove(events, lo, time);
      lo++;
    }
    this.#lo = lo;
    this.#hi = hi;
    this.count.count = hi - lo;
  }

  /**
   * Fills the window for the transaction at position `self`, time `time`, from scratch, with
   * the events at positions `first …` (online: the entity's stored events).
   */
  rebuild(events: EventColumns, first: number, self: number, time: number): void {
    const times = events.times;
    const accumulators = this.#accumulators;
    const upper = time - this.delaySeconds;
    const lower = upper - this.lengthSeconds;
    const hi = firstAfter(times, first, this.includeSelf ? self + 1 : self, upper);
    const lo = firstAfter(times, first, hi, lower);
    for (let a = 0; a < accumulators.length; a++) {
      const accumulator = accumulators[a]!;
      accumulator.reset();
      accumulator.addRange(events, lo, hi, time);
    }
    this.count.count = hi - lo;
    this.#lo = lo;
    this.#hi = hi;
  }

  /** Resets every accumulator (an entity without events, e.g. a missing key). */
  clear(): void {
    this.count.reset();
    for (const accumulator of this.#accumulators) accumulator.reset();
    this.#lo = 0;
    this.#hi = 0;
  }
}

/** The first position in `[from, to)` whose time is above `limit` (`to` if none): times sorted. */
function firstAfter(times: Float64Array, from: number, to: number, limit: number): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! > limit) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
