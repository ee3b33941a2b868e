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
  const { bins, rows, slots } = source;
  const size = end - start;
  const contiguous = knownCounts !== undefined;
  const gh = source.gradHess;
  const width = slots * HISTOGRAM_STRIDE;
  for (let j = 0; j < features.length; j++) {
    const base = features[j]! * width;
    histogram.fill(0, base, base + width);
  }
  // Four or five features per pass over the rows: each row's gradient and hessian are read
  // once per group (rows ascend within a node, so reading them by row index stays cache-friendly), and the group's running sums are independent, so the CPU overlaps them
  // (one feature at a time stalls on repeated increments of the same bin). A last group of
  // fewer than four is padded with its first feature's column, summed into the scratch slot.
  const scratch = histogram.length - width;
  let j = 0;
  while (j < features.length) {
    const remaining = features.length - j;
    const group = remaining % 4 !== 0 && remaining >= 5 ? 5 : 4;
    const columns: number[] = [];
    const bases: number[] = [];
    for (let q = 0; q < group; q++) {
      const feature = j + q < features.length ? features[j + q]! : -1;
      columns.push((feature < 0 ? features[j]! : feature) * rows);
      bases.push(feature < 0 ? scratch : feature * width);
    }
    if (contiguous) {
      if (group === 5) sumFiveContiguous(histogram, bins, gh, size, columns, bases);
      else sumFourContiguous(histogram, bins, gh, size, columns, bases);
    } else if (group === 5) {
      sumFiveIndexed(histogram, bins, gh, rowIndices, start, size, columns, bases);
    } else {
      sumFourIndexed(histogram, bins, gh, rowIndices, start, size, columns, bases);
    }
    j += group;
  }
  if (contiguous) {
    for (let f = 0; f < features.length; f++) {
      const base = features[f]! * width;
      for (let at = base + 2; at < base + width; at += HISTOGRAM_STRIDE) {
        histogram[at] = knownCounts[at]!;
      }
    }
  }
}

/** Gradient and hessian sums of four features over rows 0..size−1 (counts left alone). */
function sumFourContiguous(
  histogram: Histogram,
  bins: Uint8Array,
  gh: Float64Array,
  size: number,
  columns: readonly number[],
  bases: readonly number[],
): void {
  const c0 = columns[0]!;
  const h0 = bases[0]!;
  const c1 = columns[1]!;
  const h1 = bases[1]!;
  const c2 = columns[2]!;
  const h2 = bases[2]!;
  const c3 = columns[3]!;
  const h3 = bases[3]!;
  for (let k = 0; k < size; k++) {
    const gk = gh[2 * k]!;
    const hk = gh[2 * k + 1]!;
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

/** As {@link sumFourContiguous}, five features. */
function sumFiveContiguous(
  histogram: Histogram,
  bins: Uint8Array,
  gh: Float64Array,
  size: number,
  columns: readonly number[],
  bases: readonly number[],
): void {
  const c0 = columns[0]!;
  const h0 = bases[0]!;
  const c1 = columns[1]!;
  const h1 = bases[1]!;
  const c2 = columns[2]!;
  const h2 = bases[2]!;
  const c3 = columns[3]!;
  const h3 = bases[3]!;
  const c4 = columns[4]!;
  const h4 = bases[4]!;
  for (let k = 0; k < size; k++) {
    const gk = gh[2 * k]!;
    const hk = gh[2 * k + 1]!;
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
    at = h4 + bins[c4 + k]! * HISTOGRAM_STRIDE;
    histogram[at] = histogram[at]! + gk;
    histogram[at + 1] = histogram[at + 1]! + hk;
  }
}

/** Sums and counts of four features over the rows `rowIndices[start..start+size)`. */
function sumFourIndexed(
  histogram: Histogram,
  bins: Uint8Array,
  gh: Float64Array,
  rowIndices: Uint32Array,
  start: number,
  size: number,
  columns: readonly number[],
  bases: readonly number[],
): void {
  const c0 = columns[0]!;
  const h0 = bases[0]!;
  const c1 = columns[1]!;
  const h1 = bases[1]!;
  const c2 = columns[2]!;
  const h2 = bases[2]!;
  const c3 = columns[3]!;
  const h3 = bases[3]!;
  for (let k = 0; k < size; k++) {
    const row = rowIndices[start + k]!;
    const gk = gh[2 * row]!;
    const hk = gh[2 * row + 1]!;
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

/** As {@link sumFourIndexed}, five features. */
function sumFiveIndexed(
  histogram: Histogram,
  bins: Uint8Array,
  gh: Float64Array,
  rowIndices: Uint32Array,
  start: number,
  size: number,
  columns: readonly number[],
  bases: readonly number[],
): void {
  const c0 = columns[0]!;
  const h0 = bases[0]!;
  const c1 = columns[1]!;
  const h1 = bases[1]!;
  const c2 = columns[2]!;
  const h2 = bases[2]!;
  const c3 = columns[3]!;
  const h3 = bases[3]!;
  const c4 = columns[4]!;
  const h4 = bases[4]!;
  for (let k = 0; k < size; k++) {
    const row = rowIndices[start + k]!;
    const gk = gh[2 * row]!;
    const hk = gh[2 * row + 1]!;
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
    at = h4 + bins[c4 + row]! * HISTOGRAM_STRIDE;
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
