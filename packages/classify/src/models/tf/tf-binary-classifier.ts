import {
  BaseEstimator,
  DimensionMismatchError,
  InvalidArgumentError,
  InvalidDataError,
  type Matrix,
  Rng,
} from '@mlsd/core';
import { initBackend } from '@mlsd/tf';
import { z } from 'zod';
import {
  type BinaryLabels,
  type ClassWeight,
  ClassWeightSchema,
  countBinaryLabels,
  resolveSampleWeights,
} from '../class-weights.js';
import { predictDenseNetwork } from './dense-network.js';
import { writeNetworkArtifact } from './network-artifact.js';
import type { NetworkState, TrainingSummary } from './network-state.js';
import { applyStandardization, fitStandardization } from './standardization.js';
import {
  type EpochRecord,
  type NetworkTrainingData,
  type TrainNetworkResult,
  trainNetwork,
} from './train-network.js';
import { splitValidationSlice } from './validation-slice.js';

/** Defaults that differ between the models sharing {@link trainingOptionsShape}. */
export interface TrainingDefaults {
  learningRate: number;
  batchSize: number;
  maxEpochs: number;
  patience: number;
  tol: number;
  learningRateDrops: number;
  earlyStopping: boolean;
}

/**
 * zod fields every TensorFlow.js classifier accepts: class weighting, seed, Adam step size,
 * mini-batch size, epochs, and the stopping rule (patience epochs without a gain of `tol` in
 * the validation loss with `earlyStopping`, else in the training loss).
 */
export function trainingOptionsShape(defaults: TrainingDefaults) {
  return {
    /** `'none'`, `'balanced'` (n / (2·count) per class) or `{ 0: w0, 1: w1 }`. */
    classWeight: ClassWeightSchema.default('none'),
    /** Seed of initial weights, batch order, dropout masks and the validation slice. */
    seed: z.number().int().default(0),
    /** Adam step size. */
    learningRate: z.number().positive().finite().default(defaults.learningRate),
    /** Rows per mini-batch. */
    batchSize: z.number().int().positive().default(defaults.batchSize),
    /** Most passes over the training rows. */
    maxEpochs: z.number().int().positive().default(defaults.maxEpochs),
    /** Epochs without improvement before training stops. */
    patience: z.number().int().positive().default(defaults.patience),
    /** Smallest loss decrease that counts as an improvement. */
    tol: z.number().nonnegative().finite().default(defaults.tol),
    /**
     * Times the step size is divided by 10 when the monitored loss stalls for `patience`
     * epochs before a further stall stops training (0: stop at the first stall).
     */
    learningRateDrops: z.number().int().nonnegative().max(10).default(defaults.learningRateDrops),
    /**
     * Stop on a validation loss and restore the best epoch's weights: the `validation` rows
     * given to `fit`, else a stratified random `validationFraction` of the training rows.
     */
    earlyStopping: z.boolean().default(defaults.earlyStopping),
    /** Share of the training rows held out when `earlyStopping` has no explicit validation. */
    validationFraction: z.number().gt(0).lt(1).default(0.1),
  };
}

/** Hyperparameters shared by the TensorFlow.js classifiers (output of {@link trainingOptionsShape}). */
export interface TrainingParams {
  classWeight: ClassWeight;
  seed: number;
  learningRate: number;
  batchSize: number;
  maxEpochs: number;
  patience: number;
  tol: number;
  learningRateDrops: number;
  earlyStopping: boolean;
  validationFraction: number;
}

/** Rows to early-stop on, passed to `fit`. */
export interface ValidationSet {
  /** Raw features, same columns as the training rows. */
  X: Matrix;
  /** 0/1 labels. */
  y: BinaryLabels;
  /** Per-row weights, multiplied with the training class weights. */
  sampleWeight?: ArrayLike<number> | undefined;
}

/** Options of `fit` on the TensorFlow.js classifiers. */
export interface TfFitOptions {
  /** Per-row weights (≥ 0), multiplied with the class weights. */
  sampleWeight?: ArrayLike<number> | undefined;
  /**
   * Rows to early-stop on (e.g. the days after the training period). Monitored whenever
   * given; with `earlyStopping` and no `validation`, a random slice of the training rows is.
   */
  validation?: ValidationSet | undefined;
  /** Draw a progress bar on stderr (on a terminal only). */
  progress?: boolean | undefined;
  /** Called after every epoch with its losses. */
  onEpoch?: ((record: EpochRecord) => void) | undefined;
}

/** The network a subclass trains. */
export interface NetworkArchitecture {
  /** Units of each hidden ReLU layer; `[]` for a linear model. */
  hiddenLayers: readonly number[];
  /** Dropout rate after each hidden layer while training. */
  dropout: number;
  /** L2 strength λ: loss + λ/(2n)·Σ‖W‖² (scikit-learn's 1/C, or MLP alpha). */
  l2: number;
}

/**
 * Shared body of {@link LogisticRegression} and {@link MLPClassifier}: standardizes the raw
 * features (means/stds kept in the model), resolves class and sample weights, trains on the
 * active TensorFlow.js backend ({@link trainNetwork}) and scores in plain TypeScript.
 */
