import { availableParallelism } from 'node:os';
import {
  DimensionMismatchError,
  InvalidArgumentError,
  InvalidDataError,
  logInfo,
  type Matrix,
  Rng,
} from '@mlsd/core';
import { classifierRegistry } from '../registry/built-in-classifiers.js';
import type { ClassifierRegistry } from '../registry/classifier-registry.js';
import { type FitExecutor, InThreadExecutor, WorkerExecutor } from './fit-executor.js';
import type { FitOutcome, SearchData, ValidationFold } from './fit-task.js';
import {
  discreteSize,
  gridCandidates,
  type ParamSpace,
  type ParamSpaceInput,
  type Params,
  parseParamSpace,
  randomCandidates,
} from './param-space.js';
import {
  type CandidateResult,
  type ModelSearchTable,
  meanStd,
  rankCandidates,
} from './search-table.js';
import { averagePrecisionMetric, type SelectionMetric } from './selection-metric.js';

/** One registered classifier kind and where to search its hyperparameters. */
export interface EstimatorSearch {
  /** A kind registered in the classifier registry (`'gbdt'`, `'logreg'`, …). */
  kind: string;
  /** Where to search; default the space registered with the kind. */
  space?: ParamSpaceInput;
  /** Hyperparameters every candidate of this kind gets (a seed, a class weighting, …). */
  fixed?: Params;
  /** Share of the random / halving candidates this kind gets, relative to the others; default 1. */
  weight?: number;
}

/**
 * Successive halving (Jamieson & Talwalkar 2016; scikit-learn's `HalvingRandomSearchCV`): every
 * candidate is first fitted on a small resource, the best 1/`factor` go on with `factor` times
 * more, and so on until the full resource; weak candidates stop early and cost little.
 */
export interface HalvingOptions {
  /** Share of candidates kept, and growth of the resource, per round; default 3. */
  factor?: number;
  /**
   * What grows: `'rows'` (default), the share of each fold's training rows (a stratified
   * subsample, the same for every candidate of a round); or the name of an integer
   * hyperparameter (e.g. `'maxIter'`), from `minResource` to `maxResource`.
   */
  resource?: string;
  /** Smallest resource: a row share (default 1/9) or the parameter's first value (required). */
  minResource?: number;
  /** Largest resource: 1 for rows, the parameter's last value otherwise (required). */
  maxResource?: number;
}

/** Progress of a search, after each fit. */
export interface SearchProgress {
  round: number;
  rounds: number;
  /** Fits done and planned in this round. */
  done: number;
  total: number;
  candidate: number;
  fold: number;
  fitSeconds: number;
}

/** Options of {@link searchModels}. */
export interface ModelSearchOptions {
  /** The kinds to search and their spaces; candidates are spread over them. */
  estimators: readonly EstimatorSearch[];
  /** Validation folds (e.g. `prequentialSplits`); every candidate is fitted on each. */
  folds: readonly ValidationFold[];
  /** `'random'` (default), `'grid'` (every point of every space) or `'halving'`. */
  strategy?: 'grid' | 'random' | 'halving';
  /** Candidates to draw (random, halving: the first round); default 20. */
  candidates?: number;
  /** Points taken from each range in a grid; default 3. */
  gridSteps?: number;
  /** What to maximise; default the average precision of the labels. */
  metric?: SelectionMetric;
  /**
   * Worker threads fitting in parallel; 0 fits in this thread. Default: one per available
   * core, at most one per fit, and 0 when a kind was registered without a `module` workers
   * could import.
   */
  workers?: number;
  /** Seed of the random draws and of the halving subsamples; default 0. */
  seed?: number;
  halving?: HalvingOptions;
  /** Registry to build kinds from; only the default one reaches worker threads. */
  registry?: ClassifierRegistry;
  onProgress?: (progress: SearchProgress) => void;
}

/** What {@link searchModels} returns. */
export interface ModelSearch {
  /** The results table: every candidate's mean ± std over the folds, fit time, rank (JSON-safe). */
  table: ModelSearchTable;
  /** The best candidate's validation scores, one array per fold (its test rows, in order). */
  bestScores: Float64Array[];
}

interface Candidate {
  id: number;
  kind: string;
  params: Params;
}

/**
 * Model selection over registered classifier kinds: grid search, random search or successive
 * halving over declarative parameter spaces, each candidate fitted on every validation fold and
 * scored there by `metric` (average precision by default), the fits spread over worker threads
 * that share the data. The test period is not an input: pass only folds before it (for fraud,
 * `prequentialSplits` shifted before the test week, as `tuneFraudModel` does).
 *
 * @example
 * ```ts
 * const folds = prequentialSplits(dated, { trainStartDay: 101, folds: 3 });
 * const { table } = await searchModels({ X, y }, {
 *   estimators: [{ kind: 'gbdt', fixed: { seed: 0 } }, { kind: 'logreg' }],
 *   folds, strategy: 'random', candidates: 30,
 * });
 * console.log(table.best.kind, table.best.params, table.best.mean, table.best.std);
 * ```
 */
