import { prequentialSplits } from '@mlsd/classify';
import { FeatureSet, fitFeatureSet } from '@mlsd/features';
import { createClassifier } from './classifiers.js';
import { featureSpecOf, resolveFraudConfig } from './config/resolve-fraud-config.js';
import { type FraudData, prepareFraudData, takeRows, takeValues } from './fraud-data.js';
import { fraudMetrics } from './fraud-metrics.js';
import type { FraudProtocol } from './fraud-protocol.js';
import {
  dayNumbers,
  protocolDay,
  resolveProtocol,
  rowsInDays,
  splitLayout,
  timeSpan,
} from './protocol/fraud-periods.js';
import { type FraudInput, normalizedTableOf } from './train-fraud-model.js';

/** Options of {@link prequentialEvaluation}. */
export interface PrequentialOptions {
  /** Number of folds, each shifted one test period earlier; default 4. */
  folds?: number;
  /** The protocol's dates (a trained model's); default resolved from the log's span. */
  protocol?: FraudProtocol;
}

/** Mean and standard deviation of one metric over the folds. */
export interface MeanStd {
  mean: number;
  std: number;
  values: number[];
}

/** What {@link prequentialEvaluation} reports. */
export interface PrequentialResult {
  folds: {
    trainStartDay: number;
    testStartDay: number;
    auc: number;
    ap: number;
    cpAtK: number;
    recallAtBudget: number;
  }[];
  auc: MeanStd;
  ap: MeanStd;
  cpAtK: MeanStd;
  recallAtBudget: MeanStd;
}

function meanStd(values: number[]): MeanStd {
  const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
  const variance =
    values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / Math.max(1, values.length - 1);
  return { mean, std: Math.sqrt(variance), values };
}

/**
 * Prequential evaluation (handbook §5.2.3): the train / delay / test layout repeated `folds`
 * times, each fold one test period earlier than the last, a model trained and tested per fold;
 * the metrics come back per fold and as mean ± sample standard deviation, so a difference
 * between two models can be read against the spread over weeks. Features that learn from data
 * are fitted on each fold's own training rows. Use it on periods before the final test week to
 * choose hyperparameters.
 */
export async function prequentialEvaluation(
  input: FraudInput,
  configInput?: Parameters<typeof resolveFraudConfig>[0],
  options: PrequentialOptions = {},
): Promise<PrequentialResult> {
  const config = resolveFraudConfig(configInput);
  const table = normalizedTableOf(input, config);
  const protocol =
    options.protocol ??
    resolveProtocol(config.protocol, timeSpan(table.numeric(config.layout.time)), {
      timezone: config.columns.timezone,
      labelDelayDays: config.columns.labelDelay.days,
      cardEntity: config.cardEntity,
    });
  const unfitted = new FeatureSet(featureSpecOf(config));
  const cardColumns = config.columns.entities[config.cardEntity]!;
  const days = dayNumbers(table.numeric(config.layout.time), protocol);
  const layout = splitLayout(protocol);
  const firstStart = protocolDay(protocol, protocol.trainStart);
  const count = options.folds ?? 4;
  let shared: FraudData | undefined;
  const folds: PrequentialResult['folds'] = [];
  for (let f = 0; f < count; f++) {
    const trainStartDay = firstStart - f * protocol.testDays;
    let data = shared;
    if (data === undefined) {
      const rows = rowsInDays(days, trainStartDay, protocol.trainDays);
      const features = fitFeatureSet(unfitted, table, { rows });
      data = prepareFraudData(table, features, protocol, cardColumns);
      if (!unfitted.needsFitting) shared = data;
    }
    const [fold] = prequentialSplits(
      { day: data.day, card: data.card, label: data.label },
      { ...layout, trainStartDay, folds: 1 },
    );
    const classifier = createClassifier(config.model);
    await classifier.fit(takeRows(data.X, fold!.train), takeValues(data.label, fold!.train));
    const period = {
      day: takeValues(data.day, fold!.test),
      card: takeValues(data.card, fold!.test),
      label: takeValues(data.label, fold!.test),
      amount: takeValues(data.amount, fold!.test),
      score: classifier.predictProba(takeRows(data.X, fold!.test)),
    };
    const m = fraudMetrics(period, 0.5, protocol.dailyBudget, 0);
    folds.push({
      trainStartDay: fold!.trainStartDay,
      testStartDay: fold!.testStartDay,
      auc: m.auc,
      ap: m.ap,
      cpAtK: m.cpAtK,
      recallAtBudget: m.recallAtBudget,
    });
  }
  return {
    folds,
    auc: meanStd(folds.map((f) => f.auc)),
    ap: meanStd(folds.map((f) => f.ap)),
    cpAtK: meanStd(folds.map((f) => f.cpAtK)),
    recallAtBudget: meanStd(folds.map((f) => f.recallAtBudget)),
  };
}
