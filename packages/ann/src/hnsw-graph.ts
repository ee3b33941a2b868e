import { Rng } from '@mlsd/core';
import { DistanceHeap } from './distance-heap.js';
import { decodeHnswFile, encodeHnswFile, type HnswGraphArrays } from './hnsw-file.js';
import type { Space } from './vector-index.js';
import {
  createDistanceKernels,
  type DistanceKernels,
  paddedStride,
  runKernels,
} from './wasm-distances.js';

/** Largest memory we ask WebAssembly for (wasm32 addresses 4 GiB; leave headroom). */
const MAX_MEMORY_BYTES = 2 ** 32 - 2 ** 20;

/** Options of a new {@link HnswGraph}. */
export interface HnswGraphOptions {
  dim: number;
  space: Space;
  /** Links per node on the upper levels (2M on level 0). */
  M: number;
  /** Build beam width (raised to M when smaller, as hnswlib does). */
  efConstruction: number;
  /** Seed of the level draws. */
  seed: number;
  /** Nodes to make room for up front (the graph grows by doubling past it). */
  capacity: number;
}

/**
 * An HNSW graph (Malkov & Yashunin 2018) in JavaScript, with the vectors in WebAssembly memory
 * and distances computed by the SIMD kernels of `kernels/distances.wat`, several rows per pass
 * (all of a node's unvisited neighbours at once) so their memory reads overlap. It stores
 * exactly what hnswlib stores and reads and writes hnswlib's index file (`hnsw-file.ts`).
 *
 * Every operation is hnswlib's (`hnswalg.h`), step for step:
 * - {@link insert} is `addPoint`: draw a level ⌊−ln U / ln M⌋, descend greedily to it, then on
 *   each level down to 0 run an efConstruction-wide beam search, keep M neighbours by the
 *   heuristic (Algorithm 4: a candidate is kept only if it is nearer to the new node than to
 *   every neighbour kept so far), link both ways, and re-select a neighbour's list by the same
 *   heuristic when it overflows (M per upper level, 2M on level 0);
 * - {@link update} is `updatePoint` with `updateNeighborProbability` 1: re-select the lists of
 *   the node's neighbours among their two-hop neighbourhoods, then reconnect the node
 *   (`repairConnectionsForUpdate`); re-adding a deleted node is unmark + update, as hnswlib does
 *   for a re-added label;
 * - {@link search} is `searchKnn`: greedy descent through the upper levels, then the
 *   ef-bounded best-first search on level 0, where deleted or filtered-out nodes are traversed
 *   but never returned.
 * Only the level draws (our seeded generator, not std::default_random_engine) and the float
 * summation order inside a distance differ, so a graph is one hnswlib could have built.
 *
 * Node ids are hnswlib's internal ids; each node also has hnswlib's label, which the index
 * keeps equal to the node id.
 */
export class HnswGraph {
  readonly dim: number;
  readonly space: Space;
  /** Links per node on the upper levels. */
  readonly M: number;
  readonly #maxM0: number;
  readonly #efConstruction: number;
  readonly #mult: number;
  readonly #rng: Rng;
  readonly #kernels: DistanceKernels;
  /** Cosine vectors are stored normalised, so cosine distance is the inner-product kernel's. */
  readonly #kernelSpace: 'l2' | 'ip';
  readonly #stride: number;
  /** Byte offsets in kernel memory: the query, the id list and distances, then the rows. */
  readonly #queryAt: number;
  readonly #idsAt: number;
  readonly #outAt: number;
  readonly #baseAt: number;
  /** Room of the id list: a node, its neighbours and theirs (an update's candidates). */
  readonly #listRoom: number;
  #queryView!: Float32Array;
  #idsView!: Int32Array;
  #outView!: Float32Array;
  #vectors!: Float32Array;
  #capacity: number;
  #count = 0;
  #deletedCount = 0;
  #entryPoint = -1;
  #maxLevel = -1;
  #levels: Uint8Array;
  #labels: Int32Array;
  #deleted: Uint8Array;
  /** Level-0 links: node i's neighbours at links0[i · maxM0 …], count in counts0[i]. */
  #links0: Int32Array;
  #counts0: Uint16Array;
  /** Upper levels: node i's level-l block at upper[upperAt[i] + (l − 1)(M + 1)]: count, ids. */
  #upper: Int32Array;
  #upperAt: Int32Array;
  #upperUsed = 0;
  /** Visited marks: node i is visited in this search when visited[i] === #epoch. */
  #visited: Uint16Array;
  #epoch = 0;
  readonly #top = new DistanceHeap();
  readonly #candidates = new DistanceHeap();
  /** Scratch lists: candidates ascending (#list*), then the heuristic's picks (#kept*). */
  readonly #listIds: Int32Array;
  readonly #listDistances: Float64Array;
  readonly #keptIds: Int32Array;
  readonly #keptDistances: Float64Array;
  /** Result of the last search: labels and distances, nearest first (grown for large k). */
  resultLabels = new Int32Array(64);
  resultDistances = new Float32Array(64);

