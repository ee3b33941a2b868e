/**
 * A binary max-heap of (distance, id) pairs in growable typed arrays: the priority queues of
 * the HNSW graph search (a min-heap is this with negated distances, as in hnswlib).
 */
export class DistanceHeap {
  #keys: Float64Array;
  #ids: Int32Array;
  #size = 0;

  constructor(capacity = 64) {
    this.#keys = new Float64Array(capacity);
    this.#ids = new Int32Array(capacity);
  }

  /** Number of entries. */
  get size(): number {
    return this.#size;
  }

  /** Largest key (undefined behaviour when empty: check `size`). */
  get topKey(): number {
    return this.#keys[0]!;
  }

  /** Id of the largest key. */
  get topId(): number {
    return this.#ids[0]!;
  }

  clear(): void {
    this.#size = 0;
  }

  push(key: number, id: number): void {
    if (this.#size === this.#keys.length) this.#grow();
    const keys = this.#keys;
    const ids = this.#ids;
    let child = this.#size++;
    while (child > 0) {
      const parent = (child - 1) >> 1;
      if (keys[parent]! >= key) break;
      keys[child] = keys[parent]!;
      ids[child] = ids[parent]!;
      child = parent;
    }
    keys[child] = key;
    ids[child] = id;
  }

  /** Removes the largest entry. */
  pop(): void {
    const size = --this.#size;
    if (size <= 0) return;
    const keys = this.#keys;
    const ids = this.#ids;
    const key = keys[size]!;
    const id = ids[size]!;
    let parent = 0;
    for (;;) {
      let child = 2 * parent + 1;
      if (child >= size) break;
      if (child + 1 < size && keys[child + 1]! > keys[child]!) child++;
      if (keys[child]! <= key) break;
      keys[parent] = keys[child]!;
      ids[parent] = ids[child]!;
      parent = child;
    }
    keys[parent] = key;
    ids[parent] = id;
  }

  #grow(): void {
    const keys = new Float64Array(this.#keys.length * 2);
    keys.set(this.#keys);
    const ids = new Int32Array(this.#ids.length * 2);
    ids.set(this.#ids);
    this.#keys = keys;
    this.#ids = ids;
  }
}
