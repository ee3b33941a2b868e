import {
  averagePrecisionMetric,
  CalibratedClassifier,
  type CostOptions,
  type CostThresholdChoice,
  cardPrecisionMetric,
  type EstimatorSearch,
  type ModelSearchTable,
  netSavingsMetric,
  type Params,
  prequentialSplits,
  type SearchProgress,
  type SelectionMetric,
  searchModels,
  type ThresholdChoice,
  thresholdForCost,
  thresholdForDailyBudget,
  type ValidationFold,
  validationTrainStartDay,
} from '@mlsd/classify';
import { InvalidArgumentError, parseOptions } from '@mlsd/core';
import { fitFeatureSet } from '@mlsd/features';
import { z } from 'zod';
import { type CalibrationReport, calibrateOnFolds } from './calibrate-on-folds.js';
import type { BinaryClassifier } from './classifiers.js';
import type { resolveFraudConfig } from './config/resolve-fraud-config.js';
import { type FraudData, prepareFraudData, takeRows, takeValues } from './fraud-data.js';
import { type FraudMetrics, fraudMetrics, type ScoredPeriod } from './fraud-metrics.js';
import { FraudModel } from './fraud-model.js';
import { protocolDay, splitLayout } from './protocol/fraud-periods.js';
import { type FraudInput, prepareFraudLog, trainFraudModel } from './train-fraud-model.js';

/**
 * The kinds `tuneFraudModel` searches by default: gradient-boosted trees get the whole budget.
 * Logistic regression (over its regularisation and class weighting) used to get a fifth of it,
 * but on the fraud benchmark its candidates ranked 24th to 30th of 30 in every world measured
 * (three simulator seeds and the public-layout log, twice), so those fits bought nothing; pass
 * `kinds` (or `mlsd fraud tune --kinds gbdt,logreg`) to search it anyway. The MLP is left out too:
 * a fit costs ~10× a tree ensemble's, and the extra search time bought nothing the trees did not
 * (benchmarks/fraud).
 */
export const DEFAULT_TUNING_KINDS: readonly EstimatorSearch[] = [{ kind: 'gbdt', weight: 1 }];

const TuningOptionsSchema = z
  .object({
    /** Candidates drawn, and prequential validation folds each is fitted on. */
    budget: z
      .object({
        candidates: z.number().int().positive().default(30),
        folds: z.number().int().positive().default(3),
      })
      .strict()
      .prefault({}),
    strategy: z.enum(['random', 'halving', 'grid']).default('random'),
    /** What selection maximises on the validation folds. */
    metric: z
      .enum(['average-precision', 'card-precision', 'net-savings'])
      .default('average-precision'),
    /** Alert economics: the cost threshold and the net-savings metric use them. */
    cost: z
      .object({
        costPerAlert: z.number().nonnegative().finite().default(5),
        recoveryRate: z.number().min(0).max(1).default(1),
      })
      .strict()
      .prefault({}),
    /**
     * Calibration of the chosen model on its validation-fold scores: `'auto'` (default) keeps
     * whichever of none / Platt / isotonic has the lowest cross-fold Brier score.
     */
    calibration: z.enum(['auto', 'platt', 'isotonic', 'none']).default('auto'),
    /** Which threshold the model alerts at: the daily budget of cards, or the cost optimum. */
    thresholdPolicy: z.enum(['daily-budget', 'cost']).default('daily-budget'),
    /** Seed of the search and of every candidate; default the config's model seed. */
    seed: z.number().int().optional(),
    /** Training rows kept as the drift reference. */
    referenceRows: z.number().int().nonnegative().default(20_000),
    /** Replay the recent transactions into an online feature state saved with the model. */
    warmOnlineState: z.boolean().default(true),
  })
  .strict();

/** Options of {@link tuneFraudModel}. */
export type TuneFraudModelOptions = z.input<typeof TuningOptionsSchema> & {
  /** Kinds to search (names or `{ kind, space, fixed, weight }`); default {@link DEFAULT_TUNING_KINDS}. */
  kinds?: readonly (string | EstimatorSearch)[];
  /** Worker threads of the search (default: one per core; 0 = this thread). */
  workers?: number;
  log?: (line: string) => void;
  onProgress?: (progress: SearchProgress) => void;
};

