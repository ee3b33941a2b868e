import type { Metadata, SearchOptions, SearchResult, Space, VectorIndex } from './vector-index.js';

/**
 * {@link VectorIndex} with every operation asynchronous: the seam a remote backend (a vector
 * database such as pgvector, Qdrant or Milvus, reached over the network) can implement. The
 * service and `ImageSearch` can program against it and take either kind of index; an
 * in-process index joins through {@link toAsyncIndex}.
 *
 * Same contract as {@link VectorIndex} (errors, ordering, `k` above the size, filters), with
 * promises: an operation that would throw rejects with the same typed error instead. The
 * `*Batch` methods are where a remote backend sends one request for many items; callers
 * should prefer them to loops of single calls.
 */
export interface AsyncVectorIndex<M extends Metadata = Metadata> {
  /** Marks the asynchronous interface (a sync {@link VectorIndex} has no such member). */
  readonly isAsync: true;
  /** Length of every vector. */
  readonly dim: number;
  /** Distance used by {@link search}. */
  readonly space: Space;
  /** Number of live items (a remote backend may have to ask for it). */
  size(): Promise<number>;
  /** See {@link VectorIndex.add}. */
  add(id: string, vector: ArrayLike<number>, metadata?: M): Promise<void>;
  /** See {@link VectorIndex.addBatch}: one request for all rows; all are checked first. */
  addBatch(
    ids: readonly string[],
    vectors: Float32Array,
    metadata?: readonly (M | undefined)[],
  ): Promise<void>;
  /** See {@link VectorIndex.upsert}. */
  upsert(id: string, vector: ArrayLike<number>, metadata?: M): Promise<void>;
  /** See {@link VectorIndex.delete}. */
  delete(id: string): Promise<void>;
  /** See {@link VectorIndex.has}. */
  has(id: string): Promise<boolean>;
  /** See {@link VectorIndex.getMetadata}. */
  getMetadata(id: string): Promise<M | undefined>;
  /**
   * See {@link VectorIndex.search}. A remote backend cannot call a JavaScript filter inside its
   * own search: it translates what it can into its query language, or asks for more
   * candidates and applies `filter` to them, and still returns `min(k, matching)` items.
   */
  search(query: ArrayLike<number>, k: number, options?: SearchOptions<M>): Promise<SearchResult>;
  /** See {@link VectorIndex.searchBatch}: one request for all queries. */
  searchBatch(
    queries: Float32Array,
    k: number,
    options?: SearchOptions<M>,
  ): Promise<SearchResult[]>;
  /** Saves the index (or, for a remote one, how to reach it) as one artifact folder. */
  save(dir: string): Promise<void>;
}

/** True for an {@link AsyncVectorIndex}, false for a sync {@link VectorIndex}. */
export function isAsyncIndex<M extends Metadata>(
  index: VectorIndex<M> | AsyncVectorIndex<M>,
): index is AsyncVectorIndex<M> {
  return (index as Partial<AsyncVectorIndex<M>>).isAsync === true;
}

/**
 * An in-process {@link VectorIndex} behind the {@link AsyncVectorIndex} interface (the same
 * index, not a copy); an async index is returned as it is.
 */
export function toAsyncIndex<M extends Metadata>(
  index: VectorIndex<M> | AsyncVectorIndex<M>,
): AsyncVectorIndex<M> {
  if (isAsyncIndex(index)) return index;
  // Each call runs inside an async function, so a thrown error becomes a rejection.
  return {
    isAsync: true,
    dim: index.dim,
    space: index.space,
    size: async () => index.size,
    add: async (id, vector, metadata) => index.add(id, vector, metadata),
    addBatch: async (ids, vectors, metadata) => index.addBatch(ids, vectors, metadata),
    upsert: async (id, vector, metadata) => index.upsert(id, vector, metadata),
    delete: async (id) => index.delete(id),
    has: async (id) => index.has(id),
    getMetadata: async (id) => index.getMetadata(id),
    search: async (query, k, options) => index.search(query, k, options),
    searchBatch: async (queries, k, options) => index.searchBatch(queries, k, options),
    save: (dir) => index.save(dir),
  };
}
