import type { NumericColumn } from '@mlsd/core';

/** Rows grouped by entity id, each group in table order. */
export interface EntityGroups {
  /** Row indices, group after group; within a group in increasing row order. */
  order: Int32Array;
  /** Group `g` is `order[starts[g] … starts[g + 1])`; `starts.length` is groups + 1. */
  starts: Int32Array;
}

/**
 * Groups rows by id with a stable counting sort, O(n + distinct ids). Ids must already be
 * checked to be non-negative integers. Small ids (up to about 4 per row) are counted directly;
 * larger, sparse ids are first renumbered densely in order of first appearance.
 */
export function groupByEntity(ids: NumericColumn): EntityGroups {
  const n = ids.length;
  let max = 0;
  for (let i = 0; i < n; i++) if (ids[i]! > max) max = ids[i]!;
  if (max < 4 * n + 1024) return countingSort(ids, max + 1);
  const dense = new Map<number, number>();
  const codes = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let code = dense.get(ids[i]!);
    if (code === undefined) {
      code = dense.size;
      dense.set(ids[i]!, code);
    }
    codes[i] = code;
  }
  return countingSort(codes, dense.size);
}

function countingSort(keys: NumericColumn, range: number): EntityGroups {
  const n = keys.length;
  const next = new Int32Array(range + 1);
  for (let i = 0; i < n; i++) next[keys[i]! + 1]!++;
  let groups = 0;
  for (let k = 1; k <= range; k++) if (next[k]! > 0) groups++;
  const starts = new Int32Array(groups + 1);
  groups = 0;
  for (let k = 0; k < range; k++) {
    const size = next[k + 1]!;
    next[k + 1] = next[k]! + size;
    if (size > 0) starts[++groups] = next[k + 1]!;
  }
  // next[k] is now where key k's rows begin.
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[next[keys[i]!]!++] = i;
  return { order, starts };
}
