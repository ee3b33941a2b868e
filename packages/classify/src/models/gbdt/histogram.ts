/**
 * Gradient histograms of one tree node: for each feature and bin, the sums of gradients,
 * of hessians and the row count, interleaved in one Float64Array at
 * `((feature * slots) + bin) * 3 + {0: gradient, 1: hessian, 2: count}`, where `slots` is
 * the number of bins per feature including the missing bin. One more feature's worth of
 * slots at the end is scratch space for {@link buildHistogram} (see {@link histogramLength}).
 */
export type Histogram = Float64Array;

/** Values per (feature, bin) slot of a {@link Histogram}. */
export const HISTOGRAM_STRIDE = 3;

/** Length of a {@link Histogram} for `features` features of `slots` bins each (scratch included). */
export function histogramLength(features: number, slots: number): number {
  return (features + 1) * slots * HISTOGRAM_STRIDE;
}

/** The data a histogram pass reads; shared by every node of a tree. */
export interface HistogramSource {
  /** Column-major bins of the training rows (see `binMatrix`). */
  readonly bins: Uint8Array;
  /** Training rows (length of each binned column). */
  readonly rows: number;
  /** Bin slots per feature (missing bin + 1). */
  readonly slots: number;
  /** Per-row gradients and hessians of the current iteration. */
  readonly gradients: Float64Array;
  readonly hessians: Float64Array;
  /** Scratch of length ≥ rows: a node's gradients and hessians gathered in row order. */
  readonly orderedGradients: Float64Array;
  readonly orderedHessians: Float64Array;
}

/**
 * Fills `histogram` for the rows `rowIndices[start..end)`, for the features listed in
 * `features` only (slots of the others are left untouched). When `contiguous` is true the
 * rows are known to be 0..rows−1 in order and are read without indirection; `knownCounts`,
 * a histogram of the same rows from an earlier pass, then supplies the row counts (they do not
 * depend on the gradients), which saves a third of the work of the root histogram.
 */
export function buildHistogram(
  histogram: Histogram,
  source: HistogramSource,
  features: Int32Array,
  rowIndices: Uint32Array,
  start: number,
  end: number,
  contiguous: boolean,
  knownCounts?: Histogram,
): void {
  const { bins, rows, slots } = source;
  const size = end - start;
  let g = source.gradients;
  let h = source.hessians;
  if (!contiguous) {
    // Gather once per node so the per-feature passes below stream through memory.
    g = source.orderedGradients;
    h = source.orderedHessians;
    const allG = source.gradients;
    const allH = source.hessians;
    for (let k = 0; k < size; k++) {
      const row = rowIndices[start + k]!;
      g[k] = allG[row]!;
      h[k] = allH[row]!;
    }
  }
  const width = slots * HISTOGRAM_STRIDE;
  for (let j = 0; j < features.length; j++) {
    const base = features[j]! * width;
    histogram.fill(0, base, base + width);
  }
  // Four features per pass over the rows: each row's gradient and hessian are read once per
  // four updates, and the four running sums are independent, so the CPU overlaps them (one
  // feature at a time stalls on repeated increments of the same bin). A last group of fewer
  // than four is padded with its first feature's column, summed into the scratch slot.
  const scratch = histogram.length - width;
  for (let j = 0; j < features.length; j += 4) {
    const f0 = features[j]!;
    const f1 = j + 1 < features.length ? features[j + 1]! : -1;
    const f2 = j + 2 < features.length ? features[j + 2]! : -1;
    const f3 = j + 3 < features.length ? features[j + 3]! : -1;
    const columns = [f0, f1, f2, f3].map((f) => (f < 0 ? f0 : f) * rows) as Quad;
    const bases = [f0, f1, f2, f3].map((f) => (f < 0 ? scratch : f * width)) as Quad;
    if (!contiguous) {
      accumulateIndexed(histogram, bins, g, h, rowIndices, start, size, columns, bases);
    } else if (knownCounts === undefined) {
      accumulateContiguous(histogram, bins, g, h, size, columns, bases);
    } else {
      accumulateContiguousSums(histogram, bins, g, h, size, columns, bases);
    }
  }
  if (contiguous && knownCounts !== undefined) {
    for (let j = 0; j < features.length; j++) {
      const base = features[j]! * width;
      for (let at = base + 2; at < base + width; at += HISTOGRAM_STRIDE) {
        histogram[at] = knownCounts[at]!;
      }
    }
  }
}

