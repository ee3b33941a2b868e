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
    const prefix = events.prefix;
    if (prefix !== undefined) {
      if (to <= from) return;
      const known = prefix.knownFrauds;
      this.frauds += known[to - 1]! - (from - 1 >= prefix.base ? known[from - 1]! : 0);
      // Labels with a finite label time are few (recorded or known later): checked one by one.
      const later = prefix.laterFrauds;
      let lo = 0;
      let hi = later.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (later[mid]! < from) lo = mid + 1;
        else hi = mid;
      }
      for (let k = lo; k < later.length && later[k]! < to; k++) {
        if (events.labelTimes[later[k]!]! <= now) this.frauds++;
      }
      return;
    }
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
