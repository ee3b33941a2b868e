import { CorruptFileError } from '@mlsd/core';
import { DistanceHeap } from './distance-heap.js';
import type { Space } from './vector-index.js';
import {
  createDistanceKernels,
  type DistanceKernels,
  paddedStride,
  runKernels,
} from './wasm-distances.js';

/** hnswlib's header: 11 size_t / int / double fields before the level-0 block. */
const HEADER_BYTES = 96;
/** Largest memory we ask WebAssembly for (wasm32 addresses 4 GiB; leave headroom). */
const MAX_MEMORY_BYTES = 2 ** 32 - 2 ** 20;

/**
 * A read-only copy of an hnswlib graph (parsed from hnswlib's own index file) that answers
 * k-NN queries in JavaScript, with the vectors in WebAssembly memory and distances computed by
 * SIMD kernels for all of a node's unvisited neighbours at once, several rows per pass (eight,
 * then four, two, one) so their memory reads overlap.
 *
 * Why it exists: hnswlib-node reads a query with one N-API call per value (784 calls for a
 * Fashion-MNIST image, about 40 µs), more than the graph search itself at small ef, while
 * Python's binding reads a numpy buffer in one go. Here a query costs one typed-array copy.
 *
 * The search is hnswlib's `searchKnn`, step for step: greedy descent through the upper levels,
 * then the ef-bounded best-first search on level 0, where deleted or filtered-out nodes are
 * traversed but never returned. Only the summation order inside a distance differs.
 */
export class HnswGraph {
  /** Nodes in the graph, deleted ones included. */
  readonly nodeCount: number;
  readonly dim: number;
  readonly space: Space;
  readonly #kernels: DistanceKernels;
  /** Cosine vectors are stored normalised, so cosine distance is the inner-product kernel's. */
  readonly #kernelSpace: 'l2' | 'ip';
  readonly #stride: number;
  /** Byte offsets in kernel memory. */
  readonly #queryAt: number;
  readonly #idsAt: number;
  readonly #outAt: number;
  readonly #baseAt: number;
  readonly #queryView: Float32Array;
  readonly #idsView: Int32Array;
  readonly #outView: Float32Array;
  /** Level-0 links: node i's neighbours at links0[i · maxM0 …], count in counts0[i]. */
  readonly #links0: Int32Array;
  readonly #counts0: Uint16Array;
  readonly #maxM0: number;
  /** Upper levels: node i's level-l block at upper[upperAt[i] + (l − 1)(maxM + 1)]: count, ids. */
  readonly #upper: Int32Array;
  readonly #upperAt: Int32Array;
  readonly #maxM: number;
  readonly #labels: Int32Array;
  readonly #deleted: Uint8Array;
  readonly #hasDeleted: boolean;
  readonly #entryPoint: number;
  readonly #maxLevel: number;
  /** Visited marks: node i is visited in this search when visited[i] === #epoch. */
  readonly #visited: Uint16Array;
  #epoch = 0;
  readonly #top = new DistanceHeap();
  readonly #candidates = new DistanceHeap();
  /** Result of the last search: labels and distances, nearest first (grown for large k). */
  resultLabels: Int32Array;
  resultDistances: Float32Array;

