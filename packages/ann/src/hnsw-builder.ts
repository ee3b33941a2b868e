import { Rng } from '@mlsd/core';
import { DistanceHeap } from './distance-heap.js';
import type { Space } from './vector-index.js';
import {
  createDistanceKernels,
  type DistanceKernels,
  paddedStride,
  runKernels,
} from './wasm-distances.js';

/** hnswlib's index-file header: 11 size_t / int / double fields. */
const HEADER_BYTES = 96;

/** Options of {@link buildHnswFile}. */
export interface HnswBuildFileOptions {
  space: Space;
  /** Links per node on the upper levels (2M on level 0). */
  M: number;
  /** Build beam width (raised to M when smaller, as hnswlib does). */
  efConstruction: number;
  /** Seed of the level draws. */
  seed: number;
  /** Elements the file declares room for (hnswlib's max_elements; ≥ n). */
  capacity: number;
  /** Called every 1,000 inserts with the number done. */
  onProgress?: (done: number) => void;
}

/**
 * Builds an HNSW graph over the rows of `vectors` (labels 0 … n − 1, in row order) and returns
 * it as hnswlib's own index file, ready for hnswlib-node's `readIndex`.
 *
 * The algorithm is hnswlib's insert, step for step (Malkov & Yashunin, Algorithm 1 with the
 * neighbour-selection heuristic of Algorithm 4): draw a level ⌊−ln U · 1/ln M⌋, descend
 * greedily to it, then on each level down to 0 run an efConstruction-wide beam search, keep
 * M neighbours by the heuristic (a candidate is kept only if it is nearer to the new point than
 * to every neighbour kept so far), link both ways, and prune a neighbour's list by the same
 * heuristic when it overflows (M per upper level, 2M on level 0). Only the level draws (our
 * seeded generator, not std::default_random_engine) and the float summation order differ, so
 * the graph is one hnswlib could have built, not byte-identical to it.
 *
 * Why: hnswlib-node's `addPoint` reads each vector through one N-API call per value (about
 * 50 µs for 784 values, some 7 % of an insert); here the vectors go to WebAssembly memory in
 * one copy, and distances run several rows per kernel pass (eight, then four, two, one) so
 * the beam search's random reads overlap.
 */
export function buildHnswFile(
  vectors: Float32Array,
  dim: number,
  options: HnswBuildFileOptions,
): Uint8Array {
  const builder = new GraphBuilder(vectors, dim, options);
  builder.insertAll(options.onProgress);
  return builder.toFile(vectors);
}

class GraphBuilder {
  readonly #n: number;
  readonly #dim: number;
  readonly #M: number;
  readonly #maxM0: number;
  readonly #efConstruction: number;
  readonly #mult: number;
  readonly #capacity: number;
  readonly #space: Space;
  readonly #kernels: DistanceKernels;
  /** Cosine rows are normalised, so cosine distance is the inner-product kernel's. */
  readonly #kernelSpace: 'l2' | 'ip';
  readonly #stride: number;
  readonly #idsAt: number;
  readonly #outAt: number;
  readonly #baseAt: number;
  readonly #ids: Int32Array;
  readonly #out: Float32Array;
  readonly #levels: Uint8Array;
  readonly #links0: Int32Array;
  readonly #counts0: Uint16Array;
  /** Node i's level-l block (count, then M ids) at upper[upperAt[i] + (l − 1)(M + 1)]. */
  readonly #upper: Int32Array;
  readonly #upperAt: Int32Array;
  readonly #visited: Uint16Array;
  #epoch = 0;
  #entryPoint = -1;
  #maxLevel = -1;
  readonly #top = new DistanceHeap(256);
  readonly #candidates = new DistanceHeap(256);
  /** Scratch lists for the heuristic: candidates ascending, then the kept ones. */
  readonly #listIds: Int32Array;
  readonly #listDistances: Float64Array;
  readonly #keptIds: Int32Array;
  readonly #keptDistances: Float64Array;

