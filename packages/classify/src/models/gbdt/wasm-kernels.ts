import { wasm } from '@mlsd/core';

type Code = wasm.Code;
const { encodeModule, F64, I32, op } = wasm;

/**
 * The trainer's hot loops as WebAssembly, over one linear memory that holds the binned
 * columns, the interleaved gradients/hessians, the row indices and an output histogram.
 * V8 compiles these to tighter machine code than the same loops in JavaScript (no bounds
 * check per typed-array access, addresses computed once), about twice as fast on histograms.
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

/**
 * The part of the WebAssembly JS API used here, typed locally: the project compiles without
 * the DOM library, whose declarations these are, and some runtimes lack WebAssembly.
 */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
  Memory: new (descriptor: { initial: number }) => KernelMemory;
}

/** A WebAssembly linear memory: its bytes, shared with the kernels. */
export interface KernelMemory {
  readonly buffer: ArrayBuffer;
}

const webAssembly = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;

const { localGet, localSet, localTee, i32Const, i32Load, i32Load8U, f64Load, f64Store } = op;
const { i32Add, i32Mul, i32Shl, i32Sub, i32LtU, i32GeU, f64Add, block, loop, brIf } = op;

/** Slot stride in bytes: three f64 per (feature, bin). */
const SLOT_BYTES = 24;

/** `memory[at + offset] += value` for an f64, `at` in local `at`, value pushed by `value`. */
function addTo(at: number, offset: number, value: Code): Code {
  return [
    ...localGet(at),
    ...localGet(at),
    ...f64Load(offset),
    ...value,
    ...f64Add,
    ...f64Store(offset),
  ];
}

/** Loop over the feature table (`t` from `table` to `tableEnd`, step 8) running `body`. */
function forEachFeature(table: number, tableEnd: number, t: number, body: Code): Code {
  return [
    ...localGet(table),
    ...localSet(t),
    ...loop(
      body,
      localGet(t),
      i32Const(8),
      i32Add,
      localTee(t),
      localGet(tableEnd),
      i32LtU,
      brIf(0),
    ),
  ];
}

/** Locals of one row in flight: where its bins start (see the kernels), its gradient and hessian. */
interface RowLocals {
  readonly bins: number;
  readonly g: number;
  readonly h: number;
}

/**
 * The updates of the table entry at `t` for each row in `rows`, in order: `column` and
 * `histogram` are loaded once, then per row `at = histogram + u8[column + row.bins] · 24` and
 * its slot gains g, h (and 1 when `counts`).
 */
function featureUpdates(
  t: number,
  column: number,
  histogram: number,
  at: number,
  rows: readonly RowLocals[],
  counts: boolean,
): Code {
  const code: number[] = [
    ...localGet(t),
    ...i32Load(0),
    ...localSet(column),
    ...localGet(t),
    ...i32Load(4),
    ...localSet(histogram),
  ];
  for (const row of rows) {
    code.push(
      ...localGet(histogram),
      ...localGet(column),
      ...localGet(row.bins),
      ...i32Add,
      ...i32Load8U(0),
      ...i32Const(SLOT_BYTES),
      ...i32Mul,
      ...i32Add,
      ...localSet(at),
      ...addTo(at, 0, localGet(row.g)),
      ...addTo(at, 8, localGet(row.h)),
    );
    if (counts) code.push(...addTo(at, 16, op.f64Const(1)));
  }
  return code;
}

/** Indexed histogram, one row per iteration: every listed feature's update for that row. */
function histogramIndexedBody(): Code[] {
  const [table, tableEnd, gradHess, p, indexEnd, rowBins, stride] = [0, 1, 2, 3, 4, 5, 6];
  const [t, at, column, histogram] = [7, 8, 9, 10];
  const row: RowLocals = { bins: 11, g: 12, h: 13 };
  return [
    block(
      localGet(p),
      localGet(indexEnd),
      i32GeU,
      brIf(0),
      loop(
        // The row's gradient and hessian, and where its row-major bins start.
        localGet(p),
        i32Load(0),
        localTee(row.bins),
        i32Const(4),
        i32Shl,
        localGet(gradHess),
        i32Add,
        localTee(at),
        f64Load(0),
        localSet(row.g),
        localGet(at),
        f64Load(8),
        localSet(row.h),
        localGet(row.bins),
        localGet(stride),
        i32Mul,
        localGet(rowBins),
        i32Add,
        localSet(row.bins),
        forEachFeature(table, tableEnd, t, featureUpdates(t, column, histogram, at, [row], true)),
        localGet(p),
        i32Const(4),
        i32Add,
        localTee(p),
        localGet(indexEnd),
        i32LtU,
        brIf(0),
      ),
    ),
  ];
}

