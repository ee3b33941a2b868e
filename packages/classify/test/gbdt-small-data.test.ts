import { DimensionMismatchError, InvalidArgumentError, type Matrix, toMatrix } from '@mlsd/core';
import { describe, expect, it } from 'vitest';
import {
  averagePrecision,
  classifierRegistry,
  GBDT_SMALL_DATA_DEFAULTS,
  GradientBoostingClassifier,
} from '../src/index.js';
import { findBinEdges } from '../src/models/gbdt/bin-mapper.js';
import { logistic, makeData } from './gbdt-data.js';

/** P(y = 1) rises with x0 overall but dips in the middle: unconstrained trees follow the dip. */
const wavy = (row: Float64Array) => logistic(1.5 * row[0]! - 3 * Math.sin(2.5 * row[0]!) + row[1]!);

/** Rows along x0 ∈ [−2.5, 2.5] for each of a few fixed backgrounds (x1, x2). */
function sweeps(cols: number): { X: Matrix<Float64Array>; steps: number; backgrounds: number } {
  const steps = 60;
  const backgrounds = [
    [-1, 0.5],
    [0, 0],
    [1.2, -0.7],
    [Number.NaN, 2],
  ];
  const data = new Float64Array(steps * backgrounds.length * cols);
  let r = 0;
  for (const background of backgrounds) {
    for (let k = 0; k < steps; k++, r++) {
      data[r * cols] = -2.5 + (5 * k) / (steps - 1);
      data[r * cols + 1] = background[0]!;
      data[r * cols + 2] = background[1]!;
    }
  }
  return { X: toMatrix(data, r, cols), steps, backgrounds: backgrounds.length };
}

/** Largest step against `direction` along x0 within any background sweep. */
function worstViolation(p: Float64Array, steps: number, sweepsCount: number, direction: 1 | -1) {
  let worst = 0;
  for (let s = 0; s < sweepsCount; s++) {
    for (let k = 1; k < steps; k++) {
      const delta = direction * (p[s * steps + k]! - p[s * steps + k - 1]!);
      worst = Math.min(worst, delta);
    }
  }
  return worst;
}

describe('GradientBoostingClassifier: monotonic constraints', () => {
  const train = makeData(4000, 3, wavy, 21);
  const probe = sweeps(3);

  it('keeps predictions monotone in a constrained feature, where free trees are not', async () => {
    const options = { maxIter: 60, maxDepth: 4, maxLeafNodes: null, learningRate: 0.2 };
    const free = await new GradientBoostingClassifier(options).fit(train.X, train.y);
    const freeP = free.predictProba(probe.X);
    expect(worstViolation(freeP, probe.steps, probe.backgrounds, 1)).toBeLessThan(-0.01);

    const rising = await new GradientBoostingClassifier({
      ...options,
      monotonicConstraints: [1, 0, 0],
    }).fit(train.X, train.y);
    const p = rising.predictProba(probe.X);
    expect(worstViolation(p, probe.steps, probe.backgrounds, 1)).toBeGreaterThanOrEqual(0);
    // Still learns: x0 raises the probability from one end of the sweep to the other.
    expect(p[probe.steps - 1]! - p[0]!).toBeGreaterThan(0.3);
  });

  it('takes constraints by column name and in the falling direction', async () => {
    const named = toMatrix(train.X.data, train.X.rows, 3, ['amount', 'velocity', 'noise']);
    const flipped = Float64Array.from(named.data, (v, i) => (i % 3 === 0 ? -v : v));
    const X = toMatrix(flipped, named.rows, 3, named.columnNames);
    const model = await new GradientBoostingClassifier({
      maxIter: 40,
      maxDepth: 3,
      maxLeafNodes: null,
      monotonicConstraints: { amount: -1 },
    }).fit(X, train.y);
    const probeNamed = toMatrix(probe.X.data, probe.X.rows, 3, named.columnNames);
    const p = model.predictProba(probeNamed);
    expect(worstViolation(p, probe.steps, probe.backgrounds, -1)).toBeGreaterThanOrEqual(0);
    expect(p[0]! - p[probe.steps - 1]!).toBeGreaterThan(0.3);
  });

  it('refuses constraints that do not match the columns', async () => {
    await expect(
      new GradientBoostingClassifier({ maxIter: 2, monotonicConstraints: [1, 0] }).fit(
        train.X,
        train.y,
      ),
    ).rejects.toBeInstanceOf(DimensionMismatchError);
    const named = toMatrix(train.X.data, train.X.rows, 3, ['amount', 'velocity', 'noise']);
    await expect(
      new GradientBoostingClassifier({ maxIter: 2, monotonicConstraints: { amuont: 1 } }).fit(
        named,
        train.y,
      ),
    ).rejects.toThrow(/did you mean "amount"/);
    expect(
      () => new GradientBoostingClassifier({ monotonicConstraints: [2, 0, 0] as never }),
    ).toThrow(InvalidArgumentError);
  });
});

