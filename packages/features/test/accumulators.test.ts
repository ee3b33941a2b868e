import { InvalidDataError, Table } from '@mlsd/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeFeatures, FeatureSet, OnlineFeatureState } from '../src/index.js';
import {
  type EventColumns,
  ExtremumAccumulator,
  FIXED_POINT_LIMIT,
  MomentsAccumulator,
  toFixedPoint,
} from '../src/internal.js';

function events(values: readonly number[]): EventColumns {
  return {
    times: new Float64Array(values.length),
    labels: new Uint8Array(0),
    labelTimes: new Float64Array(0),
    values: [Float64Array.from(values)],
    codes: [],
  };
}

const fixed = fc.integer({ min: -FIXED_POINT_LIMIT, max: FIXED_POINT_LIMIT });

describe('exact accumulators', () => {
  it('moments are exact whatever the order of additions and removals', () => {
    fc.assert(
      fc.property(
        fc.array(fixed, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 0, max: 39 }),
        (values, cut) => {
          const k = Math.min(cut, values.length);
          const columns = events(values);
          // Slide: add everything, remove the first k. Rebuild: add only the rest, backwards.
          const slid = new MomentsAccumulator(0, true);
          for (let p = 0; p < values.length; p++) slid.add(columns, p);
          for (let p = 0; p < k; p++) slid.remove(columns, p);
          const rebuilt = new MomentsAccumulator(0, true);
          for (let p = values.length - 1; p >= k; p--) rebuilt.add(columns, p);
          const kept = values.slice(k).map(BigInt);
          const sum = kept.reduce((a, b) => a + b, 0n);
          expect(slid.sum()).toBe(Number(sum));
          expect(rebuilt.sum()).toBe(Number(sum));
          expect(slid.std(kept.length)).toBe(rebuilt.std(kept.length));
          if (kept.length >= 2) {
            const n = BigInt(kept.length);
            const squares = kept.reduce((a, b) => a + b * b, 0n);
            const exact = Math.sqrt(Number(n * squares - sum * sum)) / kept.length;
            expect(Math.abs(slid.std(kept.length) - exact)).toBeLessThanOrEqual(
              1e-12 * Math.max(1, exact),
            );
          }
        },
      ),
      { numRuns: 300, seed: 3 },
    );
  });

  it('a spread far below the values is computed exactly (no cancellation)', () => {
    const columns = events([1e12, 1e12 + 1, 1e12 + 2, 1e12 + 3].map((v) => v - 2 ** 40 + 2 ** 39));
    const moments = new MomentsAccumulator(0, true);
    moments.addRange(columns, 0, 4);
    expect(moments.std(4)).toBe(Math.sqrt(1.25));
  });

  it('min and max follow a sliding window exactly', () => {
    fc.assert(
      fc.property(
        fc.array(fixed, { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 10 }),
        (values, width) => {
          const columns = events(values);
          const min = new ExtremumAccumulator(0, 'min');
          const max = new ExtremumAccumulator(0, 'max');
          for (let p = 0; p < values.length; p++) {
            min.add(columns, p);
            max.add(columns, p);
            if (p >= width) {
              min.remove(columns, p - width);
              max.remove(columns, p - width);
            }
            const window = values.slice(Math.max(0, p - width + 1), p + 1);
            expect(min.value()).toBe(Math.min(...window));
            expect(max.value()).toBe(Math.max(...window));
          }
        },
      ),
      { numRuns: 200, seed: 4 },
    );
  });

  it('refuses values outside the exact range, naming the column and the limit', () => {
    expect(toFixedPoint(10_995_116_277.76, 100)).toBe(FIXED_POINT_LIMIT);
    expect(toFixedPoint(10_995_116_277.77, 100)).toBeNaN();
    const features = new FeatureSet({
      version: 2,
      columns: { transactionId: 'id', time: 't', amount: 'amount' },
      precision: { amount: 0 },
      entities: [{ name: 'card', columns: ['card'] }],
      features: [{ kind: 'window', entity: 'card', windowDays: 1, aggregate: 'sum' }],
    });
    const table = new Table({
      id: ['a', 'b'],
      t: Float64Array.from([0, 1]),
      amount: Float64Array.from([1, 2 ** 41]),
      card: ['c', 'c'],
    });
    expect(() => computeFeatures(table, features)).toThrow(InvalidDataError);
    expect(() => computeFeatures(table, features)).toThrow(
      /"amount" row 1: value 2199023255552 is outside what window features can sum exactly \(\|value\| ≤ 1,099,511,627,776/,
    );
    const state = new OnlineFeatureState(features);
    expect(() => state.update({ id: 'a', t: 0, amount: 2 ** 41, card: 'c' })).toThrow(
      /amount is 2199023255552/,
    );
    // At the limit, sums of many events stay exact.
    const big = new Table({
      id: ['a', 'b', 'c'],
      t: Float64Array.from([0, 1, 2]),
      amount: Float64Array.from([2 ** 40, 2 ** 40, -1]),
      card: ['c', 'c', 'c'],
    });
    expect(Array.from(computeFeatures(big, features).values)).toEqual([
      2 ** 40,
      2 ** 41,
      2 ** 41 - 1,
    ]);
  });
});
