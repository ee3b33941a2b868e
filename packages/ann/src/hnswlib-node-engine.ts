import { readFileSync, writeFileSync } from 'node:fs';
import { InvalidArgumentError, NotFoundError } from '@mlsd/core';
import { noteFallback } from '@mlsd/core/internal';
import type { HierarchicalNSW as NativeIndex } from 'hnswlib-node';
import type { HnswEngine } from './hnsw-engine.js';
import { HnswGraph, type HnswGraphOptions } from './hnsw-graph.js';
import { withTempFile } from './temp-file.js';
import type { Space } from './vector-index.js';

/**
 * The optional hnswlib-node engine of `HnswIndex` (hnswlib's C++, compiled by node-gyp when the
 * package installs). It is never imported on the default path: {@link loadHnswlibNode} brings it
 * in by dynamic import when a user asks for it (`engine: 'hnswlib-node'` or
 * `MLSD_HNSW_ENGINE=hnswlib-node`).
 */

/** What the hnswlib-node module exports that we use. */
type HnswlibModule = typeof import('hnswlib-node');

/** Names of the engines an `HnswIndex` can run on. */
export type HnswEngineName = 'wasm' | 'hnswlib-node';

/** Environment variable that picks the engine of indexes created without an `engine` option. */
export const HNSW_ENGINE_ENV = 'MLSD_HNSW_ENGINE';

let hnswlib: HnswlibModule | undefined;
let loadError: unknown;

/**
 * Imports hnswlib-node (once) so that indexes can run on it. Resolves to true when it is
 * available, false when it is not installed or did not build (the reason is kept for
 * {@link requireHnswlibNode}'s message).
 */
export async function loadHnswlibNode(): Promise<boolean> {
  if (hnswlib !== undefined) return true;
  try {
    const imported = (await import('hnswlib-node')) as HnswlibModule & { default?: HnswlibModule };
    hnswlib = imported.default ?? imported;
    return true;
  } catch (error) {
    loadError = error;
    return false;
  }
}

/** The engine the environment asks for (`MLSD_HNSW_ENGINE`), if any. */
export function engineFromEnv(): HnswEngineName | undefined {
  const value = process.env[HNSW_ENGINE_ENV]?.trim();
  if (value === undefined || value === '') return undefined;
  if (value === 'wasm' || value === 'hnswlib-node') return value;
  throw new InvalidArgumentError(
    `${HNSW_ENGINE_ENV}=${value} is not an HNSW engine: use 'wasm' (built in) or 'hnswlib-node'.`,
  );
}

/**
 * The hnswlib-node module for an index that asked for it by option.
 * @throws NotFoundError when it is not installed or did not build, or was not loaded yet.
 */
function requireHnswlibNode(): HnswlibModule {
  if (hnswlib !== undefined) return hnswlib;
  if (loadError === undefined) {
    throw new InvalidArgumentError(
      "HnswIndex engine 'hnswlib-node' is loaded by dynamic import: create the index with " +
        '`await HnswIndex.create(options)` (or `await loadHnswlibNode()` once before `new HnswIndex`).',
    );
  }
  throw new NotFoundError(
    "HnswIndex engine 'hnswlib-node' is not available: install the optional package " +
      '(`npm install hnswlib-node`, which compiles C++ and needs g++ and make), or leave the ' +
      `engine option out to use the built-in WebAssembly engine. Import failed: ${String(loadError)}`,
  );
}

/**
 * The engine to build an index on: the option, else `MLSD_HNSW_ENGINE`, else the built-in one.
 * An engine asked for by the environment that is not loaded falls back to the built-in engine
 * (logged once, counted); one asked for by option throws.
 */
export function pickEngine(option: HnswEngineName | undefined): HnswEngineName {
  if (option !== undefined) {
    if (option === 'hnswlib-node') requireHnswlibNode();
    return option;
  }
  const fromEnv = engineFromEnv();
  if (fromEnv !== 'hnswlib-node') return 'wasm';
  if (hnswlib !== undefined) return fromEnv;
  noteFallback(
    '@mlsd/ann HnswIndex',
    `${HNSW_ENGINE_ENV}=hnswlib-node but hnswlib-node is ${loadError === undefined ? 'not loaded (create indexes with `await HnswIndex.create()`)' : 'not installed'}; using the built-in WebAssembly engine`,
    loadError === undefined ? {} : { reason: String(loadError) },
  );
  return 'wasm';
}

/** Options of a new hnswlib-node engine: the graph's, and the search beam width. */
type NativeOptions = HnswGraphOptions & { ef: number };

/**
 * `HnswIndex`'s engine on hnswlib-node. Labels are node ids (dense, reused by re-adding a
 * deleted label, which hnswlib turns into unmark + updatePoint). Searches run on a read-only
 * {@link HnswGraph} copy after {@link optimize} (hnswlib-node reads a query with one N-API call
 * per value, as long as the search itself at small ef), else on `searchKnn`.
 */