export async function searchModels(
  data: { X: Matrix; y: ArrayLike<number> },
  options: ModelSearchOptions,
): Promise<ModelSearch> {
  const started = performance.now();
  const registry = options.registry ?? classifierRegistry;
  const strategy = options.strategy ?? 'random';
  if (!['grid', 'random', 'halving'].includes(strategy)) {
    throw new InvalidArgumentError(
      `searchModels: strategy must be 'grid', 'random' or 'halving', got ${JSON.stringify(strategy)}.`,
    );
  }
  const searchData = checkData(data, options.folds);
  const metric = options.metric ?? averagePrecisionMetric(searchData.y);
  const seed = options.seed ?? 0;
  const candidates = buildCandidates(options, registry, strategy, seed);
  const plan =
    strategy === 'halving'
      ? halvingPlan(options.halving ?? {}, candidates)
      : [{ resource: 1, keep: candidates.length }];
  const resourceName = options.halving?.resource ?? 'rows';
  if (strategy === 'halving' && resourceName !== 'rows') {
    for (const candidate of candidates) {
      if (resourceName in candidate.params) {
        throw new InvalidArgumentError(
          `searchModels: "${resourceName}" is the halving resource, so it cannot also be searched or fixed (candidate ${candidate.id}, ${candidate.kind}).`,
        );
      }
    }
  }

  const executor = await startExecutor(options, registry, searchData, candidates, plan);
  const folds = searchData.folds;
  const results = new Map<number, CandidateResult>();
  let bestScores: Float64Array[] = [];
  let bestMean = Number.NEGATIVE_INFINITY;
  let fits = 0;
  let failedFits = 0;
  let alive = candidates;
  try {
    for (let round = 0; round < plan.length; round++) {
      const { resource } = plan[round]!;
      const last = round === plan.length - 1;
      const total = alive.length * folds.length;
      let done = 0;
      const perCandidate = await Promise.all(
        alive.map(async (candidate) => {
          const params =
            strategy === 'halving' && resourceName !== 'rows'
              ? { ...candidate.params, [resourceName]: resource }
              : candidate.params;
          const outcomes = await Promise.all(
            folds.map(async (_, fold) => {
              const outcome: FitOutcome = await executor.run({
                id: candidate.id * folds.length + fold,
                kind: candidate.kind,
                params,
                fold,
                rowFraction: resourceName === 'rows' ? resource : 1,
                seed: seed + 1000 * round,
              });
              done++;
              options.onProgress?.({
                round,
                rounds: plan.length,
                done,
                total,
                candidate: candidate.id,
                fold,
                fitSeconds: outcome.fitSeconds,
              });
              return outcome;
            }),
          );
          fits += outcomes.length;
          const error = outcomes.find((o) => o.error !== undefined)?.error;
          if (error !== undefined) failedFits += outcomes.filter((o) => o.error).length;
          const scores = outcomes.map((o, fold) =>
            o.scores === undefined ? Number.NaN : metric.evaluate(folds[fold]!.test, o.scores),
          );
          const summary = meanStd(scores);
          const result: CandidateResult = {
            id: candidate.id,
            kind: candidate.kind,
            params: candidate.params,
            rank: 0,
            mean: summary.mean,
            std: summary.std,
            scores,
            fitSeconds: outcomes.reduce((sum, o) => sum + o.fitSeconds, 0) / outcomes.length,
            rounds: round + 1,
            resource,
            ...(error === undefined ? {} : { error }),
          };
          results.set(candidate.id, result);
          if (last && error === undefined && summary.mean > bestMean) {
            bestMean = summary.mean;
            bestScores = outcomes.map((o) => o.scores!);
          }
          return result;
        }),
      );
      if (!last) {
        const keep = plan[round + 1]!.keep;
        const ranked = [...perCandidate].sort(byMeanDescending).slice(0, keep);
        const kept = new Set(ranked.map((r) => r.id));
        alive = alive.filter((candidate) => kept.has(candidate.id));
      }
    }
  } finally {
    await executor.close();
  }

  const ranked = rankCandidates([...results.values()]);
  const best = ranked[0]!;
  if (best.error !== undefined || !Number.isFinite(best.mean)) {
    throw new InvalidDataError(
      `searchModels: no candidate could be fitted and scored on every fold; the first failure: ${best.error ?? `the metric gave ${best.mean}`}.`,
      { candidates: ranked.length },
    );
  }
  return {
    table: {
      strategy,
      metric: metric.name,
      candidates: ranked,
      best,
      folds: folds.map((fold) => ({
        trainRows: fold.train.length,
        testRows: fold.test.length,
        testPositives: countPositives(searchData.y, fold.test),
      })),
      rounds: plan.map((step) => ({ resource: step.resource, candidates: step.keep })),
      resource: strategy === 'halving' ? resourceName : 'rows',
      fits,
      failedFits,
      workers: executor.threads,
      seconds: (performance.now() - started) / 1000,
    },
    bestScores,
  };
}

