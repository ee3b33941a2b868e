/**
 * What the fraud benchmarks that compare models or feature sets on the prequential validation
 * folds share: the folds and the test split of a prepared log, and one fit scored on one fold.
 */
import {
  prequentialSplits,
  type TimeSplit,
  timeSplit,
  validationTrainStartDay,
} from '@mlsd/classify';
import type { Matrix } from '@mlsd/core';
import {
  type ClassifierChoice,
  createClassifier,
  type FraudData,
  type FraudProtocol,
  fraudMetrics,
  protocolDay,
  splitLayout,
  takeRows,
  takeValues,
} from '@mlsd/fraud';

/** Test-period scores of one model on one set of rows. */
export interface FoldScores {
  auc: number;
  ap: number;
  cpAt100: number;
}

/** AUC, AP and card precision@100 of `score` on `rows` of `data`. */
export function scoresOf(data: FraudData, rows: Int32Array, score: Float64Array): FoldScores {
  const m = fraudMetrics(
    {
      day: takeValues(data.day, rows),
      card: takeValues(data.card, rows),
      label: takeValues(data.label, rows),
      amount: takeValues(data.amount, rows),
      score,
    },
    0.5,
    100,
    0,
  );
  return { auc: m.auc, ap: m.ap, cpAt100: m.cpAtK };
}

/**
 * The protocol's `folds` prequential validation folds (the validation layout and the ones a
 * week apart before it, as `mlsd fraud tune` searches them) and its training/test split.
 */
export function protocolFolds(
  data: FraudData,
  protocol: FraudProtocol,
  folds: number,
): { folds: TimeSplit[]; split: TimeSplit } {
  const layout = splitLayout(protocol);
  const trainStartDay = protocolDay(protocol, protocol.trainStart);
  const dated = { day: data.day, card: data.card, label: data.label };
  return {
    folds: prequentialSplits(dated, {
      ...layout,
      trainStartDay: validationTrainStartDay({ ...layout, trainStartDay }),
      folds,
    }),
    split: timeSplit(dated, { ...layout, trainStartDay }),
  };
}

/**
 * Fits `choice` on the `train` rows and scores the `test` rows, over the feature matrix `X`
 * (default: all of `data`'s features), with the fit's wall time.
 */
export async function fitAndScore(
  choice: ClassifierChoice,
  data: FraudData,
  train: Int32Array,
  test: Int32Array,
  X: Matrix<Float32Array> = data.X,
): Promise<FoldScores & { fitSeconds: number }> {
  const started = performance.now();
  const model = createClassifier(choice);
  await model.fit(takeRows(X, train), takeValues(data.label, train));
  const fitSeconds = (performance.now() - started) / 1000;
  return { ...scoresOf(data, test, model.predictProba(takeRows(X, test))), fitSeconds };
}