export abstract class TfBinaryClassifier<P extends TrainingParams> extends BaseEstimator<
  P,
  NetworkState
> {
  /** The network to train, from the hyperparameters. */
  protected abstract architecture(): NetworkArchitecture;

  /**
   * Learns from raw features `X` (rows × features) and 0/1 labels `y`. Initialises the
   * TensorFlow.js backend on first use.
   * @returns this estimator, fitted.
   * @throws DimensionMismatchError when `y`, `sampleWeight` or the validation set do not
   * match `X`; InvalidDataError for non-0/1 labels, a single class, non-finite features or
   * weights that sum to 0; InvalidArgumentError when training diverges.
   */
  async fit(X: Matrix, y: BinaryLabels, options: TfFitOptions = {}): Promise<this> {
    const where = `${this.kind}.fit`;
    checkMatrix(X, 'X', where);
    checkLabels(X, y, 'y', where);
    const { negatives, positives } = countBinaryLabels(y);
    if (negatives === 0 || positives === 0) {
      throw new InvalidDataError(
        `${where}: y holds only class ${positives === 0 ? 0 : 1} (${y.length} rows); a binary ` +
          'classifier needs both 0 and 1 rows. Widen the training period or check the labels.',
        { negatives, positives },
      );
    }
    const { sampleWeight, validation } = options;
    if (sampleWeight !== undefined && sampleWeight.length !== X.rows) {
      throw new DimensionMismatchError(
        `${where}: sampleWeight has ${sampleWeight.length} values but X has ${X.rows} rows.`,
        { expected: X.rows, actual: sampleWeight.length },
      );
    }
    const params = this.params;
    const weights = resolveSampleWeights(y, {
      classWeight: params.classWeight,
      ...(sampleWeight === undefined ? {} : { sampleWeight }),
    });
    if (sumOf(weights) <= 0) {
      throw new InvalidDataError(`${where}: the row weights sum to 0; give some rows weight > 0.`);
    }

    const standardization = fitStandardization(X, where);
    const standardized = applyStandardization(X, standardization, where);
    const allRows: NetworkTrainingData = {
      X: standardized,
      rows: X.rows,
      cols: X.cols,
      y: Float32Array.from(y),
      weights: Float32Array.from(weights),
    };

    let train = allRows;
    let held: NetworkTrainingData | undefined;
    if (validation !== undefined) {
      held = this.#validationData(validation, y, standardization, X.cols, where);
    } else if (params.earlyStopping) {
      const slice = splitValidationSlice(
        y,
        params.validationFraction,
        new Rng(params.seed).fork('validation-slice'),
        where,
      );
      train = selectRows(allRows, slice.trainRows);
      held = selectRows(allRows, slice.validationRows);
    }

    await initBackend();
    const result = this.train(train, held, options);
    this.setFitted({
      featureCount: X.cols,
      standardization,
      layers: result.weights,
      training: {
        epochs: result.history.length,
        bestEpoch: result.bestEpoch,
        stoppedEarly: result.stoppedEarly,
        trainLoss: Float64Array.from(result.history, (record) => record.trainLoss),
        validationLoss:
          held === undefined
            ? new Float64Array(0)
            : Float64Array.from(result.history, (record) => record.validationLoss ?? Number.NaN),
      },
    });
    return this;
  }

  /**
   * Trains on standardized rows; the default runs mini-batch Adam ({@link trainNetwork}) on the
   * subclass's {@link TfBinaryClassifier.architecture}. A subclass with a better solver for its
   * model (logistic regression: Newton's method) overrides it.
   */
  protected train(
    train: NetworkTrainingData,
    held: NetworkTrainingData | undefined,
    options: TfFitOptions,
  ): TrainNetworkResult {
    const params = this.params;
    const { hiddenLayers, dropout, l2 } = this.architecture();
    return trainNetwork(train, {
      hiddenLayers,
      dropout,
      l2,
      learningRate: params.learningRate,
      batchSize: params.batchSize,
      maxEpochs: params.maxEpochs,
      patience: params.patience,
      tol: params.tol,
      learningRateDrops: params.learningRateDrops,
      seed: params.seed,
      validation: held,
      onEpoch: options.onEpoch,
      progress: options.progress,
      label: `${this.kind} training`,
    });
  }

  /**
   * P(y = 1) for every row of raw features `X` (standardized with the training means/stds).
   * Runs in plain TypeScript, so it needs no TensorFlow.js backend and suits online scoring.
   * @throws NotFittedError before `fit`; DimensionMismatchError when `X` has another number
   * of columns than the training rows; InvalidDataError for non-finite features.
   */
  predictProba(X: Matrix): Float64Array {
    const state = this.fitted;
    const where = `${this.kind}.predictProba`;
    checkMatrix(X, 'X', where);
    if (X.cols !== state.featureCount) {
      throw new DimensionMismatchError(
        `${where}: X has ${X.cols} columns but the model was trained on ${state.featureCount} features; pass the same feature columns in the same order.`,
        { expected: state.featureCount, actual: X.cols },
      );
    }
    const standardized = applyStandardization(X, state.standardization, where);
    return predictDenseNetwork(state.layers, standardized, X.rows);
  }

  /**
   * 1 where P(y = 1) ≥ `threshold` (default 0.5), else 0 — so the model can end a features
   * `Pipeline` like any predictor.
   */
  predict(X: Matrix, threshold = 0.5): Uint8Array {
    return Uint8Array.from(this.predictProba(X), (p) => (p >= threshold ? 1 : 0));
  }

  /** Number of input features the model was trained on. */
  get featureCount(): number {
    return this.fitted.featureCount;
  }

  /** Loss curves and where training stopped. */
  get trainingSummary(): Readonly<TrainingSummary> {
    return this.fitted.training;
  }

  /**
   * Saves the fitted model as an artifact folder at `dir` (atomic; replaces an earlier
   * artifact there): `model.json` plus float32 weight files, checked by `load`.
   * @throws NotFittedError before `fit`; InvalidArgumentError when `dir` is a non-artifact
   * folder with files in it.
   */
  async save(dir: string): Promise<void> {
    await writeNetworkArtifact(dir, this.kind, this.params as Record<string, unknown>, this.fitted);
  }

  /** The validation rows as training data: same scaling, class weights from the training labels. */
  #validationData(
    validation: ValidationSet,
    trainLabels: BinaryLabels,
    standardization: NetworkState['standardization'],
    cols: number,
    where: string,
  ): NetworkTrainingData {
    const { X, y, sampleWeight } = validation;
    checkMatrix(X, 'validation.X', where);
    if (X.cols !== cols) {
      throw new DimensionMismatchError(
        `${where}: validation.X has ${X.cols} columns but X has ${cols}; use the same features.`,
        { expected: cols, actual: X.cols },
      );
    }
    checkLabels(X, y, 'validation.y', where);
    if (X.rows === 0) {
      throw new InvalidDataError(`${where}: validation.X has no rows; omit validation instead.`);
    }
    if (sampleWeight !== undefined && sampleWeight.length !== X.rows) {
      throw new DimensionMismatchError(
        `${where}: validation.sampleWeight has ${sampleWeight.length} values but validation.X has ${X.rows} rows.`,
        { expected: X.rows, actual: sampleWeight.length },
      );
    }
    const weights = resolveSampleWeights(y, {
      classWeight: explicitClassWeight(this.params.classWeight, trainLabels),
      ...(sampleWeight === undefined ? {} : { sampleWeight }),
    });
    return {
      X: applyStandardization(X, standardization, `${where} (validation)`),
      rows: X.rows,
      cols,
      y: Float32Array.from(y),
      weights: Float32Array.from(weights),
    };
  }
}

