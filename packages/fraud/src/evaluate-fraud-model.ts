import { precisionRecallCurve, rocCurve, timeSplit } from '@mlsd/classify';
import { InvalidDataError } from '@mlsd/core';
import { type FraudData, prepareFraudData, takeRows, takeValues } from './fraud-data.js';
import { type FraudMetrics, fraudMetrics, type ScoredPeriod } from './fraud-metrics.js';
import type { FraudModel } from './fraud-model.js';
import { protocolDates, protocolDay } from './protocol/fraud-periods.js';
import { type FraudInput, normalizedTableOf } from './train-fraud-model.js';

/** What {@link evaluateFraudModel} measures on the protocol's test period. */
export interface FraudEvaluation {
  metrics: FraudMetrics;
  /** First and last test day (day numbers from the protocol's origin). */
  testDays: [number, number];
  /** Test rows dropped because their card was already known to be compromised. */
  droppedKnownCompromised: number;
  /** Curves for plots, thinned to at most ~400 points each. */
  roc: { fpr: number[]; tpr: number[] };
  pr: { recall: number[]; precision: number[] };
  /** The scored test period, for further analysis. */
  period: ScoredPeriod;
}

/** Options of {@link evaluateFraudModel}. */
export interface EvaluateFraudOptions {
  /** Features already computed for the input (as `trainFraudModel` returns them). */
  data?: FraudData;
  /** Bootstrap resamples for the AUC/AP intervals; default 200. */
  bootstrap?: number;
}

/**
 * Scores the test period of the model's protocol (the dates fixed when it was trained: after the
 * training window and the label delay), dropping cards already known to be compromised when the
 * config says so, and computes the fraud metrics at the model's threshold, with bootstrap
 * intervals and ROC/PR curves. The log is read through the model's own config.
 * @throws InvalidDataError when the log has no transactions in the test period, naming its dates.
 */
export function evaluateFraudModel(
  model: FraudModel,
  input: FraudInput,
  options: EvaluateFraudOptions = {},
): FraudEvaluation {
  const { protocol } = model;
  const data =
    options.data ??
    prepareFraudData(
      normalizedTableOf(input, model.config),
      model.features,
      protocol,
      model.config.columns.entities[protocol.cardEntity]!,
    );
  const trainStartDay = protocolDay(protocol, protocol.trainStart);
  const testStartDay = trainStartDay + protocol.trainDays + protocol.delayDays;
  const dates = protocolDates(protocol);
  const covers = (start: number, days: number) =>
    data.day.some((day) => day >= start && day < start + days);
  if (!covers(testStartDay, protocol.testDays)) {
    throw new InvalidDataError(
      `The log has no transactions in the model's test period (${dates.test.join(' to ')}, ${protocol.timezone}); evaluate on a log that covers it.`,
    );
  }
  if (!covers(trainStartDay, protocol.trainDays)) {
    throw new InvalidDataError(
      `The log has no transactions in the model's training period (${dates.train.join(' to ')}): evaluation reads the log from there on, to leave out cards already known to be compromised before each test day.`,
    );
  }
  const split = timeSplit(
    { day: data.day, card: data.card, label: data.label },
    {
      trainStartDay,
      trainDays: protocol.trainDays,
      delayDays: protocol.delayDays,
      testDays: protocol.testDays,
      dropKnownCompromised: protocol.dropKnownCompromised,
    },
  );
  const period: ScoredPeriod = {
    day: takeValues(data.day, split.test),
    card: takeValues(data.card, split.test),
    label: takeValues(data.label, split.test),
    amount: takeValues(data.amount, split.test),
    score: model.score(takeRows(data.X, split.test)),
  };
  const metrics = fraudMetrics(
    period,
    model.threshold,
    protocol.dailyBudget,
    options.bootstrap ?? 200,
    model.seed,
  );
  const roc = rocCurve(period.label, period.score);
  const pr = precisionRecallCurve(period.label, period.score);
  const rocStep = Math.max(1, Math.floor(roc.fpr.length / 400));
  const prStep = Math.max(1, Math.floor(pr.recall.length / 400));
  return {
    metrics,
    testDays: [split.testStartDay, split.testStartDay + protocol.testDays - 1],
    droppedKnownCompromised: split.droppedKnownCompromised,
    roc: {
      fpr: thin(roc.fpr, rocStep),
      tpr: thin(roc.tpr, rocStep),
    },
    pr: {
      recall: thin(pr.recall, prStep),
      precision: thin(pr.precision, prStep),
    },
    period,
  };
}

function thin(values: ArrayLike<number>, step: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < values.length; i += step) out.push(values[i]!);
  if (values.length > 0 && (values.length - 1) % step !== 0) out.push(values[values.length - 1]!);
  return out;
}
