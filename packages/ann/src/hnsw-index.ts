import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError, logWarn, parseOptions, writeArtifact } from '@mlsd/core';
import hnswlib from 'hnswlib-node';
import { z } from 'zod';
import {
  checkDirection,
  checkId,
  checkK,
  checkRows,
  checkVector,
  missingId,
} from './check-vector.js';
import { buildHnswFile } from './hnsw-builder.js';
import { HnswGraph } from './hnsw-graph.js';
import { IdTable } from './id-table.js';
import {
  checkLoadedShape,
  INDEX_ARTIFACT_KIND,
  INDEX_FORMAT_VERSION,
  type LoadIndexExpectations,
  openIndexArtifact,
  readItems,
} from './index-artifact.js';
import { withTempFile } from './temp-file.js';
import type { Metadata, SearchOptions, SearchResult, Space, VectorIndex } from './vector-index.js';

const { HierarchicalNSW } = hnswlib;

/** Smallest first batch {@link HnswIndex.addBatch} builds with {@link buildHnswFile}. */
const BULK_BUILD_MIN = 1000;

type NativeHnsw = InstanceType<typeof HierarchicalNSW>;

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
     * Build the graph for a large first `addBatch` in JavaScript + WebAssembly and hand it to
     * hnswlib-node as an index file (default true); false inserts through hnswlib's `addPoint`.
     */
    bulkBuild: z.boolean().default(true),
  })
  .strict();

/** Options of {@link HnswIndex}: `dim` is required, the rest have defaults. */
export type HnswIndexOptions = z.input<typeof HnswIndexOptionsSchema>;