  constructor(vectors: Float32Array, dim: number, options: HnswBuildFileOptions) {
    const n = vectors.length / dim;
    this.#n = n;
    this.#dim = dim;
    this.#M = options.M;
    this.#maxM0 = 2 * options.M;
    this.#efConstruction = Math.max(options.efConstruction, options.M);
    this.#mult = 1 / Math.log(options.M);
    this.#capacity = Math.max(options.capacity, n);
    this.#space = options.space;

    const stride = paddedStride(dim);
    this.#stride = stride;
    const maxIds = this.#maxM0 + 1;
    const buffer = Math.ceil((maxIds * 4) / 64) * 64;
    this.#idsAt = 0;
    this.#outAt = buffer;
    this.#baseAt = 2 * buffer;
    this.#kernels = createDistanceKernels(this.#baseAt + n * stride);
    this.#kernelSpace = options.space === 'l2' ? 'l2' : 'ip';
    const memory = this.#kernels.memory.buffer;
    this.#ids = new Int32Array(memory, this.#idsAt, maxIds);
    this.#out = new Float32Array(memory, this.#outAt, maxIds);
    const rows = new Float32Array(memory, this.#baseAt, (n * stride) / 4);
    const rowFloats = stride / 4;
    for (let i = 0; i < n; i++) {
      const row = vectors.subarray(i * dim, (i + 1) * dim);
      if (options.space === 'cosine') {
        // hnswlib normalises cosine vectors on insert (and stores them normalised).
        let norm = 0;
        for (let j = 0; j < dim; j++) norm += row[j]! * row[j]!;
        const scale = 1 / (Math.sqrt(norm) + 1e-30);
        for (let j = 0; j < dim; j++) rows[i * rowFloats + j] = row[j]! * scale;
      } else {
        rows.set(row, i * rowFloats);
      }
    }

    const rng = new Rng(options.seed);
    this.#levels = new Uint8Array(n);
    this.#upperAt = new Int32Array(n).fill(-1);
    let upperInts = 0;
    for (let i = 0; i < n; i++) {
      const level = Math.min(255, Math.floor(-Math.log(1 - rng.next()) * this.#mult));
      this.#levels[i] = level;
      if (level > 0) {
        this.#upperAt[i] = upperInts;
        upperInts += level * (this.#M + 1);
      }
    }
    this.#upper = new Int32Array(upperInts);
    this.#links0 = new Int32Array(n * this.#maxM0);
    this.#counts0 = new Uint16Array(n);
    this.#visited = new Uint16Array(n);
    const listSize = Math.max(this.#efConstruction, this.#maxM0 + 1);
    this.#listIds = new Int32Array(listSize);
    this.#listDistances = new Float64Array(listSize);
    this.#keptIds = new Int32Array(listSize);
    this.#keptDistances = new Float64Array(listSize);
  }

  insertAll(onProgress?: (done: number) => void): void {
    for (let i = 0; i < this.#n; i++) {
      this.#insert(i);
      if (onProgress !== undefined && (i + 1) % 1000 === 0) onProgress(i + 1);
    }
    onProgress?.(this.#n);
  }

  #insert(node: number): void {
    const level = this.#levels[node]!;
    if (this.#entryPoint < 0) {
      this.#entryPoint = node;
      this.#maxLevel = level;
      return;
    }
    let current = this.#entryPoint;
    const maxLevel = this.#maxLevel;
    if (level < maxLevel) {
      let currentDistance = this.#distancesTo(node, [current], 1);
      for (let l = maxLevel; l > level; l--) {
        let changed = true;
        while (changed) {
          changed = false;
          const block = this.#upperAt[current]! + (l - 1) * (this.#M + 1);
          const size = this.#upper[block]!;
          if (size === 0) break;
          const ids = this.#ids;
          for (let i = 0; i < size; i++) ids[i] = this.#upper[block + 1 + i]!;
          this.#run(node, size);
          for (let i = 0; i < size; i++) {
            const d = this.#out[i]!;
            if (d < currentDistance) {
              currentDistance = d;
              current = ids[i]!;
              changed = true;
            }
          }
        }
      }
    }
    for (let l = Math.min(level, maxLevel); l >= 0; l--) {
      this.#searchLayer(node, current, l);
      current = this.#connect(node, l);
    }
    if (level > maxLevel) {
      this.#entryPoint = node;
      this.#maxLevel = level;
    }
  }

  /** Beam search for `node` from `entry` on level `level`; leaves the beam in #top. */
  #searchLayer(node: number, entry: number, level: number): void {
    const top = this.#top;
    const candidates = this.#candidates;
    top.clear();
    candidates.clear();
    const epoch = this.#nextEpoch();
    const visited = this.#visited;
    const ef = this.#efConstruction;
    const entryDistance = this.#distancesTo(node, [entry], 1);
    top.push(entryDistance, entry);
    candidates.push(-entryDistance, entry);
    let lowerBound = entryDistance;
    visited[entry] = epoch;
    const ids = this.#ids;
    const out = this.#out;
    while (candidates.size > 0) {
      if (-candidates.topKey > lowerBound && top.size === ef) break;
      const current = candidates.topId;
      candidates.pop();
      let first: number;
      let size: number;
      let links: Int32Array;
      if (level === 0) {
        links = this.#links0;
        first = current * this.#maxM0;
        size = this.#counts0[current]!;
      } else {
        links = this.#upper;
        const block = this.#upperAt[current]! + (level - 1) * (this.#M + 1);
        first = block + 1;
        size = this.#upper[block]!;
      }
      let fresh = 0;
      for (let j = 0; j < size; j++) {
        const neighbour = links[first + j]!;
        if (visited[neighbour] !== epoch) {
          visited[neighbour] = epoch;
          ids[fresh++] = neighbour;
        }
      }
      if (fresh === 0) continue;
      this.#run(node, fresh);
      for (let j = 0; j < fresh; j++) {
        const d = out[j]!;
        if (top.size < ef || lowerBound > d) {
          const neighbour = ids[j]!;
          candidates.push(-d, neighbour);
          top.push(d, neighbour);
          if (top.size > ef) top.pop();
          lowerBound = top.topKey;
        }
      }
    }
  }

  /**
   * Links `node` on `level` to the heuristic's pick from the beam in #top, and each picked
   * neighbour back to it (pruning full lists). Returns the nearest pick, the next entry point.
   */
  #connect(node: number, level: number): number {
    // The beam, ascending.
    const top = this.#top;
    let count = top.size;
    for (let i = count - 1; i >= 0; i--) {
      this.#listIds[i] = top.topId;
      this.#listDistances[i] = top.topKey;
      top.pop();
    }
    count = this.#selectNeighbours(count, this.#M);
    const kept = this.#keptIds;
    const keptDistances = this.#keptDistances;
    const picked = Int32Array.from(kept.subarray(0, count));
    const pickedDistances = Float64Array.from(keptDistances.subarray(0, count));
    // Own links, farthest first as hnswlib stores them.
    this.#writeLinks(node, level, picked, count, true);
    const maxLinks = level === 0 ? this.#maxM0 : this.#M;
    for (let p = 0; p < count; p++) {
      const other = picked[p]!;
      const { links, first, size } = this.#linksOf(other, level);
      if (size < maxLinks) {
        links[first + size] = node;
        this.#setCount(other, level, size + 1);
        continue;
      }
      // Full: choose again among its links and the new node, by the same heuristic.
      const ids = this.#ids;
      for (let j = 0; j < size; j++) ids[j] = links[first + j]!;
      this.#run(other, size);
      let candidates = 0;
      this.#listIds[candidates] = node;
      this.#listDistances[candidates++] = pickedDistances[p]!;
      for (let j = 0; j < size; j++) {
        this.#listIds[candidates] = ids[j]!;
        this.#listDistances[candidates++] = this.#out[j]!;
      }
      sortAscending(this.#listIds, this.#listDistances, candidates);
      const keptCount = this.#selectNeighbours(candidates, maxLinks);
      this.#writeLinks(other, level, kept, keptCount, true);
    }
    return picked[0]!;
  }

  /**
   * hnswlib's getNeighborsByHeuristic2 over the first `count` entries of #listIds /
   * #listDistances (ascending): keeps a candidate when it is nearer to the query than to every
   * candidate kept before it, up to `max`; with fewer than `max` keeps them all. The result is in
   * #keptIds / #keptDistances, ascending; returns how many.
   */
  #selectNeighbours(count: number, max: number): number {
    const kept = this.#keptIds;
    const keptDistances = this.#keptDistances;
    if (count < max) {
      kept.set(this.#listIds.subarray(0, count));
      keptDistances.set(this.#listDistances.subarray(0, count));
      return count;
    }
    let keptCount = 0;
    const ids = this.#ids;
    const out = this.#out;
    for (let c = 0; c < count && keptCount < max; c++) {
      const candidate = this.#listIds[c]!;
      const toQuery = this.#listDistances[c]!;
      // Compare with the kept ones, nearest first, stopping at the first one closer to the
      // candidate than the query is (one row per call: most candidates fall at the first).
      let good = true;
      for (let j = 0; j < keptCount; j++) {
        ids[0] = kept[j]!;
        this.#run(candidate, 1);
        if (out[0]! < toQuery) {
          good = false;
          break;
        }
      }
      if (good) {
        kept[keptCount] = candidate;
        keptDistances[keptCount++] = toQuery;
      }
    }
    return keptCount;
  }

  #linksOf(node: number, level: number): { links: Int32Array; first: number; size: number } {
    if (level === 0) {
      return { links: this.#links0, first: node * this.#maxM0, size: this.#counts0[node]! };
    }
    const block = this.#upperAt[node]! + (level - 1) * (this.#M + 1);
    return { links: this.#upper, first: block + 1, size: this.#upper[block]! };
  }

  #setCount(node: number, level: number, count: number): void {
    if (level === 0) this.#counts0[node] = count;
    else this.#upper[this.#upperAt[node]! + (level - 1) * (this.#M + 1)] = count;
  }

  /** Writes `count` ids (ascending by distance) as node's list, reversed when `farthestFirst`. */
  #writeLinks(
    node: number,
    level: number,
    ids: Int32Array,
    count: number,
    farthestFirst: boolean,
  ): void {
    const { links, first } = this.#linksOf(node, level);
    for (let i = 0; i < count; i++) links[first + i] = ids[farthestFirst ? count - 1 - i : i]!;
    this.#setCount(node, level, count);
  }

  /**
   * Distances from row `node` to the first `count` rows listed in #ids, into #out: whole
   * passes of eight rows, then the rest one by one (for rows in cache: the heuristic's).
   */
  #run(node: number, count: number): void {
    runKernels(
      this.#kernels,
      this.#kernelSpace,
      this.#baseAt + node * this.#stride,
      this.#baseAt,
      this.#idsAt,
      count,
      this.#stride,
      this.#outAt,
    );
  }

  /** Distance from row `node` to the first of `others` (a one-off). */
  #distancesTo(node: number, others: number[], count: number): number {
    for (let i = 0; i < count; i++) this.#ids[i] = others[i]!;
    this.#run(node, count);
    return this.#out[0]!;
  }

  #nextEpoch(): number {
    this.#epoch++;
    if (this.#epoch > 0xffff) {
      this.#visited.fill(0);
      this.#epoch = 1;
    }
    return this.#epoch;
  }

  /** The graph as hnswlib's index file (saveIndex layout, format of hnswlib 0.7–0.8). */
  toFile(original: Float32Array): Uint8Array {
    const n = this.#n;
    const dim = this.#dim;
    const M = this.#M;
    const maxM0 = this.#maxM0;
    const linksLevel0 = maxM0 * 4 + 4;
    const dataBytes = dim * 4;
    const perElement = linksLevel0 + dataBytes + 8;
    const linksPerLevel = M * 4 + 4;
    let upperBytes = 0;
    for (let i = 0; i < n; i++) upperBytes += 4 + this.#levels[i]! * linksPerLevel;
    const file = new Uint8Array(HEADER_BYTES + n * perElement + upperBytes);
    const view = new DataView(file.buffer);
    const size = (at: number, value: number) => view.setBigUint64(at, BigInt(value), true);
    size(0, 0); // offsetLevel0
    size(8, this.#capacity);
    size(16, n);
    size(24, perElement);
    size(32, linksLevel0 + dataBytes); // label offset
    size(40, linksLevel0); // data offset
    view.setInt32(48, this.#maxLevel, true);
    view.setUint32(52, this.#entryPoint < 0 ? 0xffffffff : this.#entryPoint, true);
    size(56, M); // maxM
    size(64, maxM0);
    size(72, M);
    view.setFloat64(80, this.#mult, true);
    size(88, this.#efConstruction);
    const memory = new Float32Array(this.#kernels.memory.buffer, this.#baseAt);
    const rowFloats = this.#stride / 4;
    for (let i = 0; i < n; i++) {
      const at = HEADER_BYTES + i * perElement;
      const count = this.#counts0[i]!;
      view.setUint32(at, count, true);
      for (let j = 0; j < count; j++)
        view.setInt32(at + 4 + 4 * j, this.#links0[i * maxM0 + j]!, true);
      // Stored vectors: as given, or normalised for cosine (what hnswlib stores).
      const source = this.#space === 'cosine' ? memory : original;
      const offset = this.#space === 'cosine' ? i * rowFloats : i * dim;
      for (let j = 0; j < dim; j++) {
        view.setFloat32(at + linksLevel0 + 4 * j, source[offset + j]!, true);
      }
      view.setBigUint64(at + linksLevel0 + dataBytes, BigInt(i), true);
    }
    let at = HEADER_BYTES + n * perElement;
    for (let i = 0; i < n; i++) {
      const levels = this.#levels[i]!;
      view.setUint32(at, levels * linksPerLevel, true);
      at += 4;
      const from = this.#upperAt[i]!;
      for (let l = 0; l < levels; l++) {
        const block = from + l * (M + 1);
        const count = this.#upper[block]!;
        view.setUint32(at, count, true);
        for (let j = 0; j < count; j++)
          view.setInt32(at + 4 + 4 * j, this.#upper[block + 1 + j]!, true);
        at += linksPerLevel;
      }
    }
    return file;
  }
}

/** Sorts the first `count` (id, distance) pairs by ascending distance (insertion sort: ≤ 2M + 1). */
function sortAscending(ids: Int32Array, distances: Float64Array, count: number): void {
  for (let i = 1; i < count; i++) {
    const id = ids[i]!;
    const d = distances[i]!;
    let j = i - 1;
    while (j >= 0 && distances[j]! > d) {
      ids[j + 1] = ids[j]!;
      distances[j + 1] = distances[j]!;
      j--;
    }
    ids[j + 1] = id;
    distances[j + 1] = d;
  }
}
