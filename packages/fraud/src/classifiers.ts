import {
  type BinaryClassifier,
  type ClassWeight,
  classifierRegistry,
  type Params,
} from '@mlsd/classify';

export type { BinaryClassifier } from '@mlsd/classify';

/**
 * The built-in model kinds. Any name registered in `classifierRegistry` (@mlsd/classify) is a
 * model kind too: the fraud system builds and loads every kind through the registry.
 */
export const FRAUD_MODEL_KINDS = ['gbdt', 'mlp', 'logreg'] as const;

/** A registered classifier kind: one of {@link FRAUD_MODEL_KINDS} or a name a user registered. */
export type FraudModelKind = string;

/**
 * The kind of the default model (a config whose `model` names no kind): the trees, with the
 * hyperparameters of {@link TUNED_FRAUD_MODEL}. On the three prequential validation folds of the
 * default world they reach average precision 0.689 ± 0.034 against 0.607 ± 0.042 for logistic
 * regression (the default before tuning; card precision@100 0.308 ± 0.020 against 0.300 ± 0.017),
 * and train in seconds (benchmarks/fraud/train-defaults.bench.ts).
 */
export const DEFAULT_FRAUD_MODEL: FraudModelKind = 'gbdt';

/**
 * The trees `mlsd fraud tune` chose on the default world (simulator seed 0, handbook preset, 30
 * candidates × 3 prequential validation folds by average precision; benchmarks/fraud,
 * `fraud-train-defaults.json` compares them on those folds with the defaults), rounded to three
 * digits: deeper trees than the small-data defaults but many more of them at a small learning
 * rate, rows and columns subsampled, a fixed tree count instead of early stopping.
 */
export const TUNED_FRAUD_MODEL = {
  kind: 'gbdt',
  params: {
    maxDepth: 6,
    learningRate: 0.0214,
    maxIter: 215,
    minHessianLeaf: 0.0313,
    l2Regularization: 0,
    rowSubsample: 0.684,
    columnSubsample: 0.658,
    earlyStopping: false,
  },
} as const satisfies ClassifierChoice;

/** Which classifier to build: a registered kind, its hyperparameters, and the shared settings. */
export interface ClassifierChoice {
  kind: FraudModelKind;
  /** Passed to the kind as its `classWeight` parameter when given. */
  classWeight?: ClassWeight;
  /** Passed to the kind as its `seed` parameter when given. */
  seed?: number;
  /** Further hyperparameters of the kind (e.g. the ones `tuneFraudModel` chose). */
  params?: Params;
}

/**
 * A fresh, unfitted classifier of a registered kind (see `classifierRegistry`), with the kind's
 * defaults for what `choice` leaves out — for `gbdt`, the trees for small imbalanced data
 * (`GBDT_SMALL_DATA_DEFAULTS`).
 * @throws NotFoundError for a kind nobody registered (naming the nearest).
 */
export function createClassifier(choice: ClassifierChoice): BinaryClassifier {
  return classifierRegistry.create(choice.kind, {
    ...choice.params,
    ...(choice.classWeight === undefined ? {} : { classWeight: choice.classWeight }),
    ...(choice.seed === undefined ? {} : { seed: choice.seed }),
  });
}

/** Loads a classifier of a registered kind saved by its `save(dir)`. */
export function loadClassifier(kind: FraudModelKind, dir: string): Promise<BinaryClassifier> {
  return classifierRegistry.load(kind, dir);
}
