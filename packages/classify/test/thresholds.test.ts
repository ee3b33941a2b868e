import { InvalidDataError } from '@mlsd/core';
import { describe, expect, it } from 'vitest';
import {
  falseNegativeCost,
  thresholdForDailyBudget,
  thresholdForMinPrecision,
} from '../src/thresholds/threshold-policy.js';

describe('threshold policies', () => {
  // Two days, three cards a day; card-day maxima: day 0: .9 .6 .2, day 1: .8 .7 .1
  const transactions = {
    day: [0, 0, 0, 0, 1, 1, 1],
    card: [1, 1, 2, 3, 1, 2, 3],
    label: [1, 0, 0, 0, 0, 1, 0],
    score: [0.9, 0.3, 0.6, 0.2, 0.8, 0.7, 0.1],
  };

  it('keeps the mean number of flagged cards per day within the budget', () => {
    const choice = thresholdForDailyBudget(transactions, 1);
    // 2 card-days allowed over 2 days: the top two maxima are .9 and .8
    expect(choice.threshold).toBe(0.8);
    expect(choice.recall).toBe(0.5);
    const two = thresholdForDailyBudget(transactions, 2);
    expect(two.threshold).toBe(0.6);
    expect(two.recall).toBe(1);
  });

  it('finds the lowest threshold meeting a precision floor', () => {
    const labels = [1, 1, 0, 1, 0, 0];
    const scores = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4];
    // precision at .9: 1, .8: 1, .7: 2/3, .6: 3/4, .5: 3/5
    expect(thresholdForMinPrecision(labels, scores, 0.75).threshold).toBe(0.6);
    expect(thresholdForMinPrecision(labels, scores, 1).threshold).toBe(0.8);
    expect(() => thresholdForMinPrecision([0, 1], [0.9, 0.1], 0.9)).toThrow(InvalidDataError);
  });

  it('reports the frauds a threshold misses and their amount', () => {
    const cost = falseNegativeCost([1, 1, 0, 1], [0.9, 0.2, 0.8, 0.4], [100, 25.5, 10, 4.5], 0.5);
    expect(cost).toEqual({ threshold: 0.5, count: 2, amount: 30, share: 2 / 3 });
  });
});
