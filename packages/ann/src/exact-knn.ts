import { noteFallback } from '@mlsd/core/internal';
import { TopKHeaps } from './top-k-heaps.js';
import type { Space } from './vector-index.js';
import { createDistanceKernels, type DistanceKernels, paddedStride } from './wasm-distances.js';

/** k nearest neighbours of `count` queries as flat row-major matrices. */
export interface NeighbourMatrix {
  /** Number of queries (rows). */
  count: number;
  /** Neighbours per query (columns). */
  k: number;
  /** Row indices into the searched vectors, nearest first; -1 pads rows with fewer than k. */
  indices: Int32Array;
  /** Distances aligned with `indices`; +∞ pads. */
  distances: Float32Array;
}

/** Options of {@link exactKnn}. */
export interface ExactKnnOptions {
  /** Distance (default `l2`, squared Euclidean). */
  space?: Space;
  /** Squared norms of the base rows, when the caller keeps them (computed otherwise). */
  baseSquaredNorms?: Float64Array;
  /** Only base rows with a non-zero entry here are returned. */
  allowed?: Uint8Array;
  /** Called after each block of queries with the number of queries done. */
  onProgress?: (done: number) => void;
}

/** Queries handled together; their heaps and rows stay in cache while base blocks stream by. */
const QUERY_BLOCK = 64;
/** Base rows per block: 256 × 784 floats ≈ 800 KB, about what an L2 cache holds. */
const BASE_BLOCK = 256;
/** From this many queries on, the WebAssembly kernel pays for copying the base rows. */
const WASM_MIN_QUERIES = 4;
/** Queries copied into WebAssembly memory at a time (bounds that memory). */
const WASM_QUERY_CHUNK = 4096;

/**
 * Exact k nearest neighbours of each query row among the base rows, by blocked dot products:
 * squared L2 is ‖q‖² − 2 q·x + ‖x‖², `ip` is 1 − q·x, `cosine` is 1 − q·x / (‖q‖ ‖x‖), with
 * the norms computed once in float64. Base rows go through in blocks that stay in cache and
 * each query keeps a small typed heap with a threshold check before any push, so the cost is
 * the m·n·d multiply-adds and little else.
 *
 * From four queries on, the dot products run in a WebAssembly SIMD kernel (four queries per
 * load of a base row, float32 sums), the base rows copied block by block into its memory;
 * below that, in JavaScript (four queries × two rows per pass, float64 sums), which needs no
 * copy.
 *
 * @param base - `rows × dim` row-major vectors to search.
 * @param queries - `count × dim` row-major query vectors.
 * @param k - neighbours per query; rows hold `min(k, allowed rows)` real entries.
 */
export function exactKnn(
  base: Float32Array,
  queries: Float32Array,
  dim: number,
  k: number,
  options: ExactKnnOptions = {},
): NeighbourMatrix {
  const count = dim === 0 ? 0 : queries.length / dim;
  if (count < WASM_MIN_QUERIES) return exactKnnJs(base, queries, dim, k, options);
  let kernels: DistanceKernels;
  try {
    kernels = kernelsFor(wasmBytes(dim, count));
  } catch (error) {
    noteFallback(
      '@mlsd/ann exactKnn',
      'the WebAssembly kernel is unavailable; exact search runs in JavaScript',
      {
        reason: error instanceof Error ? error.message : String(error),
      },
    );
    return exactKnnJs(base, queries, dim, k, options);
  }
  return exactKnnWasm(kernels, base, queries, dim, k, options);
}

/** Kernel memory for a batch: a chunk of queries, a block of base rows, the dot products. */
function wasmBytes(dim: number, count: number): number {
  const stride = paddedStride(dim);
  return (Math.min(count, WASM_QUERY_CHUNK) + BASE_BLOCK) * stride + BASE_BLOCK * 16;
}

/** Distance from a dot product and the two squared norms. */
function toDistance(space: Space, dot: number, queryNorm: number, rowNorm: number): number {
  if (space === 'l2') {
    const distance = queryNorm + rowNorm - 2 * dot;
    return Math.max(distance, 0);
  }
  if (space === 'ip') return 1 - dot;
  const norms = Math.sqrt(queryNorm * rowNorm);
  return norms > 0 ? 1 - dot / norms : 1;
}

let cachedKernels: DistanceKernels | undefined;

