import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Table, toMatrix } from '@mlsd/core';
import { simulateTransactions } from '@mlsd/datasets';
import { computeFeatures } from '@mlsd/features';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  evaluateFraudModel,
  FraudModel,
  FraudScorer,
  normalizedTableOf,
  prequentialEvaluation,
  renderFraudReport,
  type TrainedFraudModel,
  trainFraudModel,
} from '../src/index.js';

const SECONDS_PER_DAY = 86_400;
let history: Table;
let stream: Table;
let trained: TrainedFraudModel;

/** Rows of `table` whose day is in [from, to). */
function daysBetween(table: Table, from: number, to: number): Table {
  const days = table.numeric('TX_TIME_DAYS');
  const mask = Uint8Array.from(days, (d) => (d >= from && d < to ? 1 : 0));
  return table.filter(mask);
}

beforeAll(async () => {
  // Small world, handbook calendar: training week from day 115, test week from day 129.
  const { table } = simulateTransactions({
    customers: 400,
    terminals: 800,
    days: 140,
    seed: 3,
    progress: false,
  });
  history = daysBetween(table, 0, 137);
  stream = daysBetween(table, 137, 140);
  trained = await trainFraudModel(history, { model: { kind: 'gbdt', seed: 1 } });
}, 120_000);

/** The stream's i-th transaction as a request: the log's columns, its label included. */
function streamTransaction(i: number): Record<string, number> {
  const columns = [
    'TRANSACTION_ID',
    'TX_TIME_SECONDS',
    'CUSTOMER_ID',
    'TERMINAL_ID',
    'TX_AMOUNT',
    'TX_FRAUD',
  ];
  return Object.fromEntries(columns.map((c) => [c, stream.numeric(c)[i]!]));
}

/** The batch path's features of history then stream, as float32 (the online vector's type). */
function batchFeatures() {
  const all = normalizedTableOf(Table.concat([history, stream]), trained.model.config);
  return computeFeatures(all, trained.model.features, { dtype: 'float32' });
}

