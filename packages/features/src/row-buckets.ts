/** log2 of the destination rows per bucket: 4,096 rows of a feature matrix (~200 B each) fit in L2. */
const BUCKET_SHIFT = 12;

/** Rows of {@link bucketByDestination}: contiguous by destination block. */
export interface RowBuckets {
  /** The rows' values, `width` per row, in bucket order. */
  readonly rows: Float64Array;
  /** The destination of each row of `rows`. */
  readonly destinations: Int32Array;
}

/**
 * Reorders the rows of `source` (`width` values per row, row `j` at `j × width`) so that rows
 * whose `destination[j]` lies in the same block of 2^12 destinations are contiguous (a stable
 * counting sort on the block; rows with a negative destination are left out). Writing rows to
 * their destinations in this order touches one block of the destination at a time, where writing
 * them in source order would touch the whole destination at random — a cache and TLB miss per
 * row once the destination outgrows the caches (the batch features' permutations between row
 * order and entity order). Every pass here is sequential or spread over a few hundred streams.
 */
export function bucketByDestination(
  source: Float64Array,
  width: number,
  destination: Int32Array,
  destinationCount: number,
): RowBuckets {
  const buckets = (destinationCount >>> BUCKET_SHIFT) + 1;
  const starts = new Int32Array(buckets + 1);
  for (let j = 0; j < destination.length; j++) {
    const to = destination[j]!;
    if (to >= 0) starts[(to >>> BUCKET_SHIFT) + 1]!++;
  }
  for (let b = 0; b < buckets; b++) starts[b + 1]! += starts[b]!;
  const total = starts[buckets]!;
  const rows = new Float64Array(total * width);
  const destinations = new Int32Array(total);
  const next = starts.subarray(0, buckets);
  for (let j = 0; j < destination.length; j++) {
    const to = destination[j]!;
    if (to < 0) continue;
    const at = next[to >>> BUCKET_SHIFT]!++;
    destinations[at] = to;
    const from = j * width;
    const into = at * width;
    for (let f = 0; f < width; f++) rows[into + f] = source[from + f]!;
  }
  return { rows, destinations };
}
