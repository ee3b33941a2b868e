import { BaseEstimator, InvalidArgumentError } from '@mlsd/core';
import { z } from 'zod';
import { readNetworkArtifact } from './network-artifact.js';
import { NetworkStateSchema } from './network-state.js';
import {
  type NetworkArchitecture,
  TfBinaryClassifier,
  trainingOptionsShape,
} from './tf-binary-classifier.js';

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
  })
  .strict();

/** Options of {@link LogisticRegression} (all optional). */
export type LogisticRegressionOptions = z.input<typeof LogisticRegressionOptionsSchema>;
/** Validated hyperparameters of {@link LogisticRegression}. */
export type LogisticRegressionParams = z.output<typeof LogisticRegressionOptionsSchema>;

/**
 * L2-regularised logistic regression trained with mini-batch Adam on TensorFlow.js, on features
 * standardized inside the model (users pass raw features). It minimises scikit-learn's
 * objective C·Σ wᵢ·logloss(yᵢ, σ(xᵢ·β + b)) + ‖β‖²/2 on the standardized features, with
 * `classWeight` / `sampleWeight` as there; by default it runs until the training loss stops
 * improving by `tol` for `patience` epochs (or `maxEpochs`), and with `earlyStopping` or a
 * `validation` set it stops on the validation loss instead.
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