  /**
   * An empty graph.
   * @throws RangeError when its first memory cannot be reserved.
   */
  constructor(options: HnswGraphOptions) {
    this.dim = options.dim;
    this.space = options.space;
    this.M = options.M;
    this.#maxM0 = 2 * options.M;
    this.#efConstruction = Math.max(options.efConstruction, options.M);
    this.#mult = 1 / Math.log(options.M);
    this.#rng = new Rng(options.seed);
    this.#kernelSpace = options.space === 'l2' ? 'l2' : 'ip';
    this.#stride = paddedStride(options.dim);
    this.#listRoom = 1 + this.#maxM0 + this.#maxM0 * this.#maxM0;
    const listBytes = Math.ceil((this.#listRoom * 4) / 64) * 64;
    this.#queryAt = 0;
    this.#idsAt = this.#stride;
    this.#outAt = this.#idsAt + listBytes;
    this.#baseAt = this.#outAt + listBytes;
    const capacity = Math.max(1, options.capacity);
    this.#capacity = capacity;
    this.#kernels = createDistanceKernels(this.#memoryBytes(capacity), MAX_MEMORY_BYTES);
    this.#refreshViews();
    this.#levels = new Uint8Array(capacity);
    this.#labels = new Int32Array(capacity);
    this.#deleted = new Uint8Array(capacity);
    this.#links0 = new Int32Array(capacity * this.#maxM0);
    this.#counts0 = new Uint16Array(capacity);
    this.#upperAt = new Int32Array(capacity).fill(-1);
    this.#upper = new Int32Array(
      Math.max(64, Math.ceil(capacity / options.M) * 2 * (options.M + 1)),
    );
    this.#visited = new Uint16Array(capacity);
    const listSize = Math.max(this.#efConstruction, this.#listRoom);
    this.#listIds = new Int32Array(listSize);
    this.#listDistances = new Float64Array(listSize);
    this.#keptIds = new Int32Array(listSize);
    this.#keptDistances = new Float64Array(listSize);
  }

  /**
   * Reads hnswlib's index file (as hnswlib-node's `writeIndex` or {@link toFile} wrote it) for
   * `dim`-dimensional vectors in `space`. Further inserts draw levels from `seed`.
   * @throws CorruptFileError when the bytes are not such a file.
   * @throws RangeError when the graph does not fit in WebAssembly memory (over ~4 GiB).
   */
  static fromFile(file: Uint8Array, dim: number, space: Space, seed = 100): HnswGraph {
    let graph: HnswGraph | undefined;
    const arrays = decodeHnswFile(file, dim, ({ count, M, efConstruction }) => {
      graph = new HnswGraph({ dim, space, M, efConstruction, seed: seed + count, capacity: count });
      return { vectors: graph.#vectors, rowFloats: graph.#stride / 4 };
    });
    if (graph === undefined) throw new Error('decodeHnswFile returned without a graph shape.');
    graph.#adopt(arrays);
    return graph;
  }

  /** Takes the decoded links and marks (the vectors are in place already). */
  #adopt(arrays: HnswGraphArrays): void {
    this.#count = arrays.count;
    this.#levels.set(arrays.levels);
    this.#labels.set(arrays.labels);
    this.#deleted.set(arrays.deleted);
    this.#deletedCount = arrays.deleted.reduce((sum, flag) => sum + flag, 0);
    this.#links0.set(arrays.links0);
    this.#counts0.set(arrays.counts0);
    this.#upperAt.set(arrays.upperAt);
    this.#ensureUpper(arrays.upper.length);
    this.#upper.set(arrays.upper);
    this.#upperUsed = arrays.upper.length;
    this.#entryPoint = arrays.entryPoint;
    this.#maxLevel = arrays.maxLevel;
  }

  /** The graph as hnswlib's index file (`hnsw-file.ts`), capacity as declared room. */
  toFile(): Uint8Array {
    const count = this.#count;
    return encodeHnswFile({
      dim: this.dim,
      M: this.M,
      maxM0: this.#maxM0,
      mult: this.#mult,
      efConstruction: this.#efConstruction,
      capacity: this.#capacity,
      count,
      maxLevel: this.#maxLevel,
      entryPoint: this.#entryPoint,
      counts0: this.#counts0.subarray(0, count),
      links0: this.#links0.subarray(0, count * this.#maxM0),
      deleted: this.#deleted.subarray(0, count),
      labels: this.#labels.subarray(0, count),
      levels: this.#levels.subarray(0, count),
      upper: this.#upper.subarray(0, this.#upperUsed),
      upperAt: this.#upperAt.subarray(0, count),
      vectors: this.#vectors,
      rowFloats: this.#stride / 4,
    });
  }

  /** Nodes in the graph, deleted ones included. */
  get count(): number {
    return this.#count;
  }

  /** Nodes the graph has room for before it next grows. */
  get capacity(): number {
    return this.#capacity;
  }

  /** Build beam width. */
  get efConstruction(): number {
    return this.#efConstruction;
  }

  /** hnswlib's label of a node (the node id itself for graphs built here). */
  labelOf(node: number): number {
    return this.#labels[node]!;
  }

  /** True when node `node` is marked deleted. */
  isDeleted(node: number): boolean {
    return this.#deleted[node] === 1;
  }

  /** Makes room for `capacity` nodes (never shrinks). */
  reserve(capacity: number): void {
    this.#reserve(capacity);
  }

  /**
   * Adds `source[offset … offset + dim)` as a new node (id = label = the node count before)
   * and links it into the graph; returns its id.
   */
  insert(source: ArrayLike<number>, offset: number): number {
    const node = this.#count;
    if (node === this.#capacity) this.#reserve(Math.max(node + 1, 2 * this.#capacity));
    const level = Math.min(255, Math.floor(-Math.log(1 - this.#rng.next()) * this.#mult));
    this.#levels[node] = level;
    this.#labels[node] = node;
    this.#deleted[node] = 0;
    this.#counts0[node] = 0;
    if (level > 0) {
      const ints = level * (this.M + 1);
      this.#ensureUpper(this.#upperUsed + ints);
      this.#upperAt[node] = this.#upperUsed;
      this.#upper.fill(0, this.#upperUsed, this.#upperUsed + ints);
      this.#upperUsed += ints;
    } else {
      this.#upperAt[node] = -1;
    }
    this.#writeRow(node, source, offset);
    this.#count = node + 1;
    this.#link(node, level);
    return node;
  }

  /**
   * Replaces node `node`'s vector and repairs the links around it (hnswlib's `updatePoint`);
   * a deleted node comes back to life (as hnswlib does when a deleted label is added again).
   */
  update(node: number, source: ArrayLike<number>, offset: number): void {
    if (this.#deleted[node] === 1) {
      this.#deleted[node] = 0;
      this.#deletedCount--;
    }
    this.#writeRow(node, source, offset);
    if (this.#count === 1) return;
    const entry = this.#entryPoint;
    const maxLevel = this.#maxLevel;
    const level = this.#levels[node]!;
    for (let layer = 0; layer <= level; layer++) this.#reselectAround(node, layer);
    this.#repair(node, entry, level, maxLevel);
  }

  /** Marks a node deleted: searches still pass through it but never return it. */
  markDeleted(node: number): void {
    if (this.#deleted[node] === 1) return;
    this.#deleted[node] = 1;
    this.#deletedCount++;
  }

  /** The stored vector of a node (normalised for cosine). */
  getVector(node: number): Float32Array {
    const from = node * (this.#stride / 4);
    return this.#vectors.slice(from, from + this.dim);
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
    if (this.#count === 0) return 0;
    this.#loadQuery(source, offset);
    const idsView = this.#idsView;
    const outView = this.#outView;
    const queryAt = this.#queryAt;

    let current = this.#entryPoint;
    idsView[0] = current;
    this.#run(queryAt, 1);
    let currentDistance = outView[0]!;
    const upper = this.#upper;
    const levelInts = this.M + 1;
    for (let level = this.#maxLevel; level > 0; level--) {
      let changed = true;
      while (changed) {
        changed = false;
        const block = this.#upperAt[current]! + (level - 1) * levelInts;
        const size = upper[block]!;
        if (size === 0) break;
        for (let i = 0; i < size; i++) idsView[i] = upper[block + 1 + i]!;
        this.#run(queryAt, size);
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
    const bareBone = this.#deletedCount === 0 && allow === undefined;
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
      this.#run(queryAt, fresh);
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

  // ---- building: hnswlib's addPoint, updatePoint and repairConnectionsForUpdate ----

  /** Links a freshly written node of level `level` into the graph (addPoint). */
  #link(node: number, level: number): void {
    if (this.#entryPoint < 0) {
      this.#entryPoint = node;
      this.#maxLevel = level;
      return;
    }
    const entry = this.#entryPoint;
    const maxLevel = this.#maxLevel;
    const current = this.#descend(node, entry, maxLevel, level);
    const entryDeleted = this.#deleted[entry] === 1;
    let next = current;
    for (let l = Math.min(level, maxLevel); l >= 0; l--) {
      this.#searchLayer(node, next, l);
      if (entryDeleted) {
        this.#top.push(this.#distance(node, entry), entry);
        if (this.#top.size > this.#efConstruction) this.#top.pop();
      }
      const count = this.#beamToList(-1);
      // Empty only when every node reached is deleted: nothing to link to on this level.
      if (count > 0) next = this.#connect(node, l, count, false);
    }
    if (level > maxLevel) {
      this.#entryPoint = node;
      this.#maxLevel = level;
    }
  }

  /** Greedy descent from `entry` on levels `from` … `to` + 1 towards `node`; returns the last node. */
  #descend(node: number, entry: number, from: number, to: number): number {
    let current = entry;
    if (to >= from) return current;
    let currentDistance = this.#distance(node, current);
    const ids = this.#idsView;
    const out = this.#outView;
    const nodeAt = this.#rowAt(node);
    for (let l = from; l > to; l--) {
      let changed = true;
      while (changed) {
        changed = false;
        const block = this.#upperAt[current]! + (l - 1) * (this.M + 1);
        const size = this.#upper[block]!;
        if (size === 0) break;
        for (let i = 0; i < size; i++) ids[i] = this.#upper[block + 1 + i]!;
        this.#run(nodeAt, size);
        for (let i = 0; i < size; i++) {
          const d = out[i]!;
          if (d < currentDistance) {
            currentDistance = d;
            current = ids[i]!;
            changed = true;
          }
        }
      }
    }
    return current;
  }

  /**
   * hnswlib's updatePoint for one layer: every neighbour of `node` re-selects its list among
   * `node`, the neighbours and their neighbours (the efConstruction nearest, then the
   * heuristic, 2M on level 0 and M above).
   */
  #reselectAround(node: number, layer: number): void {
    const own = this.#linksOf(node, layer);
    if (own.size === 0) return;
    const oneHop = own.links.slice(own.first, own.first + own.size);
    // The candidate set: node, its neighbours, theirs (each once).
    const epoch = this.#nextEpoch();
    const visited = this.#visited;
    const set = new Int32Array(this.#listRoom);
    let setSize = 0;
    const addToSet = (id: number) => {
      if (visited[id] !== epoch) {
        visited[id] = epoch;
        set[setSize++] = id;
      }
    };
    addToSet(node);
    for (const hop of oneHop) {
      addToSet(hop);
      const theirs = this.#linksOf(hop, layer);
      for (let j = 0; j < theirs.size; j++) addToSet(theirs.links[theirs.first + j]!);
    }
    const max = layer === 0 ? this.#maxM0 : this.M;
    const ids = this.#idsView;
    const out = this.#outView;
    for (const neighbour of oneHop) {
      let count = 0;
      for (let i = 0; i < setSize; i++) if (set[i] !== neighbour) ids[count++] = set[i]!;
      this.#run(this.#rowAt(neighbour), count);
      for (let i = 0; i < count; i++) {
        this.#listIds[i] = ids[i]!;
        this.#listDistances[i] = out[i]!;
      }
      sortAscending(this.#listIds, this.#listDistances, count);
      const kept = this.#selectNeighbours(Math.min(this.#efConstruction, count), max);
      this.#writeLinks(neighbour, layer, this.#keptIds, kept);
    }
  }

  /** hnswlib's repairConnectionsForUpdate: reconnects an updated node from the entry point. */
  #repair(node: number, entry: number, level: number, maxLevel: number): void {
    let current = this.#descend(node, entry, maxLevel, level);
    for (let l = level; l >= 0; l--) {
      this.#searchLayer(node, current, l);
      let count = this.#beamToList(node);
      if (count === 0) continue;
      if (this.#deleted[entry] === 1)
        count = this.#insertSorted(count, entry, this.#distance(node, entry));
      current = this.#connect(node, l, count, true);
    }
  }

  /** Adds (id, distance) to the ascending list of `count`, capped at efConstruction; returns the count. */
  #insertSorted(count: number, id: number, distance: number): number {
    const ids = this.#listIds;
    const distances = this.#listDistances;
    let at = count;
    while (at > 0 && distances[at - 1]! > distance) at--;
    const end = Math.min(count, this.#efConstruction - 1);
    for (let i = end; i > at; i--) {
      ids[i] = ids[i - 1]!;
      distances[i] = distances[i - 1]!;
    }
    if (at >= this.#efConstruction) return count;
    ids[at] = id;
    distances[at] = distance;
    return Math.min(count + 1, this.#efConstruction);
  }

  /** Beam search for `node` from `entry` on level `level` (searchBaseLayer); leaves the beam in #top. */
  #searchLayer(node: number, entry: number, level: number): void {
    const top = this.#top;
    const candidates = this.#candidates;
    top.clear();
    candidates.clear();
    const epoch = this.#nextEpoch();
    const visited = this.#visited;
    const deleted = this.#deleted;
    const ef = this.#efConstruction;
    let lowerBound: number;
    if (deleted[entry] === 0) {
      const entryDistance = this.#distance(node, entry);
      top.push(entryDistance, entry);
      candidates.push(-entryDistance, entry);
      lowerBound = entryDistance;
    } else {
      lowerBound = Number.MAX_VALUE;
      candidates.push(-lowerBound, entry);
    }
    visited[entry] = epoch;
    const ids = this.#idsView;
    const out = this.#outView;
    const nodeAt = this.#rowAt(node);
    const levelInts = this.M + 1;
    while (candidates.size > 0) {
      if (-candidates.topKey > lowerBound && top.size === ef) break;
      const current = candidates.topId;
      candidates.pop();
      let links: Int32Array;
      let first: number;
      let size: number;
      if (level === 0) {
        links = this.#links0;
        first = current * this.#maxM0;
        size = this.#counts0[current]!;
      } else {
        links = this.#upper;
        const block = this.#upperAt[current]! + (level - 1) * levelInts;
        first = block + 1;
        size = links[block]!;
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
      this.#run(nodeAt, fresh);
      for (let j = 0; j < fresh; j++) {
        const d = out[j]!;
        if (top.size < ef || lowerBound > d) {
          const neighbour = ids[j]!;
          candidates.push(-d, neighbour);
          if (deleted[neighbour] === 0) top.push(d, neighbour);
          if (top.size > ef) top.pop();
          if (top.size > 0) lowerBound = top.topKey;
        }
      }
    }
  }

  /** Empties the beam (#top) into #listIds / #listDistances ascending, leaving out `skip`. */
  #beamToList(skip: number): number {
    const top = this.#top;
    let count = top.size;
    for (let i = count - 1; i >= 0; i--) {
      this.#listIds[i] = top.topId;
      this.#listDistances[i] = top.topKey;
      top.pop();
    }
    let kept = 0;
    for (let i = 0; i < count; i++) {
      if (this.#listIds[i] === skip) continue;
      this.#listIds[kept] = this.#listIds[i]!;
      this.#listDistances[kept++] = this.#listDistances[i]!;
    }
    count = kept;
    return count;
  }

  /**
   * hnswlib's mutuallyConnectNewElement: links `node` on `level` to the heuristic's pick (M)
   * from the first `count` candidates of #listIds (ascending), and each pick back to it,
   * re-selecting a full list by the heuristic. In an update a pick that already lists `node`
   * is left alone. Returns the nearest pick, the next level's entry point.
   */
  #connect(node: number, level: number, count: number, isUpdate: boolean): number {
    const picks = this.#selectNeighbours(count, this.M);
    const picked = this.#keptIds.slice(0, picks);
    const pickedDistances = this.#keptDistances.slice(0, picks);
    this.#writeLinks(node, level, picked, picks);
    const maxLinks = level === 0 ? this.#maxM0 : this.M;
    const ids = this.#idsView;
    const out = this.#outView;
    for (let p = 0; p < picks; p++) {
      const other = picked[p]!;
      const { links, first, size } = this.#linksOf(other, level);
      if (isUpdate) {
        let present = false;
        for (let j = 0; j < size; j++) if (links[first + j] === node) present = true;
        if (present) continue;
      }
      if (size < maxLinks) {
        links[first + size] = node;
        this.#setCount(other, level, size + 1);
        continue;
      }
      for (let j = 0; j < size; j++) ids[j] = links[first + j]!;
      this.#run(this.#rowAt(other), size);
      let candidates = 0;
      this.#listIds[candidates] = node;
      this.#listDistances[candidates++] = pickedDistances[p]!;
      for (let j = 0; j < size; j++) {
        this.#listIds[candidates] = ids[j]!;
        this.#listDistances[candidates++] = out[j]!;
      }
      sortAscending(this.#listIds, this.#listDistances, candidates);
      const kept = this.#selectNeighbours(candidates, maxLinks);
      this.#writeLinks(other, level, this.#keptIds, kept);
    }
    return picked[0]!;
  }

  /**
   * hnswlib's getNeighborsByHeuristic2 over the first `count` entries of #listIds /
   * #listDistances (ascending): keeps a candidate when it is nearer to the query than to every
   * candidate kept before it, up to `max`; with fewer than `max` keeps them all. The result is
   * in #keptIds / #keptDistances, ascending; returns how many.
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
    const ids = this.#idsView;
    const out = this.#outView;
    for (let c = 0; c < count && keptCount < max; c++) {
      const candidate = this.#listIds[c]!;
      const toQuery = this.#listDistances[c]!;
      // Compare with the kept ones, nearest first, stopping at the first one closer to the
      // candidate than the query is (one row per call: most candidates fall at the first).
      let good = true;
      const candidateAt = this.#rowAt(candidate);
      for (let j = 0; j < keptCount; j++) {
        ids[0] = kept[j]!;
        this.#run(candidateAt, 1);
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
    const block = this.#upperAt[node]! + (level - 1) * (this.M + 1);
    return { links: this.#upper, first: block + 1, size: this.#upper[block]! };
  }

  #setCount(node: number, level: number, count: number): void {
    if (level === 0) this.#counts0[node] = count;
    else this.#upper[this.#upperAt[node]! + (level - 1) * (this.M + 1)] = count;
  }

  /** Writes `count` ids (ascending by distance) as node's list, farthest first as hnswlib does. */
  #writeLinks(node: number, level: number, ids: Int32Array, count: number): void {
    const { links, first } = this.#linksOf(node, level);
    for (let i = 0; i < count; i++) links[first + i] = ids[count - 1 - i]!;
    this.#setCount(node, level, count);
  }

  // ---- memory ----

  /** Byte offset of node's row in kernel memory. */
  #rowAt(node: number): number {
    return this.#baseAt + node * this.#stride;
  }

  /** Distances from the row at byte offset `from` to the first `count` nodes of the id list. */
  #run(from: number, count: number): void {
    runKernels(
      this.#kernels,
      this.#kernelSpace,
      from,
      this.#baseAt,
      this.#idsAt,
      count,
      this.#stride,
      this.#outAt,
    );
  }

  /** Distance between two stored nodes. */
  #distance(node: number, other: number): number {
    this.#idsView[0] = other;
    this.#run(this.#rowAt(node), 1);
    return this.#outView[0]!;
  }

  /** Copies a vector into node's row (normalised for cosine, as hnswlib stores it). */
  #writeRow(node: number, source: ArrayLike<number>, offset: number): void {
    writeVector(this.#vectors, node * (this.#stride / 4), source, offset, this.dim, this.space);
  }

  /** Copies the query into kernel memory (normalised for cosine, as hnswlib does). */
  #loadQuery(source: ArrayLike<number>, offset: number): void {
    writeVector(this.#queryView, 0, source, offset, this.dim, this.space);
  }

  #memoryBytes(capacity: number): number {
    const bytes = this.#baseAt + capacity * this.#stride;
    if (bytes > MAX_MEMORY_BYTES) {
      throw new RangeError(
        `HnswGraph: ${capacity} vectors of ${this.dim} floats need ${bytes} bytes, beyond WebAssembly's 4 GiB memory.`,
      );
    }
    return bytes;
  }

  #reserve(capacity: number): void {
    if (capacity <= this.#capacity) return;
    const memory = this.#kernels.memory;
    const needed = this.#memoryBytes(capacity) - memory.buffer.byteLength;
    if (needed > 0) memory.grow(Math.ceil(needed / 65_536));
    this.#refreshViews();
    this.#levels = grown(this.#levels, capacity);
    this.#labels = grown(this.#labels, capacity);
    this.#deleted = grown(this.#deleted, capacity);
    this.#links0 = grown(this.#links0, capacity * this.#maxM0);
    this.#counts0 = grown(this.#counts0, capacity);
    const upperAt = new Int32Array(capacity).fill(-1);
    upperAt.set(this.#upperAt);
    this.#upperAt = upperAt;
    this.#visited = new Uint16Array(capacity);
    this.#epoch = 0;
    this.#capacity = capacity;
  }

  #ensureUpper(ints: number): void {
    if (ints <= this.#upper.length) return;
    this.#upper = grown(this.#upper, Math.max(ints, 2 * this.#upper.length));
  }

  /** Views over kernel memory, made again after it grows (growing detaches the old buffer). */
  #refreshViews(): void {
    const buffer = this.#kernels.memory.buffer;
    this.#queryView = new Float32Array(buffer, this.#queryAt, this.#stride / 4);
    this.#idsView = new Int32Array(buffer, this.#idsAt, this.#listRoom);
    this.#outView = new Float32Array(buffer, this.#outAt, this.#listRoom);
    this.#vectors = new Float32Array(buffer, this.#baseAt);
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

/** A copy of `array` with room for `length` entries (zero-filled past the old ones). */
function grown<T extends Uint8Array | Uint16Array | Int32Array>(array: T, length: number): T {
  const copy = new (array.constructor as new (length: number) => T)(length);
  copy.set(array);
  return copy;
}

/** Writes `dim` values of `source` from `offset` into `target` at `at`, normalised for cosine. */
function writeVector(
  target: Float32Array,
  at: number,
  source: ArrayLike<number>,
  offset: number,
  dim: number,
  space: Space,
): void {
  if (space === 'cosine') {
    let norm = 0;
    for (let j = 0; j < dim; j++) norm += source[offset + j]! ** 2;
    const scale = 1 / (Math.sqrt(norm) + 1e-30);
    for (let j = 0; j < dim; j++) target[at + j] = source[offset + j]! * scale;
  } else if (source instanceof Float32Array) {
    target.set(source.subarray(offset, offset + dim), at);
  } else {
    for (let j = 0; j < dim; j++) target[at + j] = source[offset + j]!;
  }
}

/** Sorts the first `count` (id, distance) pairs by ascending distance (insertion sort: short lists). */
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