/** Contiguous histogram (rows 0..rows−1, column-major bins, no counts), one row per iteration. */
function histogramContiguousBody(): Code[] {
  const [table, tableEnd, gradHess, rows] = [0, 1, 2, 3];
  const [t, at, column, histogram, ghAt] = [4, 5, 6, 7, 8];
  const row: RowLocals = { bins: 9, g: 10, h: 11 };
  return [
    localGet(gradHess),
    localSet(ghAt),
    block(
      localGet(row.bins),
      localGet(rows),
      i32GeU,
      brIf(0),
      loop(
        localGet(ghAt),
        f64Load(0),
        localSet(row.g),
        localGet(ghAt),
        f64Load(8),
        localSet(row.h),
        forEachFeature(table, tableEnd, t, featureUpdates(t, column, histogram, at, [row], false)),
        localGet(ghAt),
        i32Const(16),
        i32Add,
        localSet(ghAt),
        localGet(row.bins),
        i32Const(1),
        i32Add,
        localTee(row.bins),
        localGet(rows),
        i32LtU,
        brIf(0),
      ),
    ),
  ];
}

function partitionRowsBody(): Code[] {
  // params: 0 p (read), 1 end, 2 column, 3 goesLeft, 4 scratch;
  // locals: 5 write (left cursor), 6 out (scratch cursor), 7 row, 8 left
  const [p, end, column, goesLeft, scratch, write, out, row, left] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  return [
    localGet(p),
    localSet(write),
    localGet(scratch),
    localSet(out),
    block(
      localGet(p),
      localGet(end),
      i32GeU,
      brIf(0),
      loop(
        // Branch-free: write the row to both sides, advance only the matching cursor.
        localGet(p),
        i32Load(0),
        localSet(row),
        localGet(write),
        localGet(row),
        op.i32Store(0),
        localGet(out),
        localGet(row),
        op.i32Store(0),
        localGet(goesLeft),
        localGet(column),
        localGet(row),
        i32Add,
        i32Load8U(0),
        i32Add,
        i32Load8U(0),
        localTee(left),
        i32Const(2),
        i32Shl,
        localGet(write),
        i32Add,
        localSet(write),
        localGet(out),
        i32Const(4),
        i32Add,
        localGet(left),
        i32Const(2),
        i32Shl,
        i32Sub,
        localSet(out),
        localGet(p),
        i32Const(4),
        i32Add,
        localTee(p),
        localGet(end),
        i32LtU,
        brIf(0),
      ),
    ),
    localGet(write),
  ];
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
 * order as {@link WasmKernels}, so the same sums to the bit.
 */
export interface FixedKernels {
  /** As `histogramIndexed` with every feature: rows `u32[p]` for `p` in `[indexStart, indexEnd)`. */
  histogramIndexed(gradHess: number, indexStart: number, indexEnd: number): void;
  /** As `histogramContiguous` with every feature: rows 0..rows−1, sums only. */
  histogramContiguous(gradHess: number, rows: number): void;
}

/** `u8[address + offset] · 24 + …`: the slot address of one feature, left in local `at`. */
function fixedSlot(address: number, offset: number, at: number): Code {
  return [
    ...localGet(address),
    ...i32Load8U(offset),
    ...i32Const(SLOT_BYTES),
    ...i32Mul,
    ...localSet(at),
  ];
}

function fixedIndexedBody(layout: FixedLayout): Code[] {
  // params: 0 gradHess, 1 p, 2 indexEnd; locals: 3 rowBase, 4 at, 5 g, 6 h
  const [gradHess, p, indexEnd, rowBase, at, g, h] = [0, 1, 2, 3, 4, 5, 6];
  const width = layout.slots * SLOT_BYTES;
  const updates: number[] = [];
  for (let f = 0; f < layout.cols; f++) {
    const block = layout.histogram + f * width;
    updates.push(
      ...fixedSlot(rowBase, layout.rowBins + f, at),
      ...addTo(at, block, localGet(g)),
      ...addTo(at, block + 8, localGet(h)),
      ...addTo(at, block + 16, op.f64Const(1)),
    );
  }
  return [
    block(
      localGet(p),
      localGet(indexEnd),
      i32GeU,
      brIf(0),
      loop(
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
  ];
}

function fixedContiguousBody(layout: FixedLayout): Code[] {
  // params: 0 gradHess (then the running address), 1 rows; locals: 2 row, 3 at, 4 g, 5 h
  const [ghAt, rows, row, at, g, h] = [0, 1, 2, 3, 4, 5];
  const width = layout.slots * SLOT_BYTES;
  const updates: number[] = [];
  for (let f = 0; f < layout.cols; f++) {
    const block = layout.histogram + f * width;
    updates.push(
      ...fixedSlot(row, layout.bins + f * layout.rows, at),
      ...addTo(at, block, localGet(g)),
      ...addTo(at, block + 8, localGet(h)),
    );
  }
  return [
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
  ];
}

/**
 * Generates and instantiates the {@link FixedKernels} of one fit on `memory`, or null where
 * WebAssembly is unavailable (a module of a few hundred bytes per feature; compiling it takes
 * about a millisecond).
 */
export function createFixedKernels(memory: KernelMemory, layout: FixedLayout): FixedKernels | null {
  if (webAssembly === undefined) return null;
  try {
    const module = new webAssembly.Module(
      encodeModule([
        {
          name: 'histogramIndexed',
          params: [I32, I32, I32],
          locals: [I32, I32, F64, F64],
          body: fixedIndexedBody(layout),
        },
        {
          name: 'histogramContiguous',
          params: [I32, I32],
          locals: [I32, I32, F64, F64],
          body: fixedContiguousBody(layout),
        },
      ]),
    );
    const instance = new webAssembly.Instance(module, { env: { memory } });
    return instance.exports as FixedKernels;
  } catch {
    return null;
  }
}

let compiled: object | null | undefined;

/** The compiled kernel module, or null where WebAssembly is unavailable. Compiled once. */
function kernelModule(): object | null {
  if (compiled === undefined) {
    if (webAssembly === undefined) {
      compiled = null;
      return compiled;
    }
    try {
      compiled = new webAssembly.Module(
        encodeModule([
          {
            name: 'histogramIndexed',
            params: [I32, I32, I32, I32, I32, I32, I32],
            locals: [I32, I32, I32, I32, I32, F64, F64],
            body: histogramIndexedBody(),
          },
          {
            name: 'histogramContiguous',
            params: [I32, I32, I32, I32],
            locals: [I32, I32, I32, I32, I32, I32, F64, F64],
            body: histogramContiguousBody(),
          },
          {
            name: 'partitionRows',
            params: [I32, I32, I32, I32, I32],
            locals: [I32, I32, I32, I32],
            body: partitionRowsBody(),
            results: [I32],
          },
        ]),
      );
    } catch {
      compiled = null;
    }
  }
  return compiled ?? null;
}

/**
 * A memory of `bytes` bytes (rounded up to whole 64 KiB pages) and the kernels bound to it,
 * or null where WebAssembly is unavailable or the memory cannot be reserved.
 */
export function createKernels(
  bytes: number,
): { memory: KernelMemory; kernels: WasmKernels } | null {
  const module = kernelModule();
  if (module === null || webAssembly === undefined) return null;
  try {
    const memory = new webAssembly.Memory({ initial: Math.ceil(bytes / 2 ** 16) });
    const instance = new webAssembly.Instance(module, { env: { memory } });
    return { memory, kernels: instance.exports as WasmKernels };
  } catch {
    return null;
  }
}
