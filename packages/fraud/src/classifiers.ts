import {
  type ClassWeight,
  GradientBoostingClassifier,
  LogisticRegression,
  MLPClassifier,
} from '@mlsd/classify';
import { InvalidArgumentError, type Matrix } from '@mlsd/core';

/** The models a fraud model can be built on. */
export const FRAUD_MODEL_KINDS = ['gbdt', 'mlp', 'logreg'] as const;
/** One of {@link FRAUD_MODEL_KINDS}. */
export type FraudModelKind = (typeof FRAUD_MODEL_KINDS)[number];

/**
 * The default model: logistic regression had the best card precision@100 and recall at the
 * budget on the fraud benchmark (benchmarks/results/fraud.json: CP@100 0.297, AP 0.632 against
 * 0.277 / 0.580 for the trees and 0.291 / 0.665 for the MLP; the intervals overlap), trains in
 * about a second with Newton's method (the network takes tens of seconds) and scores in under 10 µs.
 */
export const DEFAULT_FRAUD_MODEL: FraudModelKind = 'logreg';

/** What every mlsd binary classifier offers (the estimator contract of @mlsd/classify). */
export interface BinaryClassifier {
  fit(
    X: Matrix,
    y: ArrayLike<number>,
    options?: { sampleWeight?: ArrayLike<number> },
  ): Promise<unknown>;
  predictProba(X: Matrix): Float64Array;
  save(dir: string): Promise<unknown>;
}

/** Options shared by every model kind. */
export interface ClassifierChoice {
  kind: FraudModelKind;
  classWeight: ClassWeight;
  seed: number;
}

/**
 * A fresh, unfitted classifier of the given kind with the settings measured best on the fraud
 * benchmark (benchmarks/fraud): trees with early stopping on a tenth of the rows; the networks
 * with early stopping on a validation slice.
 */
export function createClassifier(choice: ClassifierChoice): BinaryClassifier {
  const { classWeight, seed } = choice;
  switch (choice.kind) {
    case 'gbdt':
      return new GradientBoostingClassifier({
        classWeight,
        seed,
        maxIter: 200,
        learningRate: 0.1,
        maxLeafNodes: 31,
        earlyStopping: true,
      });
    case 'mlp':
      return new MLPClassifier({ classWeight, seed });
    case 'logreg':
      return new LogisticRegression({ classWeight, seed });
    default:
      throw new InvalidArgumentError(
        `Unknown model "${String(choice.kind)}"; choose one of ${FRAUD_MODEL_KINDS.join(', ')}.`,
      );
  }
}

/** Loads a classifier saved by `save(dir)` of the given kind. */
export async function loadClassifier(kind: FraudModelKind, dir: string): Promise<BinaryClassifier> {
  switch (kind) {
    case 'gbdt':
      return GradientBoostingClassifier.load(dir);
    case 'mlp':
      return MLPClassifier.load(dir);
    case 'logreg':
      return LogisticRegression.load(dir);
    default:
      throw new InvalidArgumentError(
        `Unknown model "${String(kind)}"; choose one of ${FRAUD_MODEL_KINDS.join(', ')}.`,
      );
  }
}
