import type { EventColumns } from '../event-columns.js';
import type { Accumulator } from './accumulator.js';

/**
 * The number of distinct values of one category field in the window (missing values are not
 * counted): a count per category code, and how many codes have a non-zero count.
 */
export class DistinctAccumulator implements Accumulator {
  /** Category field of the entity's layout. */
  readonly field: number;
  distinct = 0;
  #counts = new Int32Array(64);
  /** Codes whose count went from 0 to 1 since the last reset (so a reset touches only them). */
  #touched = new Int32Array(64);
  #touchedLength = 0;

  constructor(field: number) {
    this.field = field;
  }

  reset(): void {
    const counts = this.#counts;
    const touched = this.#touched;
    for (let i = 0; i < this.#touchedLength; i++) counts[touched[i]!] = 0;
    this.#touchedLength = 0;
    this.distinct = 0;
  }

  add(events: EventColumns, position: number): void {
    const code = events.codes[this.field]![position]!;
    if (code < 0) return;
    if (code >= this.#counts.length) this.#grow(code);
    if (this.#counts[code]!++ === 0) {
      this.distinct++;
      if (this.#touchedLength === this.#touched.length) {
        const touched = new Int32Array(this.#touched.length * 2);
        touched.set(this.#touched);
        this.#touched = touched;
      }
      this.#touched[this.#touchedLength++] = code;
    }
  }

  addRange(events: EventColumns, from: number, to: number): void {
    for (let p = from; p < to; p++) this.add(events, p);
  }

  remove(events: EventColumns, position: number): void {
    const code = events.codes[this.field]![position]!;
    if (code >= 0 && --this.#counts[code]! === 0) this.distinct--;
  }

  #grow(code: number): void {
    let size = this.#counts.length;
    while (size <= code) size *= 2;
    const counts = new Int32Array(size);
    counts.set(this.#counts);
    this.#counts = counts;
  }
}
