import { CategoryColumn, Table } from '@mlsd/core';
import fc from 'fast-check';
import {
  type FeatureDefinitionInput,
  FeatureSet,
  type FeatureSpecInput,
  fitFeatureSet,
} from '../../src/index.js';

const DAY = 86_400;
/** 2024-03-10 05:00 UTC: streams cross New York's spring-forward change (07:00 UTC that day). */
export const STREAM_START = 1_710_046_800;

/** One generated transaction (a row of the normalized table). */
export interface StreamEvent {
  id: string;
  t: number;
  amount: number;
  fraud: 0 | 1;
  /** When the label becomes known (NaN: never, within the stream). */
  labelTime: number;
  /** NaN: missing. */
  card: number;
  /** '': missing. */
  merchant: string;
  /** null: missing. */
  category: string | null;
  /** A value with 3 decimals, for windows over another column. */
  x: number;
  /** NaN sometimes, for numeric pass-through with fill. */
  score: number;
  lat: number;
  lon: number;
  mlat: number;
  mlon: number;
}

const windowDays = fc.constantFrom(0.5, 1, 2, 3);
const delayDays = fc.constantFrom(0, 0.25, 1, 2);
const entity = fc.constantFrom('card', 'merchant', 'pair');

/** One random feature definition of any kind over the stream's columns. */
export const featureArbitrary: fc.Arbitrary<FeatureDefinitionInput> = fc.oneof(
  fc.record({
    kind: fc.constant('numeric' as const),
    column: fc.constantFrom('amount', 'score'),
    fill: fc.constantFrom(0, -1),
  }),
  fc.constantFrom<FeatureDefinitionInput>(
    { kind: 'hour' },
    { kind: 'day-of-week' },
    { kind: 'weekend' },
    { kind: 'night', lastHour: 5 },
  ),
  fc.record({
    kind: fc.constant('window' as const),
    entity,
    windowDays,
    delayDays,
    aggregate: fc.constantFrom('count', 'sum', 'mean', 'std', 'min', 'max'),
    of: fc.constantFrom('amount', 'x'),
  }),
  fc.record({
    kind: fc.constant('distinct' as const),
    entity,
    windowDays,
    delayDays,
    of: fc.constantFrom('category', 'merchant'),
  }),
  fc.record({
    kind: fc.constant('time-since-previous' as const),
    entity,
    capDays: fc.constantFrom(1, 4),
  }),
  fc.record({
    kind: fc.constant('amount-relative' as const),
    entity,
    windowDays,
    relative: fc.constantFrom('ratio-to-mean', 'z-score'),
  }),
  fc.record({
    kind: fc.constant('risk' as const),
    entity,
    windowDays,
    delayDays,
    smoothing: fc.constantFrom(0, 3),
  }),
  fc.record({
    kind: fc.constant('target-encoding' as const),
    column: fc.constantFrom('category', 'merchant'),
    windowDays,
    delayDays,
    smoothing: fc.constantFrom(0, 5),
  }),
  fc.record({
    kind: fc.constant('frequency' as const),
    column: fc.constantFrom('category', 'merchant'),
  }),
  fc.record({
    kind: fc.constant('one-hot' as const),
    column: fc.constantFrom('category', 'merchant'),
    maxCategories: fc.constantFrom(1, 3),
  }),
  fc.constant<FeatureDefinitionInput>({
    kind: 'geo-distance',
    from: ['lat', 'lon'],
    to: ['mlat', 'mlon'],
  }),
);

