/**
 * The contracts that {@link Pipeline} and {@link ColumnTransformer} compose: a transformer
 * (fit, then transform to a named matrix) and a predictor (fit on features and a target, then
 * predict), each an {@link Estimator} that can be written to JSON.
 */
import type { Estimator, Matrix } from '@mlsd/core';
import type { FeatureInput } from './feature-input.js';

/**
 * A step that learns from its input and maps it to a numeric matrix, as scikit-learn's
 * `fit` / `transform`. Output column names are `columnNames` of the returned matrix.
 */
export interface Transformer extends Estimator {
  /** Class name written to JSON and used by the step registry, e.g. "StandardScaler". */
  readonly kind: string;
  /** Learns from `input`; the target is passed along for steps that use it and ignored by most. */
  fit(input: FeatureInput, target?: unknown): Promise<this>;
  /** Maps `input` with what `fit` learned. */
  transform(input: FeatureInput): Matrix;
}

/**
 * A final step that predicts (a model). `predict` may return a value or a promise; the
 * pipeline hands back whatever it returns.
 */
export interface Predictor extends Estimator {
  /** Class name written to JSON and used by the step registry. */
  readonly kind: string;
  /** Learns from the features the earlier steps produced and the target. */
  fit(input: Matrix, target?: unknown): Promise<unknown>;
  /** Predicts from the features the earlier steps produced. */
  predict(input: Matrix): unknown;
  /** Class probabilities, when the model offers them. */
  predictProba?(input: Matrix): unknown;
}

/** Any step a pipeline accepts: transformers anywhere, a predictor last. */
export type PipelineStep = Transformer | Predictor;

/** True when `step` has `fit` and `transform`. */
export function isTransformer(step: unknown): step is Transformer {
  return (
    typeof step === 'object' &&
    step !== null &&
    typeof (step as Transformer).fit === 'function' &&
    typeof (step as Transformer).transform === 'function' &&
    typeof (step as Transformer).toJSON === 'function'
  );
}

/** True when `step` has `fit` and `predict`. */
export function isPredictor(step: unknown): step is Predictor {
  return (
    typeof step === 'object' &&
    step !== null &&
    typeof (step as Predictor).fit === 'function' &&
    typeof (step as Predictor).predict === 'function' &&
    typeof (step as Predictor).toJSON === 'function'
  );
}

/**
 * Fits `step` on `input` and returns its transform of the same input, through the step's own
 * `fitTransform` when it has one (it may reuse work done while fitting).
 */
export async function fitThenTransform(
  step: Transformer,
  input: FeatureInput,
  target?: unknown,
): Promise<Matrix> {
  const withShortcut = step as Transformer & {
    fitTransform?: (input: FeatureInput, target?: unknown) => Promise<Matrix>;
  };
  if (typeof withShortcut.fitTransform === 'function') {
    return withShortcut.fitTransform(input, target);
  }
  await step.fit(input, target);
  return step.transform(input);
}
