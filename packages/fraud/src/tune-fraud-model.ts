import {
  averagePrecisionMetric,
  CalibratedClassifier,
  type ClassWeight,
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
  timeSplit,
  validationTrainStartDay,
} from '@mlsd/classify';
import { InvalidArgumentError, parseOptions, Rng, toMatrix } from '@mlsd/core';
import type { FeatureSet, OnlineFeatureState } from '@mlsd/features';
import { z } from 'zod';
import { type CalibrationReport, calibrateOnFolds } from './calibrate-on-folds.js';
import { type BinaryClassifier, createClassifier } from './classifiers.js';
import { type FraudData, takeRows, takeValues } from './fraud-data.js';
import { type FraudMetrics, fraudMetrics, type ScoredPeriod } from './fraud-metrics.js';
import { FraudModel } from './fraud-model.js';
import { dayNumber, type FraudProtocolOptions, FraudProtocolSchema } from './fraud-protocol.js';

/**
 * The kinds `tuneFraudModel` searches by default, and the share of the candidates each gets:
 * mostly trees (the largest space), logistic regression over its regularisation and class
 * weighting. The MLP is left out by default: a fit costs ~10× a tree ensemble's, and on the
 * fraud benchmark the extra search time bought nothing the trees did not (benchmarks/fraud).
 */
export const DEFAULT_TUNING_KINDS: readonly EstimatorSearch[] = [
  { kind: 'gbdt', weight: 4 },
  { kind: 'logreg', weight: 1 },
];

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
    seed: z.number().int().default(0),
    /** Training rows kept as the drift reference. */
    referenceRows: z.number().int().nonnegative().default(20_000),
  })
  .strict();

/** Options of {@link tuneFraudModel}. */
export type TuneFraudModelOptions = z.input<typeof TuningOptionsSchema> & {
  /** The point-in-time features `data` was computed with (saved with the model). */
  features: FeatureSet;
  protocol?: FraudProtocolOptions;
  /** Kinds to search (names or `{ kind, space, fixed, weight }`); default {@link DEFAULT_TUNING_KINDS}. */
  kinds?: readonly (string | EstimatorSearch)[];
  /** Worker threads of the search (default: one per core; 0 = this thread). */
  workers?: number;
  /** Online feature state to save with the model (e.g. the last weeks replayed). */
  state?: OnlineFeatureState;
  log?: (line: string) => void;
  onProgress?: (progress: SearchProgress) => void;
};

/** What {@link tuneFraudModel} returns. */
export interface TunedFraudModel {
  /** The chosen kind refitted on the protocol's training window, calibrated, with its threshold. */
  model: FraudModel;
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
 * Model selection for fraud, the handbook's way (§5.3): prequential validation folds before
 * the test period — the validation layout (training window shifted back by delay + test days)
 * and `folds − 1` more, each a test period earlier, every one keeping the label delay — on which
 * a search over the model kinds' spaces fits `budget.candidates` candidates (spread over worker
 * threads). The best by mean `metric` is refitted on the protocol's training window; its
 * out-of-fold validation scores calibrate it (Platt by default) and choose the thresholds (the
 * daily card budget, and the cost optimum for `cost`) on the most recent fold. The test period
 * is never read. Returns a normal {@link FraudModel} (save, evaluate, score online as any other)
 * with the results table.
 *
 * @param data - features and day/card/label/amount columns of the whole table (`prepareFraudData`).
 */
