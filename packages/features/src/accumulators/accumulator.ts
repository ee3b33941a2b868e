import type { EventColumns } from '../event-columns.js';

/**
 * The running state of one aggregate over the events inside one window: the single definition
 * of that aggregate. The batch evaluator slides windows with {@link Accumulator.add} and
 * {@link Accumulator.remove} (each event added once and removed once, oldest first); the
 * online evaluators rebuild a window with {@link Accumulator.reset} and `add`s. Every
 * accumulator's readings are functions of the set of events it holds (and of `now` for labels),
 * so both ways give the same bits.
 */
export interface Accumulator {
  /** Forgets every event. */
  reset(): void;
  /**
   * Adds the event at `position` of `events`.
   * @param now - time of the transaction being evaluated (labels count once known by then).
   */
  add(events: EventColumns, position: number, now: number): void;
  /**
   * Adds the events at positions `from … to − 1` in order: exactly `add` on each (one call per
   * window instead of one per event, so the loop inside stays monomorphic).
   */
  addRange(events: EventColumns, from: number, to: number, now: number): void;
  /** Removes an event added earlier (the oldest still held, for order-keeping accumulators). */
  remove(events: EventColumns, position: number, now: number): void;
}
