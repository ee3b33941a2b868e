import { DimensionMismatchError, InvalidArgumentError } from '@mlsd/core';
import type { NeighbourMatrix } from './exact-knn.js';

/**
 * recall@k: for each query, the share of its true k nearest neighbours (from exact search)
 * that the approximate result's first k contain, averaged over queries. A query whose truth
 * holds fewer than k items (a tiny index, a filter) is scored against what it has; a query
 * with no truth at all counts as fully recalled.
 *
 * @param found - per query, the returned ids (or row numbers), nearest first.
 * @param truth - per query, the exact neighbours, nearest first (at least k where possible).
 */
export function recallAtK<T extends string | number>(
  found: readonly ArrayLike<T>[],
  truth: readonly ArrayLike<T>[],
  k: number,
): number {
  checkLists(found.length, truth.length, k, 'recallAtK');
  if (found.length === 0) return 0;
  let total = 0;
  for (let q = 0; q < found.length; q++) {
    const want = truth[q]!;
    const wantCount = Math.min(k, want.length);
    if (wantCount === 0) {
      total += 1;
      continue;
    }
    const wanted = new Set<T>();
    for (let i = 0; i < wantCount; i++) wanted.add(want[i]!);
    const got = found[q]!;
    let hits = 0;
    const gotCount = Math.min(k, got.length);
    for (let i = 0; i < gotCount; i++) if (wanted.delete(got[i]!)) hits++;
    total += hits / wantCount;
  }
  return total / found.length;
}

/**
 * The rows of a {@link NeighbourMatrix} as lists without the -1 padding, for
 * {@link recallAtK} and the label metrics.
 */
export function neighbourLists(matrix: NeighbourMatrix): Int32Array[] {
  const lists: Int32Array[] = [];
  for (let q = 0; q < matrix.count; q++) {
    const row = matrix.indices.subarray(q * matrix.k, (q + 1) * matrix.k);
    let count = 0;
    while (count < row.length && row[count]! >= 0) count++;
    lists.push(row.subarray(0, count));
  }
  return lists;
}

/** Throws unless the two list counts agree and k is a positive integer. */
export function checkLists(found: number, truth: number, k: number, where: string): void {
  if (!Number.isInteger(k) || k < 1) {
    throw new InvalidArgumentError(`${where}: k must be a positive integer, got ${k}.`);
  }
  if (found !== truth) {
    throw new DimensionMismatchError(
      `${where}: ${found} result lists but ${truth} reference entries; pass one per query.`,
      { found, truth },
    );
  }
}
