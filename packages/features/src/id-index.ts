const EMPTY = -1;
const MIN_CAPACITY = 16;
const TWO_POW_32 = 4_294_967_296;

/**
 * A hash map from non-negative integer ids (below 2^53) to non-negative numbers, in two typed
 * arrays: open addressing with linear probing and backward-shift deletion. The online state's
 * transaction-id index inserts and deletes once per transaction forever; unlike a JS `Map` this
 * allocates nothing per entry, keeps no tombstones, and so never stalls to rehash at a steady
 * size (it only doubles while growing and halves when mostly empty).
 */
export class IdIndex {
  #keys: Float64Array;
  #values: Float64Array;
  #mask: number;
  #size = 0;

  constructor(capacity = MIN_CAPACITY) {
    let size = MIN_CAPACITY;
    while (size < capacity) size *= 2;
    this.#keys = new Float64Array(size).fill(EMPTY);
    this.#values = new Float64Array(size);
    this.#mask = size - 1;
  }

  /** Number of entries. */
  get size(): number {
    return this.#size;
  }

  /** Allocated slots (entries take 16 bytes each). */
  get capacity(): number {
    return this.#keys.length;
  }

  /** True when `key` is present. */
  has(key: number): boolean {
    return this.#find(key) >= 0;
  }

  /** The value of `key`, or -1 when absent. */
  get(key: number): number {
    const at = this.#find(key);
    return at < 0 ? -1 : this.#values[at]!;
  }

  /** Sets `key` to `value` (value ≥ 0). */
  set(key: number, value: number): void {
    if ((this.#size + 1) * 2 > this.#keys.length) this.#resize(this.#keys.length * 2);
    const keys = this.#keys;
    let at = this.#slot(key);
    while (keys[at] !== EMPTY && keys[at] !== key) at = (at + 1) & this.#mask;
    if (keys[at] === EMPTY) this.#size++;
    keys[at] = key;
    this.#values[at] = value;
  }

  /** Removes `key`; returns false when it was absent. */
  delete(key: number): boolean {
    let at = this.#find(key);
    if (at < 0) return false;
    const keys = this.#keys;
    const values = this.#values;
    const mask = this.#mask;
    // Backward shift: pull later entries of the probe run into the gap, so lookups never need
    // tombstones.
    let next = (at + 1) & mask;
    while (keys[next] !== EMPTY) {
      const home = this.#slot(keys[next]!);
      // Move the entry at `next` into the gap unless its home lies cyclically in (at, next].
      const stays = at <= next ? at < home && home <= next : at < home || home <= next;
      if (!stays) {
        keys[at] = keys[next]!;
        values[at] = values[next]!;
        at = next;
      }
      next = (next + 1) & mask;
    }
    keys[at] = EMPTY;
    this.#size--;
    if (this.#keys.length > MIN_CAPACITY && this.#size * 8 < this.#keys.length) {
      this.#resize(this.#keys.length / 2);
    }
    return true;
  }

  /** Calls `visit(key, value)` for every entry, in no particular order. */
  forEach(visit: (key: number, value: number) => void): void {
    const keys = this.#keys;
    for (let at = 0; at < keys.length; at++) {
      if (keys[at] !== EMPTY) visit(keys[at]!, this.#values[at]!);
    }
  }

  #find(key: number): number {
    const keys = this.#keys;
    let at = this.#slot(key);
    for (;;) {
      const found = keys[at]!;
      if (found === key) return at;
      if (found === EMPTY) return -1;
      at = (at + 1) & this.#mask;
    }
  }

  #slot(key: number): number {
    // Fold the high bits of a 53-bit id into the low 32, then multiplicative hashing.
    const mixed = (key >>> 0) ^ Math.imul(Math.floor(key / TWO_POW_32), 0x85ebca6b);
    return (Math.imul(mixed ^ (mixed >>> 16), 0x9e3779b1) >>> 0) & this.#mask;
  }

  #resize(capacity: number): void {
    const keys = this.#keys;
    const values = this.#values;
    this.#keys = new Float64Array(capacity).fill(EMPTY);
    this.#values = new Float64Array(capacity);
    this.#mask = capacity - 1;
    this.#size = 0;
    for (let at = 0; at < keys.length; at++) {
      if (keys[at] !== EMPTY) this.set(keys[at]!, values[at]!);
    }
  }
}
