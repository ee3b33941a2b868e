import { type Matrix, Rng, toMatrix } from '@mlsd/core';
import type { ClassifierRegistry } from '../registry/classifier-registry.js';
import type { Params } from './param-space.js';

/** Rows of one validation fold: fit on `train`, score `test` (indices into the searched data). */
export interface ValidationFold {
  train: Int32Array;
  test: Int32Array;
  /**
   * The fold's own features, when they differ from the searched `X` (features with fitted
   * parameters — vocabularies, priors — fitted on this fold's training rows only): row k is
   * `train[k]`, then row `train.length + k` is `test[k]`.
   */
  X?: Matrix;
}

/** What every fit of a search reads: the features, the labels and the folds. */
export interface SearchData {
  X: Matrix;
  y: Uint8Array;
  folds: readonly ValidationFold[];
}

/** One fit: a candidate on one fold, on all or a share of the fold's training rows. */
export interface FitTask {
  id: number;
  kind: string;
  params: Params;
  fold: number;
  /** Share of the fold's training rows (successive halving's resource); 1 = all. */
  rowFraction: number;
  /** Seed of the row subsample. */
  seed: number;
}

/** What one fit gives back: the fold's validation scores, or why it failed. */
export interface FitOutcome {
  id: number;
  /** Candidate's scores of the fold's `test` rows, in their order. */
  scores?: Float64Array;
  fitSeconds: number;
  /** Message of the error the fit threw, if it did. */
  error?: string;
}

function takeRows(X: Matrix, rows: Int32Array): Matrix {
  const { cols } = X;
  const data = new (X.data.constructor as Float32ArrayConstructor | Float64ArrayConstructor)(
    rows.length * cols,
  );
  for (let r = 0; r < rows.length; r++) {
    const from = rows[r]! * cols;
    data.set(X.data.subarray(from, from + cols), r * cols);
  }
  return toMatrix(data, rows.length, cols, X.columnNames);
}

/**
 * A stratified share of `rows` (each class keeps `fraction` of its rows, at least one), as
 * positions in `rows`, ascending (so time order is kept), drawn with a seed so every candidate
 * of a round sees the same rows.
 */
export function subsampleRows(
  rows: Int32Array,
  y: ArrayLike<number>,
  fraction: number,
  seed: number,
): Int32Array {
  if (fraction >= 1) return Int32Array.from(rows, (_, k) => k);
  const rng = new Rng(seed);
  const byClass: number[][] = [[], []];
  rows.forEach((row, k) => {
    byClass[y[row] === 1 ? 1 : 0]!.push(k);
  });
  const kept: number[] = [];
  for (const members of byClass) {
    if (members.length === 0) continue;
    const take = Math.max(1, Math.round(fraction * members.length));
    for (const k of rng.sample(members.length, take)) kept.push(members[k]!);
  }
  return Int32Array.from(kept).sort();
}

/**
 * The fold matrices one thread fits on, built once per fold (and row share) and reused by every
 * candidate: copying the rows out is cheap next to a fit, and keeps the shared data untouched.
 */
export class FoldCache {
  readonly #data: SearchData;
  readonly #train = new Map<string, { X: Matrix; y: Uint8Array; fraction: number }>();
  readonly #test = new Map<number, Matrix>();

  constructor(data: SearchData) {
    this.#data = data;
  }

  train(fold: number, fraction: number, seed: number): { X: Matrix; y: Uint8Array } {
    const key = `${fold}:${fraction}:${seed}`;
    let set = this.#train.get(key);
    if (set === undefined) {
      // Halving moves on to larger shares: drop the subsamples of other shares, keep full folds.
      for (const [old, entry] of this.#train) {
        if (entry.fraction < 1 && entry.fraction !== fraction) this.#train.delete(old);
      }
      const { X, y, folds } = this.#data;
      const { train, X: own } = folds[fold]!;
      const positions = subsampleRows(train, y, fraction, seed + fold);
      set = {
        // A fold with its own features holds its training rows first, in order.
        X: own === undefined ? takeRows(X, gather(train, positions)) : takeRows(own, positions),
        y: Uint8Array.from(positions, (k) => y[train[k]!]!),
        fraction,
      };
      this.#train.set(key, set);
    }
    return set;
  }

  test(fold: number): Matrix {
    let X = this.#test.get(fold);
    if (X === undefined) {
      const { train, test, X: own } = this.#data.folds[fold]!;
      X =
        own === undefined
          ? takeRows(this.#data.X, test)
          : takeRows(
              own,
              Int32Array.from(test, (_, k) => train.length + k),
            );
      this.#test.set(fold, X);
    }
    return X;
  }
}

function gather(rows: Int32Array, positions: Int32Array): Int32Array {
  return Int32Array.from(positions, (k) => rows[k]!);
}

/** Builds the task's classifier from the registry, fits it on the fold and scores the fold. */
export async function runFitTask(
  task: FitTask,
  folds: FoldCache,
  registry: ClassifierRegistry,
): Promise<FitOutcome> {
  try {
    const train = folds.train(task.fold, task.rowFraction, task.seed);
    const model = registry.create(task.kind, task.params);
    const started = performance.now();
    await model.fit(train.X, train.y);
    const fitSeconds = (performance.now() - started) / 1000;
    const scores = model.predictProba(folds.test(task.fold));
    return { id: task.id, scores, fitSeconds };
  } catch (error) {
    return {
      id: task.id,
      fitSeconds: 0,
      error: error instanceof Error ? error.message : String(error),
    };
  }
}
