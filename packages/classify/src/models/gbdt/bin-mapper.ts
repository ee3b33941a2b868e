import { DimensionMismatchError, type Matrix } from '@mlsd/core';

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
 *
 * With `labels` (0/1 per row of `matrix`), the percentiles are *class-balanced*: each class
 * carries half the weight, so with rare positives half the bins cover where the positives lie
 * instead of nearly all of them covering the negatives — a fraud pattern that sits in the top
 * fraction of a percent of amounts then gets edges of its own.
 */
export function findBinEdges(
  matrix: Matrix,
  maxBins: number,
  rowSample?: ArrayLike<number>,
  labels?: ArrayLike<number>,
): BinEdges {
  const { data, rows, cols } = matrix;
  const sampleSize = rowSample === undefined ? rows : rowSample.length;
  // One pass over the sampled rows fills every feature's buffer (row-major reads stay local).
  const columns = Array.from({ length: cols }, () => new Float64Array(sampleSize));
  const positive = labels === undefined ? undefined : columns.map(() => new Uint8Array(sampleSize));
  const counts = new Int32Array(cols);
  for (let k = 0; k < sampleSize; k++) {
    const row = rowSample === undefined ? k : rowSample[k]!;
    const base = row * cols;
    for (let f = 0; f < cols; f++) {
      const x = data[base + f]!;
      if (!Number.isNaN(x)) {
        const at = counts[f]!;
        columns[f]![at] = x;
        if (positive !== undefined) positive[f]![at] = labels![row] === 1 ? 1 : 0;
        counts[f] = at + 1;
      }
    }
  }
  const edges = columns.map((buffer, f) => {
    const values = buffer.subarray(0, counts[f]!);
    // Most columns of a fraud table (flags, counts) hold few distinct values: find them with a
    // small hash set and sort only those; sort the whole sample only when there are more.
    const few = distinctValues(values, maxBins);
    if (few !== null) return midpoints(few);
    return positive === undefined
      ? edgesOfSorted(values.sort(), maxBins)
      : edgesOfBalanced(values, positive[f]!.subarray(0, counts[f]!), maxBins);
  });
  return { edges, missingBin: maxBins };
}

/** Bit views of one float64, to hash values by their bits. */
const hashFloat = new Float64Array(1);
const hashWords = new Uint32Array(hashFloat.buffer);

/**
 * The distinct values of `values` (no NaN), ascending, or null as soon as there are more than
 * `limit`. −0 counts as 0 (as `!==` in a sorted scan sees them).
 */
export function distinctValues(values: Float64Array, limit: number): Float64Array | null {
  let capacity = 16;
  while (capacity < 4 * (limit + 1)) capacity <<= 1;
  const mask = capacity - 1;
  const keys = new Float64Array(capacity);
  const used = new Uint8Array(capacity);
  const found = new Float64Array(limit + 1);
  let count = 0;
  for (let k = 0; k < values.length; k++) {
    const x = values[k] === 0 ? 0 : values[k]!;
    hashFloat[0] = x;
    let slot = Math.imul(hashWords[0]! ^ Math.imul(hashWords[1]!, 0x85ebca6b), 0x9e3779b1) >>> 0;
    slot = (slot ^ (slot >>> 15)) & mask;
    while (used[slot] === 1 && keys[slot] !== x) slot = (slot + 1) & mask;
    if (used[slot] === 0) {
      if (count === limit) return null;
      used[slot] = 1;
      keys[slot] = x;
      found[count++] = x;
    }
  }
  return found.slice(0, count).sort();
}

/** Edges between consecutive distinct sorted values: their midpoints. */
function midpoints(distinct: Float64Array): Float64Array {
  const out = new Float64Array(Math.max(0, distinct.length - 1));
  for (let k = 0; k < out.length; k++) out[k] = midpoint(distinct[k]!, distinct[k + 1]!);
  return out;
}

function edgesOfSorted(sorted: Float64Array, maxBins: number): Float64Array {
  const distinct: number[] = [];
  for (let k = 0; k < sorted.length; k++) {
    if (k === 0 || sorted[k] !== sorted[k - 1]) {
      distinct.push(sorted[k]!);
      if (distinct.length > maxBins) break;
    }
  }
  if (distinct.length <= maxBins) return midpoints(Float64Array.from(distinct));
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

/**
 * The `maxBins − 1` inner quantiles of `values` when the rows of each class together weigh one
 * half (a class that is absent leaves the other the whole weight): at each quantile, the edge is
 * the midpoint between the distinct value where the cumulative weight reaches it and the next.
 */
function edgesOfBalanced(
  values: Float64Array,
  positive: Uint8Array,
  maxBins: number,
): Float64Array {
  const n = values.length;
  let positives = 0;
  for (let k = 0; k < n; k++) positives += positive[k]!;
  const negatives = n - positives;
  const weightOf = (isPositive: number) =>
    isPositive === 1
      ? negatives === 0
        ? 1 / n
        : 0.5 / positives
      : positives === 0
        ? 1 / n
        : 0.5 / negatives;
  const order = Int32Array.from({ length: n }, (_, k) => k).sort((a, b) => values[a]! - values[b]!);
  // Distinct values with their total weight, ascending.
  const distinct: number[] = [];
  const weights: number[] = [];
  for (const k of order) {
    const x = values[k]!;
    const w = weightOf(positive[k]!);
    if (distinct.length > 0 && distinct[distinct.length - 1] === x)
      weights[weights.length - 1]! += w;
    else {
      distinct.push(x);
      weights.push(w);
    }
  }
  const edges: number[] = [];
  let cumulative = 0;
  let q = 1;
  for (let d = 0; d + 1 < distinct.length && q < maxBins; d++) {
    cumulative += weights[d]!;
    if (cumulative < q / maxBins) continue;
    edges.push(midpoint(distinct[d]!, distinct[d + 1]!));
    // Several quantiles may fall in one heavy value: one edge serves them all.
    while (q < maxBins && q / maxBins <= cumulative) q++;
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
 * `out`, when given, receives the bins (it must hold `rows × cols` bytes) and is returned.
 */
export function binMatrix(
  matrix: Matrix,
  binEdges: BinEdges,
  rowList?: ArrayLike<number>,
  out?: Uint8Array,
): Uint8Array {
  const { data, cols } = matrix;
  const rows = rowList === undefined ? matrix.rows : rowList.length;
  const { edges, missingBin } = binEdges;
  const bins = out ?? new Uint8Array(rows * cols);
  if (bins.length !== rows * cols) {
    throw new DimensionMismatchError(
      `binMatrix: out holds ${bins.length} bytes, need ${rows * cols}`,
    );
  }
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
        // Count of edges below x, by a binary search of fixed length over the padded edges,
        // without branches (a branch per step mispredicts half the time on spread values).
        // NaN compares false everywhere and is then sent to the missing bin.
        let low = 0;
        for (let step = firstStep; step > 0; step >>= 1) {
          low += Number(x > featureEdges[low + step - 1]!) * step;
        }
        bins[column + i] = Number.isNaN(x) ? missingBin : low;
      }
    }
  }
  return bins;
}
