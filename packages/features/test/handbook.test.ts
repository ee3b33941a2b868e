import { InvalidArgumentError, InvalidDataError, NotFoundError, Table } from '@mlsd/core';
import { describe, expect, it } from 'vitest';
import { computeFeatures as v1ComputeFeatures } from '../../../benchmarks/features/baseline/batch-features.js';
import { defineFraudFeatures as v1Features } from '../../../benchmarks/features/baseline/fraud-features.js';
import {
  computeFeatures,
  featureMatrixToTable,
  HANDBOOK_FEATURE_NAMES,
  handbookFeatureSet,
  handbookFeatureSpec,
  OnlineFeatureState,
} from '../src/index.js';
import { referenceFeatures } from './helpers/reference.js';
import { simulateTransactions } from './helpers/simulate.js';
import { DAY, HOUR, handTable, namedRow } from './helpers/tables.js';

const HANDBOOK = handbookFeatureSet();

/** The spacing of doubles at `x`. */
function ulp(x: number): number {
  return 2 ** (Math.floor(Math.log2(Math.abs(x))) - 52);
}

describe('the handbook preset, by hand', () => {
  it('names the 15 features in the handbook order', () => {
    const matrix = computeFeatures(handTable([{ t: 0 }]), HANDBOOK);
    expect(matrix.names).toEqual(HANDBOOK_FEATURE_NAMES);
    expect([matrix.rows, matrix.columns, matrix.values.length]).toEqual([1, 15, 15]);
    expect(matrix.values).toBeInstanceOf(Float64Array);
  });

  it('passes the amount through and flags weekend and night (edges at midnight and 07:00)', () => {
    const matrix = computeFeatures(
      handTable([
        { t: 0, amount: 12.5 }, // Sun 00:00:00
        { t: 7 * HOUR - 1 }, // Sun 06:59:59
        { t: 7 * HOUR }, // Sun 07:00:00
        { t: DAY - 1 }, // Sun 23:59:59
        { t: DAY }, // Mon 00:00:00
        { t: 6 * DAY - 1 }, // Fri 23:59:59
        { t: 6 * DAY + 7 * HOUR }, // Sat 07:00:00
      ]),
      HANDBOOK,
    );
    const flags = Array.from({ length: matrix.rows }, (_, i) => {
      const row = namedRow(matrix, i);
      return [row.TX_DURING_WEEKEND, row.TX_DURING_NIGHT];
    });
    expect(flags).toEqual([
      [1, 1],
      [1, 1],
      [1, 0],
      [1, 0],
      [0, 1],
      [0, 0],
      [1, 0],
    ]);
    expect(namedRow(matrix, 0).TX_AMOUNT).toBe(12.5);
  });

  it('counts and averages a customer over (t − w, t], ties by table order', () => {
    const matrix = computeFeatures(
      handTable([
        { t: 0, customer: 1, amount: 10 },
        { t: HOUR, customer: 1, amount: 20 },
        { t: HOUR, customer: 1, amount: 60 }, // same second as the row before
        { t: DAY, customer: 1, amount: 30 }, // exactly one day after row 0
        { t: DAY + 1, customer: 2, amount: 5 },
        { t: 30 * DAY, customer: 1, amount: 40 }, // exactly 30 days after row 0
      ]),
      HANDBOOK,
    );
    const pick = (i: number) => {
      const row = namedRow(matrix, i);
      return [
        row.CUSTOMER_ID_NB_TX_1DAY_WINDOW,
        row.CUSTOMER_ID_AVG_AMOUNT_1DAY_WINDOW,
        row.CUSTOMER_ID_NB_TX_7DAY_WINDOW,
        row.CUSTOMER_ID_AVG_AMOUNT_7DAY_WINDOW,
        row.CUSTOMER_ID_NB_TX_30DAY_WINDOW,
        row.CUSTOMER_ID_AVG_AMOUNT_30DAY_WINDOW,
      ];
    };
    expect(pick(0)).toEqual([1, 10, 1, 10, 1, 10]);
    // Row 1 does not see row 2, although both happen at the same second.
    expect(pick(1)).toEqual([2, 15, 2, 15, 2, 15]);
    expect(pick(2)).toEqual([3, 30, 3, 30, 3, 30]);
    // Row 0 is exactly one day old: out of the 1-day window, inside the 7-day one.
    expect(pick(3)).toEqual([3, 110 / 3, 4, 30, 4, 30]);
    expect(pick(4)).toEqual([1, 5, 1, 5, 1, 5]);
    // Row 0 is exactly 30 days old: out of the 30-day window.
    expect(pick(5)).toEqual([1, 40, 1, 40, 4, 150 / 4]);
  });

  it('counts a terminal and its fraud share over (t − w − 7d, t − 7d]', () => {
    const matrix = computeFeatures(
      handTable([
        { t: 0, terminal: 20, fraud: 1, customer: 0 },
        { t: DAY, terminal: 20, fraud: 0, customer: 1 },
        { t: 7 * DAY - 1, terminal: 20, fraud: 1, customer: 2 },
        { t: 7 * DAY, terminal: 20, fraud: 1, customer: 3 }, // row 0 exactly 7 days old
        { t: 8 * DAY, terminal: 20, fraud: 1, customer: 4 }, // row 0 exactly 8 days old
        { t: 14 * DAY - 1, terminal: 20, fraud: 0, customer: 5 },
        { t: 14 * DAY - 1, terminal: 21, fraud: 0, customer: 6 },
      ]),
      HANDBOOK,
    );
    const pick = (i: number) => {
      const row = namedRow(matrix, i);
      return [
        row.TERMINAL_ID_NB_TX_1DAY_WINDOW,
        row.TERMINAL_ID_RISK_1DAY_WINDOW,
        row.TERMINAL_ID_NB_TX_7DAY_WINDOW,
        row.TERMINAL_ID_RISK_7DAY_WINDOW,
        row.TERMINAL_ID_NB_TX_30DAY_WINDOW,
        row.TERMINAL_ID_RISK_30DAY_WINDOW,
      ];
    };
    // Nothing is 7 days old yet: empty windows give 0 transactions and risk 0.
    for (const i of [0, 1, 2]) expect(pick(i)).toEqual([0, 0, 0, 0, 0, 0]);
    // The window ends exactly 7 days back and includes that instant.
    expect(pick(3)).toEqual([1, 1, 1, 1, 1, 1]);
    // (0, 1d]: row 0 sits exactly on the open lower edge of the 1-day window.
    expect(pick(4)).toEqual([1, 0, 2, 0.5, 2, 0.5]);
    // (6d − 1s, 7d − 1s]: rows 3 and 4 are frauds but newer than t − 7d, so unseen.
    expect(pick(5)).toEqual([1, 1, 3, 2 / 3, 3, 2 / 3]);
    expect(pick(6)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('takes other windows, delay, keys and column names', () => {
    const table = new Table({
      ID: Float64Array.from([0, 1, 2, 3]),
      SECONDS: Float64Array.from([0, DAY, 3 * DAY, 3 * DAY + 1]),
      CARD: Int32Array.from([5, 5, 5, 6]),
      SHOP: Int32Array.from([1, 1, 1, 1]),
      AMT: Float64Array.from([1, 2, 4, 8]),
      BAD: Uint8Array.from([1, 0, 0, 0]),
    });
    const features = handbookFeatureSet({
      windowsDays: [2],
      delayDays: 3,
      customerKey: 'CARD',
      terminalKey: 'SHOP',
      columns: { transactionId: 'ID', time: 'SECONDS', amount: 'AMT', label: 'BAD' },
    });
    const matrix = computeFeatures(table, features);
    expect(matrix.names).toEqual([
      'AMT',
      'TX_DURING_WEEKEND',
      'TX_DURING_NIGHT',
      'CARD_NB_TX_2DAY_WINDOW',
      'CARD_AVG_AMOUNT_2DAY_WINDOW',
      'SHOP_NB_TX_2DAY_WINDOW',
      'SHOP_RISK_2DAY_WINDOW',
    ]);
    expect(namedRow(matrix, 2)).toMatchObject({
      CARD_NB_TX_2DAY_WINDOW: 1, // (1d, 3d]: the row at 1d is exactly 2 days old, out
      CARD_AVG_AMOUNT_2DAY_WINDOW: 4,
      SHOP_NB_TX_2DAY_WINDOW: 1, // (−2d, 0]
      SHOP_RISK_2DAY_WINDOW: 1,
    });
    expect(namedRow(matrix, 3)).toMatchObject({
      CARD_NB_TX_2DAY_WINDOW: 1,
      SHOP_NB_TX_2DAY_WINDOW: 1,
    });
  });

  it('returns float32 on request and converts to a Table', () => {
    const table = simulateTransactions({ seed: 3, days: 20, customers: 5, terminals: 5 });
    const wide = computeFeatures(table, HANDBOOK);
    const narrow = computeFeatures(table, HANDBOOK, { dtype: 'float32' });
    expect(narrow.values).toBeInstanceOf(Float32Array);
    expect(Array.from(narrow.values)).toEqual(Array.from(wide.values, Math.fround));
    const asTable = featureMatrixToTable(wide);
    expect(asTable.columnNames).toEqual(HANDBOOK_FEATURE_NAMES);
    expect(asTable.numeric('CUSTOMER_ID_NB_TX_7DAY_WINDOW')[5]).toBe(wide.values[5 * 15 + 5]);
    expect(featureMatrixToTable(narrow).numeric('TX_AMOUNT')).toBeInstanceOf(Float32Array);
  });

  it('handles an empty table', () => {
    const matrix = computeFeatures(handTable([]), HANDBOOK);
    expect([matrix.rows, matrix.values.length]).toEqual([0, 0]);
  });
});

describe('the handbook preset against the implementation it replaces', () => {
  const table = simulateTransactions({ seed: 7, days: 60 });
  const now = computeFeatures(table, HANDBOOK);

  it('gives the v1 values: counts, flags and risks exactly, means within 4 ulps', () => {
    // The frozen copy of the v1 batch path (benchmarks/features/baseline) summed amounts as
    // Neumaier-compensated floats, a few ulps from the exact mean; v2 sums integer cents
    // exactly and divides once (the correctly rounded mean). Nothing else may differ at all.
    const before = v1ComputeFeatures(table, v1Features());
    expect(before.names).toEqual(now.names);
    let differing = 0;
    for (let k = 0; k < now.values.length; k++) {
      const a = before.values[k]!;
      const b = now.values[k]!;
      if (a === b) continue;
      differing++;
      expect(now.names[k % now.columns]).toMatch(/AVG_AMOUNT/);
      expect(Math.abs(a - b)).toBeLessThanOrEqual(4 * ulp(a));
    }
    expect(now.rows).toBeGreaterThan(2_000);
    expect(differing).toBeLessThan(now.values.length / 10);
  });

  it('agrees with a brute-force evaluation of the handbook definition', () => {
    const reference = referenceFeatures(table);
    let worst = 0;
    for (let i = 0; i < now.rows; i++) {
      for (let j = 0; j < now.columns; j++) {
        const expected = reference[i]![j]!;
        const actual = now.values[i * now.columns + j]!;
        worst = Math.max(worst, Math.abs(actual - expected) / Math.max(1, Math.abs(expected)));
      }
    }
    expect(worst).toBeLessThan(1e-12);
  });

  it('replays online to the batch values bit for bit', () => {
    const state = new OnlineFeatureState(HANDBOOK, { maxGapSeconds: null });
    table.toRows().forEach((row, i) => {
      const vector = state.update(row);
      expect(Array.from(vector)).toEqual(Array.from(now.values.subarray(i * 15, i * 15 + 15)));
    });
  });
});

describe('the handbook preset: bad input', () => {
  const expectDataError = (fn: () => unknown, pattern: RegExp, details: object) => {
    try {
      fn();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidDataError);
      expect((error as Error).message).toMatch(pattern);
      expect((error as InvalidDataError).details).toMatchObject(details);
      return;
    }
    throw new Error('expected an InvalidDataError');
  };

  it('names the first row out of time order', () => {
    const table = handTable([{ t: 0 }, { t: 10 }, { t: 10 }, { t: 5 }, { t: 1 }]);
    expectDataError(
      () => computeFeatures(table, HANDBOOK),
      /not sorted: row 3 has 5 but row 2 has 10.*sortBy/,
      { column: 'TX_TIME_SECONDS', row: 3 },
    );
  });

  it('names rows with a non-finite time, an amount outside the exact range, a bad label', () => {
    expectDataError(
      () => computeFeatures(handTable([{ t: 0 }, { t: Number.NaN }]), HANDBOOK),
      /row 1: time is NaN/,
      { row: 1 },
    );
    expectDataError(
      () =>
        computeFeatures(handTable([{ t: 0 }, { t: 1 }, { t: 2, amount: Number.NaN }]), HANDBOOK),
      /"TX_AMOUNT" row 2: value NaN is outside .*10,995,116,277\.76/,
      { column: 'TX_AMOUNT', row: 2 },
    );
    expectDataError(
      () => computeFeatures(handTable([{ t: 0, amount: 1e30 }]), HANDBOOK),
      /row 0: value 1e\+30 is outside/,
      { row: 0 },
    );
    expectDataError(
      () => computeFeatures(handTable([{ t: 0 }, { t: 1, fraud: 2 }]), HANDBOOK),
      /"TX_FRAUD" row 1: fraud label is 2/,
      { row: 1 },
    );
  });

  it('reads ids as categories: numbers and the same ids as strings group alike', () => {
    const numeric = handTable([
      { t: 0, customer: 3 },
      { t: 1, customer: 3 },
    ]);
    const strings = numeric.withColumn('CUSTOMER_ID', ['3', '3']);
    expect(computeFeatures(strings, HANDBOOK).values).toEqual(
      computeFeatures(numeric, HANDBOOK).values,
    );
  });

  it('names a missing column', () => {
    const table = handTable([{ t: 0 }]).rename({ TX_AMOUNT: 'TX_AMOUNTS' });
    expect(() => computeFeatures(table, HANDBOOK)).toThrow(NotFoundError);
    expect(() => computeFeatures(table, HANDBOOK)).toThrow(/TX_AMOUNTS/);
  });

  it('refuses bad options', () => {
    const table = handTable([{ t: 0 }]);
    expect(() => computeFeatures(table, HANDBOOK, { dtype: 'int8' as 'float32' })).toThrow(
      InvalidArgumentError,
    );
    expect(() => handbookFeatureSpec({ windowsDays: [] })).toThrow(InvalidArgumentError);
    expect(() => handbookFeatureSpec({ delayDays: -1 })).toThrow(/delayDays/);
    expect(() => handbookFeatureSpec({ origin: '2018-13-01' })).toThrow(/YYYY-MM-DD/);
    expect(() => handbookFeatureSpec({ windowsDays: [7, 7] })).toThrow(/already used by features/);
  });
});
