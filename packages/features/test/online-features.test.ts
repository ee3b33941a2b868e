import {
  DimensionMismatchError,
  InvalidArgumentError,
  InvalidDataError,
  NotFoundError,
} from '@mlsd/core';
import { describe, expect, it } from 'vitest';
import {
  computeFeatures,
  FeatureSet,
  FRAUD_FEATURE_NAMES,
  OnlineFeatureState,
} from '../src/index.js';
import { simulateTransactions, transactionAt } from './helpers/simulate.js';
import { DAY, type HandTransaction, HOUR, handTable } from './helpers/tables.js';

function tx(id: number, row: HandTransaction): Record<string, number> {
  return {
    TRANSACTION_ID: id,
    TX_TIME_SECONDS: row.t,
    CUSTOMER_ID: row.customer ?? 0,
    TERMINAL_ID: row.terminal ?? 0,
    TX_AMOUNT: row.amount ?? 1,
    TX_FRAUD: row.fraud ?? 0,
  };
}

const named = (vector: ArrayLike<number>) =>
  Object.fromEntries(FRAUD_FEATURE_NAMES.map((name, j) => [name, vector[j]]));

describe('OnlineFeatureState: one transaction at a time', () => {
  it('scores the hand-computed customer and terminal cases', () => {
    const state = new OnlineFeatureState();
    expect(state.names).toEqual(FRAUD_FEATURE_NAMES);
    expect(state.clock).toBeUndefined();
    state.update(tx(0, { t: 0, customer: 1, terminal: 20, amount: 10, fraud: 1 }));
    state.update(tx(1, { t: HOUR, customer: 1, terminal: 21, amount: 20 }));
    const tie = state.update(tx(2, { t: HOUR, customer: 1, terminal: 21, amount: 60 }));
    expect(tie[3]).toBe(3); // the earlier row at the same second is in the window
    const dayLater = named(state.update(tx(3, { t: DAY, customer: 1, terminal: 22, amount: 30 })));
    expect(dayLater.CUSTOMER_ID_NB_TX_1DAY_WINDOW).toBe(3);
    expect(dayLater.CUSTOMER_ID_AVG_AMOUNT_1DAY_WINDOW).toBe(110 / 3);
    expect(dayLater.CUSTOMER_ID_NB_TX_7DAY_WINDOW).toBe(4);
    expect(dayLater.TX_DURING_NIGHT).toBe(1);
    expect(dayLater.TX_DURING_WEEKEND).toBe(0);
    const weekLater = named(
      state.update(tx(4, { t: 7 * DAY, customer: 2, terminal: 20, amount: 5 })),
    );
    expect(weekLater).toMatchObject({
      TX_AMOUNT: 5,
      TX_DURING_WEEKEND: 1,
      CUSTOMER_ID_NB_TX_30DAY_WINDOW: 1,
      TERMINAL_ID_NB_TX_1DAY_WINDOW: 1, // transaction 0, exactly 7 days old
      TERMINAL_ID_RISK_1DAY_WINDOW: 1,
    });
    const eightDays = named(state.update(tx(5, { t: 8 * DAY, customer: 2, terminal: 20 })));
    expect(eightDays).toMatchObject({
      TERMINAL_ID_NB_TX_1DAY_WINDOW: 0,
      TERMINAL_ID_NB_TX_7DAY_WINDOW: 1,
    });
    expect(state.clock).toBe(8 * DAY);
  });

  it('takes table rows as they are (strings and extra columns ignored) and writes into a given array', () => {
    const table = simulateTransactions({ seed: 4, days: 10, customers: 4, terminals: 4 });
    const batch = computeFeatures(table);
    const state = new OnlineFeatureState();
    const out = new Float32Array(15);
    for (let i = 0; i < table.length; i++) {
      const row = transactionAt(table, i);
      expect(typeof row.TX_DATETIME).toBe('string');
      expect(state.update(row, out)).toBe(out);
      expect(Array.from(out)).toEqual(
        Array.from(batch.values.subarray(i * 15, i * 15 + 15), Math.fround),
      );
    }
  });

  it('accepts boolean and missing labels', () => {
    const state = new OnlineFeatureState();
    state.update({ ...tx(0, { t: 0, terminal: 1 }), TX_FRAUD: true });
    state.update({ ...tx(1, { t: 1, terminal: 1 }), TX_FRAUD: undefined });
    state.update({ ...tx(2, { t: 2, terminal: 1 }), TX_FRAUD: null });
    state.recordLabel(1, true);
    state.recordLabel(2, false);
    const later = named(state.update(tx(3, { t: 7 * DAY + 2, terminal: 1 })));
    expect(later.TERMINAL_ID_NB_TX_1DAY_WINDOW).toBe(3);
    expect(later.TERMINAL_ID_RISK_1DAY_WINDOW).toBe(2 / 3);
  });
});

