import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  averagePrecision,
  CalibratedClassifier,
  classifierRegistry,
  LogisticRegression,
  prequentialSplits,
  stepParams,
} from '@mlsd/classify';
import { Rng, type Table } from '@mlsd/core';
import { simulateTransactions, toPublicLayout } from '@mlsd/datasets';
import {
  fitFeatureSet,
  loadPipeline,
  Pipeline,
  registerStepType,
  StandardScaler,
} from '@mlsd/features';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  calibrateOnFolds,
  createClassifier,
  evaluateFraudModel,
  type FraudData,
  FraudModel,
  normalizeTable,
  prepareFraudData,
  prepareFraudLog,
  renderTuningReport,
  resolveFraudConfig,
  type TunedFraudModel,
  type TuneFraudModelOptions,
  takeRows,
  takeValues,
  trainFraudModel,
  tuneFraudModel,
} from '../src/index.js';
import { NEAREST_CENTROID, NearestCentroid } from './fixtures/nearest-centroid.js';
import { publicLayoutConfig } from './helpers/public-config.js';

let table: Table;
let data: FraudData;
let tuned: TunedFraudModel;
const TEST_START_DAY = 129;
/** A search small enough for a test: 5 candidates × 2 folds, in this thread. */
const SMALL_SEARCH = {
  budget: { candidates: 5, folds: 2 },
  kinds: [
    { kind: 'gbdt', space: { maxDepth: [2, 3], maxIter: [20, 40] }, weight: 3 },
    { kind: 'logreg', space: { C: [0.1, 1] } },
  ],
  calibration: 'isotonic',
  workers: 0,
} satisfies TuneFraudModelOptions;

beforeAll(async () => {
  // Small world, handbook calendar: training week from day 115, test week from day 129.
  ({ table } = simulateTransactions({
    customers: 400,
    terminals: 800,
    days: 137,
    seed: 3,
    progress: false,
  }));
  // The handbook preset (the simulator's columns): train from 2018-07-25 (day 115).
  tuned = await tuneFraudModel(table, undefined, { ...SMALL_SEARCH, warmOnlineState: false });
  data = tuned.data;
}, 120_000);

describe('tuneFraudModel', () => {
  it('selects on prequential folds before the test week and refits the winner', () => {
    const { search, model, best } = tuned;
    expect(tuned.folds).toEqual([
      { trainStartDay: 101, testStartDay: 115 },
      { trainStartDay: 94, testStartDay: 108 },
    ]);
    expect(search.candidates).toHaveLength(5);
    expect(search.fits).toBe(10);
    expect(search.metric).toBe('average precision');
    expect(best).toEqual({ kind: search.best.kind, params: search.best.params });
    expect(model.kind).toBe(best.kind);
    // The config the model saves names the kind and hyperparameters found.
    const { seed: _, ...found } = best.params;
    expect(model.config.model.params).toEqual(found);
    expect(model.classifier).toBeInstanceOf(CalibratedClassifier);
    expect(model.metrics.trainRows).toBeGreaterThan(0);
    expect(model.threshold).toBeGreaterThan(0);
    expect(model.threshold).toBeLessThan(1);
    // Isotonic calibration minimises the squared error on the rows it is fitted on.
    expect(tuned.calibration!.brierAfter).toBeLessThanOrEqual(tuned.calibration!.brierBefore);
    expect(tuned.thresholds.cost.policy).toBe('cost');
    const evaluation = evaluateFraudModel(model, table, { data, bootstrap: 0 });
    expect(evaluation.testDays).toEqual([TEST_START_DAY, TEST_START_DAY + 6]);
    expect(evaluation.metrics.auc).toBeGreaterThan(0.7);
  });

  it('never reads the test week: scrambled test labels change nothing', async () => {
    const days = table.numeric('TX_TIME_DAYS');
    const labels = table.numeric('TX_FRAUD');
    const scrambled = table.withColumn(
      'TX_FRAUD',
      Float64Array.from(labels, (y, i) => (days[i]! >= TEST_START_DAY ? 1 - y : y)),
    );
    const again = await tuneFraudModel(scrambled, undefined, {
      ...SMALL_SEARCH,
      warmOnlineState: false,
    });
    const strip = (t: TunedFraudModel) => t.search.candidates.map(({ fitSeconds: _, ...c }) => c);
    expect(strip(again)).toEqual(strip(tuned));
    expect(again.model.threshold).toBe(tuned.model.threshold);
    const X = data.X;
    expect([...again.model.score(X).subarray(0, 300)]).toEqual([
      ...tuned.model.score(X).subarray(0, 300),
    ]);
  });

  it('saves as a normal fraud model that loads, calibrated, with identical scores', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'mlsd-tuned-')), 'model');
    await tuned.model.save(dir);
    const loaded = await FraudModel.load(dir);
    expect(loaded.kind).toBe(tuned.model.kind);
    expect(loaded.classifier).toBeInstanceOf(CalibratedClassifier);
    expect([...loaded.score(data.X).subarray(0, 500)]).toEqual([
      ...tuned.model.score(data.X).subarray(0, 500),
    ]);
    expect(loaded.metrics.tuning).toMatchObject({ candidates: 5, folds: 2 });
  });

  it('renders a self-contained report with the results table and the reliability curve', () => {
    const html = renderTuningReport(tuned);
    expect(html).toContain('Model selection');
    expect(html).toContain('Reliability');
    expect(html).toContain('net savings');
    expect(html).not.toMatch(/<script|\ssrc=|\shref=|<link/);
  });
});

