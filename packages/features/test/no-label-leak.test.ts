import { Table } from '@mlsd/core';
import { describe, expect, it } from 'vitest';
import {
  computeFeatures,
  HANDBOOK_FEATURE_NAMES,
  handbookFeatureSet,
  OnlineFeatureState,
} from '../src/index.js';
import { simulateTransactions, transactionAt } from './helpers/simulate.js';

const DAY = 86_400;
const HANDBOOK = handbookFeatureSet();
const DELAY = 7 * DAY;
const RISK = HANDBOOK_FEATURE_NAMES.map((name, j) => (name.includes('_RISK_') ? j : -1)).filter(
  (j) => j >= 0,
);

const table = simulateTransactions({ seed: 21, days: 60, customers: 30, terminals: 20 });
const time = table.numeric('TX_TIME_SECONDS');
const terminal = table.numeric('TERMINAL_ID');
const fraud = table.numeric('TX_FRAUD');
/** 40 rows spread over the last 45 days, where terminal windows are populated. */
const sampled = Array.from({ length: 40 }, (_, k) => {
  const first = time.findIndex((t) => t >= 15 * DAY);
  return first + Math.floor(((table.length - 1 - first) * k) / 39);
});

function withLabels(labels: Uint8Array): Table {
  return table.withColumn('TX_FRAUD', labels);
}

function rowOf(values: ArrayLike<number>, i: number): number[] {
  return Array.from({ length: 15 }, (_, j) => values[i * 15 + j]!);
}

/** An earlier transaction of row i's terminal that is at least the delay old and inside the 30-day window. */
function olderLabelled(i: number): number {
  for (let j = i - 1; j >= 0; j--) {
    if (time[j]! <= time[i]! - 37 * DAY) break;
    if (terminal[j] === terminal[i] && time[j]! <= time[i]! - DELAY) return j;
  }
  return -1;
}

describe('no label leak', () => {
  const baseline = computeFeatures(table, HANDBOOK);

  it('batch: flipping every label newer than t − 7 days leaves the features at t unchanged', () => {
    for (const i of sampled) {
      const flipped = Uint8Array.from(fraud, (label, j) =>
        time[j]! > time[i]! - DELAY ? 1 - label : label,
      );
      expect(rowOf(computeFeatures(withLabels(flipped), HANDBOOK).values, i)).toEqual(
        rowOf(baseline.values, i),
      );
    }
  });

  it('batch: flipping one label older than that does change them', () => {
    let checked = 0;
    for (const i of sampled) {
      const j = olderLabelled(i);
      if (j < 0) continue;
      const flipped = Uint8Array.from(fraud);
      flipped[j] = 1 - flipped[j]!;
      const after = rowOf(computeFeatures(withLabels(flipped), HANDBOOK).values, i);
      const before = rowOf(baseline.values, i);
      expect(RISK.some((r) => after[r] !== before[r])).toBe(true);
      checked++;
    }
    expect(checked).toBeGreaterThan(25);
  });

  it('online: labels recorded for transactions newer than t − 7 days do not reach the features at t', () => {
    const state = new OnlineFeatureState(HANDBOOK, { maxGapSeconds: null });
    const targets = new Set(sampled);
    let checked = 0;
    for (let i = 0; i < table.length; i++) {
      const transaction = transactionAt(table, i);
      if (targets.has(i)) {
        const leaky = OnlineFeatureState.fromJSON(state.toJSON());
        for (let j = i - 1; j >= 0 && time[j]! > time[i]! - DELAY; j--)
          leaky.recordLabel(j, 1 - fraud[j]!);
        const own = leaky.update({ ...transaction, TX_FRAUD: 1 - fraud[i]! });

        const j = olderLabelled(i);
        if (j >= 0) {
          const informed = OnlineFeatureState.fromJSON(state.toJSON());
          informed.recordLabel(j, 1 - fraud[j]!);
          const changed = informed.update(transaction);
          const honest = OnlineFeatureState.fromJSON(state.toJSON()).update(transaction);
          expect(RISK.some((r) => changed[r] !== honest[r])).toBe(true);
          checked++;
        }
        expect(Array.from(own)).toEqual(Array.from(state.update(transaction)));
      } else {
        state.update(transaction);
      }
    }
    expect(checked).toBeGreaterThan(25);
  });

  it('online: a label that arrives after the delay counts from its arrival on', () => {
    const state = new OnlineFeatureState(HANDBOOK, { maxGapSeconds: null });
    const tx = (id: number, t: number, label?: number) => ({
      TRANSACTION_ID: id,
      TX_TIME_SECONDS: t,
      CUSTOMER_ID: id,
      TERMINAL_ID: 1,
      TX_AMOUNT: 10,
      ...(label === undefined ? {} : { TX_FRAUD: label }),
    });
    const risk7 = HANDBOOK_FEATURE_NAMES.indexOf('TERMINAL_ID_RISK_7DAY_WINDOW');
    const nb7 = HANDBOOK_FEATURE_NAMES.indexOf('TERMINAL_ID_NB_TX_7DAY_WINDOW');
    state.update(tx(0, 0)); // label unknown
    state.recordLabel(0, 0);
    const early = state.update(tx(1, 8 * DAY));
    expect([early[nb7], early[risk7]]).toEqual([1, 0]);
    state.recordLabel(0, 1); // a chargeback after 8 days: corrects the label
    expect(state.update(tx(2, 8 * DAY + 1))[risk7]).toBe(1);
    state.recordLabel(0, 0); // and back
    expect(state.update(tx(3, 8 * DAY + 2))[risk7]).toBe(0);
    // Matches the batch values of the same history with the final labels.
    const batch = computeFeatures(
      Table.fromRows(
        [0, 1, 2, 3].map((id) => ({
          ...tx(id, [0, 8 * DAY, 8 * DAY + 1, 8 * DAY + 2][id]!),
          TX_FRAUD: 0,
        })),
      ),
      HANDBOOK,
    );
    expect(batch.values[3 * 15 + risk7]).toBe(0);
  });
});