/** What {@link tuneFraudModel} returns. */
export interface TunedFraudModel {
  /**
   * The chosen kind trained as `trainFraudModel` trains (its config's model now names the kind
   * and hyperparameters found), calibrated, alerting at the chosen threshold.
   */
  model: FraudModel;
  /** Features of every row (fitted on the training window), for evaluating without recomputing. */
  data: FraudData;
  /** The search's results table (every candidate's mean ± std over the folds, fit time). */
  search: ModelSearchTable;
  /** The chosen candidate. */
  best: { kind: string; params: Params };
  /** Validation folds: first training day and first validation day of each. */
  folds: { trainStartDay: number; testStartDay: number }[];
  /** The most recent validation fold, scored by the chosen candidate, at the model's threshold. */
  validation: FraudMetrics;
  thresholds: { budget: ThresholdChoice; cost: CostThresholdChoice };
  calibration: CalibrationReport;
  seconds: number;
}

function estimatorsOf(
  kinds: readonly (string | EstimatorSearch)[],
  seed: number,
): EstimatorSearch[] {
  if (kinds.length === 0) {
    throw new InvalidArgumentError('tuneFraudModel: name at least one model kind to search.');
  }
  return kinds.map((entry) => {
    const estimator = typeof entry === 'string' ? { kind: entry } : entry;
    return { ...estimator, fixed: { seed, ...estimator.fixed } };
  });
}

function metricOf(
  name: 'average-precision' | 'card-precision' | 'net-savings',
  data: FraudData,
  dailyBudget: number,
  cost: CostOptions,
): SelectionMetric {
  if (name === 'card-precision') {
    return cardPrecisionMetric({ day: data.day, card: data.card, label: data.label }, dailyBudget);
  }
  if (name === 'net-savings') return netSavingsMetric(data, cost);
  return averagePrecisionMetric(data.label);
}

function period(data: FraudData, rows: Int32Array, score: Float64Array): ScoredPeriod {
  return {
    day: takeValues(data.day, rows),
    card: takeValues(data.card, rows),
    label: takeValues(data.label, rows),
    amount: takeValues(data.amount, rows),
    score,
  };
}

/**
 * Model selection for fraud, the handbook's way (§5.3), on a transaction log and its pipeline
 * config (the handbook preset by default): prequential validation folds before the test period
 * — the validation layout (training window shifted back by delay + test days) and `folds − 1`
 * more, each a test period earlier, every one keeping the label delay — on which a search over
 * the model kinds' spaces fits `budget.candidates` candidates, spread over worker threads.
 * Features that learn from data (vocabularies, priors) are fitted on each fold's own training
 * rows. The best by mean `metric` is then trained as `trainFraudModel` trains, with the kind and
 * hyperparameters in its config; its out-of-fold validation scores calibrate it and choose the
 * thresholds (the daily card budget, and the cost optimum for `cost`) on the most recent fold.
 * The test period is never read. The result is a normal {@link FraudModel} — save, evaluate,
 * score, serve — plus the results table.
 * @throws InvalidArgumentError for bad options or config; InvalidDataError when a fold has no
 *   transactions or a single class.
 */
