import {
  type ClassWeight,
  thresholdForDailyBudget,
  timeSplit,
  validationTrainStartDay,
} from '@mlsd/classify';
import { parseOptions, Rng, type Table, toMatrix } from '@mlsd/core';
import {
  type FeatureSet,
  type HandbookFeatureOptions,
  handbookFeatureSet,
  OnlineFeatureState,
} from '@mlsd/features';
import { createClassifier, DEFAULT_FRAUD_MODEL, type FraudModelKind } from './classifiers.js';
import { type FraudData, prepareFraudData, takeRows, takeValues } from './fraud-data.js';
import { type FraudMetrics, fraudMetrics } from './fraud-metrics.js';
import { FraudModel } from './fraud-model.js';
import { dayNumber, type FraudProtocolOptions, FraudProtocolSchema } from './fraud-protocol.js';

/** Options of {@link trainFraudModel}. */
export interface TrainFraudModelOptions {
  /** Classifier; default {@link DEFAULT_FRAUD_MODEL} (the best measured on the fraud benchmark). */
  model?: FraudModelKind;
  /** Class weighting; default 'none'. */
  classWeight?: ClassWeight;
  seed?: number;
  protocol?: FraudProtocolOptions;
  /** Feature options (windows, delay, column names); default the handbook's. */
  features?: HandbookFeatureOptions;
  /** Training rows kept as the drift reference; default 20,000. */
  referenceRows?: number;
  /** Replay the recent transactions into an online feature state saved with the model; default true. */
  warmOnlineState?: boolean;
  /** Where progress lines go (default: nowhere). */
  log?: (line: string) => void;
}

/** What {@link trainFraudModel} returns. */
export interface TrainedFraudModel {
  model: FraudModel;
  /** Metrics of the validation period, where the threshold was chosen. */
  validation: FraudMetrics;
  /** Features of the whole table, for evaluating without recomputing them. */
  data: FraudData;
  trainSeconds: number;
}

/**
 * Trains a fraud model with the handbook's protocol, never looking at the test period:
 * 1. the validation layout (train window shifted back by delay + test days) fits a first model,
 *    whose scores on the validation test days choose the threshold that alerts about the daily
 *    budget of cards;
 * 2. the final model fits on the training window (`trainStart`, `trainDays`);
 * 3. a sample of the training features is kept as the drift reference, and the last weeks of
 *    transactions are replayed into an online feature state for scoring new ones.
 */
export async function trainFraudModel(
  table: Table,
  options: TrainFraudModelOptions = {},
): Promise<TrainedFraudModel> {
  const log = options.log ?? (() => {});
  const protocol = parseOptions(FraudProtocolSchema, options.protocol ?? {}, 'fraud protocol');
  const kind = options.model ?? DEFAULT_FRAUD_MODEL;
  const classWeight = options.classWeight ?? 'none';
  const seed = options.seed ?? 0;
  const features = handbookFeatureSet({ origin: protocol.origin, ...options.features });
  const started = performance.now();
  const data = prepareFraudData(table, features);
  const dated = { day: data.day, card: data.card, label: data.label };
  const layout = {
    trainDays: protocol.trainDays,
    delayDays: protocol.delayDays,
    testDays: protocol.testDays,
  };
  const trainStartDay = dayNumber(protocol.origin, protocol.trainStart);

  const validationSplit = timeSplit(dated, {
    ...layout,
    trainStartDay: validationTrainStartDay({ ...layout, trainStartDay }),
  });
  log(
    `validation: fit on ${validationSplit.train.length} rows (days ${validationSplit.trainStartDay}–), score ${validationSplit.test.length} rows`,
  );
  const validationModel = createClassifier({ kind, classWeight, seed });
  await validationModel.fit(
    takeRows(data.X, validationSplit.train),
    takeValues(data.label, validationSplit.train),
  );
  const validationPeriod = {
    day: takeValues(data.day, validationSplit.test),
    card: takeValues(data.card, validationSplit.test),
    label: takeValues(data.label, validationSplit.test),
    amount: takeValues(data.amount, validationSplit.test),
    score: validationModel.predictProba(takeRows(data.X, validationSplit.test)),
  };
  const choice = thresholdForDailyBudget(validationPeriod, protocol.dailyBudget);
  const validation = fraudMetrics(validationPeriod, choice.threshold, protocol.dailyBudget, 0);
  log(
    `threshold ${choice.threshold.toPrecision(4)} (about ${protocol.dailyBudget} cards a day on validation): precision ${choice.precision.toFixed(3)}, recall ${choice.recall.toFixed(3)}`,
  );

  const split = timeSplit(dated, { ...layout, trainStartDay });
  log(`final model: fit on ${split.train.length} rows from day ${trainStartDay}`);
  const classifier = createClassifier({ kind, classWeight, seed });
  const trainLabels = takeValues(data.label, split.train);
  await classifier.fit(takeRows(data.X, split.train), trainLabels);
  const trainSeconds = (performance.now() - started) / 1000;

  const referenceRows = Math.min(options.referenceRows ?? 20_000, split.train.length);
  const sample = new Rng(seed).sample(split.train.length, referenceRows).sort();
  const reference = takeRows(
    data.X,
    Int32Array.from(sample, (i) => split.train[i]!),
  );
  const state = options.warmOnlineState === false ? undefined : replayRecent(table, features);

  let trainFrauds = 0;
  for (const value of trainLabels) trainFrauds += value;
  const model = new FraudModel({
    classifier,
    kind,
    classWeight,
    seed,
    features,
    protocol,
    threshold: choice.threshold,
    reference: toMatrix(reference.data, reference.rows, reference.cols, features.names),
    state,
    metrics: {
      trainRows: split.train.length,
      trainFrauds,
      trainSeconds,
      validation: {
        auc: validation.auc,
        ap: validation.ap,
        cpAtK: validation.cpAtK,
        recallAtBudget: validation.recallAtBudget,
        k: validation.k,
      },
    },
  });
  return { model, validation, data, trainSeconds };
}

/**
 * Replays the transactions of the last (longest window + delay) days into a fresh online
 * feature state: enough history for every window, without the whole table.
 */
function replayRecent(table: Table, features: FeatureSet): OnlineFeatureState {
  const state = new OnlineFeatureState(features);
  const { time } = features.columns;
  const times = table.numeric(time);
  if (times.length === 0) return state;
  const from = times[times.length - 1]! - features.spanSeconds;
  let start = 0;
  while (start < times.length && times[start]! < from) start++;
  const rows = table.slice(start, times.length).toRows();
  const out = new Float64Array(features.names.length);
  for (const row of rows) state.update(row, out);
  return state;
}