/** Kernels whose memory holds at least `bytes` (reused across calls while big enough). */
function kernelsFor(bytes: number): DistanceKernels {
  if (cachedKernels === undefined || cachedKernels.memory.buffer.byteLength < bytes) {
    cachedKernels = createDistanceKernels(bytes);
  }
  return cachedKernels;
}

function exactKnnWasm(
  kernels: DistanceKernels,
  base: Float32Array,
  queries: Float32Array,
  dim: number,
  k: number,
  options: ExactKnnOptions,
): NeighbourMatrix {
  const space = options.space ?? 'l2';
  const rows = base.length / dim;
  const count = queries.length / dim;
  const indices = new Int32Array(count * k);
  const distances = new Float32Array(count * k);
  const baseNorms = options.baseSquaredNorms ?? squaredNorms(base, dim);
  const queryNorms = squaredNorms(queries, dim);
  const allowed = options.allowed;
  const stride = paddedStride(dim);
  const floatsPerRow = stride / 4;
  const chunk = Math.min(count, WASM_QUERY_CHUNK);
  const queriesAt = 0;
  const blockAt = chunk * stride;
  const outAt = blockAt + BASE_BLOCK * stride;
  const memory = kernels.memory.buffer;
  const floats = new Float32Array(memory);
  const out = new Float32Array(memory, outAt, BASE_BLOCK * 4);
  const denseRows = stride === dim * 4;

  for (let q0 = 0; q0 < count; q0 += chunk) {
    const qCount = Math.min(chunk, count - q0);
    floats.fill(0, queriesAt / 4, (blockAt + BASE_BLOCK * stride) / 4);
    for (let qi = 0; qi < qCount; qi++) {
      const from = (q0 + qi) * dim;
      floats.set(queries.subarray(from, from + dim), queriesAt / 4 + qi * floatsPerRow);
    }
    const heaps = new TopKHeaps(qCount, k);
    for (let b0 = 0; b0 < rows; b0 += BASE_BLOCK) {
      const bCount = Math.min(BASE_BLOCK, rows - b0);
      if (denseRows) {
        floats.set(base.subarray(b0 * dim, (b0 + bCount) * dim), blockAt / 4);
      } else {
        for (let bi = 0; bi < bCount; bi++) {
          const from = (b0 + bi) * dim;
          floats.set(base.subarray(from, from + dim), blockAt / 4 + bi * floatsPerRow);
        }
      }
      for (let qi = 0; qi < qCount; qi += 4) {
        // Past the last query the lanes repeat it; their results are ignored.
        const lanes = Math.min(4, qCount - qi);
        const at = (lane: number) => queriesAt + (qi + Math.min(lane, lanes - 1)) * stride;
        kernels.dot4(at(0), at(1), at(2), at(3), blockAt, bCount, stride, outAt);
        for (let lane = 0; lane < lanes; lane++) {
          const h = qi + lane;
          const queryNorm = queryNorms[q0 + h]!;
          for (let bi = 0; bi < bCount; bi++) {
            const row = b0 + bi;
            if (allowed !== undefined && allowed[row] === 0) continue;
            const distance = toDistance(space, out[bi * 4 + lane]!, queryNorm, baseNorms[row]!);
            if (distance < heaps.threshold(h)) heaps.push(h, distance, row);
          }
        }
      }
      options.onProgress?.(q0 + Math.floor((qCount * (b0 + bCount)) / rows));
    }
    for (let qi = 0; qi < qCount; qi++) heaps.drainSorted(qi, indices, distances, (q0 + qi) * k);
  }
  return { count, k, indices, distances };
}

function exactKnnJs(
  base: Float32Array,
  queries: Float32Array,
  dim: number,
  k: number,
  options: ExactKnnOptions,
): NeighbourMatrix {
  const space = options.space ?? 'l2';
  const rows = dim === 0 ? 0 : base.length / dim;
  const count = dim === 0 ? 0 : queries.length / dim;
  const indices = new Int32Array(count * k);
  const distances = new Float32Array(count * k);
  const baseNorms = options.baseSquaredNorms ?? squaredNorms(base, dim);
  const queryNorms = squaredNorms(queries, dim);
  const allowed = options.allowed;
  const dots = new Float64Array(QUERY_BLOCK * BASE_BLOCK);

  for (let q0 = 0; q0 < count; q0 += QUERY_BLOCK) {
    const qCount = Math.min(QUERY_BLOCK, count - q0);
    const heaps = new TopKHeaps(qCount, k);
    for (let b0 = 0; b0 < rows; b0 += BASE_BLOCK) {
      const bCount = Math.min(BASE_BLOCK, rows - b0);
      blockDots(queries, q0, qCount, base, b0, bCount, dim, dots);
      for (let qi = 0; qi < qCount; qi++) {
        const qn = queryNorms[q0 + qi]!;
        const rowOffset = qi * BASE_BLOCK;
        for (let bi = 0; bi < bCount; bi++) {
          const row = b0 + bi;
          if (allowed !== undefined && allowed[row] === 0) continue;
          const distance = toDistance(space, dots[rowOffset + bi]!, qn, baseNorms[row]!);
          if (distance < heaps.threshold(qi)) heaps.push(qi, distance, row);
        }
      }
    }
    for (let qi = 0; qi < qCount; qi++) heaps.drainSorted(qi, indices, distances, (q0 + qi) * k);
    options.onProgress?.(q0 + qCount);
  }
  return { count, k, indices, distances };
}

