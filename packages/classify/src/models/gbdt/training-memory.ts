import { noteFallback } from '@mlsd/core/internal';
import {
  buildHistogram,
  HISTOGRAM_STRIDE,
  type Histogram,
  type HistogramSource,
} from './histogram.js';
import { partitionRows } from './partition-rows.js';
import {
  createFixedKernels,
  createKernels,
  type FixedKernels,
  KERNEL_FALLBACK,
  type WasmKernels,
} from './wasm-kernels.js';

/** Largest WebAssembly memory we ask for (the 32-bit address space, less one page). */
const MAX_WASM_BYTES = 2 ** 32 - 2 ** 16;
const GOES_LEFT_BYTES = 256;

/** Bytes of one region, rounded up to a cache line so every region starts aligned. */
function aligned(bytes: number): number {
  return Math.ceil(bytes / 64) * 64;
}

/** Where the typed arrays of one fit live inside the WebAssembly memory (byte offsets). */
interface WasmLayout {
  readonly histogram: number;
  readonly gradHess: number;
  readonly rowIndices: number;
  readonly scratch: number;
  readonly table: number;
  readonly goesLeft: number;
  readonly bins: number;
  readonly rowBins: number;
  readonly stride: number;
  readonly bytes: number;
}

function wasmLayout(rows: number, cols: number, slots: number): WasmLayout {
  let top = 0;
  const take = (bytes: number): number => {
    const at = top;
    top += aligned(bytes);
    return at;
  };
  const histogram = take(cols * slots * HISTOGRAM_STRIDE * 8);
  const gradHess = take(rows * 16);
  const rowIndices = take(rows * 4);
  const scratch = take(rows * 4);
  const table = take(cols * 8);
  const goesLeft = take(GOES_LEFT_BYTES);
  const bins = take(rows * cols);
  const stride = (cols + 7) & ~7;
  const rowBins = take(rows * stride);
  return {
    histogram,
    gradHess,
    rowIndices,
    scratch,
    table,
    goesLeft,
    bins,
    rowBins,
    stride,
    bytes: top,
  };
}

/**
 * The per-fit working arrays of the tree grower (binned columns, gradients, row indices,
 * partition scratch) and the two hot loops over them: summing a node's histogram and
 * partitioning a node's rows on a split.
 *
 * Where WebAssembly is available and the arrays fit in its 4 GiB address space, the arrays are
 * views into one WebAssembly memory and the loops run as the kernels of `wasm-kernels.ts`
 * (passes over every feature, the usual case, as kernels generated for this memory's
 * addresses); otherwise they are ordinary typed arrays and the loops the JavaScript ones of
 * `histogram.ts` and `partition-rows.ts`. Both give identical results (the same additions in
 * the same order per histogram slot).
 */
export class TrainingMemory {
  /** Column-major bins, `rows × cols` (fill with `binMatrix(…, out)`). */
  readonly bins: Uint8Array;
  /** Gradient and hessian of every row, interleaved (see {@link HistogramSource}). */
  readonly gradHess: Float64Array;
  /** Rows of the current tree; the grower reorders `[0, count)` into leaf ranges. */
  readonly rowIndices: Uint32Array;
  readonly rows: number;
  readonly cols: number;
  readonly slots: number;
  /** True when the loops run as WebAssembly. */
  readonly accelerated: boolean;
  readonly #scratch: Uint32Array;
  readonly #kernels: WasmKernels | null;
  /** Kernels generated for this memory's addresses, for passes over every feature. */
  readonly #fixed: FixedKernels | null;
  readonly #layout: WasmLayout | null;
  /** Views of the kernel output histogram, feature table and goes-left table. */
  readonly #out: Float64Array;
  readonly #table: Int32Array;
  readonly #goesLeft: Uint8Array;
  readonly #rowBins: Uint8Array;

