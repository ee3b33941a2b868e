import { InvalidArgumentError, Table } from '@mlsd/core';
import { describe, expect, it } from 'vitest';
import { findOrderingColumns, planDriftColumns } from '../src/index.js';

// The simulator's columns as a CSV sample reads them: every value as text.
const sample = new Table({
  TRANSACTION_ID: ['0', '1', '2'],
  TX_DATETIME: ['2018-04-01 00:03:43', '2018-04-01 00:13:31', ''],
  CUSTOMER_ID: ['398', '498', '12'],
  customerId: ['1', '2', '3'],
  TX_AMOUNT: ['59.96', '52.85', ''],
  TX_FRAUD: ['0', '1', '0'],
  CHANNEL: ['web', 'pos', 'web'],
});

describe('planDriftColumns', () => {
  it('by default monitors numeric columns and says why it leaves out ids and text', () => {
    const plan = planDriftColumns(sample);
    expect(plan.numeric).toEqual(['TX_AMOUNT', 'TX_FRAUD']);
    expect(plan.categorical).toEqual([]);
    expect(plan.skipped.map((s) => s.column)).toEqual([
      'TRANSACTION_ID',
      'TX_DATETIME',
      'CUSTOMER_ID',
      'customerId',
      'CHANNEL',
    ]);
    expect(plan.skipped[0]!.reason).toMatch(/^id-like name/);
    expect(plan.skipped[1]!.reason).toBe(
      "not numeric (e.g. '2018-04-01 00:03:43'); --categorical TX_DATETIME compares its categories",
    );
  });

  it('compares categorical columns with chi-square, named or not in columns', () => {
    expect(planDriftColumns(sample, { categorical: ['CHANNEL'] }).categorical).toEqual(['CHANNEL']);
    const plan = planDriftColumns(sample, { columns: ['TX_AMOUNT'], categorical: ['CHANNEL'] });
    expect(plan).toEqual({ numeric: ['TX_AMOUNT'], categorical: ['CHANNEL'], skipped: [] });
  });

  it('monitors named columns as asked, ids included', () => {
    const plan = planDriftColumns(sample, { columns: ['TRANSACTION_ID', 'TX_AMOUNT'] });
    expect(plan.numeric).toEqual(['TRANSACTION_ID', 'TX_AMOUNT']);
    expect(plan.skipped).toEqual([]);
  });

  it('refuses a named text column, naming its value and the fix', () => {
    const plan = () => planDriftColumns(sample, { columns: ['TX_AMOUNT', 'TX_DATETIME'] });
    expect(plan).toThrow(InvalidArgumentError);
    expect(plan).toThrow(
      /Column "TX_DATETIME" is not numeric \(row 1 of the sample holds '2018-04-01 00:03:43'\): add it to the categorical columns \(--categorical TX_DATETIME\)/,
    );
  });

  it('names a missing column and the columns there are', () => {
    expect(() => planDriftColumns(sample, { columns: ['TX_AMOUNTT'] })).toThrow(
      /no column "TX_AMOUNTT"; columns: TRANSACTION_ID, TX_DATETIME/,
    );
  });
});

describe('findOrderingColumns', () => {
  const reference = new Table({
    day: Float64Array.from([0, 0, 1, 2, 2]),
    amount: Float64Array.from([5, 1, 9, 3, 4]),
    constant: Float64Array.from([1, 1, 1, 1, 1]),
  });

  it('finds columns that only move forward, when the current window starts after them', () => {
    const later = new Table({
      day: Float64Array.from([2, 3, 3]),
      amount: Float64Array.from([9, 10, 11]),
      constant: Float64Array.from([1, 1, 1]),
    });
    const found = findOrderingColumns(reference, later, ['day', 'amount', 'constant']);
    expect(found.map((f) => f.column)).toEqual(['day']);
    expect(found[0]!.reason).toMatch(/0\.\.2, and the current window starts at 2/);
  });

  it('keeps an ordered column whose current values overlap the reference', () => {
    const overlapping = new Table({
      day: Float64Array.from([1, 2, 3]),
      amount: Float64Array.from([1, 2, 3]),
      constant: Float64Array.from([1, 1, 1]),
    });
    expect(findOrderingColumns(reference, overlapping, ['day'])).toEqual([]);
  });
});
