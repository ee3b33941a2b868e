import { Rng } from '@mlsd/core';

/** `rows × dim` standard-normal float32 vectors, reproducible from `seed`. */
export function randomVectors(rows: number, dim: number, seed: number | string): Float32Array {
  return new Rng(seed).fillNormal(new Float32Array(rows * dim));
}

/** Row `row` of a row-major matrix, as a view. */
export function rowOf(data: Float32Array, row: number, dim: number): Float32Array {
  return data.subarray(row * dim, (row + 1) * dim);
}

/** Distance between two vectors the way the indexes define it. */
export function referenceDistance(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  space: 'l2' | 'ip' | 'cosine',
): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  let l2 = 0;
  for (let j = 0; j < a.length; j++) {
    dot += a[j]! * b[j]!;
    na += a[j]! * a[j]!;
    nb += b[j]! * b[j]!;
    l2 += (a[j]! - b[j]!) ** 2;
  }
  if (space === 'l2') return l2;
  if (space === 'ip') return 1 - dot;
  return 1 - dot / Math.sqrt(na * nb);
}

/** Indices of the k smallest distances from `query` to each row, by sorting all of them. */
export function referenceKnn(
  base: Float32Array,
  query: ArrayLike<number>,
  dim: number,
  k: number,
  space: 'l2' | 'ip' | 'cosine',
): { indices: number[]; distances: number[] } {
  const rows = base.length / dim;
  const all = Array.from({ length: rows }, (_, row) => ({
    row,
    distance: referenceDistance(query, rowOf(base, row, dim), space),
  }));
  all.sort((x, y) => x.distance - y.distance || x.row - y.row);
  const top = all.slice(0, k);
  return { indices: top.map((e) => e.row), distances: top.map((e) => e.distance) };
}
