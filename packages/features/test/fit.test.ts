import { CategoryColumn, InvalidDataError, Table } from '@mlsd/core';
import { describe, expect, it } from 'vitest';
import { computeFeatures, FeatureSet, fitFeatureSet, OnlineFeatureState } from '../src/index.js';

const spec = {
  version: 2 as const,
  columns: { transactionId: 'id', time: 't', amount: 'amount', label: 'fraud' },
  entities: [{ name: 'shop', columns: ['shop'] }],
  features: [
    { kind: 'frequency' as const, column: 'category' },
    { kind: 'one-hot' as const, column: 'category', maxCategories: 2 },
    { kind: 'risk' as const, entity: 'shop', windowDays: 1, delayDays: 0, smoothing: 2 },
  ],
};

const table = new Table({
  id: ['a', 'b', 'c', 'd', 'e', 'f'],
  t: Float64Array.from([0, 1, 2, 3, 4, 5]),
  amount: new Float64Array(6),
  fraud: Uint8Array.from([1, 0, 0, 0, 1, 1]),
  shop: ['s', 's', 's', 's', 's', 's'],
  category: CategoryColumn.fromValues(['food', 'games', 'food', 'travel', 'new', null]),
});

describe('fitFeatureSet', () => {
  it('learns the prior, frequencies and vocabularies from the training rows only', () => {
    const unfitted = new FeatureSet(spec);
    expect(unfitted.isFitted).toBe(false);
    expect(() => unfitted.names).toThrow(/fitFeatureSet/);
    const features = fitFeatureSet(unfitted, table, { rows: [0, 1, 2, 3] });
    expect(features.spec.fitted).toEqual({
      rows: 4,
      fraudRate: 0.25,
      features: {
        category_frequency: { frequency: { food: 0.5, games: 0.25, travel: 0.25 } },
        category: { categories: ['food', 'games'] }, // ties by value: games before travel
      },
    });
    expect(features.names).toEqual([
      'category_frequency',
      'category=food',
      'category=games',
      'category=other',
      'shop_risk_1d_delay0d_m2',
    ]);
    const { values } = computeFeatures(table, features);
    const row = (i: number) => Array.from(values.subarray(i * 5, i * 5 + 5));
    // Unseen values: frequency 0, one-hot "other"; missing: frequency 0, no one-hot output.
    expect(row(4).slice(0, 4)).toEqual([0, 0, 0, 1]);
    expect(row(5).slice(0, 4)).toEqual([0, 0, 0, 0]);
    // Smoothed risk over the earlier transactions: (frauds + 2 · 0.25) / (count + 2).
    expect(row(0)[4]).toBe(0.25);
    expect(row(2)[4]).toBe((1 + 0.5) / (2 + 2));
    // The fitted spec is self-contained: saved and rebuilt, online gives the same values.
    const again = new FeatureSet(JSON.parse(JSON.stringify(features.toJSON())));
    const state = new OnlineFeatureState(again);
    const rows = table.toRows();
    rows.forEach((record, i) => {
      expect(Array.from(state.update({ ...record, category: record.category ?? null }))).toEqual(
        row(i),
      );
    });
  });

  it('refuses an empty training set and labels other than 0/1', () => {
    expect(() => fitFeatureSet(new FeatureSet(spec), table, { rows: [] })).toThrow(
      InvalidDataError,
    );
    const bad = table.withColumn('fraud', Float64Array.from([0, 2, 0, 0, 0, 0]));
    expect(() => fitFeatureSet(new FeatureSet(spec), bad)).toThrow(/fraud label is 2/);
  });
});
