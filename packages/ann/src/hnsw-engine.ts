/**
 * What `HnswIndex` needs of the graph it runs on: our {@link HnswGraph} (JavaScript +
 * WebAssembly, the default) or hnswlib-node (optional). Nodes are addressed by label, and
 * labels are dense: a new node takes label `count`.
 */
export interface HnswEngine {
  /** Labels in use, deleted ones included. */
  readonly count: number;
  /** Labels there is room for before the engine grows. */
  readonly capacity: number;
  /** Makes room for `capacity` labels. */
  reserve(capacity: number): void;
  /** Adds `source[offset … offset + dim)` under the next label (`count`); returns it. */
  insert(source: ArrayLike<number>, offset: number): number;
  /** Replaces a label's vector and repairs its links; brings a deleted label back. */
  update(label: number, source: ArrayLike<number>, offset: number): void;
  /** Marks a label deleted: it still routes searches but is never returned. */
  markDeleted(label: number): void;
  /** The stored vector (normalised for cosine). */
  getVector(label: number): Float32Array;
  /**
   * The k nearest labels that `allow` accepts, with beam width max(ef, k), into
   * {@link resultLabels} / {@link resultDistances} nearest first; returns how many.
   */
  search(
    source: ArrayLike<number>,
    offset: number,
    k: number,
    ef: number,
    allow?: (label: number) => boolean,
  ): number;
  /** Labels found by the last search. */
  readonly resultLabels: Int32Array;
  /** Distances of the last search, aligned with {@link resultLabels}. */
  readonly resultDistances: Float32Array;
  /** The graph as hnswlib's index file. */
  toFile(): Uint8Array;
}
