import { InvalidArgumentError, InvalidDataError, NotFoundError, Rng, toMatrix } from '@mlsd/core';
import { describe, expect, it } from 'vitest';
import {
  averagePrecision,
  cardPrecisionMetric,
  classifierRegistry,
  discreteSize,
  GradientBoostingClassifier,
  gridCandidates,
  netSavingsMetric,
  parseParamSpace,
  prequentialSplits,
  randomCandidates,
  renderSearchSection,
  searchModels,
} from '../src/index.js';
import { GAUSSIAN_NB } from './fixtures/gaussian-nb.js';

/** 30 days of 150 transactions a day over 40 cards; ~6 % frauds driven by two of five features. */
function dailyData(seed = 1) {
  const rng = new Rng(seed);
  const perDay = 150;
  const days = 30;
  const n = perDay * days;
  const cols = 5;
  const X = new Float32Array(n * cols);
  const y = new Uint8Array(n);
  const day = new Int32Array(n);
  const card = new Int32Array(n);
  const amount = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < cols; j++) X[i * cols + j] = rng.normal();
    const z = -3.4 + 1.4 * X[i * cols]! + X[i * cols + 1]! * X[i * cols + 2]!;
    y[i] = rng.next() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
    day[i] = Math.floor(i / perDay);
    card[i] = rng.integer(0, 40);
    amount[i] = 10 + 100 * rng.next();
  }
  const folds = prequentialSplits(
    { day, card, label: y },
    { trainStartDay: 16, trainDays: 7, delayDays: 0, testDays: 7, stepDays: 7, folds: 3 },
  );
  return { X: toMatrix(X, n, cols), y, day, card, amount, folds };
}

const data = dailyData();
const GBDT_SPACE = {
  maxDepth: [2, 3],
  learningRate: { low: 0.05, high: 0.3, log: true },
  maxIter: { low: 10, high: 40, integer: true },
};

describe('parameter spaces', () => {
  it('expands a grid in a stable order, ranges into evenly (log-)spaced points', () => {
    const space = parseParamSpace({
      maxDepth: [2, 3],
      learningRate: { low: 0.01, high: 1, log: true },
    });
    const grid = gridCandidates(space, 3);
    expect(grid).toHaveLength(6);
    expect(grid[0]).toEqual({ maxDepth: 2, learningRate: 0.01 });
    expect(grid[1]!.learningRate).toBeCloseTo(0.1, 12);
    expect(grid[5]).toEqual({ maxDepth: 3, learningRate: 1 });
    expect(discreteSize(space)).toBe(Number.POSITIVE_INFINITY);
  });

  it('draws distinct random candidates inside the ranges, and every point of a small space', () => {
    const space = parseParamSpace({
      trees: { low: 10, high: 1000, log: true, integer: true },
      rate: { low: 0.2, high: 0.4 },
      kind: ['a', 'b'],
    });
    const draws = randomCandidates(space, 200, new Rng(3));
    expect(new Set(draws.map((d) => JSON.stringify(d))).size).toBe(200);
    for (const d of draws) {
      expect(Number.isInteger(d.trees)).toBe(true);
      expect(d.trees as number).toBeGreaterThanOrEqual(10);
      expect(d.trees as number).toBeLessThanOrEqual(1000);
      expect(d.rate as number).toBeGreaterThanOrEqual(0.2);
      expect(d.rate as number).toBeLessThan(0.4);
    }
    // Log-uniform: about as many draws below 100 as above.
    const below = draws.filter((d) => (d.trees as number) < 100).length;
    expect(below).toBeGreaterThan(70);
    expect(below).toBeLessThan(130);
    const small = parseParamSpace({ depth: { low: 1, high: 3, integer: true }, w: ['x', 'y'] });
    expect(discreteSize(small)).toBe(6);
    const all = randomCandidates(small, 50, new Rng(1));
    expect(all).toHaveLength(6);
    expect(new Set(all.map((d) => JSON.stringify(d))).size).toBe(6);
  });

  it('refuses spaces that cannot be searched, naming the entry', () => {
    expect(() => parseParamSpace({ rate: { low: 0, high: 1, log: true } })).toThrow(
      /rate: a log range needs low > 0/,
    );
    expect(() => parseParamSpace({ depth: [] })).toThrow(InvalidArgumentError);
    expect(() => parseParamSpace({ depth: { low: 3, high: 2 } })).toThrow(/low must be below high/);
  });
});

