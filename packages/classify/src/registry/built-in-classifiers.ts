import { GradientBoostingClassifier } from '../models/gbdt/gradient-boosting-classifier.js';
import type { GradientBoostingOptions } from '../models/gbdt/options.js';
import { GBDT_SMALL_DATA_DEFAULTS } from '../models/gbdt/small-data-defaults.js';
import {
  LogisticRegression,
  type LogisticRegressionOptions,
} from '../models/tf/logistic-regression.js';
import { MLPClassifier, type MLPClassifierOptions } from '../models/tf/mlp-classifier.js';
import { type ClassifierKind, ClassifierRegistry } from './classifier-registry.js';

/**
 * The built-in kinds and the spaces tuning searches by default. The spaces are sized for a
 * week of card transactions (~60k rows, ~400 frauds): shallow trees with shrinkage and a
 * hessian floor per leaf, logistic regression over its L2 strength, small networks.
 */
export const BUILT_IN_CLASSIFIERS: Readonly<Record<string, ClassifierKind>> = {
  logreg: {
    description: 'L2-regularised logistic regression (Newton), features standardized inside',
    create: (params) => new LogisticRegression(params as LogisticRegressionOptions),
    load: (dir) => LogisticRegression.load(dir),
    space: {
      C: { low: 1e-3, high: 100, log: true },
      classWeight: ['none', 'balanced'],
    },
  },
  mlp: {
    description: 'feed-forward network (TensorFlow.js), early stopping on a validation slice',
    create: (params) => new MLPClassifier(params as MLPClassifierOptions),
    load: (dir) => MLPClassifier.load(dir),
    space: {
      hiddenLayers: [[32], [64, 32], [128, 64]],
      alpha: { low: 1e-5, high: 1e-2, log: true },
      learningRate: { low: 3e-4, high: 3e-3, log: true },
      dropout: [0, 0.1, 0.2],
      batchSize: [256, 1024],
      classWeight: ['none', 'balanced'],
    },
  },
  gbdt: {
    description:
      'gradient-boosted trees on histograms, with defaults for small imbalanced data (GBDT_SMALL_DATA_DEFAULTS)',
    create: (params) =>
      new GradientBoostingClassifier({
        ...GBDT_SMALL_DATA_DEFAULTS,
        ...(params as GradientBoostingOptions),
      }),
    load: (dir) => GradientBoostingClassifier.load(dir),
    space: {
      maxDepth: [2, 3, 4, 5, 6],
      learningRate: { low: 0.02, high: 0.3, log: true },
      maxIter: { low: 50, high: 400, log: true, integer: true },
      minHessianLeaf: { low: 0.01, high: 10, log: true },
      l2Regularization: [0, 0.1, 1, 10],
      rowSubsample: { low: 0.5, high: 1 },
      columnSubsample: { low: 0.5, high: 1 },
      // The tree count is searched: holding a tenth of a week out to stop early only costs rows
      // (on the fraud validation folds the best candidate scored the same with or without it).
      earlyStopping: [false],
    },
  },
};

/**
 * The process-wide registry of classifier kinds: the built-in ones, plus whatever the user
 * registers. The fraud system, `searchModels` and its worker threads build models from it.
 */
export const classifierRegistry = new ClassifierRegistry(BUILT_IN_CLASSIFIERS);