type Quad = [number, number, number, number];

function accumulateContiguous(
  histogram: Histogram,
  bins: Uint8Array,
  g: Float64Array,
  h: Float64Array,
  size: number,
  columns: Quad,
  bases: Quad,
): void {
  const [c0, c1, c2, c3] = columns;
  const [h0, h1, h2, h3] = bases;
  for (let k = 0; k < size; k++) {
    const gk = g[k]!;
    const hk = h[k]!;
    let at = h0 + bins[c0 + k]! * HISTOGRAM_STRIDE;
    histogram[at] = histogram[at]! + gk;
    histogram[at + 1] = histogram[at + 1]! + hk;
    histogram[at + 2] = histogram[at + 2]! + 1;
    at = h1 + bins[c1 + k]! * HISTOGRAM_STRIDE;
    histogram[at] = histogram[at]! + gk;
    histogram[at + 1] = histogram[at + 1]! + hk;
    histogram[at + 2] = histogram[at + 2]! + 1;
    at = h2 + bins[c2 + k]! * HISTOGRAM_STRIDE;
    histogram[at] = histogram[at]! + gk;
    histogram[at + 1] = histogram[at + 1]! + hk;
    histogram[at + 2] = histogram[at + 2]! + 1;
    at = h3 + bins[c3 + k]! * HISTOGRAM_STRIDE;
    histogram[at] = histogram[at]! + gk;
    histogram[at + 1] = histogram[at + 1]! + hk;
    histogram[at + 2] = histogram[at + 2]! + 1;
  }
}

/** {@link accumulateContiguous} without the counts. */
function accumulateContiguousSums(
  histogram: Histogram,
  bins: Uint8Array,
  g: Float64Array,
  h: Float64Array,
  size: number,
  columns: Quad,
  bases: Quad,
): void {
  const [c0, c1, c2, c3] = columns;
  const [h0, h1, h2, h3] = bases;
  for (let k = 0; k < size; k++) {
    const gk = g[k]!;
    const hk = h[k]!;
    let at = h0 + bins[c0 + k]! * HISTOGRAM_STRIDE;
    histogram[at] = histogram[at]! + gk;
    histogram[at + 1] = histogram[at + 1]! + hk;
    at = h1 + bins[c1 + k]! * HISTOGRAM_STRIDE;
    histogram[at] = histogram[at]! + gk;
    histogram[at + 1] = histogram[at + 1]! + hk;
    at = h2 + bins[c2 + k]! * HISTOGRAM_STRIDE;
    histogram[at] = histogram[at]! + gk;
    histogram[at + 1] = histogram[at + 1]! + hk;
    at = h3 + bins[c3 + k]! * HISTOGRAM_STRIDE;
    histogram[at] = histogram[at]! + gk;
    histogram[at + 1] = histogram[at + 1]! + hk;
  }
}

function accumulateIndexed(
  histogram: Histogram,
  bins: Uint8Array,
  g: Float64Array,
  h: Float64Array,
  rowIndices: Uint32Array,
  start: number,
  size: number,
  columns: Quad,
  bases: Quad,
): void {
  const [c0, c1, c2, c3] = columns;
  const [h0, h1, h2, h3] = bases;
  for (let k = 0; k < size; k++) {
    const row = rowIndices[start + k]!;
    const gk = g[k]!;
    const hk = h[k]!;
    let at = h0 + bins[c0 + row]! * HISTOGRAM_STRIDE;
    histogram[at] = histogram[at]! + gk;
    histogram[at + 1] = histogram[at + 1]! + hk;
    histogram[at + 2] = histogram[at + 2]! + 1;
    at = h1 + bins[c1 + row]! * HISTOGRAM_STRIDE;
    histogram[at] = histogram[at]! + gk;
    histogram[at + 1] = histogram[at + 1]! + hk;
    histogram[at + 2] = histogram[at + 2]! + 1;
    at = h2 + bins[c2 + row]! * HISTOGRAM_STRIDE;
    histogram[at] = histogram[at]! + gk;
    histogram[at + 1] = histogram[at + 1]! + hk;
    histogram[at + 2] = histogram[at + 2]! + 1;
    at = h3 + bins[c3 + row]! * HISTOGRAM_STRIDE;
    histogram[at] = histogram[at]! + gk;
    histogram[at + 1] = histogram[at + 1]! + hk;
    histogram[at + 2] = histogram[at + 2]! + 1;
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
