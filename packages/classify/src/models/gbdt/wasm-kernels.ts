import {
  compileWasm,
  createWasmMemory,
  decodeWasm,
  encodeWasmModule,
  FunctionBuilder,
  instantiateWasm,
  noteFallback,
  wasmOp as op,
  type WasmCode,
  type WasmLocal,
  type WasmMemory,
  type WasmModule,
  wasmAvailable,
} from '@mlsd/core/internal';
import { WASM_BASE64 } from './kernels/gbdt.wasm.js';

/**
 * The trainer's hot loops as WebAssembly, over one linear memory that holds the binned
 * columns, the interleaved gradients/hessians, the row indices and an output histogram. Their
 * source is the WebAssembly text `kernels/gbdt.wat` (the memory layout is documented there);
 * `kernels/gbdt.wasm.ts` holds the bytes compiled from it.
 *
 * Every address is a byte offset into the memory. A feature table lists, per feature to
 * visit, two i32: where its bins are (see each kernel) and the address of its histogram block
 * (`slots` × 3 f64: gradient sum, hessian sum, count).
 */
export interface WasmKernels {
  /**
   * Adds, for each row index `r = u32[p]` for `p` in `[indexStart, indexEnd)` step 4 and each
   * feature entry in `[table, tableEnd)` step 8: g(r), h(r) and 1 to the slot of the row's bin.
   * Bins are read row-major: entry `(f, histogram)` reads `u8[rowBins + r·stride + f]`.
   * Needs `tableEnd > table`.
   */
  histogramIndexed(
    table: number,
    tableEnd: number,
    gradHess: number,
    indexStart: number,
    indexEnd: number,
    rowBins: number,
    stride: number,
  ): void;
  /**
   * As {@link histogramIndexed} for rows 0..rows−1 in order, sums only (counts untouched), with
   * bins read column-major: entry `(column, histogram)` reads `u8[column + r]`.
   */
  histogramContiguous(table: number, tableEnd: number, gradHess: number, rows: number): void;
  /**
   * Stable partition pass over the u32 row indices in `[start, end)`: rows with
   * `goesLeft[bin] = 1` (`bin = u8[column + row]`) are compacted to the front in place, the
   * others written in order from `scratch` on (the caller copies them back after the left
   * ones). Returns the address where the left side ends.
   */
  partitionRows(
    start: number,
    end: number,
    column: number,
    goesLeft: number,
    scratch: number,
  ): number;
}

/** A WebAssembly linear memory: its bytes, shared with the kernels. */
export type KernelMemory = WasmMemory;

/** Component name under which fallbacks to slower histogram code are logged and counted. */
export const KERNEL_FALLBACK = '@mlsd/classify GBDT kernels';

const { localGet, localSet, localTee, i32Const, i32Load, i32Load8U, f64Load, f64Store } = op;
const { i32Add, i32Mul, i32Shl, i32LtU, i32GeU, f64Add, block, loop, brIf } = op;

/** Slot stride in bytes: three f64 per (feature, bin). */
const SLOT_BYTES = 24;

let compiled: WasmModule | null | undefined;

/** The compiled kernel module (from gbdt.wat), or null where WebAssembly cannot run it. */
function kernelModule(): WasmModule | null {
  if (compiled === undefined) {
    try {
      compiled = compileWasm(decodeWasm(WASM_BASE64));
    } catch (error) {
      compiled = null;
      noteFallback(KERNEL_FALLBACK, 'WebAssembly is unavailable; histograms run in JavaScript', {
        reason: error instanceof Error ? error.message : String(error),
      });
    }
  }
  return compiled;
}

/**
 * A memory of `bytes` bytes (rounded up to whole 64 KiB pages) and the kernels bound to it,
 * or null (logged and counted) where WebAssembly is unavailable or the memory cannot be
 * reserved; the trainer then runs the JavaScript loops.
 */
export function createKernels(
  bytes: number,
): { memory: KernelMemory; kernels: WasmKernels } | null {
  const module = kernelModule();
  if (module === null) return null;
  try {
    const memory = createWasmMemory(bytes, bytes);
    return { memory, kernels: instantiateWasm<WasmKernels>(module, memory) };
  } catch (error) {
    noteFallback(
      KERNEL_FALLBACK,
      'the WebAssembly memory could not be reserved; histograms run in JavaScript',
      {
        bytes,
        reason: error instanceof Error ? error.message : String(error),
      },
    );
    return null;
  }
}

/** Fixed addresses of one fit's arrays, baked into {@link createFixedKernels}' code. */
export interface FixedLayout {
  /** Column-major bins: feature `f`'s column at `bins + f · rows`. */
  readonly bins: number;
  readonly rows: number;
  /** Row-major bins: row `r`'s bin of feature `f` at `rowBins + r · stride + f`. */
  readonly rowBins: number;
  readonly stride: number;
  /** Output histogram: feature `f`'s block at `histogram + f · slots · 24`. */
  readonly histogram: number;
  readonly slots: number;
  /** Features 0..cols−1, all visited, in order. */
  readonly cols: number;
}

/**
 * The histogram kernels of one fit for the usual case of every feature at once, generated with
 * that fit's addresses as constant offsets of the memory instructions: no feature table to
 * read per row and feature, and no registers spent on addresses. Same additions in the same
 * order as {@link WasmKernels}, so the same sums to the bit. Generated per fit because it is
 * measured to pay: fits on the fraud benchmark's 500k rows × 15 features take about a tenth
 * less CPU time with them than with the table-driven kernels alone.
 */