describe('GradientBoostingClassifier: early stopping on average precision', () => {
  // About 3 % positives, a signal in two features and noise in six.
  const rare = (row: Float64Array) => logistic(-4.2 + 1.6 * row[0]! + row[1]! * row[2]!);
  const train = makeData(6000, 8, rare, 31);

  it('records the validation AP per tree and keeps the trees up to the best one', async () => {
    const model = await new GradientBoostingClassifier({
      maxIter: 300,
      learningRate: 0.3,
      earlyStopping: true,
      earlyStoppingMetric: 'average-precision',
      restoreBestIteration: true,
      nIterNoChange: 15,
      tol: 0,
      seed: 2,
    }).fit(train.X, train.y);
    const precisions = model.validationAveragePrecision;
    expect(precisions.length).toBe(model.nIter);
    expect(model.nIter).toBeLessThan(300);
    // The last kept tree is the best one seen.
    expect(precisions[precisions.length - 1]).toBe(Math.max(...precisions));
    expect(model.validationLoss.length).toBe(model.nIter + 1);

    const unrestored = await new GradientBoostingClassifier({
      maxIter: 300,
      learningRate: 0.3,
      earlyStopping: true,
      earlyStoppingMetric: 'average-precision',
      nIterNoChange: 15,
      tol: 0,
      seed: 2,
    }).fit(train.X, train.y);
    // Without restoring, the model keeps the patience window of trees past the best.
    expect(unrestored.nIter).toBe(model.nIter + 15);
  });

  it('restores the best log-loss iteration when asked', async () => {
    const model = await new GradientBoostingClassifier({
      maxIter: 200,
      learningRate: 0.5,
      earlyStopping: true,
      restoreBestIteration: true,
      nIterNoChange: 10,
    }).fit(train.X, train.y);
    const losses = model.validationLoss;
    expect(losses[losses.length - 1]).toBe(Math.min(...losses.subarray(1)));
    expect(model.validationAveragePrecision.length).toBe(0);
  });
});

describe('the gbdt kind: defaults for small imbalanced data', () => {
  it('builds depth-limited trees with a hessian floor and stops on validation AP', async () => {
    const rare = (row: Float64Array) => logistic(-4.5 + 1.5 * row[0]! + row[1]!);
    const train = makeData(5000, 6, rare, 41);
    const test = makeData(5000, 6, rare, 42);
    const model = classifierRegistry.create('gbdt', { seed: 1 }) as GradientBoostingClassifier;
    expect(model.params.maxDepth).toBe(GBDT_SMALL_DATA_DEFAULTS.maxDepth);
    await model.fit(train.X, train.y);
    const { feature, left, right, treeStarts } = model.trees;
    const depth = (node: number): number =>
      feature[node]! < 0 ? 0 : 1 + Math.max(depth(left[node]!), depth(right[node]!));
    for (let t = 0; t + 1 < treeStarts.length; t++) {
      expect(depth(treeStarts[t]!)).toBeLessThanOrEqual(GBDT_SMALL_DATA_DEFAULTS.maxDepth);
    }
    expect(model.validationAveragePrecision.length).toBe(model.nIter);
    // Sanity: far better than the ~2 % a random ranking gets.
    expect(averagePrecision(test.y, model.predictProba(test.X))).toBeGreaterThan(0.1);
  });
});

describe('class-balanced bin edges', () => {
  // Positives only beyond the 99.7th percentile of x0, where quantile bins are few and wide.
  const tail = (row: Float64Array) => (row[0]! > 2.75 ? 0.9 : 0.002);
  const train = makeData(20_000, 3, tail, 61);
  const test = makeData(20_000, 3, tail, 62);

  it('puts half the edges where the positives lie', () => {
    const quantile = findBinEdges(train.X, 63);
    const balanced = findBinEdges(train.X, 63, undefined, train.y);
    const above = (edges: Float64Array) => edges.filter((e) => e > 2.5).length;
    expect(above(quantile.edges[0]!)).toBeLessThanOrEqual(1);
    expect(above(balanced.edges[0]!)).toBeGreaterThan(15);
    // Edges stay ascending and inside the data.
    const e = balanced.edges[0]!;
    for (let k = 1; k < e.length; k++) expect(e[k]!).toBeGreaterThan(e[k - 1]!);
    // Few distinct values: midpoints, whatever the labels.
    const flags = toMatrix(
      Float64Array.from({ length: 100 }, (_, i) => i % 3),
      100,
      1,
    );
    const y = Uint8Array.from({ length: 100 }, (_, i) => (i % 7 === 0 ? 1 : 0));
    expect([...findBinEdges(flags, 63, undefined, y).edges[0]!]).toEqual([0.5, 1.5]);
  });

  it('finds a threshold in the far tail that quantile bins blur', async () => {
    const options = { maxIter: 30, maxDepth: 2, maxLeafNodes: null, maxBins: 63, seed: 1 };
    const plain = await new GradientBoostingClassifier(options).fit(train.X, train.y);
    const balanced = await new GradientBoostingClassifier({
      ...options,
      binning: 'class-balanced',
    }).fit(train.X, train.y);
    const apPlain = averagePrecision(test.y, plain.predictProba(test.X));
    const apBalanced = averagePrecision(test.y, balanced.predictProba(test.X));
    expect(apBalanced).toBeGreaterThan(apPlain + 0.05);
  });
});