  /**
   * Parses hnswlib's index file (`writeIndex`) for `dim`-dimensional vectors in `space`.
   * @throws CorruptFileError when the bytes are not such a file.
   * @throws RangeError when the graph does not fit in WebAssembly memory (over ~4 GiB).
   */
  constructor(file: Uint8Array, dim: number, space: Space) {
    this.dim = dim;
    this.space = space;
    const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
    const size = (offset: number) => Number(view.getBigUint64(offset, true));
    if (file.byteLength < HEADER_BYTES) throw corrupt('shorter than its header');
    const offsetLevel0 = size(0);
    const count = size(16);
    const sizePerElement = size(24);
    const labelOffset = size(32);
    const dataOffset = size(40);
    const maxLevel = view.getInt32(48, true);
    const entryPoint = view.getUint32(52, true);
    const maxM = size(56);
    const maxM0 = size(64);
    const linksPerLevel = maxM * 4 + 4;
    if (
      offsetLevel0 !== 0 ||
      dataOffset !== maxM0 * 4 + 4 ||
      labelOffset !== dataOffset + dim * 4 ||
      sizePerElement !== labelOffset + 8 ||
      file.byteLength < HEADER_BYTES + count * sizePerElement + count * 4
    ) {
      throw corrupt(`its layout does not fit ${dim}-dimensional vectors`);
    }
    this.nodeCount = count;
    this.#maxM0 = maxM0;
    this.#maxM = maxM;
    this.#maxLevel = count === 0 ? -1 : maxLevel;
    this.#entryPoint = entryPoint;

    const stride = paddedStride(dim);
    this.#stride = stride;
    const maxLinks = Math.max(maxM0, maxM);
    const buffer = Math.ceil((maxLinks * 4) / 64) * 64;
    this.#queryAt = 0;
    this.#idsAt = stride;
    this.#outAt = stride + buffer;
    this.#baseAt = stride + 2 * buffer;
    const memoryBytes = this.#baseAt + count * stride;
    if (memoryBytes > MAX_MEMORY_BYTES) {
      throw new RangeError(`HnswGraph: ${memoryBytes} bytes exceed WebAssembly's 4 GiB memory.`);
    }
    this.#kernels = createDistanceKernels(memoryBytes);
    this.#kernelSpace = space === 'l2' ? 'l2' : 'ip';
    const memory = this.#kernels.memory.buffer;
    this.#queryView = new Float32Array(memory, this.#queryAt, stride / 4);
    this.#idsView = new Int32Array(memory, this.#idsAt, maxLinks);
    this.#outView = new Float32Array(memory, this.#outAt, maxLinks);

    this.#links0 = new Int32Array(count * maxM0);
    this.#counts0 = new Uint16Array(count);
    this.#labels = new Int32Array(count);
    this.#deleted = new Uint8Array(count);
    const vectors = new Float32Array(memory, this.#baseAt, (count * stride) / 4);
    let hasDeleted = false;
    const rowFloats = stride / 4;
    for (let i = 0; i < count; i++) {
      const at = HEADER_BYTES + i * sizePerElement;
      const header = view.getUint32(at, true);
      const links = header & 0xffff;
      if (links > maxM0) throw corrupt(`node ${i} lists ${links} level-0 links (max ${maxM0})`);
      this.#counts0[i] = links;
      if (((header >>> 16) & 0xff & 0x01) !== 0) {
        this.#deleted[i] = 1;
        hasDeleted = true;
      }
      for (let j = 0; j < links; j++) {
        this.#links0[i * maxM0 + j] = view.getInt32(at + 4 + 4 * j, true);
      }
      for (let j = 0; j < dim; j++) {
        vectors[i * rowFloats + j] = view.getFloat32(at + dataOffset + 4 * j, true);
      }
      this.#labels[i] = view.getUint32(at + labelOffset, true);
    }
    this.#hasDeleted = hasDeleted;

    // Upper levels follow: per node a uint32 byte length, then that many bytes of level blocks.
    this.#upperAt = new Int32Array(count).fill(-1);
    let at = HEADER_BYTES + count * sizePerElement;
    let upperInts = 0;
    const starts = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      if (at + 4 > file.byteLength) throw corrupt('it ends inside the upper levels');
      const bytes = view.getUint32(at, true);
      if (bytes % linksPerLevel !== 0) throw corrupt(`node ${i} has a partial upper level`);
      starts[i] = at + 4;
      if (bytes > 0) {
        this.#upperAt[i] = upperInts;
        upperInts += bytes / 4;
      }
      at += 4 + bytes;
    }
    this.#upper = new Int32Array(upperInts);
    for (let i = 0; i < count; i++) {
      const from = this.#upperAt[i]!;
      if (from < 0) continue;
      const ints = (i + 1 < count ? starts[i + 1]! - 4 : at) - starts[i]!;
      for (let j = 0; j < ints / 4; j++) {
        this.#upper[from + j] = view.getInt32(starts[i]! + 4 * j, true);
      }
    }
    this.#visited = new Uint16Array(count);
    this.resultLabels = new Int32Array(64);
    this.resultDistances = new Float32Array(64);
  }

