import { DimensionMismatchError, InvalidArgumentError, InvalidDataError } from '@mlsd/core';

/** Transactions as the protocol needs them: day index, card id and label per row. */
export interface DatedTransactions {
  /** Day index of each transaction since the dataset start (TX_TIME_DAYS). */
  day: ArrayLike<number>;
  /** Card (customer) id of each transaction. */
  card: ArrayLike<number>;
  /** 1 for fraud. */
  label: ArrayLike<number>;
}

/** Lengths and start of one time-based split, in whole days. */
export interface TimeSplitOptions {
  /** First training day (day index since the dataset start). */
  trainStartDay: number;
  /** Training days (default 7). */
  trainDays?: number;
  /** Days skipped between training and test: labels are not known yet (default 7). */
  delayDays?: number;
  /** Test days (default 7). */
  testDays?: number;
  /** Leave out test rows of cards already known to be compromised (default true, as the handbook). */
  dropKnownCompromised?: boolean;
}

/** Row indices of one split. */
export interface TimeSplit {
  trainStartDay: number;
  testStartDay: number;
  /** Rows of the training period, in input order. */
  train: Int32Array;
  /** Rows of the test period, in input order, without cards already known to be compromised. */
  test: Int32Array;
  /** Rows of the test period left out because their card was known to be compromised. */
  droppedKnownCompromised: number;
}

/**
 * The handbook's time-based split (Le Borgne et al. 2022, §5.2): train on `trainDays` days,
 * skip `delayDays` (the label delay), test on the next `testDays`. On each test day, the
 * transactions of cards already known to be compromised are dropped: a card is known when it
 * had a fraud on any day from the start of training up to `delayDays + 1` days before that test
 * day (the labels an investigator would have by then). Nothing from after the training period
 * is used for training.
 */
export function timeSplit(data: DatedTransactions, options: TimeSplitOptions): TimeSplit {
  const { trainStartDay } = options;
  const trainDays = options.trainDays ?? 7;
  const delayDays = options.delayDays ?? 7;
  const testDays = options.testDays ?? 7;
  checkDays('trainStartDay', trainStartDay, 0);
  checkDays('trainDays', trainDays, 1);
  checkDays('delayDays', delayDays, 0);
  checkDays('testDays', testDays, 1);
  const { day, card, label } = data;
  if (card.length !== day.length || label.length !== day.length) {
    throw new DimensionMismatchError(
      `timeSplit: day (${day.length}), card (${card.length}) and label (${label.length}) differ in length.`,
    );
  }
  const testStartDay = trainStartDay + trainDays + delayDays;
  const testEndDay = testStartDay + testDays;
  const dropKnown = options.dropKnownCompromised ?? true;

  // First day each card is seen defrauded, from the start of training on.
  const firstFraudDay = new Map<number, number>();
  for (let i = 0; i < day.length; i++) {
    const d = day[i]!;
    if (!Number.isInteger(d)) {
      throw new InvalidDataError(`timeSplit: day at row ${i} is ${d}; expected a whole day index.`);
    }
    if (dropKnown && label[i] === 1 && d >= trainStartDay && d < testEndDay) {
      const id = card[i]!;
      const known = firstFraudDay.get(id);
      if (known === undefined || d < known) firstFraudDay.set(id, d);
    }
  }

  const train: number[] = [];
  const test: number[] = [];
  let dropped = 0;
  for (let i = 0; i < day.length; i++) {
    const d = day[i]!;
    if (d >= trainStartDay && d < trainStartDay + trainDays) train.push(i);
    else if (d >= testStartDay && d < testEndDay) {
      const knownSince = firstFraudDay.get(card[i]!);
      // Known on test day d when the fraud happened on or before d - (delayDays + 1).
      if (knownSince !== undefined && knownSince <= d - (delayDays + 1)) dropped++;
      else test.push(i);
    }
  }
  if (train.length === 0 || test.length === 0) {
    throw new InvalidDataError(
      `timeSplit: the split starting on day ${trainStartDay} has ${train.length} training and ${test.length} test rows; ` +
        'choose a trainStartDay inside the data with room for training, delay and test days.',
    );
  }
  return {
    trainStartDay,
    testStartDay,
    train: Int32Array.from(train),
    test: Int32Array.from(test),
    droppedKnownCompromised: dropped,
  };
}

/** Options of {@link prequentialSplits}. */
export interface PrequentialOptions extends TimeSplitOptions {
  /** Number of folds (default 4). */
  folds?: number;
  /** Days each earlier fold is shifted back (default: testDays). */
  stepDays?: number;
}

/**
 * Prequential evaluation: `folds` time splits, the first starting at `trainStartDay` and each
 * next one shifted `stepDays` earlier, so a metric can be reported as mean ± std.
 */
export function prequentialSplits(
  data: DatedTransactions,
  options: PrequentialOptions,
): TimeSplit[] {
  const folds = options.folds ?? 4;
  const step = options.stepDays ?? options.testDays ?? 7;
  checkDays('folds', folds, 1);
  checkDays('stepDays', step, 1);
  const splits: TimeSplit[] = [];
  for (let f = 0; f < folds; f++) {
    splits.push(timeSplit(data, { ...options, trainStartDay: options.trainStartDay - f * step }));
  }
  return splits;
}

/**
 * The start of the validation split for model selection: shifted back by delay + test days
 * so that validation never sees the test week (its test period is the final training week).
 */
export function validationTrainStartDay(options: TimeSplitOptions): number {
  return options.trainStartDay - (options.delayDays ?? 7) - (options.testDays ?? 7);
}

function checkDays(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new InvalidArgumentError(
      `time split: ${name} must be an integer >= ${min}, got ${value}.`,
    );
  }
}
