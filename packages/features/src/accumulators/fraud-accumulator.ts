import type { EventColumns } from '../event-columns.js';
import type { Accumulator } from './accumulator.js';

/**
 * The number of events in the window labelled fraud whose label is known at `now` (label time
 * ≤ now). Labels recorded with the transaction count at once; a label recorded later counts from
 * its label time on, so a transaction's features never read a label from its future.
 */
export class FraudAccumulator implements Accumulator {
  frauds = 0;

  reset(): void {
    this.frauds = 0;
  }

  add(events: EventColumns, position: number, now: number): void {
    if (events.labels[position] === 1 && events.labelTimes[position]! <= now) this.frauds++;
  }

  addRange(events: EventColumns, from: number, to: number, now: number): void {
    const labels = events.labels;
    const labelTimes = events.labelTimes;
    for (let p = from; p < to; p++) {
      if (labels[p] === 1 && labelTimes[p]! <= now) this.frauds++;
    }
  }

  remove(events: EventColumns, position: number, now: number): void {
    if (events.labels[position] === 1 && events.labelTimes[position]! <= now) this.frauds--;
  }

  /**
   * Counts the label of an event already held whose label time has just been reached (the
   * batch evaluator's label arrivals; online windows are rebuilt at each transaction instead).
   */
  reveal(events: EventColumns, position: number): void {
    if (events.labels[position] === 1) this.frauds++;
  }
}
