import { InvalidArgumentError } from '@mlsd/core';

/**
 * Inner bin edges at the reference's quantiles 1/bins … (bins−1)/bins, duplicates removed, so
 * each bin holds about the same share of the reference. Values ≤ edge[0] fall in bin 0, values
 * > edge[last] in the last bin.
 */
export function quantileEdges(sortedReference: Float64Array, bins: number): Float64Array {
  if (!Number.isInteger(bins) || bins < 2) {
    throw new InvalidArgumentError(`bins must be an integer >= 2, got ${bins}.`);
  }
  const edges: number[] = [];
  const n = sortedReference.length;
  for (let b = 1; b < bins; b++) {
    // Linear interpolation between order statistics (numpy's default quantile).
    const position = (b / bins) * (n - 1);
    const below = Math.floor(position);
    const above = Math.min(below + 1, n - 1);
    const edge =
      sortedReference[below]! +
      (sortedReference[above]! - sortedReference[below]!) * (position - below);
    if (edges.length === 0 || edge > edges[edges.length - 1]!) edges.push(edge);
  }
  return Float64Array.from(edges);
}

/** Counts of `values` in the bins that `edges` define (`edges.length + 1` bins, right-closed). */
export function binCounts(values: ArrayLike<number>, edges: Float64Array): Float64Array {
  const counts = new Float64Array(edges.length + 1);
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    // Binary search for the first edge >= value.
    let lo = 0;
    let hi = edges.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (edges[mid]! < value) lo = mid + 1;
      else hi = mid;
    }
    counts[lo]!++;
  }
  return counts;
}
