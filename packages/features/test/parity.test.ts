import type { Table } from '@mlsd/core';
import { describe, expect, it } from 'vitest';
import {
  computeFeatures,
  defineFraudFeatures,
  type FeatureMatrix,
  type FeatureSet,
  OnlineFeatureState,
} from '../src/index.js';
import { simulateTransactions, transactionAt } from './helpers/simulate.js';

const DAY = 86_400;

/** Positions (row, feature) where the online vectors differ from the batch matrix at all. */
function mismatches(
  batch: FeatureMatrix,
  online: (i: number) => ArrayLike<number>,
): { count: number; first?: string } {
  let count = 0;
  let first: string | undefined;
  for (let i = 0; i < batch.rows; i++) {
    const vector = online(i);
    for (let j = 0; j < batch.columns; j++) {
      const expected = batch.values[i * batch.columns + j]!;
      if (!Object.is(vector[j], expected)) {
        count++;
        first ??= `row ${i} ${batch.names[j]}: online ${vector[j]} batch ${expected}`;
      }
    }
  }
  return first === undefined ? { count } : { count, first };
}

/** Replays `table` through a fresh state, labels with the transactions; returns every vector. */
function replay(table: Table, features: FeatureSet, sweepEveryDays = 1): Float64Array[] {
  const state = new OnlineFeatureState(features, { sweepEveryDays });
  return Array.from({ length: table.length }, (_, i) => state.update(transactionAt(table, i)));
}

describe('online/batch parity', () => {
  it('replays a simulated table online with exactly the batch values, on every row and feature', () => {
    for (const seed of [1, 2, 3]) {
      const table = simulateTransactions({ seed, days: 60, customers: 30, terminals: 40 });
      const features = defineFraudFeatures();
      const batch = computeFeatures(table, features);
      const online = replay(table, features);
      expect(table.length).toBeGreaterThan(2000);
      expect(Array.from(table.numeric('TX_FRAUD')).reduce((a, b) => a + b, 0)).toBeGreaterThan(30);
      expect(mismatches(batch, (i) => online[i]!)).toEqual({ count: 0 });
    }
  });

  it('holds for other windows and delays, and however often idle entities are swept', () => {
    const table = simulateTransactions({ seed: 11, days: 70, customers: 20, terminals: 15 });
    const features = defineFraudFeatures({ windowsDays: [0.5, 3, 10], delayDays: 2 });
    const batch = computeFeatures(table, features);
    for (const sweepEveryDays of [0.25, 1, 1000]) {
      const online = replay(table, features, sweepEveryDays);
      expect(mismatches(batch, (i) => online[i]!)).toEqual({ count: 0 });
    }
  });

  it('holds when labels arrive later through recordLabel, within the delay', () => {
    const table = simulateTransactions({ seed: 5, days: 60 });
    const batch = computeFeatures(table);
    const time = table.numeric('TX_TIME_SECONDS');
    const fraud = table.numeric('TX_FRAUD');
    const state = new OnlineFeatureState();
    // Each label turns up between 0 and 6.9 days after its transaction (deterministic lag).
    const due = Array.from(
      { length: table.length },
      (_, j) => time[j]! + ((j * 7919) % 1000) * 0.0069 * DAY,
    );
    const pending = new Set<number>();
    const online: Float64Array[] = [];
    for (let i = 0; i < table.length; i++) {
      for (const j of pending) {
        if (due[j]! <= time[i]!) {
          state.recordLabel(j, fraud[j]!);
          pending.delete(j);
        }
      }
      const { TX_FRAUD: _label, ...withoutLabel } = transactionAt(table, i);
      online.push(state.update(withoutLabel));
      pending.add(i);
    }
    expect(mismatches(batch, (i) => online[i]!)).toEqual({ count: 0 });
  });

  it('holds across snapshot and restore through JSON text', () => {
    const table = simulateTransactions({ seed: 9, days: 60 });
    const batch = computeFeatures(table);
    let state = new OnlineFeatureState();
    const online: Float64Array[] = [];
    for (let i = 0; i < table.length; i++) {
      if (i % 700 === 350) state = OnlineFeatureState.fromJSON(JSON.parse(JSON.stringify(state)));
      online.push(state.update(transactionAt(table, i)));
    }
    expect(mismatches(batch, (i) => online[i]!)).toEqual({ count: 0 });
  });
});
