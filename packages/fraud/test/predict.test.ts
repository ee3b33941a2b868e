import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toMatrix } from '@mlsd/core';
import { simulateTransactions, toPublicLayout, writePublicLog } from '@mlsd/datasets';
import { computeFeatures } from '@mlsd/features';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFraudLog } from '../src/config/read-fraud-log.js';
import { resolveFraudConfig } from '../src/config/resolve-fraud-config.js';
import type { FraudModel } from '../src/fraud-model.js';
import { predictFraudScores } from '../src/predict/predict-fraud-scores.js';
import { trainFraudModel } from '../src/train-fraud-model.js';
import { publicLayoutConfig } from './helpers/public-config.js';

let dir: string;
let logPath: string;
let model: FraudModel;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlsd-predict-'));
  logPath = join(dir, 'log.csv');
  const simulation = simulateTransactions({
    customers: 120,
    terminals: 240,
    days: 40,
    seed: 6,
    progress: false,
  });
  await writePublicLog(toPublicLayout(simulation), logPath);
  const config = resolveFraudConfig(publicLayoutConfig());
  ({ model } = await trainFraudModel(await readFraudLog(logPath, config.columns), config));
}, 120_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function parseScores(text: string): { id: string; score: number; decision: string }[] {
  return text
    .trimEnd()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [id, score, decision] = line.split(',');
      return { id: id!, score: Number(score), decision: decision! };
    });
}

describe('predictFraudScores', () => {
  it('gives every row the score of its point-in-time features, as batch over the whole file', async () => {
    const out = join(dir, 'scores.csv');
    const summary = await predictFraudScores(model, logPath, { out, batchRows: 333 });
    const log = await readFraudLog(logPath, model.config.columns);
    expect(summary).toMatchObject({
      read: log.table.length,
      scored: log.table.length,
      quarantined: 0,
    });
    const batch = computeFeatures(log.table, model.features, { dtype: 'float32' });
    const expected = model.score(toMatrix(batch.values, batch.rows, batch.columns));
    const rows = parseScores(await readFile(out, 'utf8'));
    const ids = log.table.strings('trans_num');
    expect(rows.map((row) => row.id)).toEqual(ids);
    for (let i = 0; i < rows.length; i++) {
      expect(rows[i]!.score).toBe(expected[i]);
      expect(rows[i]!.decision).toBe(expected[i]! >= model.threshold ? 'alert' : 'pass');
    }
    expect(summary.alerts).toBe(rows.filter((row) => row.decision === 'alert').length);
    // One event per transaction and entity plan at most (windows of 30 days + 7 of delay hold
    // nearly all of a 40-day log).
    expect(summary.state.events).toBeLessThanOrEqual(
      log.table.length * model.features.entities.length,
    );
  });

  it('quarantines a row that comes too late for its card, saying how to fix it', async () => {
    const lines = (await readFile(logPath, 'utf8')).trimEnd().split('\n');
    // Move a row of day 1 to the end of the file: its card has moved on by then.
    const late = lines.splice(200, 1)[0]!;
    const path = join(dir, 'late.csv');
    await writeFile(path, `${[...lines, late].join('\n')}\n`);
    const summary = await predictFraudScores(model, path, { out: join(dir, 'late-scores.csv') });
    expect(summary).toMatchObject({ read: lines.length, quarantined: 1 });
    expect(summary.quarantine[0]!.line).toBe(lines.length + 1);
    expect(summary.quarantine[0]!.reason).toMatch(
      /sort it by time first, or allow that much lateness/,
    );
  });
});