/** Squared Euclidean norm of each `dim`-long row of `data`, in float64. */
export function squaredNorms(data: Float32Array, dim: number): Float64Array {
  const rows = dim === 0 ? 0 : data.length / dim;
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    const offset = r * dim;
    for (let j = 0; j < dim; j++) {
      const v = data[offset + j]!;
      sum += v * v;
    }
    out[r] = sum;
  }
  return out;
}

/**
 * dots[qi · BASE_BLOCK + bi] = queries[q0 + qi] · base[b0 + bi] for the block, computed four
 * queries × two base rows at a time.
 */
function blockDots(
  queries: Float32Array,
  q0: number,
  qCount: number,
  base: Float32Array,
  b0: number,
  bCount: number,
  dim: number,
  dots: Float64Array,
): void {
  let qi = 0;
  for (; qi + 4 <= qCount; qi += 4) {
    const qa = (q0 + qi) * dim;
    const qb = qa + dim;
    const qc = qb + dim;
    const qd = qc + dim;
    let bi = 0;
    for (; bi + 2 <= bCount; bi += 2) {
      const xa = (b0 + bi) * dim;
      const xb = xa + dim;
      let a0 = 0;
      let a1 = 0;
      let b0s = 0;
      let b1s = 0;
      let c0 = 0;
      let c1 = 0;
      let d0 = 0;
      let d1 = 0;
      for (let j = 0; j < dim; j++) {
        const x0 = base[xa + j]!;
        const x1 = base[xb + j]!;
        const va = queries[qa + j]!;
        const vb = queries[qb + j]!;
        const vc = queries[qc + j]!;
        const vd = queries[qd + j]!;
        a0 += va * x0;
        a1 += va * x1;
        b0s += vb * x0;
        b1s += vb * x1;
        c0 += vc * x0;
        c1 += vc * x1;
        d0 += vd * x0;
        d1 += vd * x1;
      }
      const out = qi * BASE_BLOCK + bi;
      dots[out] = a0;
      dots[out + 1] = a1;
      dots[out + BASE_BLOCK] = b0s;
      dots[out + BASE_BLOCK + 1] = b1s;
      dots[out + 2 * BASE_BLOCK] = c0;
      dots[out + 2 * BASE_BLOCK + 1] = c1;
      dots[out + 3 * BASE_BLOCK] = d0;
      dots[out + 3 * BASE_BLOCK + 1] = d1;
    }
    for (; bi < bCount; bi++) {
      for (let r = 0; r < 4; r++) {
        dots[(qi + r) * BASE_BLOCK + bi] = dot(queries, qa + r * dim, base, (b0 + bi) * dim, dim);
      }
    }
  }
  for (; qi < qCount; qi++) {
    const qa = (q0 + qi) * dim;
    for (let bi = 0; bi < bCount; bi++) {
      dots[qi * BASE_BLOCK + bi] = dot(queries, qa, base, (b0 + bi) * dim, dim);
    }
  }
}

function dot(
  a: Float32Array,
  aOffset: number,
  b: Float32Array,
  bOffset: number,
  dim: number,
): number {
  let s0 = 0;
  let s1 = 0;
  let j = 0;
  for (; j + 2 <= dim; j += 2) {
    s0 += a[aOffset + j]! * b[bOffset + j]!;
    s1 += a[aOffset + j + 1]! * b[bOffset + j + 1]!;
  }
  if (j < dim) s0 += a[aOffset + j]! * b[bOffset + j]!;
  return s0 + s1;
}
