import { CorruptFileError, InvalidArgumentError, parseOptions, writeArtifact } from '@mlsd/core';
import { z } from 'zod';
import {
  checkDirection,
  checkId,
  checkK,
  checkRows,
  checkVector,
  missingId,
} from './check-vector.js';
import type { HnswEngine } from './hnsw-engine.js';
import { HnswGraph } from './hnsw-graph.js';
import {
  engineFromEnv,
  type HnswEngineName,
  HnswlibNodeEngine,
  loadHnswlibNode,
  pickEngine,
} from './hnswlib-node-engine.js';
import { IdTable } from './id-table.js';
import {
  checkLoadedShape,
  INDEX_ARTIFACT_KIND,
  INDEX_FORMAT_VERSION,
  type LoadIndexExpectations,
  openIndexArtifact,
  readItems,
} from './index-artifact.js';
import type { Metadata, SearchOptions, SearchResult, Space, VectorIndex } from './vector-index.js';

/** Smallest first batch the hnswlib-node engine builds with our graph (see `bulkBuild`). */
const BULK_BUILD_MIN = 1000;

/** File name of hnswlib's own index file inside the artifact. */
const HNSW_FILE = 'index.hnsw';
const ITEMS_FILE = 'items.json';

const HnswIndexOptionsSchema = z
  .object({
    /** Vector length. */
    dim: z.number().int().positive(),
    /** Distance (default l2). */
    space: z.enum(['l2', 'ip', 'cosine']).default('l2'),
    /** Links per node (hnswlib's M; 16 is the usual choice, 5–48 the useful range). */
    M: z.number().int().min(2).max(256).default(16),
    /** Beam width while building; higher builds slower and better. */
    efConstruction: z.number().int().positive().default(200),
    /** Beam width while searching (raised to k when k is larger). */
    ef: z.number().int().positive().default(50),
    /** Items room is made for up front; the index doubles it when full. */
    capacity: z.number().int().positive().default(1024),
    /** Seed of the level generator, for reproducible graphs. */
    seed: z.number().int().nonnegative().default(100),
    /**
     * Where the graph lives: `'wasm'`, our HNSW in JavaScript + WebAssembly (built in, the
     * default), or `'hnswlib-node'`, hnswlib's C++ through the optional hnswlib-node package
     * (create the index with `await HnswIndex.create(options)`, which imports it). Unset: the
     * `MLSD_HNSW_ENGINE` environment variable, else `'wasm'`.
     */
    engine: z.enum(['wasm', 'hnswlib-node']).optional(),
    /**
     * hnswlib-node engine only: build the graph of a large first `addBatch` with our engine and
     * hand it over as an index file (default true); false inserts through hnswlib's `addPoint`.
     */
    bulkBuild: z.boolean().default(true),
  })
  .strict();

/** Options of {@link HnswIndex}: `dim` is required, the rest have defaults. */
export type HnswIndexOptions = z.input<typeof HnswIndexOptionsSchema>;

/**
 * An HNSW graph (Malkov & Yashunin) with our string ids and metadata beside integer labels.
 * It runs on our own engine ({@link HnswGraph}: hnswlib's algorithms in JavaScript with
 * WebAssembly SIMD distances, hnswlib's file format) unless `engine: 'hnswlib-node'` asks for
 * the optional native package; both give the same results and read each other's files.
 *
 * - Deleting marks the node deleted (it still routes searches but is never returned) and frees
 *   its label; the next add reuses that label (hnswlib's updatePoint on the deleted node), so
 *   space is reused and labels stay dense.
 * - The index grows by doubling when it is full.
 * - Filtered search maps each candidate's label to id and metadata for the filter, during the
 *   graph search.
 * - `cosine` vectors are stored normalised; a zero vector has no direction and is refused.
 *
 * @example
 * ```ts
 * const index = new HnswIndex<{ label: number }>({ dim: 784, M: 16, efConstruction: 200 });
 * index.add('img-1', vector, { label: 3 });
 * const { ids, distances } = index.search(query, 10, { filter: (_, m) => m?.label === 3 });
 * ```
 */
export class HnswIndex<M extends Metadata = Metadata> implements VectorIndex<M> {
  /** Vector length. */
  readonly dim: number;
  /** Distance. */
  readonly space: Space;
  /** Links per node. */
  readonly M: number;
  /** Beam width used while building. */
  readonly efConstruction: number;
  readonly #seed: number;
  readonly #bulkBuild: boolean;
  /** The engine the graph runs on (see the `engine` option). */
  readonly engine: HnswEngineName;
  #ef: number;
  #graph: HnswEngine;
  #ids = new IdTable<M>();
  /** Labels of deleted nodes, reused (last freed first) before new labels. */
  #freeLabels: number[] = [];