describe('searchModels', () => {
  it('scores every candidate on every fold, exactly as fitting it by hand would', async () => {
    const { table, bestScores } = await searchModels(data, {
      estimators: [{ kind: 'gbdt', space: GBDT_SPACE, fixed: { seed: 1, earlyStopping: false } }],
      folds: data.folds,
      strategy: 'random',
      candidates: 6,
      workers: 0,
    });
    expect(table.candidates).toHaveLength(6);
    expect(table.fits).toBe(18);
    expect(table.metric).toBe('average precision');
    expect(table.candidates.map((c) => c.rank)).toEqual([1, 2, 3, 4, 5, 6]);
    for (let k = 1; k < 6; k++) {
      expect(table.candidates[k]!.mean).toBeLessThanOrEqual(table.candidates[k - 1]!.mean);
    }
    const best = table.best;
    expect(best.mean).toBeCloseTo((best.scores[0]! + best.scores[1]! + best.scores[2]!) / 3, 12);
    expect(best.std).toBeGreaterThan(0);
    // Refit the winner on the last fold by hand: same scores, same AP.
    const fold = data.folds[2]!;
    const take = (rows: Int32Array) =>
      toMatrix(
        Float32Array.from(
          { length: rows.length * 5 },
          (_, k) => data.X.data[rows[Math.floor(k / 5)]! * 5 + (k % 5)]!,
        ),
        rows.length,
        5,
      );
    const model = await new GradientBoostingClassifier({
      ...(classifierRegistry.get('gbdt').create({}) as GradientBoostingClassifier).params,
      ...best.params,
    }).fit(
      take(fold.train),
      Uint8Array.from(fold.train, (r) => data.y[r]!),
    );
    const scores = model.predictProba(take(fold.test));
    expect([...bestScores[2]!]).toEqual([...scores]);
    const labels = Uint8Array.from(fold.test, (r) => data.y[r]!);
    expect(best.scores[2]).toBe(averagePrecision(labels, scores));
    expect(table.folds[2]).toEqual({
      trainRows: fold.train.length,
      testRows: fold.test.length,
      testPositives: labels.reduce((a, b) => a + b, 0),
    });
  });

  it('runs a grid over several kinds, with a card-precision or a cost metric', async () => {
    const { table } = await searchModels(data, {
      estimators: [
        { kind: 'logreg', space: { C: [0.01, 1] } },
        { kind: 'gbdt', space: { maxDepth: [2, 3] }, fixed: { maxIter: 15, seed: 0 } },
      ],
      folds: data.folds,
      strategy: 'grid',
      metric: cardPrecisionMetric({ day: data.day, card: data.card, label: data.y }, 5),
      workers: 0,
    });
    expect(table.candidates.map((c) => c.kind).sort()).toEqual([
      'gbdt',
      'gbdt',
      'logreg',
      'logreg',
    ]);
    expect(table.metric).toBe('card precision@5');
    for (const c of table.candidates) {
      for (const s of c.scores) expect(s).toBeGreaterThanOrEqual(0);
      for (const s of c.scores) expect(s).toBeLessThanOrEqual(1);
    }
    const costly = await searchModels(data, {
      estimators: [{ kind: 'logreg', space: { C: [0.01, 1] } }],
      folds: data.folds,
      strategy: 'grid',
      metric: netSavingsMetric({ label: data.y, amount: data.amount }, { costPerAlert: 20 }),
      workers: 0,
    });
    expect(costly.table.metric).toBe('net savings per transaction');
    expect(costly.table.best.mean).toBeGreaterThan(0);
  });

  it('halves: each round keeps the best third on three times the rows', async () => {
    const { table } = await searchModels(data, {
      estimators: [{ kind: 'gbdt', space: GBDT_SPACE, fixed: { seed: 2 } }],
      folds: data.folds,
      strategy: 'halving',
      candidates: 9,
      workers: 0,
    });
    expect(table.rounds.map((r) => r.candidates)).toEqual([9, 3, 1]);
    expect(table.rounds.map((r) => r.resource)).toEqual([1 / 9, 1 / 3, 1]);
    expect(table.fits).toBe((9 + 3 + 1) * 3);
    expect(table.best.rounds).toBe(3);
    expect(table.best.resource).toBe(1);
    expect(table.candidates.filter((c) => c.rounds === 2)).toHaveLength(2);
    expect(table.candidates.slice(1, 3).every((c) => c.rounds === 2)).toBe(true);
    const html = renderSearchSection(table);
    expect(html).toContain('<svg');
    expect(html).toContain('9 × 0.111 → 3 × 0.333 → 1 × 1');

    const byTrees = await searchModels(data, {
      estimators: [{ kind: 'gbdt', space: { maxDepth: [1, 2, 3] }, fixed: { seed: 2 } }],
      folds: data.folds,
      strategy: 'halving',
      candidates: 3,
      halving: { resource: 'maxIter', minResource: 10, maxResource: 30 },
      workers: 0,
    });
    expect(byTrees.table.rounds).toEqual([
      { resource: 10, candidates: 3 },
      { resource: 30, candidates: 1 },
    ]);
  });

  it('gives the same table on worker threads as in this thread, outside kinds and fold-own features included', async () => {
    const options = {
      estimators: [{ kind: 'gbdt', space: GBDT_SPACE, fixed: { seed: 3 } }, { kind: GAUSSIAN_NB }],
      folds: data.folds,
      strategy: 'random' as const,
      candidates: 6,
    };
    const local = await searchModels(data, { ...options, workers: 0 });
    // Fold 1 brings its own features (the same values, laid out train rows then test rows):
    // the fits must read them there and give the same table.
    const fold = data.folds[1]!;
    const rows = Int32Array.from([...fold.train, ...fold.test]);
    const own = toMatrix(
      Float32Array.from(
        { length: rows.length * 5 },
        (_, k) => data.X.data[rows[Math.floor(k / 5)]! * 5 + (k % 5)]!,
      ),
      rows.length,
      5,
    );
    const folds = data.folds.map((f, k) =>
      k === 1 ? { train: f.train, test: f.test, X: own } : f,
    );
    const parallel = await searchModels(data, { ...options, folds, workers: 2 });
    expect(parallel.table.workers).toBe(2);
    expect(local.table.workers).toBe(1);
    const strip = (t: typeof local.table) => t.candidates.map(({ fitSeconds: _, ...c }) => c);
    expect(strip(parallel.table)).toEqual(strip(local.table));
    expect(parallel.table.candidates.some((c) => c.kind === GAUSSIAN_NB)).toBe(true);
    expect([...parallel.bestScores[0]!]).toEqual([...local.bestScores[0]!]);
  }, 60_000);

  it('records a failing candidate and keeps searching', async () => {
    const { table } = await searchModels(data, {
      estimators: [{ kind: 'gbdt', space: { maxDepth: [0, 2] }, fixed: { maxIter: 5 } }],
      folds: data.folds,
      strategy: 'grid',
      workers: 0,
    });
    const failed = table.candidates[1]!;
    expect(failed.params.maxDepth).toBe(0);
    expect(failed.error).toMatch(/maxDepth/);
    expect(table.best.params.maxDepth).toBe(2);
    expect(table.failedFits).toBe(3);
  });

  it('throws typed errors a person can act on', async () => {
    await expect(
      searchModels(data, { estimators: [{ kind: 'gbtd' }], folds: data.folds, workers: 0 }),
    ).rejects.toThrow(NotFoundError);
    await expect(
      searchModels(data, { estimators: [{ kind: 'gbtd' }], folds: data.folds, workers: 0 }),
    ).rejects.toThrow(/did you mean "gbdt"/);
    const noFraud = { train: data.folds[0]!.train, test: Int32Array.from([0, 1, 2]) };
    await expect(
      searchModels(
        {
          X: data.X,
          y: new Uint8Array(data.y.length).fill(0).map((_, i) => (i < 3 ? 0 : data.y[i]!)),
        },
        { estimators: [{ kind: 'logreg' }], folds: [noFraud], workers: 0 },
      ),
    ).rejects.toThrow(InvalidDataError);
    classifierRegistry.register('test-no-module', {
      create: () => new GradientBoostingClassifier(),
      load: (dir) => GradientBoostingClassifier.load(dir),
    });
    try {
      await expect(
        searchModels(data, {
          estimators: [{ kind: 'test-no-module' }],
          folds: data.folds,
          workers: 2,
        }),
      ).rejects.toThrow(/module: import.meta.url/);
    } finally {
      classifierRegistry.unregister('test-no-module');
    }
  });
});