/** `'balanced'` turned into the per-class weights the training labels give it. */
function explicitClassWeight(classWeight: ClassWeight, trainLabels: BinaryLabels): ClassWeight {
  if (classWeight !== 'balanced') return classWeight;
  const { negatives, positives } = countBinaryLabels(trainLabels);
  const n = trainLabels.length;
  return { 0: n / (2 * negatives), 1: n / (2 * positives) };
}

function checkMatrix(X: Matrix, name: string, where: string): void {
  const ok =
    typeof X === 'object' &&
    X !== null &&
    (X.data instanceof Float32Array || X.data instanceof Float64Array) &&
    Number.isInteger(X.rows) &&
    Number.isInteger(X.cols) &&
    X.rows >= 0 &&
    X.cols > 0 &&
    X.data.length === X.rows * X.cols;
  if (!ok) {
    throw new InvalidArgumentError(
      `${where}: ${name} must be a Matrix { data: Float32Array | Float64Array, rows, cols } with ` +
        'cols > 0 and data.length = rows × cols (build one with toMatrix or tableToMatrix).',
      { argument: name },
    );
  }
}

function checkLabels(X: Matrix, y: BinaryLabels, name: string, where: string): void {
  if (y === null || typeof y !== 'object' || typeof y.length !== 'number') {
    throw new InvalidArgumentError(`${where}: ${name} must be an array of 0/1 labels.`);
  }
  if (y.length !== X.rows) {
    throw new DimensionMismatchError(
      `${where}: ${name} has ${y.length} labels but the features have ${X.rows} rows.`,
      { expected: X.rows, actual: y.length },
    );
  }
}

function selectRows(data: NetworkTrainingData, rows: Int32Array): NetworkTrainingData {
  const { cols } = data;
  const X = new Float32Array(rows.length * cols);
  const y = new Float32Array(rows.length);
  const weights = new Float32Array(rows.length);
  rows.forEach((row, i) => {
    X.set(data.X.subarray(row * cols, (row + 1) * cols), i * cols);
    y[i] = data.y[row]!;
    weights[i] = data.weights[row]!;
  });
  return { X, rows: rows.length, cols, y, weights };
}

function sumOf(values: Float64Array): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}
