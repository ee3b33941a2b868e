import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FraudModel, resolveFraudConfig } from '@mlsd/fraud';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';
import { simulateSmallFraudLog } from './small-fraud-log.js';

let work: string;
let log: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mlsd-fraud-tune-'));
  log = join(work, 'tx.csv');
  await simulateSmallFraudLog(log);
}, 60_000);

describe('mlsd fraud tune', () => {
  it('searches on validation folds, saves the best as a model evaluate reads, and reports every candidate', async () => {
    const out = join(work, 'tuned');
    const report = join(work, 'tuning.html');
    const tuned = await runCli([
      'fraud',
      'tune',
      '--in',
      log,
      '--preset',
      'handbook',
      '--out',
      out,
      '--budget',
      '3',
      '--folds',
      '2',
      '--workers',
      '0',
      '--report',
      report,
      '--json',
    ]);
    expect(tuned.code, tuned.stderr).toBe(0);
    const summary = JSON.parse(tuned.stdout);
    expect(summary.search.candidates).toHaveLength(3);
    expect(summary.search.folds).toHaveLength(2);
    // Validation folds lie before the test week (from day 129), a week apart.
    expect(summary.folds.map((f: { testStartDay: number }) => f.testStartDay)).toEqual([115, 108]);
    const best = summary.search.candidates[0];
    expect(best.rank).toBe(1);
    expect(summary.model).toBe(best.kind);
    expect(summary.params).toEqual(best.params);
    for (const candidate of summary.search.candidates) {
      expect(candidate.mean).toBeLessThanOrEqual(best.mean);
    }

    // A normal model artifact: its config names the kind and hyperparameters found.
    const model = await FraudModel.load(out);
    expect(model.kind).toBe(best.kind);
    const { seed: _, ...params } = best.params;
    expect(model.config.model.params).toEqual(params);
    expect(model.threshold).toBe(summary.threshold);
    expect(await readFile(report, 'utf8')).toContain(`Fraud model tuning: ${best.kind} chosen`);

    const evaluated = await runCli(['fraud', 'evaluate', '--model', out, '--in', log, '--json']);
    expect(evaluated.code, evaluated.stderr).toBe(0);
    const metrics = JSON.parse(evaluated.stdout);
    expect(metrics.testDays).toEqual([129, 135]);
    expect(metrics.auc).toBeGreaterThan(0.6);
  }, 180_000);

  it('prints the results table, searching only the kinds named, from the handbook+ preset', async () => {
    const tuned = await runCli([
      'fraud',
      'tune',
      '--in',
      log,
      '--preset',
      'handbook+',
      '--out',
      join(work, 'tuned-logreg'),
      '--kinds',
      'logreg',
      '--budget',
      '2',
      '--folds',
      '1',
      '--workers',
      '0',
    ]);
    expect(tuned.code, tuned.stderr).toBe(0);
    const lines = tuned.stdout.split('\n');
    expect(lines[0]).toMatch(
      /^rank\s+kind\s+average precision mean\s+std\s+fit s\s+hyperparameters$/,
    );
    expect(lines.filter((line) => /^\s+[12]\s+logreg\s/.test(line))).toHaveLength(2);
    expect(tuned.stdout).toMatch(/saved .*tuned-logreg: logreg/);
    // The preset's features: the handbook's 15, then the groups the ablation kept.
    const model = await FraudModel.load(join(work, 'tuned-logreg'));
    const preset = resolveFraudConfig({ preset: 'handbook+' });
    expect(model.features.names).toEqual(preset.features.map((feature) => feature.name));
    expect(model.config.preset).toBe('handbook+');
  }, 120_000);

  it('refuses a kind nobody registered, naming the nearest', async () => {
    const tuned = await runCli([
      'fraud',
      'tune',
      '--in',
      log,
      '--out',
      join(work, 'never'),
      '--kinds',
      'gbdt,logreq',
    ]);
    expect(tuned.code).not.toBe(0);
    expect(tuned.stderr).toMatch(/logreq.*logreg/);
  });
});
