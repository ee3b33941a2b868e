import { BaseEstimator, InvalidArgumentError } from '@mlsd/core';
import { z } from 'zod';
import { readNetworkArtifact } from './network-artifact.js';
import { NetworkStateSchema } from './network-state.js';
import { trainLogisticNewton } from './newton-logistic.js';
import {
  type NetworkArchitecture,
  TfBinaryClassifier,
  type TfFitOptions,
  trainingOptionsShape,
} from './tf-binary-classifier.js';
import type { NetworkTrainingData, TrainNetworkResult } from './train-network.js';

/** Newton stops when a full step would lower the mean objective by less than this. */
const NEWTON_TOLERANCE = 1e-10;

/** zod schema of {@link LogisticRegression}'s options. */
export const LogisticRegressionOptionsSchema = z
  .object({
    ...trainingOptionsShape({
      learningRate: 0.05,
      batchSize: 512,
      maxEpochs: 300,
      patience: 10,
      tol: 1e-5,
      learningRateDrops: 3,
      earlyStopping: false,
    }),
    /**
     * Inverse L2 strength, as scikit-learn's `C`: the objective is
     * Σ wᵢ·logloss + ‖coef‖² / (2C) (intercept not penalised), on standardized features.
     */
    C: z.number().positive().default(1),
    /**
     * `'newton'` (default): Newton's method on the full data, the exact optimum in a few
     * passes, no step size or seed involved. `'adam'`: mini-batch Adam with the learning-rate,
     * batch and stopping settings above (and early stopping, which Newton does not use).
     */
    solver: z.enum(['newton', 'adam']).default('newton'),
    /** Most Newton iterations (solver `'newton'`). */
    maxIter: z.number().int().positive().default(100),
  })
  .strict()
  .refine((options) => options.solver === 'adam' || !options.earlyStopping, {
    message:
      "earlyStopping applies to solver 'adam'; Newton's method finds the regularised optimum exactly (regularise with C instead)",
    path: ['earlyStopping'],
  });

/** Options of {@link LogisticRegression} (all optional). */
export type LogisticRegressionOptions = z.input<typeof LogisticRegressionOptionsSchema>;
/** Validated hyperparameters of {@link LogisticRegression}. */
export type LogisticRegressionParams = z.output<typeof LogisticRegressionOptionsSchema>;

/**
 * L2-regularised logistic regression on TensorFlow.js, on features standardized inside the
 * model (users pass raw features). It minimises scikit-learn's objective
 * C·Σ wᵢ·logloss(yᵢ, σ(xᵢ·β + b)) + ‖β‖²/2 on the standardized features, with `classWeight` /
 * `sampleWeight` as there. The default solver is Newton's method (full passes of matrix
 * products on the backend, the exact optimum in a handful of iterations, as scikit-learn's
 * lbfgs/newton solvers); `solver: 'adam'` trains by mini-batches instead, running until the
 * training loss stops improving by `tol` for `patience` epochs (or `maxEpochs`), and with
 * `earlyStopping` or a `validation` set on the validation loss.
 *
 * @example
 * ```ts
 * const model = await new LogisticRegression({ classWeight: 'balanced', seed: 1 }).fit(X, y);
 * const scores = model.predictProba(XTest); // Float64Array of P(fraud)
 * await model.save('models/logreg');
 * ```
 */
export class LogisticRegression extends TfBinaryClassifier<LogisticRegressionParams> {
  /** Class name stored in JSON and in saved artifacts. */
  readonly kind = 'LogisticRegression';

  /** Validates the options; no other work. @throws InvalidArgumentError for bad options. */
  constructor(options: LogisticRegressionOptions = {}) {
    super(LogisticRegressionOptionsSchema, options);
  }

  protected architecture(): NetworkArchitecture {
    return { hiddenLayers: [], dropout: 0, l2: 1 / this.params.C };
  }

  protected override train(
    train: NetworkTrainingData,
    held: NetworkTrainingData | undefined,
    options: TfFitOptions,
  ): TrainNetworkResult {
    if (this.params.solver === 'adam') return super.train(train, held, options);
    return trainLogisticNewton(train, {
      C: this.params.C,
      maxIter: this.params.maxIter,
      tol: NEWTON_TOLERANCE,
      validation: held,
      onEpoch: options.onEpoch,
      progress: options.progress,
      label: `${this.kind} training`,
    });
  }

  /**
   * Coefficients on the raw (unstandardized) features, one per column, so that
   * P(y = 1) = σ(x · coefficients + intercept).
   */
  get coefficients(): Float64Array {
    const { layers, standardization } = this.fitted;
    const kernel = layers[0]!.kernel;
    return Float64Array.from(standardization.stds, (std, j) => kernel[j]! / std);
  }

  /** Intercept on the raw features (see {@link LogisticRegression.coefficients}). */
  get intercept(): number {
    const { layers, standardization } = this.fitted;
    const { kernel, bias } = layers[0]!;
    let intercept = bias[0]!;
    standardization.means.forEach((mean, j) => {
      intercept -= (kernel[j]! * mean) / standardization.stds[j]!;
    });
    return intercept;
  }

  /**
   * Coefficients on the standardized features (the model's own parameters), comparable to a
   * scikit-learn `LogisticRegression` fitted after a `StandardScaler`.
   */
  get standardizedCoefficients(): Float64Array {
    return Float64Array.from(this.fitted.layers[0]!.kernel);
  }

  /** Intercept on the standardized features (see {@link LogisticRegression.standardizedCoefficients}). */
  get standardizedIntercept(): number {
    return this.fitted.layers[0]!.bias[0]!;
  }

  /**
   * Rebuilds a model from {@link LogisticRegression.toJSON} output.
   * @throws InvalidArgumentError when the JSON is not a version-1 LogisticRegression.
   */
  static fromJSON(json: unknown): LogisticRegression {
    const { params, state } = BaseEstimator.checkJSON(json, {
      kind: 'LogisticRegression',
      version: 1,
      params: LogisticRegressionOptionsSchema,
      state: NetworkStateSchema,
    });
    return LogisticRegression.#fitted(params, state);
  }

  /**
   * Loads a model saved with {@link LogisticRegression.save}, verifying every file's checksum.
   * @throws NotFoundError, ManifestInvalidError, ChecksumMismatchError or CorruptFileError
   * for a missing, foreign or damaged folder.
   */
  static async load(dir: string): Promise<LogisticRegression> {
    const content = await readNetworkArtifact(dir, 'LogisticRegression');
    return LogisticRegression.fromJSON({ kind: 'LogisticRegression', version: 1, ...content });
  }

  static #fitted(
    params: LogisticRegressionParams,
    state: z.output<typeof NetworkStateSchema>,
  ): LogisticRegression {
    if (state.layers.length !== 1) {
      throw new InvalidArgumentError(
        `LogisticRegression.fromJSON: the state holds ${state.layers.length} layers; a ` +
          'logistic regression has exactly one. Load a network with MLPClassifier instead.',
        { layers: state.layers.length },
      );
    }
    const model = new LogisticRegression(params);
    model.setFitted(state);
    return model;
  }
}
