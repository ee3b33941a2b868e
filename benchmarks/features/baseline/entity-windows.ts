import type { EventBuffer } from './event-buffer.js';
import { CURSOR_LO, CURSOR_STRIDE, SlidingWindow } from './sliding-window.js';
import type { WindowAggregate } from './window-aggregate.js';

/**
 * All window aggregates keyed by one entity column, compiled for evaluation: aggregates over
 * the same window share one running state, and each knows its output column. Both evaluators
 * drive an entity's events through {@link EntityWindows.advance} and read the results with
 * {@link EntityWindows.read}; only where the events live differs.
 */
export class EntityWindows {
  /** Column holding the entity id, e.g. `'CUSTOMER_ID'`. */
  readonly entity: string;
  /** Distinct windows, in order of first use. */
  readonly windows: readonly SlidingWindow[];
  /** The aggregates, in output order. */
  readonly aggregates: readonly WindowAggregate[];
  /** True when some aggregate reads fraud labels. */
  readonly usesLabels: boolean;
  /** Longest reach into the past (seconds): max over windows of length + delay. */
  readonly spanSeconds: number;
  /** Numbers per entity of cursor state: one {@link CURSOR_STRIDE} block per window. */
  readonly cursorLength: number;
  readonly #windowOffset: Int32Array;
  readonly #output: Int32Array;

  /**
   * @param aggregates - aggregates of one entity column.
   * @param outputs - output column of each aggregate in the feature vector.
   */
  constructor(entity: string, aggregates: readonly WindowAggregate[], outputs: readonly number[]) {
    const windows: SlidingWindow[] = [];
    const windowOffset = new Int32Array(aggregates.length);
    aggregates.forEach((aggregate, i) => {
      let index = windows.findIndex((window) => window.equals(aggregate.window));
      if (index < 0) index = windows.push(aggregate.window) - 1;
      windowOffset[i] = index * CURSOR_STRIDE;
    });
    this.entity = entity;
    this.windows = windows;
    this.aggregates = aggregates;
    this.usesLabels = aggregates.some((aggregate) => aggregate.usesLabels);
    this.spanSeconds = Math.max(...windows.map((window) => window.spanSeconds));
    this.cursorLength = windows.length * CURSOR_STRIDE;
    this.#windowOffset = windowOffset;
    this.#output = Int32Array.from(outputs);
  }

  /** Empties every window of an entity; its first event will be at `position`. */
  reset(cursor: Float64Array, position: number): void {
    for (let w = 0; w < this.windows.length; w++) {
      SlidingWindow.reset(cursor, w * CURSOR_STRIDE, position);
    }
  }

  /**
   * Moves every window of an entity to a transaction at `time` whose event is the last in
   * `events` before position `end`.
   */
  advance(cursor: Float64Array, events: EventBuffer, end: number, time: number): void {
    const windows = this.windows;
    for (let w = 0; w < windows.length; w++) {
      windows[w]!.slide(cursor, w * CURSOR_STRIDE, events, end, time);
    }
  }

  /** Writes every aggregate's value into `out[offset + its output column]`. */
  read(cursor: Float64Array, out: Float64Array | Float32Array, offset: number): void {
    const aggregates = this.aggregates;
    for (let a = 0; a < aggregates.length; a++) {
      out[offset + this.#output[a]!] = aggregates[a]!.read(cursor, this.#windowOffset[a]!);
    }
  }

  /** Position of the oldest event some window of the entity still holds or will need. */
  oldestNeeded(cursor: Float64Array): number {
    let oldest = cursor[CURSOR_LO]!;
    for (let w = 1; w < this.windows.length; w++) {
      oldest = Math.min(oldest, cursor[w * CURSOR_STRIDE + CURSOR_LO]!);
    }
    return oldest;
  }

  /** Applies a label change (`delta` = new − old) of the event at `position` to every window. */
  relabel(cursor: Float64Array, position: number, delta: number): void {
    for (let w = 0; w < this.windows.length; w++) {
      SlidingWindow.relabel(cursor, w * CURSOR_STRIDE, position, delta);
    }
  }
}
