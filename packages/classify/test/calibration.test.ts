import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError, InvalidDataError, Rng } from '@mlsd/core';
import { describe, expect, it } from 'vitest';
import {
  averagePrecision,
  brierScore,
  CalibratedClassifier,
  classifierRegistry,
  expectedValueThreshold,
  GradientBoostingClassifier,
  ISOTONIC_TIE_BREAK,
  IsotonicCalibrator,
  PlattCalibrator,
  reliabilityCurve,
  rocAuc,
  thresholdForCost,
} from '../src/index.js';
import { logistic, makeData } from './gbdt-data.js';

interface Fixture {
  platt: {
    name: string;
    scores: number[];
    labels: number[];
    weights?: number[];
    a: number;
    b: number;
    sklearnA: number;
    sklearnB: number;
  }[];
  isotonic: {
    name: string;
    scores: number[];
    labels: number[];
    weights?: number[];
    probe: number[];
    predicted: number[];
  }[];
  brier: {
    labels: number[];
    probabilities: number[];
    weights: number[];
    brier: number;
    weightedBrier: number;
    curves: {
      strategy: 'uniform' | 'quantile';
      bins: number;
      fractionPositive: number[];
      meanPredicted: number[];
    }[];
  };
}

const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/sklearn-calibration.json', import.meta.url), 'utf8'),
) as Fixture;

describe('calibration against scikit-learn (fixtures/make-calibration-fixture.py)', () => {
  for (const c of fixture.platt) {
    it(`Platt scaling: ${c.name}`, async () => {
      const platt = await new PlattCalibrator({ input: 'log-odds' }).fit(
        c.scores,
        c.labels,
        c.weights,
      );
      const { slope, intercept } = platt.coefficients;
      // scikit-learn writes p = 1 / (1 + exp(a·f + b)).
      expect(slope).toBeCloseTo(-c.a, 7);
      expect(intercept).toBeCloseTo(-c.b, 7);
      expect(slope).toBeCloseTo(-c.sklearnA, 3);
      expect(intercept).toBeCloseTo(-c.sklearnB, 3);
      const p = platt.transform([0]);
      expect(p[0]).toBeCloseTo(1 / (1 + Math.exp(c.b)), 7);
    });
  }

  for (const c of fixture.isotonic) {
    it(`isotonic regression: ${c.name}`, async () => {
      const iso = await new IsotonicCalibrator({ ties: 'keep' }).fit(c.scores, c.labels, c.weights);
      const predicted = iso.transform(c.probe);
      for (const [i, value] of c.predicted.entries()) expect(predicted[i]).toBeCloseTo(value, 12);
      // Breaking ties (the default) moves no probability by more than ISOTONIC_TIE_BREAK.
      const broken = (await new IsotonicCalibrator().fit(c.scores, c.labels, c.weights)).transform(
        c.probe,
      );
      for (const [i, value] of c.predicted.entries()) {
        expect(Math.abs(broken[i]! - value)).toBeLessThanOrEqual(ISOTONIC_TIE_BREAK);
      }
    });
  }

  it('isotonic calibration keeps the order of distinct scores by default, and ties them with ties: keep', async () => {
    // Labels that force pooling: the step function is flat over most of the range.
    const rng = new Rng(7);
    const scores = Float64Array.from({ length: 2_000 }, () => rng.uniform());
    const labels = Float64Array.from(scores, (s) => (rng.uniform() < s * s ? 1 : 0));
    const probe = Float64Array.from({ length: 500 }, (_, i) => (i + 0.5) / 500);
    const kept = (await new IsotonicCalibrator({ ties: 'keep' }).fit(scores, labels)).transform(
      probe,
    );
    const broken = (await new IsotonicCalibrator().fit(scores, labels)).transform(probe);
    expect(new Set(kept).size).toBeLessThan(probe.length / 2);
    for (let i = 1; i < probe.length; i++) expect(broken[i]).toBeGreaterThan(broken[i - 1]!);
    const restored = IsotonicCalibrator.fromJSON(
      JSON.parse(JSON.stringify(await new IsotonicCalibrator().fit(scores, labels))),
    );
    expect([...restored.transform(probe)]).toEqual([...broken]);
  });

  it('Brier score and reliability curves', () => {
    const b = fixture.brier;
    expect(brierScore(b.labels, b.probabilities)).toBeCloseTo(b.brier, 14);
    expect(brierScore(b.labels, b.probabilities, b.weights)).toBeCloseTo(b.weightedBrier, 14);
    for (const curve of b.curves) {
      const ours = reliabilityCurve(b.labels, b.probabilities, {
        bins: curve.bins,
        strategy: curve.strategy,
      });
      expect([...ours.fractionPositive]).toHaveLength(curve.fractionPositive.length);
      for (const [i, v] of curve.fractionPositive.entries()) {
        expect(ours.fractionPositive[i]).toBeCloseTo(v, 12);
      }
      for (const [i, v] of curve.meanPredicted.entries()) {
        expect(ours.meanPredicted[i]).toBeCloseTo(v, 12);
      }
    }
  });
});