export class HnswlibNodeEngine implements HnswEngine {
  readonly #dim: number;
  readonly #space: Space;
  #native: NativeIndex;
  #graph: HnswGraph | undefined;
  #count = 0;
  /** One reused plain array for handing vectors to hnswlib, which reads only JS arrays. */
  readonly #scratch: number[];
  resultLabels = new Int32Array(64);
  resultDistances = new Float32Array(64);

  private constructor(native: NativeIndex, dim: number, space: Space) {
    this.#native = native;
    this.#dim = dim;
    this.#space = space;
    this.#scratch = new Array<number>(dim).fill(0);
  }

  /** An empty index. */
  static create(options: NativeOptions): HnswlibNodeEngine {
    const { HierarchicalNSW } = requireHnswlibNode();
    const native = new HierarchicalNSW(options.space, options.dim);
    // allowReplaceDeleted stays off: a deleted node is reused by re-adding its own label.
    native.initIndex(options.capacity, options.M, options.efConstruction, options.seed, false);
    native.setEf(options.ef);
    return new HnswlibNodeEngine(native, options.dim, options.space);
  }

  /**
   * hnswlib-node over a graph file (ours or its own); when `graph` is that file's graph, it
   * becomes the search copy. hnswlib-node reads only paths, so the bytes go through a temporary
   * file.
   */
  static fromFile(
    file: Uint8Array,
    dim: number,
    space: Space,
    ef: number,
    graph?: HnswGraph,
  ): HnswlibNodeEngine {
    const { HierarchicalNSW } = requireHnswlibNode();
    const native = new HierarchicalNSW(space, dim);
    withTempFile((path) => {
      writeFileSync(path, file);
      native.readIndexSync(path, false);
    });
    native.setEf(ef);
    const engine = new HnswlibNodeEngine(native, dim, space);
    engine.#count = native.getCurrentCount();
    engine.#graph = graph ?? HnswGraph.fromFile(file, dim, space);
    return engine;
  }

  get count(): number {
    return this.#count;
  }

  get capacity(): number {
    return this.#native.getMaxElements();
  }

  reserve(capacity: number): void {
    const current = this.#native.getMaxElements();
    if (capacity > current) this.#native.resizeIndex(capacity);
  }

  insert(source: ArrayLike<number>, offset: number): number {
    const label = this.#count;
    if (label >= this.capacity) this.reserve(Math.max(label + 1, 2 * this.capacity));
    this.#graph = undefined;
    this.#native.addPoint(this.#toScratch(source, offset), label);
    this.#count++;
    return label;
  }

  update(label: number, source: ArrayLike<number>, offset: number): void {
    this.#graph = undefined;
    this.#native.addPoint(this.#toScratch(source, offset), label);
  }

  markDeleted(label: number): void {
    this.#graph = undefined;
    this.#native.markDelete(label);
  }

  getVector(label: number): Float32Array {
    return Float32Array.from(this.#native.getPoint(label));
  }

  /** Copies the graph for fast search until the next change; false when it does not fit. */
  optimize(): boolean {
    if (this.#graph !== undefined) return true;
    try {
      this.#graph = HnswGraph.fromFile(this.toFile(), this.#dim, this.#space);
      return true;
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      noteFallback(
        '@mlsd/ann HnswIndex.optimizeForSearch',
        'the graph is too large to copy into WebAssembly memory; searching on hnswlib-node',
        { size: this.#count },
      );
      return false;
    }
  }

  get optimized(): boolean {
    return this.#graph !== undefined;
  }

  search(
    source: ArrayLike<number>,
    offset: number,
    k: number,
    ef: number,
    allow?: (label: number) => boolean,
  ): number {
    const graph = this.#graph;
    if (graph !== undefined) {
      const found = graph.search(source, offset, k, ef, allow);
      this.resultLabels = graph.resultLabels;
      this.resultDistances = graph.resultDistances;
      return found;
    }
    this.#native.setEf(ef);
    const query = this.#toScratch(source, offset);
    const result =
      allow === undefined
        ? this.#native.searchKnn(query, k)
        : this.#native.searchKnn(query, k, allow);
    const found = result.neighbors.length;
    if (found > this.resultLabels.length) {
      this.resultLabels = new Int32Array(found);
      this.resultDistances = new Float32Array(found);
    }
    for (let i = 0; i < found; i++) {
      this.resultLabels[i] = result.neighbors[i]!;
      this.resultDistances[i] = result.distances[i]!;
    }
    return found;
  }

  toFile(): Uint8Array {
    return withTempFile((path) => {
      this.#native.writeIndexSync(path);
      return readFileSync(path);
    });
  }

  #toScratch(source: ArrayLike<number>, offset: number): number[] {
    const scratch = this.#scratch;
    for (let j = 0; j < scratch.length; j++) scratch[j] = source[offset + j]!;
    return scratch;
  }
}
