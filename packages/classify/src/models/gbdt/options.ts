import { z } from 'zod';
import { ClassWeightSchema } from '../class-weights.js';

const MonotonicDirection = z.union([z.literal(-1), z.literal(0), z.literal(1)]);

/** Largest number of bins for non-missing values; one more bin (index 255 at most) holds NaN. */
export const MAX_BINS_LIMIT = 255;

/**
 * Hyperparameters of {@link GradientBoostingClassifier}, named and defaulted as scikit-learn's
 * `HistGradientBoostingClassifier` where it has the same knob.
 */
export const GradientBoostingOptionsSchema = z
  .object({
    /** Boosting iterations (trees) at most; early stopping may keep fewer. */
    maxIter: z.number().int().positive().default(100),
    /** Shrinkage: each tree's leaf values are multiplied by it. */
    learningRate: z.number().positive().finite().default(0.1),
    /** Leaves per tree at most (best-first growth); `null` for no limit. */
    maxLeafNodes: z.number().int().min(2).nullable().default(31),
    /** Edges from root to the deepest leaf at most; `null` for no limit. */
    maxDepth: z.number().int().min(1).nullable().default(null),
    /** Rows (unweighted) a leaf must hold at least. */
    minSamplesLeaf: z.number().int().min(1).default(20),
    /** Sum of hessians (weighted p·(1−p)) a leaf must hold at least. */
    minHessianLeaf: z.number().min(0).finite().default(1e-3),
    /** L2 penalty λ on leaf values: value = −G / (H + λ). */
    l2Regularization: z.number().min(0).finite().default(0),
    /** Bins for the non-missing values of each feature (quantiles), 2–255; NaN gets its own bin. */
    maxBins: z.number().int().min(2).max(MAX_BINS_LIMIT).default(MAX_BINS_LIMIT),
    /**
     * Where bin edges go: `'quantile'` (scikit-learn's: equal row counts per bin) or
     * `'class-balanced'` (quantiles with each class weighing half, so rare positives get half
     * the bins; see `findBinEdges`).
     */
    binning: z.enum(['quantile', 'class-balanced']).default('quantile'),
    /** Rows drawn (without replacement) to find the bin edges of each feature. */
    binSampleSize: z.number().int().min(1).default(200_000),
    /** Share of the training rows each tree is grown on, drawn afresh per tree (bagging). */
    rowSubsample: z.number().gt(0).max(1).default(1),
    /** Share of the features each tree may split on, drawn afresh per tree. */
    columnSubsample: z.number().gt(0).max(1).default(1),
    /**
     * Stop when the validation log-loss has not improved by more than `tol` in `nIterNoChange`
     * iterations. `'auto'`: on when an explicit validation set is given or there are more than
     * 10 000 training rows (as scikit-learn).
     */
    earlyStopping: z.union([z.boolean(), z.literal('auto')]).default('auto'),
    /** Share of the rows held out (stratified) for early stopping when no validation set is given. */
    validationFraction: z.number().gt(0).lt(1).default(0.1),
    /**
     * What early stopping watches on the validation rows: the weighted log-loss (as
     * scikit-learn), or average precision — the ranking quality a fraud team reads, which on
     * rare positives can stop improving long before the log-loss does (or the reverse).
     */
    earlyStoppingMetric: z.enum(['log-loss', 'average-precision']).default('log-loss'),
    /**
     * Keep only the trees up to the best validation score seen (XGBoost's `best_iteration`)
     * instead of every tree grown until the stop (scikit-learn's behaviour).
     */
    restoreBestIteration: z.boolean().default(false),
    /** Iterations without improvement before stopping. */
    nIterNoChange: z.number().int().min(1).default(10),
    /** Least change of the watched validation metric that counts as an improvement. */
    tol: z.number().min(0).finite().default(1e-7),
    /**
     * Monotonic constraints, per feature: +1 the predicted probability may only rise with the
     * feature, −1 only fall, 0 free. One entry per column, or by column name (columns left out
     * are free; names need a matrix with `columnNames`). `null`: no constraint.
     */
    monotonicConstraints: z
      .union([z.array(MonotonicDirection), z.record(z.string(), MonotonicDirection)])
      .nullable()
      .default(null),
    /** Class weighting, multiplied with any `sampleWeight`. */
    classWeight: ClassWeightSchema.default('none'),
    /** Seed of every random choice (bin sample, validation split, row and column subsampling). */
    seed: z.union([z.number().finite(), z.string()]).default(0),
  })
  .strict();

/** Options of {@link GradientBoostingClassifier} as the caller writes them (all optional). */
export type GradientBoostingOptions = z.input<typeof GradientBoostingOptionsSchema>;

/** Options of {@link GradientBoostingClassifier} after validation, defaults filled in. */
export type GradientBoostingParams = z.output<typeof GradientBoostingOptionsSchema>;
