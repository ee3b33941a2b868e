import { BaseEstimator, InvalidArgumentError } from '@mlsd/core';
import { z } from 'zod';
import { readNetworkArtifact } from './network-artifact.js';
import { NetworkStateSchema } from './network-state.js';
import {
  type NetworkArchitecture,
  TfBinaryClassifier,
  trainingOptionsShape,
} from './tf-binary-classifier.js';

/** zod schema of {@link MLPClassifier}'s options. */
export const MLPClassifierOptionsSchema = z
  .object({
    ...trainingOptionsShape({
      learningRate: 0.001,
      batchSize: 256,
      maxEpochs: 200,
      patience: 10,
      tol: 1e-4,
      learningRateDrops: 0,
      earlyStopping: true,
    }),
    /** Units of each hidden ReLU layer, input side first. */
    hiddenLayers: z.array(z.number().int().positive().max(65_536)).min(1).default([64, 32]),
    /** Dropout rate after every hidden layer while training, in [0, 1). */
    dropout: z.number().min(0).lt(1).default(0),
    /** L2 strength on the kernels, as scikit-learn's MLP `alpha`: loss + α/(2n)·Σ‖W‖². */
    alpha: z.number().nonnegative().finite().default(1e-4),
  })
  .strict();

/** Options of {@link MLPClassifier} (all optional). */
export type MLPClassifierOptions = z.input<typeof MLPClassifierOptionsSchema>;
/** Validated hyperparameters of {@link MLPClassifier}. */
export type MLPClassifierParams = z.output<typeof MLPClassifierOptionsSchema>;

/**
 * Feed-forward network for binary classification on TensorFlow.js: standardized inputs (the
 * means/stds live in the model), hidden ReLU layers (`[64, 32]` by default) with optional
 * dropout, a sigmoid output, weighted log-loss with `classWeight` / `sampleWeight`, L2 `alpha`,
 * mini-batch Adam, and early stopping on a validation slice (the `validation` rows given to
 * `fit`, else a stratified 10 % of the training rows) that restores the best epoch's weights.
 *
 * @example
 * ```ts
 * const mlp = new MLPClassifier({ classWeight: 'balanced', dropout: 0.2, seed: 7 });
 * await mlp.fit(XTrain, yTrain, { validation: { X: XValid, y: yValid } });
 * const scores = mlp.predictProba(XTest);
 * ```
 */
export class MLPClassifier extends TfBinaryClassifier<MLPClassifierParams> {
  /** Class name stored in JSON and in saved artifacts. */
  readonly kind = 'MLPClassifier';

  /** Validates the options; no other work. @throws InvalidArgumentError for bad options. */
  constructor(options: MLPClassifierOptions = {}) {
    super(MLPClassifierOptionsSchema, options);
  }

  protected architecture(): NetworkArchitecture {
    const { hiddenLayers, dropout, alpha } = this.params;
    return { hiddenLayers, dropout, l2: alpha };
  }

  /**
   * Rebuilds a model from {@link MLPClassifier.toJSON} output.
   * @throws InvalidArgumentError when the JSON is not a version-1 MLPClassifier or its layers
   * do not match `hiddenLayers`.
   */
  static fromJSON(json: unknown): MLPClassifier {
    const { params, state } = BaseEstimator.checkJSON(json, {
      kind: 'MLPClassifier',
      version: 1,
      params: MLPClassifierOptionsSchema,
      state: NetworkStateSchema,
    });
    const widths = state.layers.slice(0, -1).map((layer) => layer.units);
    if (widths.join(',') !== params.hiddenLayers.join(',')) {
      throw new InvalidArgumentError(
        `MLPClassifier.fromJSON: the weights have hidden layers [${widths.join(', ')}] but ` +
          `hiddenLayers is [${params.hiddenLayers.join(', ')}]; the JSON was edited or mixed up.`,
        { weights: widths, hiddenLayers: params.hiddenLayers },
      );
    }
    const model = new MLPClassifier(params);
    model.setFitted(state);
    return model;
  }

  /**
   * Loads a model saved with {@link MLPClassifier.save}, verifying every file's checksum.
   * @throws NotFoundError, ManifestInvalidError, ChecksumMismatchError or CorruptFileError
   * for a missing, foreign or damaged folder.
   */
  static async load(dir: string): Promise<MLPClassifier> {
    const content = await readNetworkArtifact(dir, 'MLPClassifier');
    return MLPClassifier.fromJSON({ kind: 'MLPClassifier', version: 1, ...content });
  }
}