function byMeanDescending(a: CandidateResult, b: CandidateResult): number {
  const am = Number.isFinite(a.mean) ? a.mean : Number.NEGATIVE_INFINITY;
  const bm = Number.isFinite(b.mean) ? b.mean : Number.NEGATIVE_INFINITY;
  return bm - am || a.id - b.id;
}

function countPositives(y: Uint8Array, rows: Int32Array): number {
  let count = 0;
  for (const row of rows) count += y[row]!;
  return count;
}

/** The data as the fits read it; every fold checked for rows of both classes. */
function checkData(
  data: { X: Matrix; y: ArrayLike<number> },
  folds: readonly ValidationFold[],
): SearchData {
  const { X } = data;
  if (X.rows !== data.y.length) {
    throw new DimensionMismatchError(
      `searchModels: X has ${X.rows} rows but y has ${data.y.length} labels; they must pair up.`,
    );
  }
  const y = data.y instanceof Uint8Array ? data.y : Uint8Array.from(data.y);
  if (!Array.isArray(folds) || folds.length === 0) {
    throw new InvalidArgumentError(
      'searchModels: pass at least one validation fold { train, test } (e.g. from prequentialSplits).',
    );
  }
  folds.forEach((fold, f) => {
    const own = fold.X;
    if (
      own !== undefined &&
      (own.rows !== fold.train.length + fold.test.length || own.cols !== X.cols)
    ) {
      throw new DimensionMismatchError(
        `searchModels: fold ${f} has its own X of ${own.rows} × ${own.cols}; it must hold its ${fold.train.length} training then ${fold.test.length} test rows, ${X.cols} columns as X.`,
      );
    }
    for (const [part, rows] of [
      ['train', fold.train],
      ['test', fold.test],
    ] as const) {
      let positives = 0;
      for (const row of rows) {
        if (!(row >= 0 && row < X.rows)) {
          throw new DimensionMismatchError(
            `searchModels: fold ${f} ${part} row ${row} is outside the ${X.rows} rows of X.`,
          );
        }
        positives += y[row] === 1 ? 1 : 0;
      }
      if (positives === 0 || positives === rows.length) {
        throw new InvalidDataError(
          `searchModels: fold ${f} has ${positives} positive(s) among its ${rows.length} ${part} rows; each fold's ${part} rows need both classes. Use longer periods or fewer folds.`,
          { fold: f, part, rows: rows.length, positives },
        );
      }
    }
  });
  return { X, y, folds };
}

/** Every candidate of the search, ids in order. */
function buildCandidates(
  options: ModelSearchOptions,
  registry: ClassifierRegistry,
  strategy: 'grid' | 'random' | 'halving',
  seed: number,
): Candidate[] {
  if (!Array.isArray(options.estimators) || options.estimators.length === 0) {
    throw new InvalidArgumentError(
      "searchModels: name at least one estimator to search, e.g. [{ kind: 'gbdt' }].",
    );
  }
  const spaces = options.estimators.map((estimator) => {
    const kind = registry.get(estimator.kind);
    const space: ParamSpace =
      estimator.space === undefined
        ? kind.space
        : parseParamSpace(estimator.space, `searchModels: space of "${estimator.kind}"`);
    const weight = estimator.weight ?? 1;
    if (!(weight > 0) || !Number.isFinite(weight)) {
      throw new InvalidArgumentError(
        `searchModels: the weight of "${estimator.kind}" must be a positive number, got ${weight}.`,
      );
    }
    return { estimator, space, weight };
  });
  const rng = new Rng(seed);
  const drawn: { kind: string; params: Params }[] = [];
  if (strategy === 'grid') {
    for (const { estimator, space } of spaces) {
      for (const params of gridCandidates(space, options.gridSteps ?? 3)) {
        drawn.push({ kind: estimator.kind, params: { ...params, ...estimator.fixed } });
      }
    }
  } else {
    const count = options.candidates ?? 20;
    if (!Number.isInteger(count) || count < 1) {
      throw new InvalidArgumentError(
        `searchModels: candidates must be a positive integer, got ${count}.`,
      );
    }
    const shares = allocate(
      count,
      spaces.map((s) => s.weight),
      spaces.map((s) => discreteSize(s.space)),
    );
    spaces.forEach(({ estimator, space }, k) => {
      const draws = randomCandidates(space, shares[k]!, rng.fork(`${k}:${estimator.kind}`));
      for (const params of draws) {
        drawn.push({ kind: estimator.kind, params: { ...params, ...estimator.fixed } });
      }
    });
  }
  return drawn.map((candidate, id) => ({ id, ...candidate }));
}

