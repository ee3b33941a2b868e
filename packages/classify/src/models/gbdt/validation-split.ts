import type { Rng } from '@mlsd/core';

/** Row indices of a train/validation split, each ascending. */
export interface RowSplit {
  train: Int32Array;
  validation: Int32Array;
}

/**
 * Holds out `fraction` of each class (stratified, rounded, at least one row of each class left
 * for training) as validation rows, chosen with `rng`.
 */
export function stratifiedSplit(y: ArrayLike<number>, fraction: number, rng: Rng): RowSplit {
  const byClass: number[][] = [[], []];
  for (let i = 0; i < y.length; i++) byClass[y[i] === 1 ? 1 : 0]!.push(i);
  const validation: number[] = [];
  const train: number[] = [];
  for (const rows of byClass) {
    const held = Math.min(Math.round(rows.length * fraction), Math.max(0, rows.length - 1));
    rng.shuffle(rows);
    for (let k = 0; k < rows.length; k++) (k < held ? validation : train).push(rows[k]!);
  }
  return {
    train: Int32Array.from(train).sort(),
    validation: Int32Array.from(validation).sort(),
  };
}
