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
import { exactKnn, type NeighbourMatrix } from './exact-knn.js';
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

const VECTORS_FILE = 'vectors.f32';
const ITEMS_FILE = 'items.json';

const ExactIndexOptionsSchema = z
  .object({
    /** Vector length. */
    dim: z.number().int().positive(),
    /** Distance (default l2). */
    space: z.enum(['l2', 'ip', 'cosine']).default('l2'),
    /** Rows room is made for up front; doubles when full. */
    capacity: z.number().int().positive().default(1024),
  })
  .strict();

/** Options of {@link ExactIndex}: `dim` is required. */
export type ExactIndexOptions = z.input<typeof ExactIndexOptionsSchema>;

/**
 * Brute-force search over vectors kept in one row-major Float32Array: every query is compared
 * with every item by blocked dot products ({@link exactKnn}). Exact by construction, so it is
 * the ground truth for recall, and for a few thousand items it is as fast as a graph.
 * Distances match hnswlib's: squared L2, 1 − inner product, 1 − cosine.
 *
 * Rows stay dense: deleting moves the last row into the hole, so searches never skip gaps.
 */
export class ExactIndex<M extends Metadata = Metadata> implements VectorIndex<M> {
  /** Vector length. */
  readonly dim: number;
  /** Distance. */
  readonly space: Space;
  #data: Float32Array;
  #norms: Float64Array;
  #ids = new IdTable<M>();

  constructor(options: ExactIndexOptions) {
    const parsed = parseOptions(ExactIndexOptionsSchema, options, 'ExactIndex options');
    this.dim = parsed.dim;
    this.space = parsed.space;
    this.#data = new Float32Array(parsed.capacity * parsed.dim);
    this.#norms = new Float64Array(parsed.capacity);
  }

  /** Number of live items. */
  get size(): number {
    return this.#ids.size;
  }

  /** The live vectors, `size × dim` row-major, in row order (a view; do not modify). */
  get vectors(): Float32Array {
    return this.#data.subarray(0, this.size * this.dim);
  }

  /** Id of row `row` of {@link vectors}. */
  idAt(row: number): string {
    const id = this.#ids.idAt(row);
    if (id === undefined) {
      throw new InvalidArgumentError(`ExactIndex.idAt: row ${row} is outside 0..${this.size - 1}.`);
    }
    return id;
  }

  add(id: string, vector: ArrayLike<number>, metadata?: M): void {
    const where = `ExactIndex.add('${id}')`;
    checkId(id, where);
    if (this.#ids.labelOf(id) !== undefined) {
      throw new InvalidArgumentError(
        `${where}: id '${id}' is already in the index; use upsert() to replace its vector.`,
        { id },
      );
    }
    this.#checkInput(vector, 0, where);
    this.#reserve(this.size + 1);
    this.#writeRow(this.size, vector, 0);
    this.#ids.assign(id, this.size, metadata);
  }

  addBatch(
    ids: readonly string[],
    vectors: Float32Array,
    metadata?: readonly (M | undefined)[],
  ): void {
    const where = 'ExactIndex.addBatch';
    checkRows(vectors, ids.length, this.dim, where);
    if (metadata !== undefined && metadata.length !== ids.length) {
      throw new InvalidArgumentError(
        `${where}: ${metadata.length} metadata entries for ${ids.length} ids; pass one per id.`,
      );
    }
    const seen = new Set<string>();
    for (let row = 0; row < ids.length; row++) {
      const id = ids[row]!;
      checkId(id, where);
      if (seen.has(id) || this.#ids.labelOf(id) !== undefined) {
        throw new InvalidArgumentError(
          `${where}: id '${id}' appears twice or is already in the index; ids must be unique.`,
          { id },
        );
      }
      seen.add(id);
      if (this.space === 'cosine') checkDirection(vectors, row * this.dim, this.dim, where);
    }
    this.#reserve(this.size + ids.length);
    const start = this.size;
    this.#data.set(vectors, start * this.dim);
    for (let row = 0; row < ids.length; row++) {
      this.#norms[start + row] = squaredNorm(vectors, row * this.dim, this.dim);
      this.#ids.assign(ids[row]!, start + row, metadata?.[row]);
    }
  }

