/** Typed-array constructors a {@link GrowableColumn} can hold. */
export type GrowableArrayConstructor =
  | Float64ArrayConstructor
  | Int32ArrayConstructor
  | Uint8ArrayConstructor;

type ArrayOf<C extends GrowableArrayConstructor> = InstanceType<C>;

/**
 * A typed array that grows as values are appended (capacity doubles), for columns whose final
 * length is not known in advance. `finish()` returns a right-sized copy.
 */
export class GrowableColumn<C extends GrowableArrayConstructor> {
  readonly #type: C;
  #values: ArrayOf<C>;
  #length = 0;

  /** @param capacity - initial capacity in values (at least 16 is used). */
  constructor(type: C, capacity = 1024) {
    this.#type = type;
    this.#values = new type(Math.max(16, Math.ceil(capacity))) as ArrayOf<C>;
  }

  /** Number of values appended so far. */
  get length(): number {
    return this.#length;
  }

  /** Appends one value. */
  push(value: number): void {
    if (this.#length === this.#values.length) this.#grow(this.#length + 1);
    this.#values[this.#length++] = value;
  }

  /** The values appended so far, as a view that is only valid until the next append. */
  view(): ArrayOf<C> {
    return this.#values.subarray(0, this.#length) as ArrayOf<C>;
  }

  /** Forgets the values, keeping the memory for reuse. */
  clear(): void {
    this.#length = 0;
  }

  /** Makes room for `extra` more values in one step (avoids repeated doubling). */
  reserve(extra: number): void {
    if (this.#length + extra > this.#values.length) this.#grow(this.#length + extra);
  }

  /** Writes `value` at `index` (< length). */
  set(index: number, value: number): void {
    this.#values[index] = value;
  }

  /** The value at `index` (< length). */
  get(index: number): number {
    return this.#values[index]!;
  }

  /** A right-sized copy of the values. */
  finish(): ArrayOf<C> {
    return this.#values.slice(0, this.#length) as ArrayOf<C>;
  }

  #grow(needed: number): void {
    let capacity = this.#values.length * 2;
    while (capacity < needed) capacity *= 2;
    const next = new this.#type(capacity) as ArrayOf<C>;
    next.set(this.#values.subarray(0, this.#length) as never);
    this.#values = next;
  }
}
