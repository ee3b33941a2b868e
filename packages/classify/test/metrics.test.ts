import { DimensionMismatchError, InvalidArgumentError, InvalidDataError } from '@mlsd/core';
import { describe, expect, it } from 'vitest';
import { bootstrapInterval } from '../src/metrics/bootstrap.js';
import {
  cardPrecisionAtK,
  rankCardsDaily,
  recallAtDailyBudget,
} from '../src/metrics/card-alerts.js';
import { averagePrecision } from '../src/metrics/precision-recall.js';
import { rocAuc } from '../src/metrics/roc.js';
import { confusionMatrix, precisionAtK } from '../src/metrics/threshold-metrics.js';

describe('ROC AUC and average precision by hand', () => {
  it('counts a tied positive/negative pair as half', () => {
    // pairs (pos, neg): (0.9, 0.5) ok, (0.9, 0.2) ok, (0.5, 0.5) tie, (0.5, 0.2) ok -> 3.5 / 4
    expect(rocAuc([1, 1, 0, 0], [0.9, 0.5, 0.5, 0.2])).toBeCloseTo(0.875, 15);
  });

  it('is the step-wise sum, not the trapezoid', () => {
    // ranked: 1 (P=1, R=.5), 0, 1 (P=2/3, R=1) -> AP = .5·1 + .5·2/3
    expect(averagePrecision([1, 0, 1], [0.9, 0.8, 0.7])).toBeCloseTo(0.5 + 1 / 3, 15);
  });

  it('rejects one-class input, bad labels, NaN scores and length mismatches', () => {
    expect(() => rocAuc([1, 1], [0.1, 0.2])).toThrow(InvalidDataError);
    expect(() => rocAuc([0, 2], [0.1, 0.2])).toThrow(/labels must be 0 or 1/);
    expect(() => rocAuc([0, 1], [0.1, Number.NaN])).toThrow(/index 1 is NaN/);
    expect(() => averagePrecision([0, 1, 1], [0.1, 0.2])).toThrow(DimensionMismatchError);
    expect(() => rocAuc([0, 1], [0.1, 0.2], [1, -1])).toThrow(/weights must be finite and >= 0/);
  });
});

describe('card precision@k and recall at a daily budget', () => {
  // Day 0: card 1 (fraud, score .9), card 2 (legit, .8), card 3 (fraud, .3)
  // Day 1: card 1 again (fraud, .95: already detected -> left out), card 3 (fraud, .7),
  //        card 4 (legit, .6), card 4 (legit, .1)
  const transactions = {
    day: [0, 0, 0, 1, 1, 1, 1],
    card: [1, 2, 3, 1, 3, 4, 4],
    label: [1, 0, 1, 1, 1, 0, 0],
    score: [0.9, 0.8, 0.3, 0.95, 0.7, 0.6, 0.1],
  };

  it('ranks cards per day by their highest score and drops cards detected earlier', () => {
    const alerts = rankCardsDaily(transactions, 2);
    expect([...alerts.days]).toEqual([0, 1]);
    // day 0: top 2 = cards 1, 2 -> 1 compromised; day 1: card 1 dropped, top 2 = 3, 4 -> 1
    expect([...alerts.caught]).toEqual([1, 1]);
    expect([...alerts.compromised]).toEqual([2, 1]);
    expect([...alerts.cardPrecision]).toEqual([0.5, 0.5]);
    expect(cardPrecisionAtK(transactions, 2)).toBe(0.5);
    // caught 2 of 3 compromised card-days
    expect(recallAtDailyBudget(transactions, 2)).toBeCloseTo(2 / 3, 15);
  });

  it('divides by k even when fewer cards transact', () => {
    // day 0 with k = 10: all 3 cards investigated, cards 1 and 3 detected -> 2/10;
    // day 1: cards 1 and 3 are known, only card 4 (legit) is left -> 0/10
    expect(cardPrecisionAtK(transactions, 10)).toBeCloseTo((0.2 + 0) / 2, 15);
    expect(recallAtDailyBudget(transactions, 10)).toBe(1);
  });

  it('validates its input', () => {
    expect(() => cardPrecisionAtK(transactions, 0)).toThrow(InvalidArgumentError);
    expect(() => cardPrecisionAtK({ ...transactions, day: [0, 1] }, 2)).toThrow(
      DimensionMismatchError,
    );
  });
});

describe('threshold metrics', () => {
  it('builds the confusion matrix at score >= threshold', () => {
    const m = confusionMatrix([1, 0, 1, 0, 1], [0.9, 0.8, 0.4, 0.1, 0.5], 0.5);
    expect(m).toMatchObject({
      truePositives: 2,
      falsePositives: 1,
      trueNegatives: 1,
      falseNegatives: 1,
    });
    expect(m.precision).toBeCloseTo(2 / 3, 15);
    expect(m.recall).toBeCloseTo(2 / 3, 15);
    expect(m.falsePositiveRate).toBe(0.5);
  });

  it('takes precision among the top k, dividing by k', () => {
    expect(precisionAtK([1, 0, 1, 0], [0.9, 0.8, 0.4, 0.1], 2)).toBe(0.5);
    expect(precisionAtK([1, 0], [0.9, 0.8], 4)).toBe(0.25);
  });
});

describe('bootstrap intervals', () => {
  const n = 400;
  const labels = Array.from({ length: n }, (_, i) => (i % 5 === 0 ? 1 : 0));
  const scores = labels.map((label, i) => label * 0.8 + ((i * 7919) % 101) / 101);

  it('brackets the estimate and is repeatable for a seed', () => {
    const a = bootstrapInterval(labels, scores, rocAuc, { seed: 3, resamples: 100 });
    const b = bootstrapInterval(labels, scores, rocAuc, { seed: 3, resamples: 100 });
    expect(a).toEqual(b);
    expect(a.low).toBeLessThan(a.estimate);
    expect(a.high).toBeGreaterThan(a.estimate);
    expect(a.resamples).toBe(100);
    const c = bootstrapInterval(labels, scores, rocAuc, { seed: 4, resamples: 100 });
    expect(c.low).not.toBe(a.low);
  });

  it('narrows as the level drops', () => {
    const wide = bootstrapInterval(labels, scores, averagePrecision, {
      level: 0.95,
      resamples: 200,
    });
    const narrow = bootstrapInterval(labels, scores, averagePrecision, {
      level: 0.5,
      resamples: 200,
    });
    expect(narrow.high - narrow.low).toBeLessThan(wide.high - wide.low);
  });
});
