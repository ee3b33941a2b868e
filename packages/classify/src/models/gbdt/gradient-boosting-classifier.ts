import {
  BaseEstimator,
  createProgress,
  DimensionMismatchError,
  describeWithNearest,
  InvalidArgumentError,
  InvalidDataError,
  logWarn,
  type Manifest,
  type Matrix,
  Rng,
  readArtifact,
  writeArtifact,
} from '@mlsd/core';
import { z } from 'zod';
import { averagePrecision } from '../../metrics/precision-recall.js';
import {
  type BinaryLabels,
  type ClassWeight,
  countBinaryLabels,
  resolveSampleWeights,
} from '../class-weights.js';
import { binMatrix, findBinEdges } from './bin-mapper.js';
import { shouldStopEarly } from './early-stopping.js';
import { baselineLogOdds, logLossGradients, meanLogLoss, sigmoid } from './log-loss.js';
import {
  type GradientBoostingOptions,
  GradientBoostingOptionsSchema,
  type GradientBoostingParams,
} from './options.js';
import { PackedTrees } from './packed-trees.js';
import { createScores, resyncScores } from './raw-scores.js';
import { addTreeOnBins, type RegressionTree } from './regression-tree.js';
import { TrainingMemory } from './training-memory.js';
import { concatTrees, gainImportances, predictRaw, type TreeEnsemble } from './tree-ensemble.js';
import { TreeGrower } from './tree-grower.js';
import { stratifiedSplit } from './validation-split.js';

/** Artifact kind written by {@link GradientBoostingClassifier.save}. */
export const GBDT_ARTIFACT_KIND = 'gbdt';
/** Artifact layout version written by {@link GradientBoostingClassifier.save}. */
export const GBDT_ARTIFACT_VERSION = 1;
const MODEL_FILE = 'model.json';
/** Iterations between exact recomputations of e^−raw (see {@link RawScores}). */
const RESYNC_EVERY = 25;
/** Training rows above which `earlyStopping: 'auto'` holds out a validation fraction. */
const AUTO_EARLY_STOPPING_ROWS = 10_000;

/** An explicit validation set for early stopping. */
export interface GradientBoostingValidation {
  X: Matrix;
  y: BinaryLabels;
  /** Per-row weights (class weights are applied on top, as for the training rows). */
  sampleWeight?: ArrayLike<number>;
}

/** Options of {@link GradientBoostingClassifier.fit}. */
export interface GradientBoostingFitOptions {
  /** Per-row weights (finite, ≥ 0), multiplied with the class weights. */
  sampleWeight?: ArrayLike<number>;
  /** Rows to early-stop on instead of a held-out `validationFraction` of the training rows. */
  validation?: GradientBoostingValidation;
  /** Draw a progress bar on stderr (on a terminal only); default false. */
  progress?: boolean;
}

const typed = <T>(Type: abstract new (...args: never[]) => T) =>
  z.custom<T>((value) => value instanceof Type, { message: `expected a ${Type.name}` });

const GradientBoostingState = z.object({
  featureCount: z.number().int().positive(),
  featureNames: z.array(z.string()).nullable(),
  baseline: z.number(),
  treeStarts: typed<Int32Array>(Int32Array),
  feature: typed<Int32Array>(Int32Array),
  threshold: typed<Float64Array>(Float64Array),
  missingGoesLeft: typed<Uint8Array>(Uint8Array),
  left: typed<Int32Array>(Int32Array),
  right: typed<Int32Array>(Int32Array),
  value: typed<Float64Array>(Float64Array),
  gain: typed<Float64Array>(Float64Array),
  count: typed<Float64Array>(Float64Array),
  /** Validation log-loss before any tree and after each one; empty without validation. */
  validationLoss: typed<Float64Array>(Float64Array),
  /** Validation average precision after each tree, when early stopping watched it. */
  validationAveragePrecision: typed<Float64Array>(Float64Array).optional(),
});

type GradientBoostingState = z.output<typeof GradientBoostingState>;

