import { InvalidArgumentError, InvalidDataError, TimeZone } from '@mlsd/core';
import type { ProtocolConfig } from '../config/fraud-config-schema.js';
import type { FraudProtocol } from '../fraud-protocol.js';

const SECONDS_PER_DAY = 86_400;
const MS_PER_DAY = SECONDS_PER_DAY * 1000;

/** The first and last event time of a log, seconds since the epoch. */
export interface TimeSpan {
  first: number;
  last: number;
}

/** The dates (inclusive) of one period, `YYYY-MM-DD` local dates. */
export type DateRange = [from: string, to: string];

/** The protocol's periods as dates, for messages and reports. */
export interface ProtocolDates {
  validationTrain: DateRange;
  validationTest: DateRange;
  train: DateRange;
  delay: DateRange | null;
  test: DateRange;
}

/** What {@link resolveProtocol} needs besides the config's `protocol` section. */
export interface ResolveProtocolOptions {
  /** IANA zone whose local days the periods count. */
  timezone: string;
  /** Label delay in days from `columns.labelDelay.days` (the default `delayDays`), if fixed. */
  labelDelayDays?: number | undefined;
  /** The entity that is the card. */
  cardEntity: string;
}

/** The first and last value of a time column (any order). */
export function timeSpan(times: ArrayLike<number>): TimeSpan {
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < times.length; i++) {
    const t = times[i]!;
    if (t < first) first = t;
    if (t > last) last = t;
  }
  return { first, last };
}

/**
 * Resolves the config's protocol on a log's time span into fixed dates, as the handbook lays
 * them out (Le Borgne et al. 2022, §5.2): with `trainStart: "auto"` the test period is the last
 * `testDays` local days of the data, the label delay (`delayDays`) sits before it and training
 * before that; the validation layout (where the alert threshold is chosen) is the same shifted
 * back by delay + test days, so it never sees the test period.
 * @throws InvalidDataError when the data's span has no room for validation, training and delay
 *   before it and at least the first test day after, saying how many days it has, how many the
 *   layout needs and what to change.
 */
export function resolveProtocol(
  config: ProtocolConfig,
  span: TimeSpan,
  options: ResolveProtocolOptions,
): FraudProtocol {
  const zone = TimeZone.of(options.timezone);
  if (!(Number.isFinite(span.first) && Number.isFinite(span.last))) {
    throw new InvalidDataError('The log has no transactions to lay the protocol on.');
  }
  const origin = localDate(zone, span.first);
  const lastDay = dayOf(zone, origin, span.last);
  const delayDays = config.delayDays ?? Math.ceil(options.labelDelayDays ?? 7);
  const { trainDays, testDays } = config;
  const trainStartDay =
    config.trainStart === 'auto'
      ? lastDay + 1 - testDays - delayDays - trainDays
      : dateDiffDays(origin, config.trainStart);
  const validationStartDay = trainStartDay - delayDays - testDays;
  const testStartDay = trainStartDay + trainDays + delayDays;
  const testEndDay = testStartDay + testDays - 1;
  const needed = 2 * (delayDays + testDays) + trainDays;
  const layout = `validation ${trainDays} + ${delayDays} + ${testDays} days, then training ${trainDays} + delay ${delayDays} + test ${testDays} days (training overlaps validation's test): ${needed} days`;
  // A test period the data only begins is allowed (it is scored on the days there are); one it
  // never reaches is not.
  if (validationStartDay < 0 || testStartDay > lastDay) {
    const have = `The data spans ${lastDay + 1} local days (${origin} to ${addDays(origin, lastDay)}, ${options.timezone})`;
    const fix =
      config.trainStart === 'auto'
        ? 'Give a longer log, or shorten protocol.trainDays / protocol.testDays / protocol.delayDays.'
        : `Move protocol.trainStart (now ${config.trainStart}) so that every period lies inside the data, or set it to "auto".`;
    throw new InvalidDataError(
      `${have}; the protocol needs ${layout}, from ${addDays(origin, validationStartDay)} to ${addDays(origin, testEndDay)}. ${fix}`,
      { days: lastDay + 1, needed },
    );
  }
  return {
    origin,
    trainStart: addDays(origin, trainStartDay),
    trainDays,
    delayDays,
    testDays,
    dailyBudget: config.dailyBudget,
    timezone: zone.name,
    cardEntity: options.cardEntity,
    dropKnownCompromised: config.dropKnownCompromised,
  };
}

