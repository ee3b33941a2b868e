import {
  compileWasm,
  createWasmMemory,
  decodeWasm,
  instantiateWasm,
  type WasmMemory,
  type WasmModule,
} from '@mlsd/core/internal';
import { WASM_BASE64 } from './kernels/distances.wasm.js';

/**
 * Batched distance kernels in WebAssembly SIMD (f32x4), so a query can be compared with many
 * stored vectors without crossing into native code per value. Their source is the WebAssembly
 * text `kernels/distances.wat` (what each kernel computes, and why eight rows per pass, is
 * documented there); `kernels/distances.wasm.ts` holds the bytes compiled from it.
 *
 * The distance kernels take byte offsets into the module's memory:
 * `(query, base, ids, count, stride, out)`: for i < count, row = base + ids[i] · stride, and
 * - `l2*`: out[i] = Σ (query − row)², squared Euclidean distance;
 * - `ip*`: out[i] = 1 − Σ query · row, hnswlib's inner-product distance.
 * `stride` is the row size in bytes and must be a positive multiple of 64 (16 floats).
 * {@link runKernels} splits any count into the kernels' passes of 8, 4, 2 and 1 rows.
 */

/** A distance kernel: `(query, base, ids, count, stride, out)`, byte offsets (see above). */
export type DistanceKernel = (
  query: number,
  base: number,
  ids: number,
  count: number,
  stride: number,
  out: number,
) => void;

/**
 * Runs `count` rows listed at `ids` through the widest kernels that fit: passes of eight,
 * then four, two and one, so every row's memory read overlaps with as many others as it can
 * without computing a row twice.
 */
export function runKernels(
  kernels: DistanceKernels,
  space: 'l2' | 'ip',
  query: number,
  base: number,
  ids: number,
  count: number,
  stride: number,
  out: number,
): void {
  const l2 = space === 'l2';
  let done = count - (count % 8);
  if (done > 0) (l2 ? kernels.l2 : kernels.ip)(query, base, ids, done, stride, out);
  if (count - done >= 4) {
    (l2 ? kernels.l2x4 : kernels.ipx4)(query, base, ids + 4 * done, 4, stride, out + 4 * done);
    done += 4;
  }
  if (count - done >= 2) {
    (l2 ? kernels.l2x2 : kernels.ipx2)(query, base, ids + 4 * done, 2, stride, out + 4 * done);
    done += 2;
  }
  if (count - done === 1) {
    (l2 ? kernels.l2Single : kernels.ipSingle)(
      query,
      base,
      ids + 4 * done,
      1,
      stride,
      out + 4 * done,
    );
  }
}

/** The kernels over one memory. */
export interface DistanceKernels {
  /** Memory the kernels read and write, sized when created. */
  readonly memory: WasmMemory;
  /** Squared L2 distances of `count` rows (indices at `ids`) to the query, into `out`. */
  l2(query: number, base: number, ids: number, count: number, stride: number, out: number): void;
  /** 1 − inner product of `count` rows with the query, into `out`. */
  ip(query: number, base: number, ids: number, count: number, stride: number, out: number): void;
  /** {@link l2} one row per pass: any `count`, for short lists of rows in cache. */
  l2Single(
    query: number,
    base: number,
    ids: number,
    count: number,
    stride: number,
    out: number,
  ): void;
  /** {@link ip} one row per pass: any `count`. */
  ipSingle(
    query: number,
    base: number,
    ids: number,
    count: number,
    stride: number,
    out: number,
  ): void;
  /** {@link l2} four rows per pass: `count` a multiple of 4. */
  l2x4: DistanceKernel;
  /** {@link ip} four rows per pass: `count` a multiple of 4. */
  ipx4: DistanceKernel;
  /** {@link l2} two rows per pass: `count` even. */
  l2x2: DistanceKernel;
  /** {@link ip} two rows per pass: `count` even. */
  ipx2: DistanceKernel;
  /**
   * Inner products of four queries with `rows` consecutive rows from `block`:
   * out[4r + i] = query_i · row r. Each row is loaded once for the four queries.
   */
  dot4(
    qa: number,
    qb: number,
    qc: number,
    qd: number,
    block: number,
    rows: number,
    stride: number,
    out: number,
  ): void;
}

/** Bytes of one f32x4 lane group times the unroll: rows are padded to this. */
export const STRIDE_ALIGN_BYTES = 64;
/** Rows `l2` and `ip` take per pass: their `count` must be a multiple of it. */
export const ROWS_PER_PASS = 8;

let compiled: WasmModule | undefined;

/**
 * Instantiates the kernels over a fresh memory of at least `bytes` bytes, growable (by
 * `memory.grow`) up to `maximumBytes` (default: fixed at its first size).
 * @throws RangeError when the memory cannot be that large (over 4 GiB, or refused).
 */
export function createDistanceKernels(bytes: number, maximumBytes = bytes): DistanceKernels {
  compiled ??= compileWasm(decodeWasm(WASM_BASE64));
  const memory = createWasmMemory(bytes, maximumBytes);
  const exports = instantiateWasm<Omit<DistanceKernels, 'memory'>>(compiled, memory);
  return {
    memory,
    l2: exports.l2,
    ip: exports.ip,
    dot4: exports.dot4,
    l2Single: exports.l2Single,
    ipSingle: exports.ipSingle,
    l2x4: exports.l2x4,
    ipx4: exports.ipx4,
    l2x2: exports.l2x2,
    ipx2: exports.ipx2,
  };
}

/** `dim` floats rounded up to whole {@link STRIDE_ALIGN_BYTES} rows, in bytes. */
export function paddedStride(dim: number): number {
  return Math.ceil((dim * 4) / STRIDE_ALIGN_BYTES) * STRIDE_ALIGN_BYTES;
}
