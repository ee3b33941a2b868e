import {
  type TimeSplit,
  thresholdForDailyBudget,
  timeSplit,
  validationTrainStartDay,
} from '@mlsd/classify';
import { InvalidDataError, Rng, type Table, TimeZone, toMatrix } from '@mlsd/core';
import { FeatureSet, fitFeatureSet, OnlineFeatureState } from '@mlsd/features';
import { createClassifier } from './classifiers.js';
import type { FraudLog } from './config/fraud-log-builder.js';
import { normalizeTable } from './config/normalize-table.js';
import {
  featureSpecOf,
  type ResolvedFraudConfig,
  resolveFraudConfig,
} from './config/resolve-fraud-config.js';
import { formatTime } from './config/time-format.js';
import { type FraudData, prepareFraudData, takeRows, takeValues } from './fraud-data.js';
import { type FraudMetrics, fraudMetrics } from './fraud-metrics.js';
import { FraudModel } from './fraud-model.js';
import type { FraudProtocol } from './fraud-protocol.js';
import {
  dayNumbers,
  protocolDates,
  protocolDay,
  resolveProtocol,
  rowsInDays,
  splitLayout,
  timeSpan,
} from './protocol/fraud-periods.js';

/** Options of {@link trainFraudModel}. */
export interface TrainFraudModelOptions {
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
  /** Features of the whole table (fitted on the training rows), for evaluating without recomputing them. */
  data: FraudData;
  /** The normalized table the model was trained on. */
  table: Table;
  trainSeconds: number;
}

/** A transaction log as the trainer takes it: read through a config already, or a table of raw columns. */
export type FraudInput = FraudLog | Table;

/**
 * The normalized table of an input: a {@link FraudLog}'s table as it is, a raw table through
 * the config's row normalizer (refused rows are an error here: a table built in code has no
 * quarantine to look at).
 * @throws InvalidDataError naming the first refused row.
 */
export function normalizedTableOf(input: FraudInput, config: ResolvedFraudConfig): Table {
  if (!('columnNames' in input)) return input.table;
  const log = normalizeTable(input, config.columns, { keepQuarantined: 1 });
  const first = log.quarantine[0];
  if (first !== undefined) {
    throw new InvalidDataError(
      `${log.stats.quarantined} of ${log.stats.read} rows of the table were refused; row ${first.line - 1}: ${first.reason}.`,
      { refused: log.stats.quarantined },
    );
  }
  return log.table;
}

/** A log made ready for models: normalized, its protocol's dates fixed, features computed. */
export interface PreparedFraudLog {
  config: ResolvedFraudConfig;
  /** The normalized, time-sorted table. */
  table: Table;
  /** The protocol with its dates fixed from the log's span. */
  protocol: FraudProtocol;
  /** The config's features, fitted on the protocol's training rows only. */
  features: FeatureSet;
  /** The same features before fitting (to fit them on other rows, e.g. a validation window). */
  unfitted: FeatureSet;
  /** The features of every row (fitted as above), with day, card, label and amount. */
  data: FraudData;
}

/**
 * The first steps of training, for anyone fitting models on the same rows (model selection,
 * benchmarks): normalizes the log through the config (the handbook preset by default), fixes
 * the protocol's dates from its span, fits the features on the training window and computes
 * them for every row.
 * @throws InvalidDataError when the span is too short or the training period is empty.
 */
export function prepareFraudLog(
  input: FraudInput,
  configInput?: Parameters<typeof resolveFraudConfig>[0],
): PreparedFraudLog {
  const config = resolveFraudConfig(configInput);
  const table = normalizedTableOf(input, config);
  const { columns, layout } = config;
  const protocol = resolveProtocol(config.protocol, timeSpan(table.numeric(layout.time)), {
    timezone: columns.timezone,
    labelDelayDays: columns.labelDelay.days,
    cardEntity: config.cardEntity,
  });
  const unfitted = new FeatureSet(featureSpecOf(config));
  const days = dayNumbers(table.numeric(layout.time), protocol);
  const trainRows = rowsInDays(
    days,
    protocolDay(protocol, protocol.trainStart),
    protocol.trainDays,
  );
  checkPeriod(trainRows, 'training', protocolDates(protocol).train);
  const features = fitFeatureSet(unfitted, table, { rows: trainRows });
  const data = prepareFraudData(table, features, protocol, columns.entities[config.cardEntity]!);
  return { config, table, protocol, features, unfitted, data };
}