export async function tuneFraudModel(
  data: FraudData,
  options: TuneFraudModelOptions,
): Promise<TunedFraudModel> {
  const started = performance.now();
  const {
    features,
    protocol: protocolOptions,
    kinds,
    workers,
    state,
    log,
    onProgress,
    ...rest
  } = options;
  const { budget, strategy, metric, cost, calibration, thresholdPolicy, seed, referenceRows } =
    parseOptions(TuningOptionsSchema, rest, 'tuneFraudModel options');
  const say = log ?? (() => {});
  const protocol = parseOptions(FraudProtocolSchema, protocolOptions ?? {}, 'fraud protocol');
  const dated = { day: data.day, card: data.card, label: data.label };
  const layout = {
    trainDays: protocol.trainDays,
    delayDays: protocol.delayDays,
    testDays: protocol.testDays,
  };
  const trainStartDay = dayNumber(protocol.origin, protocol.trainStart);
  const splits = prequentialSplits(dated, {
    ...layout,
    trainStartDay: validationTrainStartDay({ ...layout, trainStartDay }),
    folds: budget.folds,
  });
  say(
    `tuning: ${strategy} search, ${budget.candidates} candidates × ${splits.length} folds (validation days ${splits.map((s) => `${s.testStartDay}–${s.testStartDay + layout.testDays - 1}`).join(', ')}), by ${metric}`,
  );
  const { table, bestScores } = await searchModels(
    { X: data.X, y: data.label },
    {
      estimators: estimatorsOf(kinds ?? DEFAULT_TUNING_KINDS, seed),
      folds: splits,
      strategy,
      candidates: budget.candidates,
      metric: metricOf(metric, data, protocol.dailyBudget, cost),
      seed,
      ...(workers === undefined ? {} : { workers }),
      ...(onProgress === undefined ? {} : { onProgress }),
    },
  );
  const best = table.best;
  say(
    `best of ${table.candidates.length}: ${best.kind} ${JSON.stringify(best.params)} — ${table.metric} ${best.mean.toFixed(4)} ± ${best.std.toFixed(4)} (${table.seconds.toFixed(0)} s on ${table.workers} threads)`,
  );

  // Out-of-fold validation scores of the winner: they calibrate it and choose its thresholds.
  const calibrated = await calibrateOnFolds(
    bestScores,
    splits.map((split) => takeValues(data.label, split.test)),
    calibration,
  );
  const { calibrator } = calibrated;
  const calibrationReport = calibrated.report;
  const calibrate = (scores: Float64Array) => calibrator?.transform(scores) ?? scores;
  say(
    `calibration: ${calibrationReport.method}${calibration === 'auto' ? ' (lowest cross-fold Brier)' : ''}; validation Brier ${calibrationReport.brierBefore.toExponential(3)} → ${calibrationReport.brierAfter.toExponential(3)}`,
  );
  const recent = period(data, splits[0]!.test, calibrate(bestScores[0]!));
  const budgetChoice = thresholdForDailyBudget(recent, protocol.dailyBudget);
  const costChoice = thresholdForCost(recent, cost);
  const threshold = thresholdPolicy === 'cost' ? costChoice.threshold : budgetChoice.threshold;
  const validation = fraudMetrics(recent, threshold, protocol.dailyBudget, 0);

  const split = timeSplit(dated, { ...layout, trainStartDay });
  say(`final model: ${best.kind} on ${split.train.length} rows from day ${trainStartDay}`);
  const fitStarted = performance.now();
  const base = createClassifier({ kind: best.kind, params: best.params });
  const trainLabels = takeValues(data.label, split.train);
  await base.fit(takeRows(data.X, split.train), trainLabels);
  const trainSeconds = (performance.now() - fitStarted) / 1000;
  const classifier: BinaryClassifier =
    calibrator === undefined || calibrationReport.method === 'none'
      ? base
      : new CalibratedClassifier(base, best.kind, calibrationReport.method, calibrator);

  const kept = Math.min(referenceRows, split.train.length);
  const sample = new Rng(seed).sample(split.train.length, kept).sort();
  const reference = takeRows(
    data.X,
    Int32Array.from(sample, (i) => split.train[i]!),
  );
  let trainFrauds = 0;
  for (const value of trainLabels) trainFrauds += value;
  const seconds = (performance.now() - started) / 1000;
  const model = new FraudModel({
    classifier,
    kind: best.kind,
    classWeight: (best.params.classWeight as ClassWeight | undefined) ?? 'none',
    seed,
    features,
    protocol,
    threshold,
    reference: toMatrix(reference.data, reference.rows, reference.cols, features.names),
    state,
    metrics: {
      trainRows: split.train.length,
      trainFrauds,
      trainSeconds,
      tuning: {
        strategy,
        metric: table.metric,
        candidates: table.candidates.length,
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
    search: table,
    best: { kind: best.kind, params: best.params },
    folds: splits.map((s) => ({ trainStartDay: s.trainStartDay, testStartDay: s.testStartDay })),
    validation,
    thresholds: { budget: budgetChoice, cost: costChoice },
    calibration: calibrationReport,
    seconds,
  };
}