/** A random FeatureSpec v2 over the stream's columns (duplicate default names numbered). */
export const specArbitrary: fc.Arbitrary<FeatureSpecInput> = fc
  .record({
    features: fc.array(featureArbitrary, { minLength: 1, maxLength: 8 }),
    timezone: fc.constantFrom('UTC', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe'),
    labelTime: fc.boolean(),
  })
  .map(({ features, timezone, labelTime }) => ({
    version: 2 as const,
    columns: {
      transactionId: 'id',
      time: 't',
      amount: 'amount',
      label: 'fraud',
      labelTime: labelTime ? 'labelTime' : null,
    },
    timezone,
    labelDelayDays: 1,
    entities: [
      { name: 'card', columns: ['card'] },
      { name: 'merchant', columns: ['merchant'] },
      { name: 'pair', columns: ['card', 'merchant'] },
    ],
    precision: { x: 3 },
    features: features.map((feature, i) => ({ ...feature, name: `f${i}_${feature.kind}` })),
  }));

/**
 * A random stream of transactions in time order: equal times, gaps longer than every window,
 * missing keys and categories, frauds whose labels become known later (or never).
 */
export function streamArbitrary(maxLength = 60): fc.Arbitrary<StreamEvent[]> {
  // Quarter days land events exactly on window edges (every window and delay is a multiple).
  const step = fc.constantFrom(
    0,
    0,
    1,
    60,
    3_600,
    0.25 * DAY,
    0.25 * DAY,
    0.5 * DAY,
    DAY,
    1.1 * DAY,
    6 * DAY,
  );
  const event = fc.record({
    step,
    amount: fc.oneof(fc.integer({ min: -500, max: 50_000 }), fc.constant(1_000)),
    fraud: fc.constantFrom<0 | 1>(0, 0, 0, 1),
    labelDelay: fc.constantFrom(0, 0.25 * DAY, 0.5 * DAY, DAY, 1.5 * DAY, 4 * DAY, Number.NaN),
    card: fc.constantFrom(1, 2, 3, 4, Number.NaN),
    merchant: fc.constantFrom('m1', 'm2', 'm{3}', 'm 4', ''),
    category: fc.constantFrom('food', 'travel', 'games', null),
    x: fc.integer({ min: -5_000, max: 5_000 }),
    score: fc.oneof(fc.double({ min: -10, max: 10, noNaN: true }), fc.constant(Number.NaN)),
    lat: fc.integer({ min: -900, max: 900 }),
    lon: fc.integer({ min: -1_800, max: 1_800 }),
  });
  return fc.array(event, { minLength: 1, maxLength }).map((raw) => {
    let t = STREAM_START;
    return raw.map((e, i): StreamEvent => {
      t += e.step;
      return {
        id: `tx-${i}`,
        t,
        amount: e.amount / 100,
        fraud: e.fraud,
        labelTime: t + e.labelDelay,
        card: e.card,
        merchant: e.merchant,
        category: e.category,
        x: e.x / 1000,
        score: e.score,
        lat: e.lat / 10,
        lon: e.lon / 10,
        mlat: (e.lat + 7) / 10,
        mlon: (e.lon - 3) / 10,
      };
    });
  });
}

/** The stream as a normalized table (rows in the given order). */
export function streamTable(events: readonly StreamEvent[]): Table {
  return new Table({
    id: events.map((e) => e.id),
    t: Float64Array.from(events, (e) => e.t),
    amount: Float64Array.from(events, (e) => e.amount),
    fraud: Uint8Array.from(events, (e) => e.fraud),
    labelTime: Float64Array.from(events, (e) => e.labelTime),
    card: Float64Array.from(events, (e) => e.card),
    merchant: events.map((e) => e.merchant),
    category: CategoryColumn.fromValues(events.map((e) => e.category)),
    x: Float64Array.from(events, (e) => e.x),
    score: Float64Array.from(events, (e) => e.score),
    lat: Float64Array.from(events, (e) => e.lat),
    lon: Float64Array.from(events, (e) => e.lon),
    mlat: Float64Array.from(events, (e) => e.mlat),
    mlon: Float64Array.from(events, (e) => e.mlon),
  });
}

/**
 * One transaction as an online store receives it: missing values as null, and the label only
 * when `withLabel` (otherwise it is recorded later with `recordLabel`).
 */
export function streamRecord(event: StreamEvent, withLabel: boolean): Record<string, unknown> {
  return {
    id: event.id,
    t: event.t,
    amount: event.amount,
    ...(withLabel
      ? { fraud: event.fraud, labelTime: Number.isNaN(event.labelTime) ? null : event.labelTime }
      : {}),
    card: Number.isNaN(event.card) ? null : event.card,
    merchant: event.merchant === '' ? null : event.merchant,
    category: event.category,
    x: event.x,
    score: Number.isNaN(event.score) ? null : event.score,
    lat: event.lat,
    lon: event.lon,
    mlat: event.mlat,
    mlon: event.mlon,
  };
}

/**
 * A random arrival order of a time-sorted stream in which no transaction arrives more than
 * `lateness` seconds older than any that arrived before it: each arrival is picked among the
 * waiting transactions within `lateness` of the oldest one waiting.
 */
export function lateArrivals(
  events: readonly StreamEvent[],
  lateness: number,
  seed: number,
): StreamEvent[] {
  let state = seed >>> 0 || 1;
  const random = () => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    return state / 2 ** 32;
  };
  const waiting = [...events];
  const out: StreamEvent[] = [];
  let newest = Number.NEGATIVE_INFINITY;
  while (waiting.length > 0) {
    // Candidates: within the bound of the oldest waiting one and of the newest delivered one.
    const oldest = waiting[0]!.t;
    let count = 0;
    while (
      count < waiting.length &&
      waiting[count]!.t <= oldest + lateness &&
      waiting[count]!.t >= newest - lateness
    ) {
      count++;
    }
    const pick = Math.floor(random() * Math.max(1, count));
    const [next] = waiting.splice(pick, 1);
    newest = Math.max(newest, next!.t);
    out.push(next!);
  }
  return out;
}

/** The time-sorted order of delivered events (stable: equal times in arrival order). */
export function sortedByTime<T extends { t: number }>(events: readonly T[]): T[] {
  return events
    .map((event, i) => ({ event, i }))
    .sort((a, b) => a.event.t - b.event.t || a.i - b.i)
    .map(({ event }) => event);
}

/** A spec compiled and fitted on the whole stream (the parity tests compare paths, not fits). */
export function fittedOn(spec: FeatureSpecInput, events: readonly StreamEvent[]): FeatureSet {
  return fitFeatureSet(new FeatureSet(spec), streamTable(events));
}

/** Row `row` of a row-major matrix of `width` columns, as a plain array. */
export function rowOf(values: Float64Array, row: number, width: number): number[] {
  return Array.from(values.subarray(row * width, (row + 1) * width));
}