/**
 * Trains a fraud model on a transaction log as its pipeline config says (the handbook preset by
 * default), never looking at the test period:
 * 1. the protocol's dates are fixed from the log's span (`trainStart: "auto"`: the test period is
 *    the last days, the label delay before it, training before that);
 * 2. the validation layout (train window shifted back by delay + test days) fits the features'
 *    fitted parameters and a first model on its own training rows; its scores on the validation
 *    test days choose the threshold that alerts about the daily budget of cards;
 * 3. the features are fitted on the training window and the final model trained there;
 * 4. a sample of the training features is kept as the drift reference, and the last weeks of
 *    transactions are replayed into an online feature state for scoring new ones.
 * @throws InvalidArgumentError for a bad config; InvalidDataError when a period is empty, the
 *   data's span is too short or the training rows hold a single class.
 */
export async function trainFraudModel(
  input: FraudInput,
  configInput?: Parameters<typeof resolveFraudConfig>[0],
  options: TrainFraudModelOptions = {},
): Promise<TrainedFraudModel> {
  const log = options.log ?? (() => {});
  const started = performance.now();
  const prepared = prepareFraudLog(input, configInput);
  const { config, table, protocol, data, features: finalFeatures, unfitted } = prepared;
  const { columns } = config;
  const dates = protocolDates(protocol);
  log(
    `periods (${protocol.timezone}): validation train ${dates.validationTrain.join('…')}, threshold on ${dates.validationTest.join('…')}; train ${dates.train.join('…')}, delay ${dates.delay?.join('…') ?? 'none'}, test ${dates.test.join('…')}`,
  );
  const cardColumns = columns.entities[config.cardEntity]!;
  const layoutDays = splitLayout(protocol);
  const trainStartDay = protocolDay(protocol, protocol.trainStart);
  const validationStartDay = validationTrainStartDay({ ...layoutDays, trainStartDay });
  // Features that learn from data are fitted on each model's own training rows only.
  const validationRows = rowsInDays(data.day, validationStartDay, protocol.trainDays);
  checkPeriod(validationRows, 'validation training', dates.validationTrain);
  const validationData = unfitted.needsFitting
    ? prepareFraudData(
        table,
        fitFeatureSet(unfitted, table, { rows: validationRows }),
        protocol,
        cardColumns,
      )
    : data;
  log(
    `features: ${data.names.length} over ${table.length.toLocaleString('en-US')} transactions${unfitted.needsFitting ? ' (fitted twice: on the validation and on the training rows)' : ''}`,
  );

  const dated = (d: FraudData) => ({ day: d.day, card: d.card, label: d.label });
  const validationSplit = split(
    dated(validationData),
    { ...layoutDays, trainStartDay: validationStartDay },
    dates.validationTest,
    'validation',
  );
  log(
    `validation: fit on ${validationSplit.train.length} rows, score ${validationSplit.test.length} rows`,
  );
  const { model: modelChoice } = config;
  const validationLabels = takeValues(validationData.label, validationSplit.train);
  checkClasses(validationLabels, 'validation training', dates.validationTrain);
  const validationModel = createClassifier(modelChoice);
  await validationModel.fit(takeRows(validationData.X, validationSplit.train), validationLabels);
  const validationPeriod = {
    day: takeValues(validationData.day, validationSplit.test),
    card: takeValues(validationData.card, validationSplit.test),
    label: takeValues(validationData.label, validationSplit.test),
    amount: takeValues(validationData.amount, validationSplit.test),
    score: validationModel.predictProba(takeRows(validationData.X, validationSplit.test)),
  };
  const choice = thresholdForDailyBudget(validationPeriod, protocol.dailyBudget);
  const validation = fraudMetrics(validationPeriod, choice.threshold, protocol.dailyBudget, 0);
  log(
    `threshold ${choice.threshold.toPrecision(4)} (about ${protocol.dailyBudget} cards a day on validation): precision ${choice.precision.toFixed(3)}, recall ${choice.recall.toFixed(3)}`,
  );

  const trainSplit = split(dated(data), { ...layoutDays, trainStartDay }, dates.test, 'test');
  log(`final model: fit on ${trainSplit.train.length} rows from ${protocol.trainStart}`);
  const classifier = createClassifier(modelChoice);
  const trainLabels = takeValues(data.label, trainSplit.train);
  checkClasses(trainLabels, 'training', dates.train);
  await classifier.fit(takeRows(data.X, trainSplit.train), trainLabels);
  const trainSeconds = (performance.now() - started) / 1000;

  const referenceRows = Math.min(options.referenceRows ?? 20_000, trainSplit.train.length);
  const sample = new Rng(modelChoice.seed).sample(trainSplit.train.length, referenceRows).sort();
  const reference = takeRows(
    data.X,
    Int32Array.from(sample, (i) => trainSplit.train[i]!),
  );
  const state =
    options.warmOnlineState === false ? undefined : replayRecent(table, finalFeatures, config);

  let trainFrauds = 0;
  for (const value of trainLabels) trainFrauds += value;
  const model = new FraudModel({
    classifier,
    config,
    features: finalFeatures,
    protocol,
    threshold: choice.threshold,
    reference: toMatrix(reference.data, reference.rows, reference.cols, finalFeatures.names),
    state,
    example: exampleTransaction(table, config),
    metrics: {
      trainRows: trainSplit.train.length,
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
  return { model, validation, data, table, trainSeconds };
}

function checkPeriod(rows: Int32Array, what: string, range: readonly [string, string]): void {
  if (rows.length === 0) {
    throw new InvalidDataError(
      `The ${what} period (${range[0]} to ${range[1]}) has no transactions; the log has gaps there. Set protocol.trainStart to dates with data, or shorten the periods.`,
    );
  }
}

function checkClasses(labels: Uint8Array, what: string, range: readonly [string, string]): void {
  let frauds = 0;
  for (const value of labels) frauds += value;
  if (frauds === 0 || frauds === labels.length) {
    throw new InvalidDataError(
      `The ${what} period (${range[0]} to ${range[1]}) has ${frauds === 0 ? 'no fraud' : 'only frauds'} among its ${labels.length} transactions; a model needs both classes. Check columns.label (which values mean fraud) or move the periods.`,
    );
  }
}

/** {@link timeSplit} with an empty test period named by its dates. */
function split(
  data: { day: Int32Array; card: Int32Array; label: Uint8Array },
  options: Parameters<typeof timeSplit>[1],
  testRange: readonly [string, string],
  what: string,
): TimeSplit {
  const testStart = options.trainStartDay + (options.trainDays ?? 7) + (options.delayDays ?? 7);
  let test = 0;
  for (let i = 0; i < data.day.length; i++) {
    const d = data.day[i]!;
    if (d >= testStart && d < testStart + (options.testDays ?? 7)) test++;
  }
  if (test === 0) {
    throw new InvalidDataError(
      `The ${what} period (${testRange[0]} to ${testRange[1]}) has no transactions. Give a log that reaches it, or set protocol.trainStart earlier.`,
    );
  }
  return timeSplit(data, options);
}

/**
 * Replays the transactions of the last (longest window + delay) of the log into a fresh online
 * feature state: enough history for every window, without the whole table.
 */
function replayRecent(
  table: Table,
  features: FeatureSet,
  config: ResolvedFraudConfig,
): OnlineFeatureState {
  const state = new OnlineFeatureState(features, { maxGapSeconds: null });
  const times = table.numeric(config.layout.time);
  if (times.length === 0) return state;
  const from = times[times.length - 1]! - features.spanSeconds;
  let start = times.length;
  while (start > 0 && times[start - 1]! >= from) start--;
  const recent = table.slice(start);
  const out = new Float64Array(features.names.length);
  for (let i = 0; i < recent.length; i++) state.update(recordOf(recent, i), out);
  return state;
}

/** Row `i` of a normalized table as the record the online state takes. */
function recordOf(table: Table, i: number): Record<string, string | number> {
  const row = table.row(i);
  const record: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(row)) if (value !== undefined) record[name] = value;
  return record;
}

/**
 * The last transaction of the table written back as the log writes it (raw columns), a minute
 * later and with a new id: an example request for the scoring service.
 */
function exampleTransaction(
  table: Table,
  config: ResolvedFraudConfig,
): Record<string, string | number> | undefined {
  const last = table.length - 1;
  if (last < 0) return undefined;
  const { columns, layout } = config;
  const row = table.row(last);
  const zone = TimeZone.of(columns.timezone);
  const time = formatTime(
    (row[layout.time] as number) + 60,
    columns.time.format,
    zone,
    columns.time.origin,
  );
  const example: Record<string, string | number> = {
    [layout.transactionId]: `${String(row[layout.transactionId])}-next`,
  };
  if (columns.time.column !== undefined) example[columns.time.column] = time;
  else {
    const [date = '', clock = ''] = String(time).split(' ');
    example[columns.time.date!] = date;
    example[columns.time.time!] = clock;
  }
  example[layout.amount] = row[layout.amount] as number;
  for (const name of [...layout.keyColumns, ...layout.categorical, ...layout.numeric]) {
    const value = row[name];
    if (value !== undefined && !(typeof value === 'number' && Number.isNaN(value))) {
      example[name] = value;
    }
  }
  return example;
}
