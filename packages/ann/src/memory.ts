/**
 * Bytes hnswlib keeps per vector for a `dim`-dimensional float32 vector with `M` links per node,
 * from its layout: level 0 holds the vector (4·dim), 2·M neighbour ids (4 bytes each) with a
 * count (4) and the label (8); a node reaches level ≥ l with probability M^-l, so upper levels
 * add (4·M + 4) / (M − 1) on average; the level, the upper-level pointer, the lock and the
 * label-map entry add about 100 more. Excludes our id table (the id strings and metadata).
 */
export function estimateHnswBytesPerVector(dim: number, M: number): number {
  const levelZero = 4 * dim + 4 * 2 * M + 4 + 8;
  const upperLevels = (4 * M + 4) / (M - 1);
  const bookkeeping = 4 + 8 + 40 + 48;
  return Math.round(levelZero + upperLevels + bookkeeping);
}