  upsert(id: string, vector: ArrayLike<number>, metadata?: M): void {
    const where = `ExactIndex.upsert('${id}')`;
    checkId(id, where);
    const row = this.#ids.labelOf(id);
    if (row === undefined) {
      this.add(id, vector, metadata);
      return;
    }
    this.#checkInput(vector, 0, where);
    this.#writeRow(row, vector, 0);
    this.#ids.assign(id, row, metadata);
  }

  delete(id: string): void {
    const row = this.#ids.remove(id);
    if (row === undefined) throw missingId(id, 'ExactIndex.delete');
    const last = this.#ids.size; // the old last row, after the removal
    if (row !== last) {
      const dim = this.dim;
      this.#data.copyWithin(row * dim, last * dim, (last + 1) * dim);
      this.#norms[row] = this.#norms[last]!;
      this.#ids.move(last, row);
    }
    this.#ids.trim();
  }

  has(id: string): boolean {
    return this.#ids.labelOf(id) !== undefined;
  }

  getMetadata(id: string): M | undefined {
    const row = this.#ids.labelOf(id);
    if (row === undefined) throw missingId(id, 'ExactIndex.getMetadata');
    return this.#ids.metadataAt(row);
  }

  /** A copy of the stored vector of a live item. */
  getVector(id: string): Float32Array {
    const row = this.#ids.labelOf(id);
    if (row === undefined) throw missingId(id, 'ExactIndex.getVector');
    return this.#data.slice(row * this.dim, (row + 1) * this.dim);
  }

  search(query: ArrayLike<number>, k: number, options: SearchOptions<M> = {}): SearchResult {
    const where = 'ExactIndex.search';
    checkK(k, where);
    this.#checkInput(query, 0, where);
    const queries = query instanceof Float32Array ? query : Float32Array.from(query);
    return this.#toResults(this.searchRows(queries, k, options))[0]!;
  }

  searchBatch(queries: Float32Array, k: number, options: SearchOptions<M> = {}): SearchResult[] {
    const where = 'ExactIndex.searchBatch';
    checkK(k, where);
    const count = queries.length / this.dim;
    checkRows(queries, Number.isInteger(count) ? count : -1, this.dim, where);
    if (this.space === 'cosine') {
      for (let row = 0; row < count; row++)
        checkDirection(queries, row * this.dim, this.dim, where);
    }
    return this.#toResults(this.searchRows(queries, k, options));
  }

