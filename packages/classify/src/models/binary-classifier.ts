import type { Matrix } from '@mlsd/core';

/** Options every {@link BinaryClassifier}'s `fit` understands (models may accept more). */
export interface BinaryClassifierFitOptions {
  /** Per-row weights (finite, ≥ 0), multiplied with the model's class weights. */
  sampleWeight?: ArrayLike<number>;
}

/**
 * What every mlsd binary classifier offers, and what an outside model must offer to be
 * registered ({@link ClassifierRegistry}), tuned (`searchModels`) and served by the fraud
 * system: fit on a feature matrix and 0/1 labels, P(class 1) per row, save to a folder that
 * the registry's `load` reads back. A features `Pipeline` whose last step is a classifier fits
 * this shape too.
 */
export interface BinaryClassifier {
  fit(X: Matrix, y: ArrayLike<number>, options?: BinaryClassifierFitOptions): Promise<unknown>;
  /** P(y = 1) for every row of `X`. */
  predictProba(X: Matrix): Float64Array;
  /**
   * Optional fast path for scoring one transaction at a time: P(y = 1) of one row, equal to the
   * bit to `predictProba` of a one-row matrix of it, without allocating. Online scorers use it
   * when a model has it.
   */
  predictProbaRow?(row: Float32Array | Float64Array): number;
  /** Writes the fitted model as an artifact folder at `dir`, atomically. */
  save(dir: string): Promise<unknown>;
}