describe('CalibratedClassifier', () => {
  // Rare positives; balanced class weights make the trees' probabilities far too high.
  const rare = (row: Float64Array) => logistic(-3.5 + 1.5 * row[0]! + row[1]!);
  const train = makeData(4000, 4, rare, 51);
  const held = makeData(4000, 4, rare, 52);
  const test = makeData(6000, 4, rare, 53);

  it('brings class-weighted scores back to probabilities without reordering them (Platt)', async () => {
    const base = new GradientBoostingClassifier({
      maxIter: 60,
      maxDepth: 3,
      maxLeafNodes: null,
      classWeight: 'balanced',
      seed: 1,
    });
    const model = await new CalibratedClassifier(base, 'gbdt', 'platt').fit(train.X, train.y, {
      calibration: held,
    });
    const raw = base.predictProba(test.X);
    const calibrated = model.predictProba(test.X);
    const positives = test.y.reduce((a, b) => a + b, 0) / test.y.length;
    const mean = (v: Float64Array) => v.reduce((a, b) => a + b, 0) / v.length;
    expect(mean(raw)).toBeGreaterThan(3 * positives);
    expect(Math.abs(mean(calibrated) - positives)).toBeLessThan(0.3 * positives);
    expect(brierScore(test.y, calibrated)).toBeLessThan(0.5 * brierScore(test.y, raw));
    // Monotone: same ranking.
    expect(rocAuc(test.y, calibrated)).toBeCloseTo(rocAuc(test.y, raw), 12);
    expect(averagePrecision(test.y, calibrated)).toBeCloseTo(averagePrecision(test.y, raw), 12);
  });

  it('saves and loads through the registry under the base kind (isotonic)', async () => {
    const base = classifierRegistry.create('gbdt', { seed: 2, classWeight: 'balanced' });
    const model = await new CalibratedClassifier(base, 'gbdt', 'isotonic').fit(train.X, train.y, {
      calibration: held,
    });
    const dir = join(await mkdtemp(join(tmpdir(), 'mlsd-calibrated-')), 'model');
    await model.save(dir);
    const loaded = await classifierRegistry.load('gbdt', dir);
    expect(loaded).toBeInstanceOf(CalibratedClassifier);
    expect([...loaded.predictProba(test.X)]).toEqual([...model.predictProba(test.X)]);
    expect((loaded as CalibratedClassifier).method).toBe('isotonic');
  });

  it('refuses to calibrate on the training rows or on one class', async () => {
    const model = new CalibratedClassifier(new GradientBoostingClassifier(), 'gbdt', 'platt');
    await expect(model.fit(train.X, train.y)).rejects.toThrow(InvalidArgumentError);
    await expect(new PlattCalibrator().fit([0.1, 0.2], [0, 0])).rejects.toThrow(InvalidDataError);
    await expect(new PlattCalibrator().fit([0.1, 1.2], [0, 1])).rejects.toThrow(/log-odds/);
  });
});

describe('cost threshold', () => {
  it('alerts while a fraud caught is worth more than an alert, ties together', () => {
    const choice = thresholdForCost(
      {
        label: [1, 0, 1, 0, 0, 1, 0],
        amount: [100, 50, 30, 10, 10, 500, 20],
        score: [0.9, 0.8, 0.7, 0.6, 0.6, 0.1, 0.05],
      },
      { costPerAlert: 20 },
    );
    // Cut after 0.9: 100 − 20 = 80; after 0.8: 60; after 0.7: 70; after the tie at 0.6: 30;
    // after 0.1: 490; after 0.05: 470.
    expect(choice.threshold).toBe(0.1);
    expect(choice.alerts).toBe(6);
    expect(choice.caughtFrauds).toBe(3);
    expect(choice.caughtAmount).toBe(630);
    expect(choice.netSavings).toBe(630 - 6 * 20);
    const half = thresholdForCost(
      { label: [1, 0], amount: [10, 10], score: [0.9, 0.1] },
      { costPerAlert: 20, recoveryRate: 0.5 },
    );
    expect(half.threshold).toBe(Number.POSITIVE_INFINITY);
    expect(half.netSavings).toBe(0);
  });

  it('gives the probability an alert needs to pay for itself', () => {
    expect(expectedValueThreshold(200, { costPerAlert: 10 })).toBe(0.05);
    expect(expectedValueThreshold(200, { costPerAlert: 10, recoveryRate: 0.5 })).toBe(0.1);
    expect(expectedValueThreshold(0, { costPerAlert: 10 })).toBe(Number.POSITIVE_INFINITY);
    expect(() => expectedValueThreshold(10, { costPerAlert: -1 })).toThrow(/costPerAlert/);
  });

  it('puts a constant score in one bin and refuses values outside [0, 1]', () => {
    const curve = reliabilityCurve([0, 1, 0, 0], [0.25, 0.25, 0.25, 0.25], { bins: 4 });
    expect([...curve.count]).toEqual([4]);
    expect([...curve.fractionPositive]).toEqual([0.25]);
    expect(() => reliabilityCurve([0, 1], [0.5, 1.5])).toThrow(InvalidDataError);
  });
});