/** The periods of a resolved protocol as inclusive date ranges. */
export function protocolDates(protocol: FraudProtocol): ProtocolDates {
  const { trainStart, trainDays, delayDays, testDays } = protocol;
  const range = (from: number, days: number): DateRange => [
    addDays(trainStart, from),
    addDays(trainStart, from + days - 1),
  ];
  const validationStart = -delayDays - testDays;
  return {
    validationTrain: range(validationStart, trainDays),
    validationTest: range(validationStart + trainDays + delayDays, testDays),
    train: range(0, trainDays),
    delay: delayDays === 0 ? null : range(trainDays, delayDays),
    test: range(trainDays + delayDays, testDays),
  };
}

/**
 * The local day of each time, counted from the protocol's origin date (day 0) in its zone.
 * The simulator's `TX_TIME_DAYS` is this with the handbook preset.
 */
export function dayNumbers(times: ArrayLike<number>, protocol: FraudProtocol): Int32Array {
  const zone = TimeZone.of(protocol.timezone);
  const origin = Date.parse(`${protocol.origin}T00:00:00Z`) / 1000;
  const days = new Int32Array(times.length);
  for (let i = 0; i < times.length; i++) {
    days[i] = Math.floor((zone.toWallClock(times[i]!) - origin) / SECONDS_PER_DAY);
  }
  return days;
}

/** The lengths and the known-compromised rule of a protocol, as `timeSplit` takes them. */
export function splitLayout(protocol: FraudProtocol): {
  trainDays: number;
  delayDays: number;
  testDays: number;
  dropKnownCompromised: boolean;
} {
  return {
    trainDays: protocol.trainDays,
    delayDays: protocol.delayDays,
    testDays: protocol.testDays,
    dropKnownCompromised: protocol.dropKnownCompromised,
  };
}

/** Indices of the rows whose day lies in `[start, start + length)`. */
export function rowsInDays(days: Int32Array, start: number, length: number): Int32Array {
  let count = 0;
  for (let i = 0; i < days.length; i++) if (days[i]! >= start && days[i]! < start + length) count++;
  const rows = new Int32Array(count);
  let k = 0;
  for (let i = 0; i < days.length; i++)
    if (days[i]! >= start && days[i]! < start + length) rows[k++] = i;
  return rows;
}

/** Day number of a date counted from the protocol's origin. */
export function protocolDay(protocol: FraudProtocol, date: string): number {
  return dateDiffDays(protocol.origin, date);
}

/** The local date (`YYYY-MM-DD`) of an instant. */
export function localDate(zone: TimeZone, seconds: number): string {
  return new Date(Math.floor(zone.toWallClock(seconds) / SECONDS_PER_DAY) * MS_PER_DAY)
    .toISOString()
    .slice(0, 10);
}

/** `date` plus `days` days, as `YYYY-MM-DD`. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * MS_PER_DAY).toISOString().slice(0, 10);
}

function dayOf(zone: TimeZone, origin: string, seconds: number): number {
  const start = Date.parse(`${origin}T00:00:00Z`) / 1000;
  return Math.floor((zone.toWallClock(seconds) - start) / SECONDS_PER_DAY);
}

function dateDiffDays(from: string, to: string): number {
  const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / MS_PER_DAY;
  if (!Number.isInteger(days)) {
    throw new InvalidArgumentError(`Not calendar dates: "${from}", "${to}"; write YYYY-MM-DD.`);
  }
  return days;
}