export interface FixedKernels {
  /** As `histogramIndexed` with every feature: rows `u32[p]` for `p` in `[indexStart, indexEnd)`. */
  histogramIndexed(gradHess: number, indexStart: number, indexEnd: number): void;
  /** As `histogramContiguous` with every feature: rows 0..rows−1, sums only. */
  histogramContiguous(gradHess: number, rows: number): void;
}

/** `memory[at + offset] += value` for an f64. */
function addTo(at: WasmLocal, offset: number, value: WasmCode): WasmCode {
  return [
    ...localGet(at),
    ...localGet(at),
    ...f64Load(offset),
    ...value,
    ...f64Add,
    ...f64Store(offset),
  ];
}

/** `at = u8[address + offset] · 24`: a feature's slot offset within its histogram block. */
function slotOffset(address: WasmLocal, offset: number, at: WasmLocal): WasmCode {
  return [
    ...localGet(address),
    ...i32Load8U(offset),
    ...i32Const(SLOT_BYTES),
    ...i32Mul,
    ...localSet(at),
  ];
}

/**
 * `histogramIndexed(gradHess, p, indexEnd)`: for each row r = u32[p], p in [p, indexEnd) step 4,
 * and every feature f in order: g, h and 1 into the slot of bin u8[rowBins + r·stride + f]
 * (addresses baked in as constant offsets).
 */
function fixedIndexed(layout: FixedLayout) {
  const fn = new FunctionBuilder('histogramIndexed', {
    gradHess: 'i32',
    p: 'i32',
    indexEnd: 'i32',
  });
  const { gradHess, p, indexEnd } = fn.params;
  const rowBase = fn.local('rowBase', 'i32');
  const at = fn.local('at', 'i32');
  const g = fn.local('g', 'f64');
  const h = fn.local('h', 'f64');
  const width = layout.slots * SLOT_BYTES;
  const updates: number[] = [];
  for (let f = 0; f < layout.cols; f++) {
    const histogram = layout.histogram + f * width;
    updates.push(
      ...slotOffset(rowBase, layout.rowBins + f, at),
      ...addTo(at, histogram, localGet(g)),
      ...addTo(at, histogram + 8, localGet(h)),
      ...addTo(at, histogram + 16, op.f64Const(1)),
    );
  }
  return fn.emit(
    block(
      localGet(p),
      localGet(indexEnd),
      i32GeU,
      brIf(0),
      loop(
        // rowBase = u32[p]; at = gradHess + 16·rowBase; g, h; rowBase = rowBase·stride.
        localGet(p),
        i32Load(0),
        localTee(rowBase),
        i32Const(4),
        i32Shl,
        localGet(gradHess),
        i32Add,
        localTee(at),
        f64Load(0),
        localSet(g),
        localGet(at),
        f64Load(8),
        localSet(h),
        localGet(rowBase),
        i32Const(layout.stride),
        i32Mul,
        localSet(rowBase),
        updates,
        localGet(p),
        i32Const(4),
        i32Add,
        localTee(p),
        localGet(indexEnd),
        i32LtU,
        brIf(0),
      ),
    ),
  );
}

/**
 * `histogramContiguous(gradHess, rows)`: rows 0 … rows − 1 in order, every feature: g and h
 * into the slot of bin u8[bins + f·rows + r] (sums only; addresses baked in).
 */
function fixedContiguous(layout: FixedLayout) {
  const fn = new FunctionBuilder('histogramContiguous', { ghAt: 'i32', rows: 'i32' });
  const { ghAt, rows } = fn.params;
  const row = fn.local('row', 'i32');
  const at = fn.local('at', 'i32');
  const g = fn.local('g', 'f64');
  const h = fn.local('h', 'f64');
  const width = layout.slots * SLOT_BYTES;
  const updates: number[] = [];
  for (let f = 0; f < layout.cols; f++) {
    const histogram = layout.histogram + f * width;
    updates.push(
      ...slotOffset(row, layout.bins + f * layout.rows, at),
      ...addTo(at, histogram, localGet(g)),
      ...addTo(at, histogram + 8, localGet(h)),
    );
  }
  return fn.emit(
    block(
      localGet(row),
      localGet(rows),
      i32GeU,
      brIf(0),
      loop(
        localGet(ghAt),
        f64Load(0),
        localSet(g),
        localGet(ghAt),
        f64Load(8),
        localSet(h),
        updates,
        localGet(ghAt),
        i32Const(16),
        i32Add,
        localSet(ghAt),
        localGet(row),
        i32Const(1),
        i32Add,
        localTee(row),
        localGet(rows),
        i32LtU,
        brIf(0),
      ),
    ),
  );
}

/** The per-fit module's bytes for `layout` (see {@link FixedKernels}). */
export function fixedKernelsModule(layout: FixedLayout): Uint8Array {
  return encodeWasmModule([fixedIndexed(layout), fixedContiguous(layout)]);
}

/**
 * Generates and instantiates the {@link FixedKernels} of one fit on `memory` (a module of a
 * few hundred bytes per feature; compiling it takes about a millisecond), or null (logged and
 * counted: the table-driven kernels run instead) when that fails.
 */
export function createFixedKernels(memory: KernelMemory, layout: FixedLayout): FixedKernels | null {
  if (!wasmAvailable()) return null;
  try {
    return instantiateWasm<FixedKernels>(compileWasm(fixedKernelsModule(layout)), memory);
  } catch (error) {
    noteFallback(
      KERNEL_FALLBACK,
      'the per-fit histogram kernels failed to compile; using the generic ones',
      {
        cols: layout.cols,
        reason: error instanceof Error ? error.message : String(error),
      },
    );
    return null;
  }
}