describe('calibrateOnFolds', () => {
  /** Three folds whose scores are overconfident (log-odds tripled), or exact. */
  function folds(stretch: number) {
    const rng = new Rng(5);
    const scores: Float64Array[] = [];
    const labels: Uint8Array[] = [];
    for (let f = 0; f < 3; f++) {
      const n = 3000;
      const s = new Float64Array(n);
      const y = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        const z = rng.normal(-3, 1.5);
        y[i] = rng.next() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
        s[i] = 1 / (1 + Math.exp(-stretch * z));
      }
      scores.push(s);
      labels.push(y);
    }
    return { scores, labels };
  }

  it("'auto' calibrates overconfident scores and leaves calibrated ones alone", async () => {
    const bad = folds(3);
    const fixed = await calibrateOnFolds(bad.scores, bad.labels, 'auto');
    const cross = fixed.report.crossFoldBrier!;
    expect(fixed.report.method).not.toBe('none');
    expect(cross[fixed.report.method]).toBe(Math.min(cross.none, cross.platt, cross.isotonic));
    expect(cross[fixed.report.method]).toBeLessThan(0.9 * cross.none);
    expect(fixed.calibrator).toBeDefined();

    const good = folds(1);
    const kept = await calibrateOnFolds(good.scores, good.labels, 'auto');
    expect(kept.report.crossFoldBrier!.none).toBeLessThan(kept.report.crossFoldBrier!.isotonic);
    expect(
      await calibrateOnFolds(good.scores.slice(0, 1), good.labels.slice(0, 1), 'auto'),
    ).toMatchObject({
      calibrator: undefined,
      report: { method: 'none' },
    });
  });
});