describe('OnlineFeatureState: bad input', () => {
  const fresh = () => {
    const state = new OnlineFeatureState();
    state.update(tx(0, { t: 100, terminal: 3, customer: 4 }));
    return state;
  };

  it('refuses ids that are not non-negative integers, naming the field', () => {
    for (const [field, value] of [
      ['TRANSACTION_ID', -1],
      ['TRANSACTION_ID', 1.5],
      ['TRANSACTION_ID', '7'],
      ['TRANSACTION_ID', undefined],
      ['CUSTOMER_ID', Number.NaN],
      ['TERMINAL_ID', -3],
      ['TERMINAL_ID', 2 ** 53],
    ] as const) {
      const state = fresh();
      const before = JSON.stringify(state);
      expect(() => state.update({ ...tx(1, { t: 200 }), [field]: value })).toThrow(
        InvalidDataError,
      );
      expect(() => state.update({ ...tx(1, { t: 200 }), [field]: value })).toThrow(
        new RegExp(`${field} is .*non-negative integers`),
      );
      expect(JSON.stringify(state)).toBe(before); // nothing changed
    }
  });

  it('refuses a transaction older than the clock, and bad times, amounts and labels', () => {
    const state = fresh();
    const before = JSON.stringify(state);
    expect(() => state.update(tx(1, { t: 99 }))).toThrow(
      /TX_TIME_SECONDS 99 is older than the state's clock 100/,
    );
    expect(() => state.update(tx(1, { t: Number.NaN }))).toThrow(InvalidDataError);
    expect(() => state.update(tx(1, { t: 200, amount: Number.NaN }))).toThrow(
      /transaction 1\): TX_AMOUNT is NaN/,
    );
    expect(() => state.update({ ...tx(1, { t: 200 }), TX_AMOUNT: '3' })).toThrow(InvalidDataError);
    expect(() => state.update({ ...tx(1, { t: 200 }), TX_FRAUD: 2 })).toThrow(/TX_FRAUD is 2/);
    expect(() => state.update(tx(0, { t: 200, terminal: 5 }))).toThrow(/already recorded/);
    expect(() => state.update(null as never)).toThrow(InvalidDataError);
    expect(() => state.update(tx(1, { t: 200 }), new Float64Array(3))).toThrow(
      DimensionMismatchError,
    );
    expect(JSON.stringify(state)).toBe(before);
    expect(() => state.update(tx(1, { t: 100 }))).not.toThrow(); // equal time is fine
  });

  it('refuses bad labels and unknown or forgotten transactions in recordLabel', () => {
    const state = fresh();
    expect(() => state.recordLabel(-1, 1)).toThrow(InvalidDataError);
    expect(() => state.recordLabel(0.5, 1)).toThrow(InvalidDataError);
    expect(() => state.recordLabel(0, 2)).toThrow(/fraud must be 0, 1, true or false/);
    expect(() => state.recordLabel(0, null as never)).toThrow(InvalidDataError);
    expect(() => state.recordLabel(42, 1)).toThrow(NotFoundError);
    expect(() => state.recordLabel(42, 1)).toThrow(
      /never passed to update\(\), or it is more than 37 days older/,
    );
    // Transaction 0 (terminal 3, at 100 s) leaves every window when terminal 3 is 37 days later.
    state.recordLabel(0, 1);
    state.update(tx(1, { t: 100 + 37 * DAY, terminal: 3, customer: 9 }));
    expect(() => state.recordLabel(0, 1)).toThrow(NotFoundError);
    // Without label features nothing is kept to label.
    const noLabels = new OnlineFeatureState(
      new FeatureSet({ features: [{ kind: 'weekend', name: 'W' }] }),
    );
    noLabels.update(tx(0, { t: 0 }));
    expect(() => noLabels.recordLabel(0, 1)).toThrow(/no feature of this state reads labels/);
  });

  it('refuses bad options', () => {
    expect(() => new OnlineFeatureState(undefined, { sweepEveryDays: 0 })).toThrow(
      InvalidArgumentError,
    );
  });
});

describe('OnlineFeatureState: batch agreement on a hand table', () => {
  it('gives the batch values for the hand-computed terminal table', () => {
    const rows: HandTransaction[] = [
      { t: 0, terminal: 20, fraud: 1 },
      { t: DAY, terminal: 20 },
      { t: 7 * DAY - 1, terminal: 20, fraud: 1 },
      { t: 7 * DAY, terminal: 20, fraud: 1 },
      { t: 8 * DAY, terminal: 20, fraud: 1 },
      { t: 14 * DAY - 1, terminal: 20 },
    ];
    const batch = computeFeatures(handTable(rows));
    const state = new OnlineFeatureState();
    rows.forEach((row, i) => {
      expect(Array.from(state.update(tx(i, row)))).toEqual(
        Array.from(batch.values.subarray(i * 15, i * 15 + 15)),
      );
    });
  });
});