export async function tuneFraudModel(
  input: FraudInput,
  configInput?: Parameters<typeof resolveFraudConfig>[0],
  options: TuneFraudModelOptions = {},
): Promise<TunedFraudModel> {
  const started = performance.now();
  const { kinds, workers, log, onProgress, ...rest } = options;
  const parsed = parseOptions(TuningOptionsSchema, rest, 'tuneFraudModel options');
  const { budget, strategy, metric, cost, calibration, thresholdPolicy } = parsed;
  const say = log ?? (() => {});
  const prepared = prepareFraudLog(input, configInput);
  const { config, table, protocol, data, unfitted } = prepared;
  const seed = parsed.seed ?? config.model.seed;
  const layout = splitLayout(protocol);
  const trainStartDay = protocolDay(protocol, protocol.trainStart);
  const dated = { day: data.day, card: data.card, label: data.label };
  const splits = prequentialSplits(dated, {
    ...layout,
    trainStartDay: validationTrainStartDay({ ...layout, trainStartDay }),
    folds: budget.folds,
  });
  const cardColumns = config.columns.entities[config.cardEntity]!;
  // Features with fitted parameters are fitted on each fold's training rows, so no fold's
  // validation rows (nor anything later) shape its features.
  const folds: ValidationFold[] = splits.map((split) => {
    if (!unfitted.needsFitting) return split;
    const fitted = fitFeatureSet(unfitted, table, { rows: split.train });
    const foldData = prepareFraudData(table, fitted, protocol, cardColumns);
    const rows = Int32Array.from([...split.train, ...split.test]);
    return { train: split.train, test: split.test, X: takeRows(foldData.X, rows) };
  });
  say(
    `tuning: ${strategy} search, ${budget.candidates} candidates × ${splits.length} folds (validation days ${splits.map((s) => `${s.testStartDay}–${s.testStartDay + layout.testDays - 1}`).join(', ')}), by ${metric}${unfitted.needsFitting ? '; features fitted per fold' : ''}`,
  );
  const { table: search, bestScores } = await searchModels(
    { X: data.X, y: data.label },
    {
      estimators: estimatorsOf(kinds ?? DEFAULT_TUNING_KINDS, seed),
      folds,
      strategy,
      candidates: budget.candidates,
      metric: metricOf(metric, data, protocol.dailyBudget, cost),
      seed,
      ...(workers === undefined ? {} : { workers }),
      ...(onProgress === undefined ? {} : { onProgress }),
    },
  );
  const best = search.best;
  say(
    `best of ${search.candidates.length}: ${best.kind} ${JSON.stringify(best.params)} — ${search.metric} ${best.mean.toFixed(4)} ± ${best.std.toFixed(4)} (${search.seconds.toFixed(0)} s on ${search.workers} threads)`,
  );

  // Out-of-fold validation scores of the winner: they calibrate it and choose its thresholds.
  const calibrated = await calibrateOnFolds(
    bestScores,
    splits.map((split) => takeValues(data.label, split.test)),
    calibration,
  );
  const { calibrator, report: calibrationReport } = calibrated;
  const calibrate = (scores: Float64Array) => calibrator?.transform(scores) ?? scores;
  say(
    `calibration: ${calibrationReport.method}${calibration === 'auto' ? ' (lowest cross-fold Brier)' : ''}; validation Brier ${calibrationReport.brierBefore.toExponential(3)} → ${calibrationReport.brierAfter.toExponential(3)}`,
  );
  const recent = period(data, splits[0]!.test, calibrate(bestScores[0]!));
  const budgetChoice = thresholdForDailyBudget(recent, protocol.dailyBudget);
  const costChoice = thresholdForCost(recent, cost);
  const threshold = thresholdPolicy === 'cost' ? costChoice.threshold : budgetChoice.threshold;
  const validation = fraudMetrics(recent, threshold, protocol.dailyBudget, 0);

  // The winner, trained as any model of that config is: final features, training window,
  // drift reference, online state.
  const { seed: _seed, ...params } = best.params;
  const trained = await trainFraudModel(
    input,
    { ...config, model: { ...config.model, kind: best.kind, params, seed } },
    {
      referenceRows: parsed.referenceRows,
      warmOnlineState: parsed.warmOnlineState,
      log: say,
    },
  );
  const base = trained.model;
  const classifier: BinaryClassifier =
    calibrator === undefined || calibrationReport.method === 'none'
      ? base.classifier
      : new CalibratedClassifier(base.classifier, best.kind, calibrationReport.method, calibrator);
  const seconds = (performance.now() - started) / 1000;
  const model = new FraudModel({
    classifier,
    config: base.config,
    features: base.features,
    protocol: base.protocol,
    threshold,
    reference: base.reference,
    state: base.state,
    example: base.example,
    metrics: {
      ...base.metrics,
      tuning: {
        strategy,
        metric: search.metric,
        candidates: search.candidates.length,
        folds: splits.length,
        best: { kind: best.kind, params: best.params, mean: best.mean, std: best.std },
        seconds,
      },
      thresholdPolicy,
      thresholds: { budget: budgetChoice.threshold, cost: costChoice.threshold },
      calibration: {
        method: calibrationReport.method,
        brierBefore: calibrationReport.brierBefore,
        brierAfter: calibrationReport.brierAfter,
        ...(calibrationReport.crossFoldBrier === undefined
          ? {}
          : { crossFoldBrier: calibrationReport.crossFoldBrier }),
      },
      validation: {
        auc: validation.auc,
        ap: validation.ap,
        cpAtK: validation.cpAtK,
        recallAtBudget: validation.recallAtBudget,
        k: validation.k,
      },
    },
  });
  return {
    model,
    data: trained.data,
    search,
    best: { kind: best.kind, params: best.params },
    folds: splits.map((s) => ({ trainStartDay: s.trainStartDay, testStartDay: s.testStartDay })),
    validation,
    thresholds: { budget: budgetChoice, cost: costChoice },
    calibration: calibrationReport,
    seconds,
  };
}
