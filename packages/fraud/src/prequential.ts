import { type ClassWeight, prequentialSplits } from '@mlsd/classify';
import { parseOptions, type Table } from '@mlsd/core';
import { handbookFeatureSet } from '@mlsd/features';
import { createClassifier, DEFAULT_FRAUD_MODEL, type FraudModelKind } from './classifiers.js';
import { type FraudData, prepareFraudData, takeRows, takeValues } from './fraud-data.js';
import { fraudMetrics } from './fraud-metrics.js';
import { dayNumber, type FraudProtocolOptions, FraudProtocolSchema } from './fraud-protocol.js';

/** Options of {@link prequentialEvaluation}. */
export interface PrequentialOptions {
  model?: FraudModelKind;
  classWeight?: ClassWeight;
  seed?: number;
  protocol?: FraudProtocolOptions;
  /** Number of folds, each shifted one test period earlier; default 4. */
  folds?: number;
  /** Features already computed for the table. */
  data?: FraudData;
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
 * between two models can be read against the spread over weeks. Use it on periods before the
 * final test week to choose hyperparameters.
 */
export async function prequentialEvaluation(
  table: Table,
  options: PrequentialOptions = {},
): Promise<PrequentialResult> {
  const protocol = parseOptions(FraudProtocolSchema, options.protocol ?? {}, 'fraud protocol');
  const features = handbookFeatureSet({ origin: protocol.origin });
  const data = options.data ?? prepareFraudData(table, features);
  const splits = prequentialSplits(
    { day: data.day, card: data.card, label: data.label },
    {
      trainStartDay: dayNumber(protocol.origin, protocol.trainStart),
      trainDays: protocol.trainDays,
      delayDays: protocol.delayDays,
      testDays: protocol.testDays,
      folds: options.folds ?? 4,
    },
  );
  const folds: PrequentialResult['folds'] = [];
  for (const split of splits) {
    const classifier = createClassifier({
      kind: options.model ?? DEFAULT_FRAUD_MODEL,
      classWeight: options.classWeight ?? 'none',
      seed: options.seed ?? 0,
    });
    await classifier.fit(takeRows(data.X, split.train), takeValues(data.label, split.train));
    const score = classifier.predictProba(takeRows(data.X, split.test));
    const period = {
      day: takeValues(data.day, split.test),
      card: takeValues(data.card, split.test),
      label: takeValues(data.label, split.test),
      amount: takeValues(data.amount, split.test),
      score,
    };
    const m = fraudMetrics(period, 0.5, protocol.dailyBudget, 0);
    folds.push({
      trainStartDay: split.trainStartDay,
      testStartDay: split.testStartDay,
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
