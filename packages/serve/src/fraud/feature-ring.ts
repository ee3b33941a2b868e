import { InvalidArgumentError, Table } from '@mlsd/core';

/**
 * The last `capacity` feature rows scored, in one preallocated Float32Array ring (row-major):
 * pushing a row is a copy of `width` numbers, whatever the traffic, and the oldest row is
 * overwritten once the ring is full.
 */
export class FeatureRing {
  /** Columns per row. */
  readonly width: number;
  /** Rows kept at most. */
  readonly capacity: number;
  readonly #data: Float32Array;
  #next = 0;
  #size = 0;

  /** @throws InvalidArgumentError for a non-positive width or capacity. */
  constructor(width: number, capacity: number) {
    if (!Number.isInteger(width) || width <= 0 || !Number.isInteger(capacity) || capacity <= 0) {
      throw new InvalidArgumentError(
        `FeatureRing: width and capacity must be positive integers, got ${width} and ${capacity}.`,
      );
    }
    this.width = width;
    this.capacity = capacity;
    this.#data = new Float32Array(width * capacity);
  }

  /** Rows held (≤ capacity). */
  get size(): number {
    return this.#size;
  }

  /** Appends one row (the first `width` values of `row`), dropping the oldest when full. */
  push(row: ArrayLike<number>): void {
    const data = this.#data;
    const offset = this.#next * this.width;
    for (let j = 0; j < this.width; j++) data[offset + j] = row[j]!;
    this.#next = (this.#next + 1) % this.capacity;
    if (this.#size < this.capacity) this.#size++;
  }

  /** The rows held as a Table with one Float64Array column per name (order is irrelevant). */
  toTable(names: readonly string[]): Table {
    if (names.length !== this.width) {
      throw new InvalidArgumentError(
        `FeatureRing.toTable: ${names.length} names for ${this.width} columns.`,
      );
    }
    const n = this.#size;
    const columns: Record<string, Float64Array> = {};
    for (let j = 0; j < this.width; j++) {
      const column = new Float64Array(n);
      for (let i = 0; i < n; i++) column[i] = this.#data[i * this.width + j]!;
      columns[names[j]!] = column;
    }
    return new Table(columns);
  }

  /** Forgets every row. */
  clear(): void {
    this.#next = 0;
    this.#size = 0;
  }
}