describe('classifier kinds a user registers', () => {
  it('trains, saves and loads a fraud model on an outside kind, and tunes it', async () => {
    const trained = await trainFraudModel(
      table,
      { model: { kind: NEAREST_CENTROID } },
      { warmOnlineState: false },
    );
    expect(trained.model.classifier).toBeInstanceOf(NearestCentroid);
    const dir = join(await mkdtemp(join(tmpdir(), 'mlsd-outside-')), 'model');
    await trained.model.save(dir);
    const loaded = await FraudModel.load(dir);
    expect(loaded.kind).toBe(NEAREST_CENTROID);
    expect([...loaded.score(trained.data.X).subarray(0, 200)]).toEqual([
      ...trained.model.score(trained.data.X).subarray(0, 200),
    ]);

    const outside = await tuneFraudModel(table, undefined, {
      budget: { candidates: 4, folds: 2 },
      kinds: [NEAREST_CENTROID, { kind: 'logreg', space: { C: [0.1, 1] } }],
      calibration: 'none',
      workers: 0,
      warmOnlineState: false,
    });
    const kinds = outside.search.candidates.map((c) => c.kind);
    expect(kinds.filter((k) => k === NEAREST_CENTROID)).toHaveLength(2);
    expect(kinds.filter((k) => k === 'logreg')).toHaveLength(2);
  });

  it('tunes a features Pipeline registered as a kind, with step__param names', async () => {
    registerStepType('LogisticRegression', (json) => LogisticRegression.fromJSON(json), {
      replace: true,
    });
    classifierRegistry.register(
      'test-scaled-logreg',
      {
        create: (params) =>
          new Pipeline([
            ['scale', new StandardScaler()],
            ['model', new LogisticRegression(stepParams(params, 'model'))],
          ]),
        load: (dir) => loadPipeline(dir),
        space: { model__C: [0.01, 1] },
      },
      { replace: true },
    );
    const piped = await tuneFraudModel(table, undefined, {
      budget: { candidates: 2, folds: 2 },
      kinds: [{ kind: 'test-scaled-logreg' }],
      calibration: 'platt',
      workers: 0,
      warmOnlineState: false,
    });
    expect(piped.search.candidates.map((c) => c.params.model__C).sort()).toEqual([0.01, 1]);
    const dir = join(await mkdtemp(join(tmpdir(), 'mlsd-pipeline-')), 'model');
    await piped.model.save(dir);
    const loaded = await FraudModel.load(dir);
    expect([...loaded.score(data.X).subarray(0, 100)]).toEqual([
      ...piped.model.score(data.X).subarray(0, 100),
    ]);
  });
});

describe('tuneFraudModel on a log whose features learn from data', () => {
  it('fits the features of each fold on that fold’s training rows only', async () => {
    const simulation = simulateTransactions({
      customers: 300,
      terminals: 600,
      days: 70,
      seed: 8,
      progress: false,
    });
    const config = resolveFraudConfig(publicLayoutConfig());
    const log = normalizeTable(toPublicLayout(simulation).toTable(), config.columns);
    const tunedLog = await tuneFraudModel(log, config, {
      budget: { candidates: 2, folds: 2 },
      kinds: [{ kind: 'logreg', space: { C: [0.1, 1] } }],
      calibration: 'none',
      workers: 0,
      warmOnlineState: false,
    });
    // Refit the winner by hand on the second fold, its features fitted on its training rows.
    const prepared = prepareFraudLog(log, config);
    expect(prepared.unfitted.needsFitting).toBe(true);
    const fold = prequentialSplits(
      { day: prepared.data.day, card: prepared.data.card, label: prepared.data.label },
      {
        trainStartDay: tunedLog.folds[0]!.trainStartDay,
        trainDays: 7,
        delayDays: 7,
        testDays: 7,
        folds: 2,
      },
    )[1]!;
    const features = fitFeatureSet(prepared.unfitted, prepared.table, { rows: fold.train });
    const foldData = prepareFraudData(prepared.table, features, prepared.protocol, ['cc_num']);
    const model = createClassifier({ kind: 'logreg', params: tunedLog.best.params });
    await model.fit(takeRows(foldData.X, fold.train), takeValues(foldData.label, fold.train));
    const ap = averagePrecision(
      takeValues(foldData.label, fold.test),
      model.predictProba(takeRows(foldData.X, fold.test)),
    );
    expect(tunedLog.search.best.scores[1]).toBeCloseTo(ap, 12);
  });
});
