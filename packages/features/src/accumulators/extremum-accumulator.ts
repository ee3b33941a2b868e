import type { EventColumns } from '../event-columns.js';
import type { Accumulator } from './accumulator.js';

/**
 * The minimum or maximum of one fixed-point value field over the window: a monotonic deque of
 * (position, value), so adding and removing (oldest first) cost O(1) amortised and the reading
 * is the exact extreme of the values held.
 */
export class ExtremumAccumulator implements Accumulator {
  /** Value field of the entity's layout. */
  readonly field: number;
  /** `'min'` or `'max'`. */
  readonly kind: 'min' | 'max';
  #positions = new Float64Array(16);
  #values = new Float64Array(16);
  #mask = 15;
  #head = 0;
  #tail = 0;

  constructor(field: number, kind: 'min' | 'max') {
    this.field = field;
    this.kind = kind;
  }

  reset(): void {
    this.#head = 0;
    this.#tail = 0;
  }

  add(events: EventColumns, position: number): void {
    const value = events.values[this.field]![position]!;
    const values = this.#values;
    const sign = this.kind === 'min' ? 1 : -1;
    // Drop held values that can no longer be the extreme: not better than the newer one.
    while (
      this.#tail > this.#head &&
      sign * values[(this.#tail - 1) & this.#mask]! >= sign * value
    ) {
      this.#tail--;
    }
    if (this.#tail - this.#head === this.#mask + 1) this.#grow();
    const at = this.#tail & this.#mask;
    this.#positions[at] = position;
    this.#values[at] = value;
    this.#tail++;
  }

  addRange(events: EventColumns, from: number, to: number): void {
    for (let p = from; p < to; p++) this.add(events, p);
  }

  remove(_events: EventColumns, position: number): void {
    if (this.#tail > this.#head && this.#positions[this.#head & this.#mask] === position) {
      this.#head++;
    }
  }

  /** The extreme in fixed-point units; NaN for an empty window. */
  value(): number {
    return this.#tail > this.#head ? this.#values[this.#head & this.#mask]! : Number.NaN;
  }

  #grow(): void {
    const size = (this.#mask + 1) * 2;
    const positions = new Float64Array(size);
    const values = new Float64Array(size);
    for (let p = this.#head, k = 0; p < this.#tail; p++, k++) {
      positions[k] = this.#positions[p & this.#mask]!;
      values[k] = this.#values[p & this.#mask]!;
    }
    this.#tail -= this.#head;
    this.#head = 0;
    this.#positions = positions;
    this.#values = values;
    this.#mask = size - 1;
  }
}
