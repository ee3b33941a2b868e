import type { Matrix } from '@mlsd/core';

/**
 * Per-feature bin edges and the binned (column-major, one byte per cell) form of a matrix.
 * A value `x` of feature `f` falls in bin `b`, the first with `x <= edges[f][b]`, or in the
 * last non-missing bin `edges[f].length` when it exceeds them all; NaN falls in
 * `missingBin`. So "bin ≤ b" on binned data is exactly "x ≤ edges[f][b]" on raw data, which
 * lets trees grown on bins predict on raw values.
 */
export interface BinEdges {
  /** Ascending upper edges of every feature's bins; `edges[f].length + 1` non-missing bins. */
  readonly edges: readonly Float64Array[];
  /** Bin index of NaN (= maxBins); histograms have `missingBin + 1` slots per feature. */
  readonly missingBin: number;
}

/**
 * Finds quantile bin edges for every column, as scikit-learn's histogram gradient boosting:
 * with at most `maxBins` distinct values, the midpoints between consecutive ones; otherwise
 * the `maxBins − 1` inner percentiles (midpoint interpolation), deduplicated. NaN is left out
 * (it has its own bin). `rowSample`, when given, restricts the search to those rows.
 */
export function findBinEdges(
  matrix: Matrix,
  maxBins: number,
  rowSample?: ArrayLike<number>,
): BinEdges {
  const { data, rows, cols } = matrix;
  const sampleSize = rowSample === undefined ? rows : rowSample.length;
  // One pass over the sampled rows fills every feature's buffer (row-major reads stay local).
  const columns = Array.from({ length: cols }, () => new Float64Array(sampleSize));
  const counts = new Int32Array(cols);
  for (let k = 0; k < sampleSize; k++) {
    const base = (rowSample === undefined ? k : rowSample[k]!) * cols;
    for (let f = 0; f < cols; f++) {
      const x = data[base + f]!;
      if (!Number.isNaN(x)) {
        const at = counts[f]!;
        columns[f]![at] = x;
        counts[f] = at + 1;
      }
    }
  }
  const edges = columns.map((values, f) =>
    edgesOfSorted(values.subarray(0, counts[f]!).sort(), maxBins),
  );
  return { edges, missingBin: maxBins };
}

function edgesOfSorted(sorted: Float64Array, maxBins: number): Float64Array {
  const distinct: number[] = [];
  for (let k = 0; k < sorted.length; k++) {
    if (k === 0 || sorted[k] !== sorted[k - 1]) {
      distinct.push(sorted[k]!);
      if (distinct.length > maxBins) break;
    }
  }
  if (distinct.length <= maxBins) {
    const out = new Float64Array(Math.max(0, distinct.length - 1));
    for (let k = 0; k < out.length; k++) out[k] = midpoint(distinct[k]!, distinct[k + 1]!);
    return out;
  }
  const n = sorted.length;
  const edges: number[] = [];
  for (let q = 1; q < maxBins; q++) {
    // numpy.percentile(method='midpoint'): mean of the two order statistics around the rank.
    const rank = (q / maxBins) * (n - 1);
    const low = Math.floor(rank);
    const high = Math.ceil(rank);
    const edge = low === high ? sorted[low]! : midpoint(sorted[low]!, sorted[high]!);
    if (edges.length === 0 || edge > edges[edges.length - 1]!) edges.push(edge);
  }
  return Float64Array.from(edges);
}

function midpoint(a: number, b: number): number {
  const mid = a + (b - a) / 2;
  return Number.isFinite(mid) ? mid : a;
}

/** Edges per feature after padding (≥ 255 edges + 1, a power of two). */
const MAX_PADDED_EDGES = 256;

/** Rows binned per block in {@link binMatrix}. */
const BIN_BLOCK_ROWS = 4096;

/**
 * Maps every cell to its bin and transposes: column `f` of the result is
 * `bins.subarray(f * rows, (f + 1) * rows)`, so histogram passes read one feature contiguously.
 * With `rowList`, only those rows are binned, in that order (`rows = rowList.length`).
 */
export function binMatrix(
  matrix: Matrix,
  binEdges: BinEdges,
  rowList?: ArrayLike<number>,
): Uint8Array {
  const { data, cols } = matrix;
  const rows = rowList === undefined ? matrix.rows : rowList.length;
  const { edges, missingBin } = binEdges;
  const bins = new Uint8Array(rows * cols);
  // Edges padded with +∞ to a power of two, so every search takes the same halving steps.
  const padded = edges.map((featureEdges) => {
    const out = new Float64Array(MAX_PADDED_EDGES).fill(Number.POSITIVE_INFINITY);
    out.set(featureEdges);
    return out;
  });
  const steps = Int32Array.from(edges, (featureEdges) => {
    let size = 1;
    while (size < featureEdges.length + 1) size <<= 1;
    return size >> 1;
  });
  // Blocks of rows, so the block's slice of the row-major input stays in cache while each
  // feature's column is written.
  for (let blockStart = 0; blockStart < rows; blockStart += BIN_BLOCK_ROWS) {
    const blockEnd = Math.min(rows, blockStart + BIN_BLOCK_ROWS);
    for (let f = 0; f < cols; f++) {
      const featureEdges = padded[f]!;
      const firstStep = steps[f]!;
      const column = f * rows;
      for (let i = blockStart; i < blockEnd; i++) {
        const source = rowList === undefined ? i : rowList[i]!;
        const x = data[source * cols + f]!;
        if (Number.isNaN(x)) {
          bins[column + i] = missingBin;
          continue;
        }
        // Count of edges below x, by a binary search of fixed length over the padded edges.
        let low = 0;
        for (let step = firstStep; step > 0; step >>= 1) {
          if (x > featureEdges[low + step - 1]!) low += step;
        }
        bins[column + i] = low;
      }
    }
  }
  return bins;
}