  /**
   * Allocates the arrays for `rows` rows, `cols` features and `slots` bin slots per feature.
   * `useWasm: false` forces the JavaScript loops (tests compare both).
   */
  constructor(rows: number, cols: number, slots: number, useWasm = true) {
    this.rows = rows;
    this.cols = cols;
    this.slots = slots;
    const layout = wasmLayout(rows, cols, slots);
    // Without WebAssembly, or when the memory cannot be reserved, the JS loops run instead.
    if (useWasm && layout.bytes > MAX_WASM_BYTES) {
      noteFallback(
        KERNEL_FALLBACK,
        "the fit exceeds WebAssembly's 4 GiB memory; histograms run in JavaScript",
        {
          bytes: layout.bytes,
        },
      );
    }
    const wasm = useWasm && layout.bytes <= MAX_WASM_BYTES ? createKernels(layout.bytes) : null;
    this.#kernels = wasm === null ? null : wasm.kernels;
    this.accelerated = wasm !== null;
    const histogramValues = cols * slots * HISTOGRAM_STRIDE;
    if (wasm !== null) {
      const buffer = wasm.memory.buffer;
      this.#layout = layout;
      this.bins = new Uint8Array(buffer, layout.bins, rows * cols);
      this.gradHess = new Float64Array(buffer, layout.gradHess, 2 * rows);
      this.rowIndices = new Uint32Array(buffer, layout.rowIndices, rows);
      this.#scratch = new Uint32Array(buffer, layout.scratch, rows);
      this.#out = new Float64Array(buffer, layout.histogram, histogramValues);
      this.#table = new Int32Array(buffer, layout.table, 2 * cols);
      this.#goesLeft = new Uint8Array(buffer, layout.goesLeft, GOES_LEFT_BYTES);
      this.#rowBins = new Uint8Array(buffer, layout.rowBins, rows * layout.stride);
      this.#fixed = createFixedKernels(wasm.memory, {
        bins: layout.bins,
        rows,
        rowBins: layout.rowBins,
        stride: layout.stride,
        histogram: layout.histogram,
        slots,
        cols,
      });
    } else {
      this.#layout = null;
      this.bins = new Uint8Array(rows * cols);
      this.gradHess = new Float64Array(2 * rows);
      this.rowIndices = new Uint32Array(rows);
      this.#scratch = new Uint32Array(rows);
      this.#out = new Float64Array(0);
      this.#table = new Int32Array(0);
      this.#goesLeft = new Uint8Array(0);
      this.#rowBins = new Uint8Array(0);
      this.#fixed = null;
    }
  }

  /**
   * Call once {@link bins} holds the binned rows (and again whenever it changes): the
   * WebAssembly loops also keep a row-major copy, so a node's scattered rows each touch one
   * cache line of bins instead of one per feature.
   */
  binsChanged(): void {
    const layout = this.#layout;
    if (layout === null) return;
    const { rows, cols, bins } = this;
    const out = this.#rowBins;
    const stride = layout.stride;
    for (let f = 0; f < cols; f++) {
      const column = f * rows;
      for (let row = 0; row < rows; row++) out[row * stride + f] = bins[column + row]!;
    }
  }

  /** The arrays as the JavaScript histogram loops read them. */
  get source(): HistogramSource {
    return { bins: this.bins, rows: this.rows, slots: this.slots, gradHess: this.gradHess };
  }

  /**
   * Fills `histogram` (see `histogramLength`) for the rows `rowIndices[start..end)` and the
   * listed features, as `buildHistogram` does (`knownCounts`: the rows are 0..rows−1 in order
   * and these are their counts).
   */
  buildHistogram(
    histogram: Histogram,
    features: Int32Array,
    start: number,
    end: number,
    knownCounts?: Histogram,
  ): void {
    const kernels = this.#kernels;
    const layout = this.#layout;
    if (kernels === null || layout === null || features.length === 0) {
      buildHistogram(histogram, this.source, features, this.rowIndices, start, end, knownCounts);
      return;
    }
    const width = this.slots * HISTOGRAM_STRIDE;
    const out = this.#out;
    const table = this.#table;
    // Root passes read the columns front to back; scattered rows read the row-major copy.
    const contiguous = knownCounts !== undefined;
    for (let j = 0; j < features.length; j++) {
      const feature = features[j]!;
      const base = feature * width;
      out.fill(0, base, base + width);
      table[2 * j] = contiguous ? layout.bins + feature * this.rows : feature;
      table[2 * j + 1] = layout.histogram + base * 8;
    }
    const tableEnd = layout.table + 8 * features.length;
    // Every feature (they are distinct and ascending, so 0..cols−1): the generated kernels.
    const fixed = features.length === this.cols ? this.#fixed : null;
    if (fixed !== null && knownCounts !== undefined) {
      fixed.histogramContiguous(layout.gradHess, end - start);
    } else if (fixed !== null) {
      fixed.histogramIndexed(
        layout.gradHess,
        layout.rowIndices + 4 * start,
        layout.rowIndices + 4 * end,
      );
    } else if (knownCounts !== undefined) {
      kernels.histogramContiguous(layout.table, tableEnd, layout.gradHess, end - start);
    } else {
      kernels.histogramIndexed(
        layout.table,
        tableEnd,
        layout.gradHess,
        layout.rowIndices + 4 * start,
        layout.rowIndices + 4 * end,
        layout.rowBins,
        layout.stride,
      );
    }
    if (features.length === this.cols) {
      histogram.set(out);
    } else {
      for (let j = 0; j < features.length; j++) {
        const base = features[j]! * width;
        histogram.set(out.subarray(base, base + width), base);
      }
    }
    if (knownCounts !== undefined) {
      for (let j = 0; j < features.length; j++) {
        const base = features[j]! * width;
        for (let at = base + 2; at < base + width; at += HISTOGRAM_STRIDE) {
          histogram[at] = knownCounts[at]!;
        }
      }
    }
  }

  /**
   * Reorders `rowIndices[start..end)` so the rows whose bin of `feature` has `goesLeft[bin] = 1`
   * come first, both sides keeping their order; returns where the right side starts.
   * `expectedLeft` (the left count the histogram predicted) only steers the JS loop.
   */
  partition(
    start: number,
    end: number,
    feature: number,
    goesLeft: Uint8Array,
    expectedLeft: number,
  ): number {
    const kernels = this.#kernels;
    const layout = this.#layout;
    if (kernels === null || layout === null) {
      const column = this.bins.subarray(feature * this.rows, (feature + 1) * this.rows);
      return partitionRows(
        this.rowIndices,
        start,
        end,
        column,
        goesLeft,
        expectedLeft,
        this.#scratch,
      );
    }
    this.#goesLeft.set(goesLeft.subarray(0, GOES_LEFT_BYTES));
    const leftEndAddress =
      kernels.partitionRows(
        layout.rowIndices + 4 * start,
        layout.rowIndices + 4 * end,
        layout.bins + feature * this.rows,
        layout.goesLeft,
        layout.scratch,
      ) >>> 0; // an i32 result: addresses past 2 GiB come back negative
    const leftEnd = (leftEndAddress - layout.rowIndices) / 4;
    this.rowIndices.set(this.#scratch.subarray(0, end - leftEnd), leftEnd);
    return leftEnd;
  }
}