  /**
   * An empty index. With `engine: 'hnswlib-node'` the package must have been imported first:
   * use {@link HnswIndex.create}, which does that.
   */
  constructor(options: HnswIndexOptions) {
    const parsed = parseOptions(HnswIndexOptionsSchema, options, 'HnswIndex options');
    this.dim = parsed.dim;
    this.space = parsed.space;
    this.M = parsed.M;
    this.efConstruction = parsed.efConstruction;
    this.#seed = parsed.seed;
    this.#bulkBuild = parsed.bulkBuild;
    this.#ef = parsed.ef;
    this.engine = pickEngine(parsed.engine);
    const shape = {
      dim: parsed.dim,
      space: parsed.space,
      M: parsed.M,
      efConstruction: parsed.efConstruction,
      seed: parsed.seed,
      capacity: parsed.capacity,
    };
    this.#graph =
      this.engine === 'wasm'
        ? new HnswGraph(shape)
        : HnswlibNodeEngine.create({ ...shape, ef: parsed.ef });
  }

  /**
   * An empty index, importing hnswlib-node first when `options.engine` or `MLSD_HNSW_ENGINE`
   * asks for it (the constructor cannot: the import is asynchronous).
   * @throws NotFoundError when `engine: 'hnswlib-node'` is asked for and it is not installed.
   */
  static async create<M extends Metadata = Metadata>(
    options: HnswIndexOptions,
  ): Promise<HnswIndex<M>> {
    if ((options.engine ?? engineFromEnv()) === 'hnswlib-node') await loadHnswlibNode();
    return new HnswIndex<M>(options);
  }

  /** Number of live items. */
  get size(): number {
    return this.#ids.size;
  }

  /** Items the index has room for before it next grows. */
  get capacity(): number {
    return this.#graph.capacity;
  }

  /** Search beam width; results are better and slower as it grows (k is the floor). */
  get ef(): number {
    return this.#ef;
  }

  set ef(value: number) {
    if (!Number.isInteger(value) || value < 1) {
      throw new InvalidArgumentError(`HnswIndex.ef must be a positive integer, got ${value}.`);
    }
    this.#ef = value;
  }

  add(id: string, vector: ArrayLike<number>, metadata?: M): void {
    const where = `HnswIndex.add('${id}')`;
    checkId(id, where);
    if (this.#ids.labelOf(id) !== undefined) {
      throw new InvalidArgumentError(
        `${where}: id '${id}' is already in the index; use upsert() to replace its vector.`,
        { id },
      );
    }
    this.#checkInput(vector, where);
    this.#insert(id, vector, 0, metadata);
  }

  /**
   * Adds many items (see {@link VectorIndex.addBatch}), inserting them in order. On the
   * hnswlib-node engine the first batch of an empty index with at least 1,000 items is built
   * by our engine (without hnswlib-node's per-value copying) and handed over as an index file,
   * optimised for search (see `bulkBuild`).
   * @param options.onProgress - called every 1,000 items with the number of items added.
   */
  addBatch(
    ids: readonly string[],
    vectors: Float32Array,
    metadata?: readonly (M | undefined)[],
    options: { onProgress?: (done: number) => void } = {},
  ): void {
    const where = 'HnswIndex.addBatch';
    checkRows(vectors, ids.length, this.dim, where);
    if (metadata !== undefined && metadata.length !== ids.length) {
      throw new InvalidArgumentError(
        `${where}: ${metadata.length} metadata entries for ${ids.length} ids; pass one per id.`,
      );
    }
    const seen = new Set<string>();
    ids.forEach((id) => {
      checkId(id, where);
      if (seen.has(id) || this.#ids.labelOf(id) !== undefined) {
        throw new InvalidArgumentError(
          `${where}: id '${id}' appears twice or is already in the index; ids must be unique.`,
          { id },
        );
      }
      seen.add(id);
    });
    if (this.space === 'cosine') {
      for (let row = 0; row < ids.length; row++)
        checkDirection(vectors, row * this.dim, this.dim, where);
    }
    if (
      this.engine === 'hnswlib-node' &&
      this.#bulkBuild &&
      this.#ids.labelCount === 0 &&
      ids.length >= BULK_BUILD_MIN
    ) {
      this.#buildFromEmpty(ids, vectors, metadata, options.onProgress);
      return;
    }
    this.#graph.reserve(this.#ids.labelCount + Math.max(0, ids.length - this.#freeLabels.length));
    for (let row = 0; row < ids.length; row++) {
      this.#insert(ids[row]!, vectors, row * this.dim, metadata?.[row]);
      if (options.onProgress !== undefined && (row + 1) % 1000 === 0) options.onProgress(row + 1);
    }
    options.onProgress?.(ids.length);
  }