describe('trainFraudModel + evaluateFraudModel', () => {
  it('chooses the threshold on validation and scores the test week far better than chance', () => {
    const { model, validation } = trained;
    expect(model.threshold).toBeGreaterThan(0);
    expect(model.threshold).toBeLessThan(1);
    expect(validation.k).toBe(100);
    const evaluation = evaluateFraudModel(model, history, { data: trained.data, bootstrap: 50 });
    const m = evaluation.metrics;
    expect(evaluation.testDays).toEqual([129, 135]);
    expect(m.auc).toBeGreaterThan(0.7);
    expect(m.ap).toBeGreaterThan(3 * (m.frauds / m.transactions));
    expect(m.truePositives + m.falseNegatives).toBe(m.frauds);
    expect(m.truePositives + m.falsePositives + m.trueNegatives + m.falseNegatives).toBe(
      m.transactions,
    );
    expect(m.aucInterval!.low).toBeLessThanOrEqual(m.auc);
    expect(m.aucInterval!.high).toBeGreaterThanOrEqual(m.auc);
    expect(m.daily).toHaveLength(7);
  });

  it('saves and loads as one artifact with identical scores, and refuses a tampered one', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'mlsd-fraud-model-')), 'model');
    await trained.model.save(dir);
    const loaded = await FraudModel.load(dir);
    expect(loaded.threshold).toBe(trained.model.threshold);
    expect(loaded.reference.rows).toBe(trained.model.reference.rows);
    const X = trained.data.X;
    expect([...loaded.score(X).subarray(0, 500)]).toEqual([
      ...trained.model.score(X).subarray(0, 500),
    ]);
    const reference = join(dir, 'reference.json');
    await writeFile(reference, `${(await readFile(reference, 'utf8')).slice(0, -5)}xx"}\n`);
    await expect(FraudModel.load(dir)).rejects.toMatchObject({ code: 'CHECKSUM_MISMATCH' });
  });

  it('scores new transactions online exactly as the batch path would', () => {
    const scorer = new FraudScorer(trained.model);
    const batch = batchFeatures();
    const offset = history.length;
    let alerts = 0;
    for (let i = 0; i < stream.length; i++) {
      const result = scorer.score(streamTransaction(i));
      const expected = batch.values.subarray(
        (offset + i) * batch.columns,
        (offset + i + 1) * batch.columns,
      );
      expect(Object.values(result.features)).toEqual([...expected]);
      if (result.decision === 'alert') alerts++;
    }
    expect(alerts).toBeGreaterThan(0);
    expect(stream.numeric('TX_TIME_SECONDS')[0]! / SECONDS_PER_DAY).toBeGreaterThanOrEqual(137);
  });

  it('gives online, one row at a time, the scores the model gives the batch features', () => {
    const { model } = trained;
    // The trees' one-row path (predictProbaRow) is what the scorer takes.
    expect(model.classifier.predictProbaRow).toBeDefined();
    const batch = batchFeatures();
    const width = batch.columns;
    const expected = model.score(
      toMatrix(batch.values.subarray(history.length * width), stream.length, width),
    );
    const scorer = new FraudScorer(model);
    for (let i = 0; i < stream.length; i++) {
      expect(scorer.score(streamTransaction(i)).score).toBe(expected[i]);
    }
  });

  it('rejects malformed transactions naming the field, and keeps scoring', () => {
    const scorer = new FraudScorer(trained.model);
    const good = {
      TRANSACTION_ID: 9_999_998,
      TX_TIME_SECONDS: 141 * SECONDS_PER_DAY,
      CUSTOMER_ID: 1,
      TERMINAL_ID: 2,
      TX_AMOUNT: 12,
    };
    expect(() => scorer.score({ ...good, TX_AMOUNT: 'ten' })).toThrow(
      /Invalid transaction: TX_AMOUNT: 'ten' is not a number/,
    );
    expect(() => scorer.score({ ...good, TX_TIME_SECONDS: undefined })).toThrow(
      /TX_TIME_SECONDS: missing time/,
    );
    expect(() => scorer.score({ ...good, CUSTOMR_ID: 1 })).toThrow(
      /unknown field "CUSTOMR_ID" \(did you mean "CUSTOMER_ID"\?\)/,
    );
    const ok = scorer.score({
      TRANSACTION_ID: 9_999_999,
      TX_TIME_SECONDS: 141 * SECONDS_PER_DAY,
      CUSTOMER_ID: 1,
      TERMINAL_ID: 2,
      TX_AMOUNT: 500,
    });
    expect(ok.score).toBeGreaterThan(0);
  });

  it('renders a self-contained HTML report', () => {
    const evaluation = evaluateFraudModel(trained.model, history, {
      data: trained.data,
      bootstrap: 20,
    });
    const html = renderFraudReport(trained.model, evaluation);
    expect(html).toContain('<svg');
    expect(html).toContain('ROC curve');
    expect(html).toContain('Card precision@100 per test day');
    // Offline: no scripts, no links or sources to fetch.
    expect(html).not.toMatch(/<script|\ssrc=|\shref=|<link/);
  });
});

describe('prequentialEvaluation', () => {
  it('trains one model per fold, each a week earlier, and reports mean ± std', async () => {
    const result = await prequentialEvaluation(
      history,
      { model: { kind: 'logreg' } },
      { folds: 3, protocol: trained.model.protocol },
    );
    expect(result.folds.map((f) => f.trainStartDay)).toEqual([115, 108, 101]);
    expect(result.folds.map((f) => f.testStartDay)).toEqual([129, 122, 115]);
    expect(result.auc.values).toHaveLength(3);
    const mean = result.auc.values.reduce((a, b) => a + b, 0) / 3;
    expect(result.auc.mean).toBeCloseTo(mean, 12);
    expect(result.auc.std).toBeGreaterThan(0);
    expect(result.auc.mean).toBeGreaterThan(0.6);
  });
});
