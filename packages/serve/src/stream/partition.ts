const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const encoder = new TextEncoder();

/**
 * The partition (0 … `partitions` − 1) of a partition key: 32-bit FNV-1a of the key's UTF-8
 * bytes, modulo the partition count. The key is text so that a 19-digit card number never goes
 * through a JS number; composite keys join their parts with U+001F. Stable across processes,
 * machines and versions: producers in any language can compute it (FNV-1a is specified by
 * Fowler, Noll and Vo; see the package README).
 */
export function partitionOf(key: string, partitions: number): number {
  let hash = FNV_OFFSET;
  for (const byte of encoder.encode(key)) {
    hash ^= byte;
    hash = Math.imul(hash, FNV_PRIME) >>> 0;
  }
  return hash % partitions;
}

/** Joins the values of a composite partition key (see {@link partitionOf}). */
export function partitionKey(values: readonly string[]): string {
  return values.length === 1 ? values[0]! : values.join('\u001f');
}