  /** hnswlib-node engine: builds a first large batch with our engine and hands the file over. */
  #buildFromEmpty(
    ids: readonly string[],
    vectors: Float32Array,
    metadata: readonly (M | undefined)[] | undefined,
    onProgress: ((done: number) => void) | undefined,
  ): void {
    const graph = new HnswGraph({
      dim: this.dim,
      space: this.space,
      M: this.M,
      efConstruction: this.efConstruction,
      seed: this.#seed,
      capacity: Math.max(this.#graph.capacity, ids.length),
    });
    for (let row = 0; row < ids.length; row++) {
      graph.insert(vectors, row * this.dim);
      if (onProgress !== undefined && (row + 1) % 1000 === 0) onProgress(row + 1);
    }
    onProgress?.(ids.length);
    this.#graph = HnswlibNodeEngine.fromFile(graph.toFile(), this.dim, this.space, this.#ef, graph);
    for (let row = 0; row < ids.length; row++) this.#ids.assign(ids[row]!, row, metadata?.[row]);
  }

  upsert(id: string, vector: ArrayLike<number>, metadata?: M): void {
    const where = `HnswIndex.upsert('${id}')`;
    checkId(id, where);
    this.#checkInput(vector, where);
    const label = this.#ids.labelOf(id);
    if (label === undefined) {
      this.#insert(id, vector, 0, metadata);
      return;
    }
    // hnswlib's updatePoint: the node's vector and the links around it, in place.
    this.#graph.update(label, vector, 0);
    this.#ids.assign(id, label, metadata);
  }

  delete(id: string): void {
    const label = this.#ids.remove(id);
    if (label === undefined) throw missingId(id, 'HnswIndex.delete');
    this.#graph.markDeleted(label);
    this.#freeLabels.push(label);
  }

  has(id: string): boolean {
    return this.#ids.labelOf(id) !== undefined;
  }

  getMetadata(id: string): M | undefined {
    const label = this.#ids.labelOf(id);
    if (label === undefined) throw missingId(id, 'HnswIndex.getMetadata');
    return this.#ids.metadataAt(label);
  }

  /** The stored vector of a live item (normalised for cosine). */
  getVector(id: string): Float32Array {
    const label = this.#ids.labelOf(id);
    if (label === undefined) throw missingId(id, 'HnswIndex.getVector');
    return this.#graph.getVector(label);
  }

  search(query: ArrayLike<number>, k: number, options: SearchOptions<M> = {}): SearchResult {
    const where = 'HnswIndex.search';
    checkK(k, where);
    this.#checkInput(query, where);
    return this.#search(query, 0, k, options);
  }

  searchBatch(queries: Float32Array, k: number, options: SearchOptions<M> = {}): SearchResult[] {
    const where = 'HnswIndex.searchBatch';
    checkK(k, where);
    const count = queries.length / this.dim;
    checkRows(queries, Number.isInteger(count) ? count : -1, this.dim, where);
    const results: SearchResult[] = [];
    for (let row = 0; row < count; row++) {
      if (this.space === 'cosine') checkDirection(queries, row * this.dim, this.dim, where);
      results.push(this.#search(queries, row * this.dim, k, options));
    }
    return results;
  }

  /**
   * hnswlib-node engine: copies the graph into our engine's read-only form for searches until
   * the next add, upsert or delete (hnswlib-node reads a query with one N-API call per value,
   * which at small ef costs as much as the search itself; the copy gives the same results).
   * Indexes on our engine always search that way; there it does nothing.
   * @returns true when searches run on our engine (false if the copy would not fit in
   * WebAssembly's 4 GiB memory; searches then stay on hnswlib-node, logged and counted).
   */
  optimizeForSearch(): boolean {
    return this.#graph instanceof HnswlibNodeEngine ? this.#graph.optimize() : true;
  }

  /** True when searches run on our engine (see {@link optimizeForSearch}). */
  get optimizedForSearch(): boolean {
    return this.#graph instanceof HnswlibNodeEngine ? this.#graph.optimized : true;
  }

  async save(dir: string): Promise<void> {
    await writeArtifact(dir, {
      kind: INDEX_ARTIFACT_KIND,
      formatVersion: INDEX_FORMAT_VERSION,
      description: `HNSW index (hnswlib's file format) of ${this.size} ${this.dim}-dimensional vectors, ${this.space}`,
      params: {
        type: 'hnsw',
        dim: this.dim,
        space: this.space,
        size: this.size,
        M: this.M,
        efConstruction: this.efConstruction,
        ef: this.#ef,
        seed: this.#seed,
      },
      files: {
        [ITEMS_FILE]: JSON.stringify(this.#ids.toJSON()),
        [HNSW_FILE]: this.#graph.toFile(),
      },
    });
  }

  /**
   * Loads an index saved by {@link save}, checking the manifest, the checksums, and that the
   * dimension and space are the ones `expect` names. `expect.engine` (else `MLSD_HNSW_ENGINE`)
   * picks the engine, as for {@link create}; the file is the same for both.
   */
  static async load<M extends Metadata = Metadata>(
    dir: string,
    expect: LoadIndexExpectations & { engine?: HnswEngineName } = {},
  ): Promise<HnswIndex<M>> {
    const { artifact, params } = await openIndexArtifact(dir, expect);
    if (params.type !== 'hnsw') {
      throw new InvalidArgumentError(
        `${artifact.dir} holds an '${params.type}' index, not an HNSW one; load it with loadIndex().`,
      );
    }
    const options = {
      dim: params.dim,
      space: params.space,
      M: params.M ?? 16,
      efConstruction: params.efConstruction ?? 200,
      ef: params.ef ?? 50,
      seed: params.seed ?? 100,
      capacity: 1,
      ...(expect.engine === undefined ? {} : { engine: expect.engine }),
    };
    const index = await HnswIndex.create<M>(options);
    const items = await readItems<M>(artifact, ITEMS_FILE);
    const file = await artifact.readFile(HNSW_FILE);
    const graph = HnswGraph.fromFile(file, params.dim, params.space, index.#seed);
    for (let node = 0; node < graph.count; node++) {
      if (graph.labelOf(node) !== node) {
        throw new CorruptFileError(
          `${artifact.dir}/${HNSW_FILE}: node ${node} has label ${graph.labelOf(node)}; an index artifact's labels are its node ids. Re-create the index artifact.`,
        );
      }
    }
    checkLoadedShape(artifact.dir, params, { dim: params.dim, labelCount: graph.count, items });
    index.#graph =
      index.engine === 'wasm'
        ? graph
        : HnswlibNodeEngine.fromFile(file, params.dim, params.space, index.#ef, graph);
    index.#ids = IdTable.fromJSON(items);
    // Free labels are re-added last-freed-first; any order is correct after a reload.
    index.#freeLabels = index.#ids.freeLabels().reverse();
    return index;
  }

  #search(
    source: ArrayLike<number>,
    offset: number,
    k: number,
    options: SearchOptions<M>,
  ): SearchResult {
    const size = this.#ids.size;
    if (size === 0) return { ids: [], distances: new Float32Array(0) };
    const ids = this.#ids;
    const filter = options.filter;
    const graph = this.#graph;
    const allow =
      filter === undefined
        ? undefined
        : (label: number) => filter(ids.idAt(label)!, ids.metadataAt(label));
    const found = graph.search(source, offset, Math.min(k, size), this.#ef, allow);
    const resultIds = new Array<string>(found);
    const labels = graph.resultLabels;
    for (let i = 0; i < found; i++) resultIds[i] = ids.idAt(labels[i]!)!;
    return { ids: resultIds, distances: graph.resultDistances.slice(0, found) };
  }

  /** Adds a new id, reusing a deleted node's label when there is one. */
  #insert(id: string, source: ArrayLike<number>, offset: number, metadata: M | undefined): void {
    const label = this.#freeLabels.pop();
    if (label === undefined) {
      this.#ids.assign(id, this.#graph.insert(source, offset), metadata);
    } else {
      this.#graph.update(label, source, offset);
      this.#ids.assign(id, label, metadata);
    }
  }

  #checkInput(vector: ArrayLike<number>, where: string): void {
    checkVector(vector, this.dim, where);
    if (this.space === 'cosine') checkDirection(vector, 0, this.dim, where);
  }
}