/**
 * Splits `count` draws over kinds in proportion to their weights, none above the number of
 * distinct points its space has; what a small space cannot take goes to the others.
 */
function allocate(count: number, weights: number[], capacities: number[]): number[] {
  const shares = weights.map(() => 0);
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  for (let given = 0; given < count; given++) {
    let pick = -1;
    let largestDeficit = Number.NEGATIVE_INFINITY;
    weights.forEach((weight, k) => {
      if (shares[k]! >= capacities[k]!) return;
      const deficit = (weight / totalWeight) * (given + 1) - shares[k]!;
      if (deficit > largestDeficit) {
        largestDeficit = deficit;
        pick = k;
      }
    });
    if (pick < 0) break;
    shares[pick]!++;
  }
  return shares;
}

/** Rounds of successive halving: the resource of each and the candidates that run it. */
function halvingPlan(
  halving: HalvingOptions,
  candidates: Candidate[],
): { resource: number; keep: number }[] {
  const factor = halving.factor ?? 3;
  if (!(factor > 1) || !Number.isFinite(factor)) {
    throw new InvalidArgumentError(`searchModels: halving factor must be above 1, got ${factor}.`);
  }
  const byRows = (halving.resource ?? 'rows') === 'rows';
  const maxResource = halving.maxResource ?? (byRows ? 1 : undefined);
  const minResource = halving.minResource ?? (byRows ? 1 / 9 : undefined);
  if (maxResource === undefined || minResource === undefined) {
    throw new InvalidArgumentError(
      `searchModels: halving on "${halving.resource}" needs minResource and maxResource (e.g. 25 and 300 trees).`,
    );
  }
  if (!(minResource > 0 && minResource < maxResource) || (byRows && maxResource > 1)) {
    throw new InvalidArgumentError(
      `searchModels: halving needs 0 < minResource < maxResource${byRows ? ' ≤ 1 (shares of the rows)' : ''}, got ${minResource} and ${maxResource}.`,
    );
  }
  // As many rounds as halving needs to reach one candidate, and as the resource range allows.
  const needed = 1 + Math.floor(Math.log(candidates.length) / Math.log(factor) + 1e-9);
  const possible = 1 + Math.floor(Math.log(maxResource / minResource) / Math.log(factor) + 1e-9);
  const rounds = Math.max(1, Math.min(needed, possible));
  const plan: { resource: number; keep: number }[] = [];
  let keep = candidates.length;
  for (let r = 0; r < rounds; r++) {
    let resource = maxResource / factor ** (rounds - 1 - r);
    if (!byRows) resource = Math.round(resource);
    plan.push({ resource, keep });
    keep = Math.max(1, Math.ceil(keep / factor));
  }
  return plan;
}

async function startExecutor(
  options: ModelSearchOptions,
  registry: ClassifierRegistry,
  data: SearchData,
  candidates: Candidate[],
  plan: { keep: number }[],
): Promise<FitExecutor> {
  const kinds = [...new Set(candidates.map((c) => c.kind))].map((name) => registry.get(name));
  const unreachable = kinds.filter((kind) => !kind.builtIn && kind.module === undefined);
  const fits = (plan[0]?.keep ?? 0) * data.folds.length;
  let workers = options.workers;
  if (workers === undefined) {
    workers = Math.min(availableParallelism(), fits);
    if (workers > 0 && (unreachable.length > 0 || registry !== classifierRegistry)) {
      logInfo(
        'model search fits in this thread: worker threads cannot build kinds registered without a module, nor read a registry other than classifierRegistry',
        { kinds: unreachable.map((k) => k.name).join(',') || undefined },
      );
      workers = 0;
    }
  }
  if (!Number.isInteger(workers) || workers < 0) {
    throw new InvalidArgumentError(
      `searchModels: workers must be a whole number ≥ 0, got ${workers}.`,
    );
  }
  if (workers === 0) return new InThreadExecutor(data, registry);
  if (registry !== classifierRegistry) {
    throw new InvalidArgumentError(
      'searchModels: worker threads build kinds from classifierRegistry only; register your kinds there or pass workers: 0.',
    );
  }
  if (unreachable.length > 0) {
    throw new InvalidArgumentError(
      `searchModels: worker threads cannot build ${unreachable.map((k) => `"${k.name}"`).join(', ')}: register it with module: import.meta.url (the file that registers it), or pass workers: 0.`,
    );
  }
  const modules = kinds.flatMap((kind) => (kind.module === undefined ? [] : [kind.module]));
  return WorkerExecutor.start(data, workers, [...new Set(modules)]);
}
