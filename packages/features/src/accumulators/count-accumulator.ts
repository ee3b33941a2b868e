import type { Accumulator } from './accumulator.js';

/** The number of events in the window. */
export class CountAccumulator implements Accumulator {
  count = 0;

  reset(): void {
    this.count = 0;
  }

  add(): void {
    this.count++;
  }

  addRange(_events: unknown, from: number, to: number): void {
    this.count += to - from;
  }

  remove(): void {
    this.count--;
  }
}