/**
 * An HNSW graph (Malkov & Yashunin) on hnswlib-node with our string ids and metadata beside
 * hnswlib's integer labels.
 *
 * - Deleting marks the node deleted in hnswlib (it still routes searches but is never
 *   returned) and frees its label; the next add reuses that label, which makes hnswlib
 *   overwrite the deleted node in place and repair its links, so space is reused.
 * - The index grows by doubling (`resizeIndex`) when it is full.
 * - Filtered search maps each candidate's label to id and metadata for the filter (through
 *   hnswlib's filter callback, or in JavaScript on the optimised copy).
 * - {@link optimizeForSearch} copies the graph for searches that skip hnswlib-node's per-value
 *   query conversion (same results, several times faster at small ef); changes drop the copy.
 * - `cosine` vectors are normalised by hnswlib; a zero vector has no direction and is refused.
 *
 * @example
 * ```ts
 * const index = new HnswIndex<{ label: number }>({ dim: 784, M: 16, efConstruction: 200 });
 * index.add('img-1', vector, { label: 3 });
 * index.optimizeForSearch(); // after building, before serving queries
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
  #ef: number;
  #native: NativeHnsw;
  #ids = new IdTable<M>();
  /** Labels of deleted nodes, reused (last freed first) before new labels. */
  #freeLabels: number[] = [];
  /** Read-only copy of the graph that searches run on until the next change. */
  #graph: HnswGraph | undefined;
  /** One reused plain array for handing vectors to hnswlib, which reads only JS arrays. */
  readonly #scratch: number[];

  constructor(options: HnswIndexOptions) {
    const parsed = parseOptions(HnswIndexOptionsSchema, options, 'HnswIndex options');
    this.dim = parsed.dim;
    this.space = parsed.space;
    this.M = parsed.M;
    this.efConstruction = parsed.efConstruction;
    this.#seed = parsed.seed;
    this.#bulkBuild = parsed.bulkBuild;
    this.#ef = parsed.ef;
    this.#native = new HierarchicalNSW(parsed.space, parsed.dim);
    // allowReplaceDeleted stays off: we reuse a deleted node by re-adding its own label, which
    // hnswlib turns into an in-place update only in that mode, and it keeps labels dense.
    this.#native.initIndex(parsed.capacity, parsed.M, parsed.efConstruction, parsed.seed, false);
    this.#native.setEf(parsed.ef);
    this.#scratch = new Array<number>(parsed.dim).fill(0);
  }

  /** Number of live items. */
  get size(): number {
    return this.#ids.size;
  }

  /** Items the index has room for before it next grows. */
  get capacity(): number {
    return this.#native.getMaxElements();
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
    this.#native.setEf(value);
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
   * Adds many items (see {@link VectorIndex.addBatch}). The first batch of an empty index with
   * at least 1,000 items is built by {@link buildHnswFile} (the same insert algorithm, without
   * hnswlib-node's per-value copying) and loaded into hnswlib-node, and the index comes out
   * optimised for search; later batches insert through hnswlib's `addPoint`.
   * @param options.onProgress - called now and then with the number of items added.
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
    if (this.#bulkBuild && this.#ids.labelCount === 0 && ids.length >= BULK_BUILD_MIN) {
      this.#buildFromEmpty(ids, vectors, metadata, options.onProgress);
      return;
    }
    this.#reserve(this.#ids.size + ids.length);
    for (let row = 0; row < ids.length; row++) {
      this.#insert(ids[row]!, vectors, row * this.dim, metadata?.[row]);
      if (options.onProgress !== undefined && (row + 1) % 1000 === 0) options.onProgress(row + 1);
    }
    options.onProgress?.(ids.length);
  }

  /** Builds the graph of a first large batch with {@link buildHnswFile} and loads it. */
  #buildFromEmpty(
    ids: readonly string[],
    vectors: Float32Array,
    metadata: readonly (M | undefined)[] | undefined,
    onProgress: ((done: number) => void) | undefined,
  ): void {
    const file = buildHnswFile(vectors, this.dim, {
      space: this.space,
      M: this.M,
      efConstruction: this.efConstruction,
      seed: this.#seed,
      capacity: Math.max(this.#native.getMaxElements(), ids.length),
      ...(onProgress === undefined ? {} : { onProgress }),
    });
    const native = new HierarchicalNSW(this.space, this.dim);
    withTempFile((path) => {
      writeFileSync(path, file);
      native.readIndexSync(path, false);
    });
    native.setEf(this.#ef);
    this.#native = native;
    for (let row = 0; row < ids.length; row++) this.#ids.assign(ids[row]!, row, metadata?.[row]);
    this.#adoptGraph(file);
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
    // Re-adding a live label makes hnswlib update the node's vector and links in place.
    this.#graph = undefined;
    this.#native.addPoint(this.#toScratch(vector, 0), label);
    this.#ids.assign(id, label, metadata);
  }

  delete(id: string): void {
    const label = this.#ids.remove(id);
    if (label === undefined) throw missingId(id, 'HnswIndex.delete');
    this.#graph = undefined;
    this.#native.markDelete(label);
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
    return Float32Array.from(this.#native.getPoint(label));
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
   * Copies the graph into a read-only structure that searches run on in JavaScript and
   * WebAssembly SIMD until the next add, upsert or delete (which drop it; call this again
   * after a batch of changes). hnswlib-node reads a query with one native call per value,
   * which at small ef costs as much as the search itself; the copy avoids that and gives the
   * same results. It holds a second copy of the vectors and links (about 4·dim + 8·M bytes per
   * item). Loaded indexes are optimised already.
   * @returns true when searches now use the copy (false if it would not fit in WebAssembly's
   * 4 GiB memory; searches then stay on hnswlib-node).
   */
  optimizeForSearch(): boolean {
    if (this.#graph !== undefined) return true;
    return withTempFile((path) => {
      this.#native.writeIndexSync(path);
      return this.#adoptGraph(readFileSync(path));
    });
  }

  /** True when searches run on the optimised copy (see {@link optimizeForSearch}). */
  get optimizedForSearch(): boolean {
    return this.#graph !== undefined;
  }

  #adoptGraph(file: Uint8Array): boolean {
    try {
      this.#graph = new HnswGraph(file, this.dim, this.space);
      return true;
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      logWarn('HnswIndex: the graph is too large to copy for fast search; using hnswlib-node', {
        size: this.size,
      });
      return false;
    }
  }

  async save(dir: string): Promise<void> {
    await writeArtifact(dir, {
      kind: INDEX_ARTIFACT_KIND,
      formatVersion: INDEX_FORMAT_VERSION,
      description: `HNSW index (hnswlib) of ${this.size} ${this.dim}-dimensional vectors, ${this.space}`,
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
      files: { [ITEMS_FILE]: JSON.stringify(this.#ids.toJSON()) },
      write: async (staging) => {
        await this.#native.writeIndex(join(staging, HNSW_FILE));
      },
    });
  }

  /**
   * Loads an index saved by {@link save}, checking the manifest, the checksums, and that the
   * dimension and space are the ones `expect` names.
   */
  static async load<M extends Metadata = Metadata>(
    dir: string,
    expect: LoadIndexExpectations = {},
  ): Promise<HnswIndex<M>> {
    const { artifact, params } = await openIndexArtifact(dir, expect);
    if (params.type !== 'hnsw') {
      throw new InvalidArgumentError(
        `${artifact.dir} holds an '${params.type}' index, not an HNSW one; load it with loadIndex().`,
      );
    }
    const index = new HnswIndex<M>({
      dim: params.dim,
      space: params.space,
      M: params.M ?? 16,
      efConstruction: params.efConstruction ?? 200,
      ef: params.ef ?? 50,
      seed: params.seed ?? 100,
      capacity: 1,
    });
    const items = await readItems<M>(artifact, ITEMS_FILE);
    const file = await artifact.readFile(HNSW_FILE);
    await index.#native.readIndex(artifact.path(HNSW_FILE), false);
    index.#native.setEf(index.#ef);
    checkLoadedShape(artifact.dir, params, {
      dim: index.#native.getNumDimensions(),
      labelCount: index.#native.getCurrentCount(),
      items,
    });
    index.#ids = IdTable.fromJSON(items);
    // Free labels are re-added last-freed-first; any order is correct after a reload.
    index.#freeLabels = index.#ids.freeLabels().reverse();
    index.#adoptGraph(file);
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
    if (graph !== undefined) {
      const allow =
        filter === undefined
          ? undefined
          : (label: number) => filter(ids.idAt(label)!, ids.metadataAt(label));
      const found = graph.search(source, offset, Math.min(k, size), this.#ef, allow);
      const resultIds = new Array<string>(found);
      for (let i = 0; i < found; i++) resultIds[i] = ids.idAt(graph.resultLabels[i]!)!;
      return { ids: resultIds, distances: graph.resultDistances.slice(0, found) };
    }
    const native =
      filter === undefined
        ? this.#native.searchKnn(this.#toScratch(source, offset), Math.min(k, size))
        : this.#native.searchKnn(this.#toScratch(source, offset), Math.min(k, size), (label) =>
            filter(ids.idAt(label)!, ids.metadataAt(label)),
          );
    const neighbours = native.neighbors;
    const count = neighbours.length;
    const resultIds = new Array<string>(count);
    const distances = new Float32Array(count);
    for (let i = 0; i < count; i++) {
      resultIds[i] = ids.idAt(neighbours[i]!)!;
      distances[i] = native.distances[i]!;
    }
    return { ids: resultIds, distances };
  }

  /** Adds a new id, reusing a deleted node's label when there is one. */
  #insert(id: string, source: ArrayLike<number>, offset: number, metadata: M | undefined): void {
    this.#graph = undefined;
    let label = this.#freeLabels.pop();
    if (label === undefined) {
      label = this.#ids.labelCount;
      this.#reserve(label + 1);
    }
    this.#native.addPoint(this.#toScratch(source, offset), label);
    this.#ids.assign(id, label, metadata);
  }

  /** Grows hnswlib's storage (doubling) so `labels` labels fit. */
  #reserve(labels: number): void {
    const capacity = this.#native.getMaxElements();
    if (labels <= capacity) return;
    this.#native.resizeIndex(Math.max(labels, capacity * 2));
  }

  #toScratch(source: ArrayLike<number>, offset: number): number[] {
    const scratch = this.#scratch;
    for (let j = 0; j < scratch.length; j++) scratch[j] = source[offset + j]!;
    return scratch;
  }

  #checkInput(vector: ArrayLike<number>, where: string): void {
    checkVector(vector, this.dim, where);
    if (this.space === 'cosine') checkDirection(vector, 0, this.dim, where);
  }
}