  /**
   * Like {@link searchBatch} but returns row numbers (see {@link vectors}) instead of ids, as
   * flat typed matrices: the form recall computations and ground-truth files want. Rows are
   * not validated; pass finite `count × dim` data.
   * @param k - neighbours per query; it is capped at the index size.
   */
  searchRows(
    queries: Float32Array,
    k: number,
    options: SearchOptions<M> & { onProgress?: (done: number) => void } = {},
  ): NeighbourMatrix {
    const size = this.size;
    let allowed: Uint8Array | undefined;
    if (options.filter !== undefined) {
      allowed = new Uint8Array(size);
      for (let row = 0; row < size; row++) {
        allowed[row] = options.filter(this.#ids.idAt(row)!, this.#ids.metadataAt(row)) ? 1 : 0;
      }
    }
    return exactKnn(this.vectors, queries, this.dim, Math.max(1, Math.min(k, size)), {
      space: this.space,
      baseSquaredNorms: this.#norms.subarray(0, size),
      ...(allowed === undefined ? {} : { allowed }),
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    });
  }

  async save(dir: string): Promise<void> {
    const vectors = this.vectors;
    await writeArtifact(dir, {
      kind: INDEX_ARTIFACT_KIND,
      formatVersion: INDEX_FORMAT_VERSION,
      description: `Exact index of ${this.size} ${this.dim}-dimensional vectors, ${this.space}`,
      params: { type: 'exact', dim: this.dim, space: this.space, size: this.size },
      files: {
        // Raw float32, little-endian (the byte order of every platform Node runs on here).
        [VECTORS_FILE]: new Uint8Array(vectors.buffer, vectors.byteOffset, vectors.byteLength),
        [ITEMS_FILE]: JSON.stringify(this.#ids.toJSON()),
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
  ): Promise<ExactIndex<M>> {
    const { artifact, params } = await openIndexArtifact(dir, expect);
    if (params.type !== 'exact') {
      throw new InvalidArgumentError(
        `${artifact.dir} holds an '${params.type}' index, not an exact one; load it with loadIndex().`,
      );
    }
    const items = await readItems<M>(artifact, ITEMS_FILE);
    const bytes = await artifact.readFile(VECTORS_FILE);
    if (bytes.byteLength % (4 * params.dim) !== 0) {
      throw new CorruptFileError(
        `${artifact.dir}/${VECTORS_FILE} has ${bytes.byteLength} bytes, not a whole number of ` +
          `${params.dim}-float rows; re-create the index artifact.`,
      );
    }
    const rows = bytes.byteLength / (4 * params.dim);
    checkLoadedShape(artifact.dir, params, { dim: params.dim, labelCount: rows, items });
    if (items.labels.some((label, i) => label !== i)) {
      throw new CorruptFileError(`${artifact.dir}/${ITEMS_FILE}: exact-index rows must be 0..n-1.`);
    }
    const index = new ExactIndex<M>({
      dim: params.dim,
      space: params.space,
      capacity: Math.max(1, rows),
    });
    const vectors = new Float32Array(rows * params.dim);
    new Uint8Array(vectors.buffer).set(bytes);
    index.#data.set(vectors);
    for (let row = 0; row < rows; row++) {
      index.#norms[row] = squaredNorm(vectors, row * params.dim, params.dim);
    }
    index.#ids = IdTable.fromJSON(items);
    return index;
  }

  #toResults(matrix: NeighbourMatrix): SearchResult[] {
    const results: SearchResult[] = [];
    for (let q = 0; q < matrix.count; q++) {
      const offset = q * matrix.k;
      let count = 0;
      while (count < matrix.k && matrix.indices[offset + count]! >= 0) count++;
      const ids = new Array<string>(count);
      for (let i = 0; i < count; i++) ids[i] = this.#ids.idAt(matrix.indices[offset + i]!)!;
      results.push({ ids, distances: matrix.distances.slice(offset, offset + count) });
    }
    return results;
  }

  #writeRow(row: number, source: ArrayLike<number>, offset: number): void {
    const dim = this.dim;
    const start = row * dim;
    for (let j = 0; j < dim; j++) this.#data[start + j] = source[offset + j]!;
    this.#norms[row] = squaredNorm(this.#data, start, dim);
  }

  #reserve(rows: number): void {
    const capacity = this.#norms.length;
    if (rows <= capacity) return;
    const next = Math.max(rows, capacity * 2);
    const data = new Float32Array(next * this.dim);
    data.set(this.#data.subarray(0, this.size * this.dim));
    const norms = new Float64Array(next);
    norms.set(this.#norms.subarray(0, this.size));
    this.#data = data;
    this.#norms = norms;
  }

  #checkInput(vector: ArrayLike<number>, offset: number, where: string): void {
    checkVector(vector, this.dim, where);
    if (this.space === 'cosine') checkDirection(vector, offset, this.dim, where);
  }
}

function squaredNorm(data: ArrayLike<number>, offset: number, dim: number): number {
  let sum = 0;
  for (let j = 0; j < dim; j++) {
    const v = data[offset + j]!;
    sum += v * v;
  }
  return sum;
}
