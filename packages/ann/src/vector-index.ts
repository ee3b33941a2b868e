/**
 * The seam every nearest-neighbour index sits behind: HNSW on hnswlib-node, exact brute force,
 * or (past one machine) an adapter to a vector database.
 */

/**
 * How distance is measured. `l2`: squared Euclidean distance Σ(xᵢ − yᵢ)². `ip`: 1 − Σ xᵢyᵢ
 * (inner product as a distance; smaller is more similar). `cosine`: 1 − cos(x, y).
 */
export type Space = 'l2' | 'ip' | 'cosine';

/** The spaces every index supports. */
export const SPACES: readonly Space[] = ['l2', 'ip', 'cosine'];

/** Metadata stored beside a vector (JSON-serialisable: it is saved with the index). */
export type Metadata = Record<string, unknown>;

/**
 * Decides whether an item may appear in a result. Called for candidates during the search,
 * so keep it cheap (compare a field, look up a set).
 */
export type SearchFilter<M extends Metadata = Metadata> = (
  id: string,
  metadata: M | undefined,
) => boolean;

/** Options of {@link VectorIndex.search} and {@link VectorIndex.searchBatch}. */
export interface SearchOptions<M extends Metadata = Metadata> {
  /** Only items for which this returns true are returned. */
  filter?: SearchFilter<M>;
}

/**
 * The nearest items to one query, nearest first. Holds `min(k, matching items)` entries,
 * so asking for more neighbours than the index holds returns what it has.
 */
export interface SearchResult {
  /** Ids of the neighbours, nearest first. */
  ids: string[];
  /** Distances in the index's {@link Space}, ascending, aligned with `ids`. */
  distances: Float32Array;
}

/** An index of fixed-dimension float vectors under string ids, with optional metadata. */
export interface VectorIndex<M extends Metadata = Metadata> {
  /** Length of every vector. */
  readonly dim: number;
  /** Distance used by {@link search}. */
  readonly space: Space;
  /** Number of live (not deleted) items. */
  readonly size: number;
  /**
   * Adds a new item. Throws InvalidArgumentError when `id` is already live (use
   * {@link upsert}), DimensionMismatchError for a wrong length, InvalidDataError for NaN/∞.
   */
  add(id: string, vector: ArrayLike<number>, metadata?: M): void;
  /**
   * Adds `ids.length` items whose vectors are the rows of `vectors` (row-major,
   * `ids.length × dim`). All rows are checked before any is added.
   */
  addBatch(
    ids: readonly string[],
    vectors: Float32Array,
    metadata?: readonly (M | undefined)[],
  ): void;
  /** Adds the item, or replaces the vector and metadata of the live item with this id. */
  upsert(id: string, vector: ArrayLike<number>, metadata?: M): void;
  /** Removes a live item; NotFoundError for an id that is unknown or already deleted. */
  delete(id: string): void;
  /** True when `id` is a live item. */
  has(id: string): boolean;
  /** Metadata of a live item (undefined when it has none); NotFoundError for an unknown id. */
  getMetadata(id: string): M | undefined;
  /** The `k` nearest live items to `query` (fewer when fewer match), nearest first. */
  search(query: ArrayLike<number>, k: number, options?: SearchOptions<M>): SearchResult;
  /** {@link search} for each row of `queries` (row-major, `count × dim`). */
  searchBatch(queries: Float32Array, k: number, options?: SearchOptions<M>): SearchResult[];
  /** Saves the index as one artifact folder (see `loadIndex`). */
  save(dir: string): Promise<void>;
}