/**
 * Gradient-boosted decision trees for binary classification (log-loss), on histograms as
 * LightGBM and scikit-learn's `HistGradientBoostingClassifier`: features are cut into at most
 * 255 quantile bins (NaN in a bin of its own, sent to the better side at every split), trees
 * grow best-first on per-node gradient/hessian histograms (the larger child by subtraction),
 * and every leaf takes the Newton step −learningRate · G / (H + λ). Rows and features can be
 * subsampled per tree, and training stops early when the validation log-loss stalls. The
 * histogram and row-partition loops run as small WebAssembly kernels generated in-process
 * (`training-memory.ts`), with identical JavaScript loops where WebAssembly is unavailable.
 *
 * @example
 * ```ts
 * const model = await new GradientBoostingClassifier({ classWeight: 'balanced', seed: 7 }).fit(X, y);
 * const p = model.predictProba(Xtest); // Float64Array of P(fraud)
 * await model.save('models/gbdt');
 * ```
 */
export class GradientBoostingClassifier extends BaseEstimator<
  GradientBoostingParams,
  GradientBoostingState
> {
  readonly kind = 'GradientBoostingClassifier';
  #ensemble: TreeEnsemble | undefined;
  /** The trees laid out for one row at a time, built at the first {@link predictProbaRow}. */
  #packed: PackedTrees | undefined;

  /** Validates the options (see {@link GradientBoostingOptions}); no other work. */
  constructor(options: GradientBoostingOptions = {}) {
    super(GradientBoostingOptionsSchema, options);
  }

  /**
   * Fits the trees on `X` (rows × features, NaN = missing) and labels `y` (0/1).
   * @throws DimensionMismatchError when `X`, `y`, the weights or the validation set disagree
   * in size; InvalidDataError for labels other than 0/1, bad weights, or a single class.
   */
  async fit(X: Matrix, y: BinaryLabels, options: GradientBoostingFitOptions = {}): Promise<this> {
    const params = this.params;
    checkTrainingShape(X, y);
    countBinaryLabels(y);
    const weights = resolveSampleWeights(y, {
      classWeight: params.classWeight,
      ...(options.sampleWeight === undefined ? {} : { sampleWeight: options.sampleWeight }),
    });
    const rng = new Rng(params.seed);

    // Which rows train and which early-stop.
    const useEarlyStopping =
      params.earlyStopping === 'auto'
        ? options.validation !== undefined || X.rows > AUTO_EARLY_STOPPING_ROWS
        : params.earlyStopping;
    let trainRows: Int32Array | undefined;
    let validation:
      | { X: Matrix; rows?: Int32Array; y: BinaryLabels; weights: Float64Array }
      | undefined;
    if (options.validation !== undefined) {
      validation = explicitValidation(options.validation, X, y, params.classWeight);
    } else if (useEarlyStopping) {
      const split = stratifiedSplit(y, params.validationFraction, rng.fork('validation'));
      trainRows = split.train;
      validation = {
        X,
        rows: split.validation,
        y: gather(y, split.validation, Uint8Array),
        weights: gather(weights, split.validation, Float64Array),
      };
    }
    const n = trainRows === undefined ? X.rows : trainRows.length;
    const yTrain = trainRows === undefined ? y : gather(y, trainRows, Uint8Array);
    const wTrain = trainRows === undefined ? weights : gather(weights, trainRows, Float64Array);
    const baseline = baselineLogOdds(yTrain, wTrain);

    // Bin edges from (a sample of) the training rows, then bins of train and validation rows.
    let edgeRows: ArrayLike<number> | undefined = trainRows;
    if (n > params.binSampleSize) {
      const picked = rng.fork('bins').sample(n, params.binSampleSize).sort();
      edgeRows = trainRows === undefined ? picked : picked.map((k) => trainRows[k]!);
    }
    const binEdges = findBinEdges(
      X,
      params.maxBins,
      edgeRows,
      params.binning === 'class-balanced' ? y : undefined,
    );
    const { missingBin } = binEdges;
    const memory = new TrainingMemory(n, X.cols, missingBin + 1);
    const bins = binMatrix(X, binEdges, trainRows, memory.bins);
    memory.binsChanged();
    const validationBins =
      validation === undefined ? undefined : binMatrix(validation.X, binEdges, validation.rows);
    const validationRows = validation === undefined ? 0 : validation.y.length;

    const { gradHess, rowIndices } = memory;
    const monotonic = resolveMonotonic(params.monotonicConstraints, X);
    const grower = new TreeGrower({
      monotonic,
      memory,
      edges: binEdges.edges,
      binCounts: Int32Array.from(binEdges.edges, (edges) => edges.length + 1),
      missingBin,
      constraints: {
        minSamplesLeaf: params.minSamplesLeaf,
        minHessianLeaf: params.minHessianLeaf,
        l2: params.l2Regularization,
      },
      maxLeafNodes: params.maxLeafNodes ?? Number.POSITIVE_INFINITY,
      maxDepth: params.maxDepth ?? Number.POSITIVE_INFINITY,
      learningRate: params.learningRate,
    });

    const scores = createScores(n, baseline);
    const validationScores = createScores(validationRows, baseline);
    const losses: number[] = [];
    if (validation !== undefined)
      losses.push(meanLogLoss(validation.y, validation.weights, validationScores.raw));
    // What early stopping compares, lower is better: the log-loss, or −AP.
    const watchPrecision =
      validation !== undefined &&
      params.earlyStoppingMetric === 'average-precision' &&
      hasPositive(validation.y);
    if (
      validation !== undefined &&
      params.earlyStoppingMetric === 'average-precision' &&
      !watchPrecision
    ) {
      logWarn(
        'GradientBoostingClassifier: the validation rows hold no positive, so early stopping watches the log-loss instead of average precision',
        { validationRows },
      );
    }
    const precisions: number[] = [];
    const watched = watchPrecision ? [Number.POSITIVE_INFINITY] : losses;

    // The grower reorders rowIndices; a tree on all rows starts again from 0..n−1.
    const allRows = Uint32Array.from({ length: n }, (_, k) => k);
    const inBag = new Uint8Array(n);
    const outOfBag = new Uint32Array(n);
    const allFeatures = Int32Array.from({ length: X.cols }, (_, f) => f);
    const rowRng = rng.fork('rows');
    const columnRng = rng.fork('columns');
    const bagSize = Math.max(1, Math.round(params.rowSubsample * n));
    const featureSize = Math.max(1, Math.round(params.columnSubsample * X.cols));
    const trees: RegressionTree[] = [];
    const progress = createProgress({
      label: 'gradient boosting',
      total: params.maxIter,
      unit: 'trees',
      ...(options.progress === true ? {} : { enabled: false }),
    });

    for (let iteration = 0; iteration < params.maxIter; iteration++) {
      if (iteration % RESYNC_EVERY === RESYNC_EVERY - 1) resyncScores(scores);
      logLossGradients(yTrain, wTrain, scores, gradHess);
      const contiguous = bagSize === n;
      if (contiguous) {
        rowIndices.set(allRows);
      } else {
        const bag = rowRng.sample(n, bagSize).sort();
        rowIndices.set(bag);
      }
      const features =
        featureSize === X.cols ? allFeatures : columnRng.sample(X.cols, featureSize).sort();
      const tree = grower.grow({ count: bagSize, contiguous, features }, scores);
      trees.push(tree);
      if (!contiguous) {
        // Rows left out of this tree still need its output in their raw scores.
        inBag.fill(0);
        for (let k = 0; k < bagSize; k++) inBag[rowIndices[k]!] = 1;
        let outCount = 0;
        for (let row = 0; row < n; row++) if (inBag[row] === 0) outOfBag[outCount++] = row;
        addTreeOnBins(tree, bins, n, missingBin, scores, outOfBag.subarray(0, outCount));
      }
      progress.tick();
      if (validation !== undefined && validationBins !== undefined) {
        addTreeOnBins(tree, validationBins, validationRows, missingBin, validationScores);
        losses.push(meanLogLoss(validation.y, validation.weights, validationScores.raw));
        if (watchPrecision) {
          const precision = averagePrecision(validation.y, validationScores.raw);
          precisions.push(precision);
          watched.push(-precision);
        }
        if (useEarlyStopping && shouldStopEarly(watched, params.nIterNoChange, params.tol)) break;
      }
      // Let timers and progress output run between trees.
      if (iteration % 10 === 9) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    progress.finish(`${trees.length} trees`);

    if (params.restoreBestIteration && watched.length > 1) {
      // watched[k] is the score after k trees; keep at least one tree.
      let best = 1;
      for (let k = 2; k < watched.length; k++) if (watched[k]! < watched[best]!) best = k;
      trees.length = best;
      losses.length = best + 1;
      precisions.length = best;
    }
    const ensemble = concatTrees(trees, baseline);
    this.#ensemble = ensemble;
    this.#packed = undefined;
    this.setFitted({
      featureCount: X.cols,
      featureNames: X.columnNames === undefined ? null : [...X.columnNames],
      ...ensemble,
      validationLoss: Float64Array.from(losses),
      ...(watchPrecision ? { validationAveragePrecision: Float64Array.from(precisions) } : {}),
    });
    return this;
  }

  /** Raw scores (log-odds of class 1) of every row of `X`. */
  decisionFunction(X: Matrix): Float64Array {
    const state = this.fitted;
    checkPredictShape(X, state);
    return predictRaw(this.#trees(), X);
  }

  /** P(y = 1) for every row of `X` (NaN cells are missing values). */
  predictProba(X: Matrix): Float64Array {
    const raw = this.decisionFunction(X);
    for (let i = 0; i < raw.length; i++) raw[i] = sigmoid(raw[i]!);
    return raw;
  }

  /**
   * P(y = 1) for one row of `featureCount` values (NaN = missing): the value
   * {@link predictProba} gives for a one-row matrix of it, to the bit, without a matrix or an
   * output array — the online scoring path. The first call lays the trees out for it.
   * @throws DimensionMismatchError when the row's length is not the fitted feature count.
   */
  predictProbaRow(row: Float32Array | Float64Array): number {
    const { featureCount } = this.fitted;
    if (row.length !== featureCount) {
      throw new DimensionMismatchError(
        `GradientBoostingClassifier: the model was fitted on ${featureCount} features; the row has ${row.length} values.`,
      );
    }
    this.#packed ??= PackedTrees.from(this.#trees(), featureCount);
    return sigmoid(this.#packed.predictRawRow(row));
  }

  /** 1 where P(y = 1) ≥ `threshold` (default 0.5), else 0. */
  predict(X: Matrix, threshold = 0.5): Uint8Array {
    const proba = this.predictProba(X);
    return Uint8Array.from(proba, (p) => (p >= threshold ? 1 : 0));
  }

  /** Trees kept (iterations run; fewer than `maxIter` after early stopping). */
  get nIter(): number {
    return this.fitted.treeStarts.length - 1;
  }

  /** Validation log-loss before any tree, then after each; empty when there was no validation. */
  get validationLoss(): Float64Array {
    return this.fitted.validationLoss.slice();
  }

  /**
   * Validation average precision after each tree (index k: after k + 1 trees) when early
   * stopping watched it; empty otherwise.
   */
  get validationAveragePrecision(): Float64Array {
    return this.fitted.validationAveragePrecision?.slice() ?? new Float64Array(0);
  }

  /** Each feature's share of the total split gain (sums to 1 once any tree has split). */
  get featureImportances(): Float64Array {
    const state = this.fitted;
    return gainImportances(this.#trees(), state.featureCount);
  }

  /** A copy of the fitted trees as parallel arrays (see {@link TreeEnsemble}), for inspection or export. */
  get trees(): TreeEnsemble {
    const ensemble = this.#trees();
    return {
      baseline: ensemble.baseline,
      treeStarts: ensemble.treeStarts.slice(),
      feature: ensemble.feature.slice(),
      threshold: ensemble.threshold.slice(),
      missingGoesLeft: ensemble.missingGoesLeft.slice(),
      left: ensemble.left.slice(),
      right: ensemble.right.slice(),
      value: ensemble.value.slice(),
      gain: ensemble.gain.slice(),
      count: ensemble.count.slice(),
    };
  }

  /** Column names seen at fit, or null when the training matrix had none. */
  get featureNames(): readonly string[] | null {
    return this.fitted.featureNames;
  }

  /** Writes the model as an artifact folder (kind `'gbdt'`) at `dir`, atomically. */
  async save(dir: string): Promise<Manifest> {
    const json = this.toJSON();
    const losses = this.fitted.validationLoss;
    return writeArtifact(dir, {
      kind: GBDT_ARTIFACT_KIND,
      formatVersion: GBDT_ARTIFACT_VERSION,
      description: `Gradient-boosted trees: ${this.nIter} trees over ${this.fitted.featureCount} features`,
      params: { ...this.params },
      metrics: {
        trees: this.nIter,
        ...(losses.length > 0 ? { validationLogLoss: losses[losses.length - 1] } : {}),
      },
      files: { [MODEL_FILE]: JSON.stringify(json) },
    });
  }

  /** Reads a model written by {@link save}, checking the manifest and checksums. */
  static async load(dir: string): Promise<GradientBoostingClassifier> {
    const artifact = await readArtifact(dir, {
      kind: GBDT_ARTIFACT_KIND,
      formatVersion: GBDT_ARTIFACT_VERSION,
    });
    return GradientBoostingClassifier.fromJSON(await artifact.readJson(MODEL_FILE));
  }

  /** Rebuilds a model from {@link toJSON} output, checking that its trees are well formed. */
  static fromJSON(json: unknown): GradientBoostingClassifier {
    const { params, state } = BaseEstimator.checkJSON(json, {
      kind: 'GradientBoostingClassifier',
      version: 1,
      params: GradientBoostingOptionsSchema,
      state: GradientBoostingState,
    });
    checkEnsemble(state);
    const model = new GradientBoostingClassifier(params);
    model.setFitted(state);
    return model;
  }

  #trees(): TreeEnsemble {
    if (this.#ensemble === undefined) {
      const {
        featureCount: _,
        featureNames: __,
        validationLoss: ___,
        validationAveragePrecision: ____,
        ...ensemble
      } = this.fitted;
      this.#ensemble = ensemble;
    }
    return this.#ensemble;
  }
}

function checkTrainingShape(X: Matrix, y: BinaryLabels): void {
  if (X.rows !== y.length) {
    throw new DimensionMismatchError(
      `GradientBoostingClassifier.fit: X has ${X.rows} rows but y has ${y.length} labels; they must pair up.`,
    );
  }
  if (X.rows < 2 || X.cols < 1) {
    throw new InvalidDataError(
      `GradientBoostingClassifier.fit: need at least 2 rows and 1 feature, got ${X.rows} × ${X.cols}.`,
    );
  }
  if (X.data.length !== X.rows * X.cols) {
    throw new DimensionMismatchError(
      `GradientBoostingClassifier.fit: X.data has ${X.data.length} values, not ${X.rows} × ${X.cols}.`,
    );
  }
}

function checkPredictShape(X: Matrix, state: GradientBoostingState): void {
  if (X.cols !== state.featureCount || X.data.length !== X.rows * X.cols) {
    throw new DimensionMismatchError(
      `GradientBoostingClassifier: the model was fitted on ${state.featureCount} features; X has ${X.cols} columns (${X.data.length} values for ${X.rows} rows).`,
    );
  }
  const fitted = state.featureNames;
  const given = X.columnNames;
  if (fitted !== null && given !== undefined) {
    const at = fitted.findIndex((name, j) => name !== given[j]);
    if (at >= 0) {
      throw new DimensionMismatchError(
        `GradientBoostingClassifier: column ${at} is "${given[at]}" but the model was fitted with "${fitted[at]}" there; pass the features in training order.`,
      );
    }
  }
}

/** Validation rows as the fit loop wants them, weighted with the training class weights. */
function explicitValidation(
  validation: GradientBoostingValidation,
  X: Matrix,
  y: BinaryLabels,
  classWeight: ClassWeight,
): { X: Matrix; y: BinaryLabels; weights: Float64Array } {
  if (validation.X.cols !== X.cols) {
    throw new DimensionMismatchError(
      `GradientBoostingClassifier.fit: the validation X has ${validation.X.cols} columns, the training X ${X.cols}.`,
    );
  }
  if (validation.X.rows !== validation.y.length || validation.y.length === 0) {
    throw new DimensionMismatchError(
      `GradientBoostingClassifier.fit: the validation X has ${validation.X.rows} rows and y ${validation.y.length} labels; they must pair up and not be empty.`,
    );
  }
  // The class weights the training rows got ('balanced' depends on the training counts).
  const perRow = resolveSampleWeights(y, { classWeight });
  let w0 = 1;
  let w1 = 1;
  for (let i = 0; i < y.length; i++) {
    if (y[i] === 1) w1 = perRow[i]!;
    else w0 = perRow[i]!;
  }
  return {
    X: validation.X,
    y: validation.y,
    weights: resolveSampleWeights(validation.y, {
      classWeight: { 0: w0, 1: w1 },
      ...(validation.sampleWeight === undefined ? {} : { sampleWeight: validation.sampleWeight }),
    }),
  };
}

function hasPositive(y: BinaryLabels): boolean {
  for (let i = 0; i < y.length; i++) if (y[i] === 1) return true;
  return false;
}

/**
 * The per-column directions of `monotonicConstraints`, or undefined when no column is
 * constrained (the plain split search then runs).
 */
function resolveMonotonic(
  constraints: GradientBoostingParams['monotonicConstraints'],
  X: Matrix,
): Int8Array | undefined {
  if (constraints === null) return undefined;
  const directions = new Int8Array(X.cols);
  if (Array.isArray(constraints)) {
    if (constraints.length !== X.cols) {
      throw new DimensionMismatchError(
        `GradientBoostingClassifier: monotonicConstraints has ${constraints.length} entries for ${X.cols} columns; give one per column (0 = free) or name the columns.`,
      );
    }
    directions.set(constraints);
  } else {
    const names = X.columnNames;
    for (const [name, direction] of Object.entries(constraints)) {
      const column = names?.indexOf(name) ?? -1;
      if (column < 0) {
        throw new InvalidArgumentError(
          names === undefined
            ? `GradientBoostingClassifier: monotonicConstraints names column "${name}", but X has no column names; pass an array, one entry per column.`
            : `GradientBoostingClassifier: monotonicConstraints names ${describeWithNearest(name, names)}, which is not a column of X.`,
        );
      }
      directions[column] = direction;
    }
  }
  return directions.some((d) => d !== 0) ? directions : undefined;
}

function gather<T extends Uint8Array | Float64Array>(
  values: ArrayLike<number>,
  rows: Int32Array,
  Type: new (length: number) => T,
): T {
  const out = new Type(rows.length);
  for (let k = 0; k < rows.length; k++) out[k] = values[rows[k]!]!;
  return out;
}

/** Throws InvalidArgumentError unless every tree is well formed (so prediction terminates). */
function checkEnsemble(state: GradientBoostingState): void {
  const { treeStarts, feature, featureCount } = state;
  const nodes = feature.length;
  const fail = (why: string): never => {
    throw new InvalidArgumentError(`GradientBoostingClassifier.fromJSON: corrupt trees: ${why}.`);
  };
  for (const array of [
    state.threshold,
    state.missingGoesLeft,
    state.left,
    state.right,
    state.value,
    state.gain,
    state.count,
  ]) {
    if (array.length !== nodes)
      fail(`node arrays of different lengths (${array.length} vs ${nodes})`);
  }
  if (treeStarts.length < 1 || treeStarts[0] !== 0 || treeStarts[treeStarts.length - 1] !== nodes) {
    fail('treeStarts must run from 0 to the node count');
  }
  if (state.featureNames !== null && state.featureNames.length !== featureCount) {
    fail(`${state.featureNames.length} feature names for ${featureCount} features`);
  }
  const hasParent = new Uint8Array(nodes);
  for (let t = 0; t + 1 < treeStarts.length; t++) {
    const start = treeStarts[t]!;
    const end = treeStarts[t + 1]!;
    if (end <= start) fail(`tree ${t} is empty`);
    for (let k = start; k < end; k++) {
      const f = feature[k]!;
      if (f < 0) continue;
      // Children after their parent and inside the same tree, so every walk ends at a leaf.
      if (f >= featureCount) fail(`node ${k} splits on feature ${f} of ${featureCount}`);
      const left = state.left[k]!;
      const right = state.right[k]!;
      if (!(left > k && left < end && right > k && right < end)) {
        fail(`node ${k} has children ${left}, ${right} outside (${k}, ${end})`);
      }
      // A tree, not a graph: the single-row layout (packed-trees.ts) gives each node one place.
      if (left === right || hasParent[left] === 1 || hasParent[right] === 1) {
        fail(`node ${k}'s children ${left}, ${right} are not its own (another node has them)`);
      }
      hasParent[left] = 1;
      hasParent[right] = 1;
    }
  }
}
