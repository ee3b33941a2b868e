/**
 * Gradient histograms of one tree node: for each feature and bin, the sums of gradients,
 * of hessians and the row count, interleaved in one Float64Array at
 * `((feature * slots) + bin) * 3 + {0: gradient, 1: hessian, 2: count}`, where `slots` is
 * the number of bins per feature including the missing bin.
 */
export type Histogram = Float64Array;

/** Values per (feature, bin) slot of a {@link Histogram}. */
export const HISTOGRAM_STRIDE = 3;

/** Length of a {@link Histogram} for `features` features of `slots` bins each. */
export function histogramLength(features: number, slots: number): number {
  return features * slots * HISTOGRAM_STRIDE;
}

/** The data a histogram pass reads; shared by every node of a tree. */
export interface HistogramSource {
  /** Column-major bins of the training rows (see `binMatrix`). */
  readonly bins: Uint8Array;
  /** Training rows (length of each binned column). */
  readonly rows: number;
  /** Bin slots per feature (missing bin + 1). */
  readonly slots: number;
  /**
   * Per-row gradient and hessian of the current iteration, interleaved: row `r`'s at `2r`
   * and `2r + 1`, so one cache line brings both.
   */
  readonly gradHess: Float64Array;
}

/**
 * Fills `histogram` for the rows `rowIndices[start..end)`, for the features listed in
 * `features` only (slots of the others are left untouched).
 *
 * `knownCounts`, when given, means the rows are all rows 0..rows−1 in order (the root of a tree
 * grown without row subsampling) and holds their counts from an earlier pass: counts do not
 * depend on the gradients, so the pass only sums gradients and hessians, read without
 * indirection, which saves a third of the work of the largest histogram of every tree.
 *
 * This is the reference loop: the trainer runs the WebAssembly kernels of `wasm-kernels.ts`,
 * which add the same values to each slot in the same (row) order and so give the same sums to
 * the bit; the tests compare them with it. It runs in training only where WebAssembly cannot
 * (no WebAssembly, or a fit beyond its 4 GiB memory), a fallback that is logged and counted.
 */
export function buildHistogram(
  histogram: Histogram,
  source: HistogramSource,
  features: Int32Array,
  rowIndices: Uint32Array,
  start: number,
  end: number,
  knownCounts?: Histogram,
): void {
  const { bins, rows, slots, gradHess } = source;
  const width = slots * HISTOGRAM_STRIDE;
  const contiguous = knownCounts !== undefined;
  for (let j = 0; j < features.length; j++) {
    const base = features[j]! * width;
    const column = features[j]! * rows;
    histogram.fill(0, base, base + width);
    for (let k = start; k < end; k++) {
      const row = contiguous ? k - start : rowIndices[k]!;
      const at = base + bins[column + row]! * HISTOGRAM_STRIDE;
      histogram[at] = histogram[at]! + gradHess[2 * row]!;
      histogram[at + 1] = histogram[at + 1]! + gradHess[2 * row + 1]!;
      if (!contiguous) histogram[at + 2] = histogram[at + 2]! + 1;
    }
    if (contiguous) {
      for (let at = base + 2; at < base + width; at += HISTOGRAM_STRIDE) {
        histogram[at] = knownCounts[at]!;
      }
    }
  }
}

/**
 * The subtraction trick: a node's histogram minus one child's is the other child's, so only
 * the smaller child is ever built from rows. Writes `parent − child` into `out` for `features`.
 */
export function subtractHistogram(
  out: Histogram,
  parent: Histogram,
  child: Histogram,
  features: Int32Array,
  slots: number,
): void {
  const width = slots * HISTOGRAM_STRIDE;
  for (let j = 0; j < features.length; j++) {
    const base = features[j]! * width;
    for (let k = base; k < base + width; k++) out[k] = parent[k]! - child[k]!;
  }
}
