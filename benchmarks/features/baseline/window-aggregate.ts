import {
  CURSOR_COMP,
  CURSOR_COUNT,
  CURSOR_FRAUDS,
  CURSOR_SUM,
  type SlidingWindow,
} from './sliding-window.js';

/**
 * What a window aggregate reports about the events in its window:
 * - `count`: number of transactions (NB_TX);
 * - `sum-amount`: total amount;
 * - `mean-amount`: average amount (AVG_AMOUNT), 0 for an empty window;
 * - `fraud-count`: number of transactions labelled fraud;
 * - `fraud-share`: frauds / transactions (RISK), 0 for an empty window.
 */
export type AggregateKind = 'count' | 'sum-amount' | 'mean-amount' | 'fraud-count' | 'fraud-share';

/** The aggregate kinds, in a fixed order (for schemas and messages). */
export const AGGREGATE_KINDS: readonly AggregateKind[] = [
  'count',
  'sum-amount',
  'mean-amount',
  'fraud-count',
  'fraud-share',
];

/**
 * One point-in-time feature: an aggregate of the events of one entity (the transaction's
 * `entity` column value: a card, a terminal) inside a {@link SlidingWindow}. This object is the
 * feature's whole definition; the batch and online evaluators both read its value through
 * {@link WindowAggregate.read} from the running state that {@link SlidingWindow.slide} keeps.
 */
export class WindowAggregate {
  /** Output name, e.g. `'TERMINAL_ID_RISK_7DAY_WINDOW'`. */
  readonly name: string;
  /** Column holding the entity id, e.g. `'TERMINAL_ID'`. */
  readonly entity: string;
  /** The window, with its length and label delay. */
  readonly window: SlidingWindow;
  /** What is computed over the window. */
  readonly aggregate: AggregateKind;

  constructor(name: string, entity: string, window: SlidingWindow, aggregate: AggregateKind) {
    this.name = name;
    this.entity = entity;
    this.window = window;
    this.aggregate = aggregate;
  }

  /** True when the value depends on fraud labels (so the label delay matters). */
  get usesLabels(): boolean {
    return this.aggregate === 'fraud-count' || this.aggregate === 'fraud-share';
  }

  /** The aggregate's value from the window state at `cursor[at…]`. */
  read(cursor: Float64Array, at: number): number {
    const count = cursor[at + CURSOR_COUNT]!;
    switch (this.aggregate) {
      case 'count':
        return count;
      case 'sum-amount':
        return cursor[at + CURSOR_SUM]! + cursor[at + CURSOR_COMP]!;
      case 'mean-amount':
        return count > 0 ? (cursor[at + CURSOR_SUM]! + cursor[at + CURSOR_COMP]!) / count : 0;
      case 'fraud-count':
        return cursor[at + CURSOR_FRAUDS]!;
      case 'fraud-share':
        return count > 0 ? cursor[at + CURSOR_FRAUDS]! / count : 0;
    }
  }
}
