/**
 * Many small bounded max-heaps in flat typed arrays, one per query: each keeps the `k` smallest
 * distances pushed into it. Exact search pushes millions of candidates, so there are no
 * per-candidate objects; `threshold(h)` lets the caller skip a push that cannot enter.
 */
export class TopKHeaps {
  /** Heap capacity. */
  readonly k: number;
  /** Number of heaps. */
  readonly count: number;
  readonly #distances: Float64Array;
  readonly #indices: Int32Array;
  readonly #sizes: Int32Array;
  /** Distance a candidate must beat to enter heap h: +∞ until full, then the root. */
  readonly #thresholds: Float64Array;

  constructor(count: number, k: number) {
    this.k = k;
    this.count = count;
    this.#distances = new Float64Array(count * k);
    this.#indices = new Int32Array(count * k);
    this.#sizes = new Int32Array(count);
    this.#thresholds = new Float64Array(count).fill(Number.POSITIVE_INFINITY);
  }

  /** Distance a candidate must be below to enter heap `h`. */
  threshold(h: number): number {
    return this.#thresholds[h]!;
  }

  /** Offers (distance, index) to heap `h`; kept only when among the k smallest so far. */
  push(h: number, distance: number, index: number): void {
    if (!(distance < this.#thresholds[h]!)) return;
    const k = this.k;
    const base = h * k;
    const dist = this.#distances;
    const idx = this.#indices;
    const size = this.#sizes[h]!;
    if (size < k) {
      // Sift up from the new leaf.
      let child = size;
      while (child > 0) {
        const parent = (child - 1) >> 1;
        if (dist[base + parent]! >= distance) break;
        dist[base + child] = dist[base + parent]!;
        idx[base + child] = idx[base + parent]!;
        child = parent;
      }
      dist[base + child] = distance;
      idx[base + child] = index;
      this.#sizes[h] = size + 1;
      if (size + 1 === k) this.#thresholds[h] = dist[base]!;
      return;
    }
    // Full: replace the root (the largest) and sift down.
    let parent = 0;
    for (;;) {
      let child = 2 * parent + 1;
      if (child >= k) break;
      if (child + 1 < k && dist[base + child + 1]! > dist[base + child]!) child++;
      if (dist[base + child]! <= distance) break;
      dist[base + parent] = dist[base + child]!;
      idx[base + parent] = idx[base + child]!;
      parent = child;
    }
    dist[base + parent] = distance;
    idx[base + parent] = index;
    this.#thresholds[h] = dist[base]!;
  }

  /** Number of entries in heap `h`. */
  size(h: number): number {
    return this.#sizes[h]!;
  }

  /**
   * Writes heap `h` sorted by ascending distance (ties by ascending index) to
   * `indices`/`distances` at `offset`, padding to `k` with -1 / +∞. Returns the entry count.
   */
  drainSorted(h: number, indices: Int32Array, distances: Float32Array, offset: number): number {
    const k = this.k;
    const base = h * k;
    const size = this.#sizes[h]!;
    const order = Array.from({ length: size }, (_, i) => i);
    const dist = this.#distances;
    const idx = this.#indices;
    order.sort((a, b) => dist[base + a]! - dist[base + b]! || idx[base + a]! - idx[base + b]!);
    for (let i = 0; i < size; i++) {
      indices[offset + i] = idx[base + order[i]!]!;
      distances[offset + i] = dist[base + order[i]!]!;
    }
    for (let i = size; i < k; i++) {
      indices[offset + i] = -1;
      distances[offset + i] = Number.POSITIVE_INFINITY;
    }
    return size;
  }
}