  /**
   * Searches for the k nearest nodes to `source[offset … offset + dim)` with beam width
   * max(ef, k); nodes whose label `allow` rejects (and deleted nodes) are passed through but not
   * returned. Writes the result to {@link resultLabels} / {@link resultDistances}, nearest first,
   * and returns how many were found.
   */
  search(
    source: ArrayLike<number>,
    offset: number,
    k: number,
    ef: number,
    allow?: (label: number) => boolean,
  ): number {
    if (this.nodeCount === 0) return 0;
    this.#loadQuery(source, offset);
    const idsView = this.#idsView;
    const outView = this.#outView;

    let current = this.#entryPoint;
    idsView[0] = current;
    this.#run(1);
    let currentDistance = outView[0]!;

    const upper = this.#upper;
    const levelInts = this.#maxM + 1;
    for (let level = this.#maxLevel; level > 0; level--) {
      let changed = true;
      while (changed) {
        changed = false;
        const block = this.#upperAt[current]! + (level - 1) * levelInts;
        const size = upper[block]! & 0xffff;
        if (size === 0) break;
        for (let i = 0; i < size; i++) idsView[i] = upper[block + 1 + i]!;
        this.#run(size);
        for (let i = 0; i < size; i++) {
          const d = outView[i]!;
          if (d < currentDistance) {
            currentDistance = d;
            current = idsView[i]!;
            changed = true;
          }
        }
      }
    }

    const width = Math.max(ef, k);
    const bareBone = !this.#hasDeleted && allow === undefined;
    const deleted = this.#deleted;
    const labels = this.#labels;
    const visited = this.#visited;
    const epoch = this.#nextEpoch();
    const top = this.#top;
    const candidates = this.#candidates;
    top.clear();
    candidates.clear();

    let lowerBound: number;
    if (bareBone || (deleted[current] === 0 && (allow === undefined || allow(labels[current]!)))) {
      lowerBound = currentDistance;
      top.push(currentDistance, current);
      candidates.push(-currentDistance, current);
    } else {
      lowerBound = Number.MAX_VALUE;
      candidates.push(-lowerBound, current);
    }
    visited[current] = epoch;

    const links0 = this.#links0;
    const counts0 = this.#counts0;
    const maxM0 = this.#maxM0;
    while (candidates.size > 0) {
      const candidateDistance = -candidates.topKey;
      if (candidateDistance > lowerBound && (bareBone || top.size === width)) break;
      const node = candidates.topId;
      candidates.pop();

      const first = node * maxM0;
      const size = counts0[node]!;
      let fresh = 0;
      for (let j = 0; j < size; j++) {
        const neighbour = links0[first + j]!;
        if (visited[neighbour] !== epoch) {
          visited[neighbour] = epoch;
          idsView[fresh++] = neighbour;
        }
      }
      if (fresh === 0) continue;
      this.#run(fresh);
      for (let j = 0; j < fresh; j++) {
        const d = outView[j]!;
        if (top.size < width || lowerBound > d) {
          const neighbour = idsView[j]!;
          candidates.push(-d, neighbour);
          if (
            bareBone ||
            (deleted[neighbour] === 0 && (allow === undefined || allow(labels[neighbour]!)))
          ) {
            top.push(d, neighbour);
          }
          while (top.size > width) top.pop();
          if (top.size > 0) lowerBound = top.topKey;
        }
      }
    }

    while (top.size > k) top.pop();
    const found = top.size;
    if (found > this.resultLabels.length) {
      this.resultLabels = new Int32Array(found);
      this.resultDistances = new Float32Array(found);
    }
    for (let i = found - 1; i >= 0; i--) {
      this.resultLabels[i] = labels[top.topId]!;
      this.resultDistances[i] = top.topKey;
      top.pop();
    }
    return found;
  }

  /** Distances from the query to the first `count` nodes listed in the ids view. */
  #run(count: number): void {
    runKernels(
      this.#kernels,
      this.#kernelSpace,
      this.#queryAt,
      this.#baseAt,
      this.#idsAt,
      count,
      this.#stride,
      this.#outAt,
    );
  }

  /** Copies the query into kernel memory (normalised for cosine, as hnswlib does). */
  #loadQuery(source: ArrayLike<number>, offset: number): void {
    const query = this.#queryView;
    const dim = this.dim;
    if (this.space === 'cosine') {
      let norm = 0;
      for (let j = 0; j < dim; j++) norm += source[offset + j]! ** 2;
      const scale = 1 / (Math.sqrt(norm) + 1e-30);
      for (let j = 0; j < dim; j++) query[j] = source[offset + j]! * scale;
    } else if (source instanceof Float32Array) {
      query.set(source.subarray(offset, offset + dim));
    } else {
      for (let j = 0; j < dim; j++) query[j] = source[offset + j]!;
    }
  }

  #nextEpoch(): number {
    this.#epoch++;
    if (this.#epoch > 0xffff) {
      this.#visited.fill(0);
      this.#epoch = 1;
    }
    return this.#epoch;
  }
}

function corrupt(reason: string): CorruptFileError {
  return new CorruptFileError(
    `The HNSW index file cannot be read: ${reason}. Re-create the index artifact.`,
  );
}
