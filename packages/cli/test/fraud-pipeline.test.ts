import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simulateTransactions, toPublicLayout, writePublicLog } from '@mlsd/datasets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

let dir: string;
let logPath: string;
let rows: number;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlsd-fraud-pipeline-'));
  logPath = join(dir, 'log.csv');
  const simulation = simulateTransactions({
    customers: 200,
    terminals: 400,
    days: 45,
    seed: 8,
    progress: false,
  });
  rows = simulation.table.length;
  await writePublicLog(toPublicLayout(simulation), logPath);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('mlsd fraud on a public-layout log: init → train → evaluate → predict', () => {
  it('runs from the inferred config, and every command reads the log through it', async () => {
    const config = join(dir, 'fraud.config.json');
    expect((await runCli(['fraud', 'init', '--in', logPath, '--out', config])).code).toBe(0);
    const model = join(dir, 'model');
    const train = await runCli([
      'fraud',
      'train',
      '--in',
      logPath,
      '--config',
      config,
      '--out',
      model,
      '--json',
    ]);
    expect(train.code, train.stderr).toBe(0);
    const trained = JSON.parse(train.stdout);
    expect(trained).toMatchObject({
      timezone: 'America/New_York',
      rows: { read: rows, quarantined: 0 },
    });
    // The last 7 local days are the test: 2018-04-01 + 45 days ends on 2018-05-15.
    expect(trained.periods.test).toEqual(['2018-05-09', '2018-05-15']);
    expect(train.stderr).toMatch(/left out as the config says: .*first, last/);

    const evaluate = await runCli([
      'fraud',
      'evaluate',
      '--model',
      model,
      '--in',
      logPath,
      '--json',
    ]);
    expect(evaluate.code, evaluate.stderr).toBe(0);
    const metrics = JSON.parse(evaluate.stdout);
    expect(metrics.testDates).toEqual(['2018-05-09', '2018-05-15']);
    expect(metrics.auc).toBeGreaterThan(0.5);
    expect(metrics.truePositives + metrics.falseNegatives).toBe(metrics.frauds);

    const scores = join(dir, 'scores.csv');
    const predict = await runCli([
      'fraud',
      'predict',
      '--model',
      model,
      '--in',
      logPath,
      '--out',
      scores,
      '--json',
    ]);
    expect(predict.code, predict.stderr).toBe(0);
    expect(JSON.parse(predict.stdout)).toMatchObject({ read: rows, scored: rows, quarantined: 0 });
    const lines = (await readFile(scores, 'utf8')).trimEnd().split('\n');
    expect(lines[0]).toBe('trans_num,score,decision');
    expect(lines).toHaveLength(rows + 1);
    expect(lines[1]).toMatch(/^[0-9a-f]{32},0\.\d+(e-\d+)?,(alert|pass)$/);
  });

  it('explains a config that does not fit the file, by key path and nearest column', async () => {
    const config = join(dir, 'typo.config.json');
    await writeFile(
      config,
      JSON.stringify({
        version: 1,
        columns: {
          transactionId: 'trans_num',
          time: { column: 'unix_time', format: 'epoch-seconds' },
          amount: 'amount',
          label: { column: 'is_fraud' },
          entities: { card: ['cc_num'] },
        },
        protocl: {},
      }),
    );
    const bad = await runCli([
      'fraud',
      'train',
      '--in',
      logPath,
      '--config',
      config,
      '--out',
      join(dir, 'x'),
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/unknown key "protocl" \(did you mean "protocol"\?\)/);
    const fixed = JSON.parse(await readFile(config, 'utf8'));
    delete fixed.protocl;
    await writeFile(config, JSON.stringify(fixed));
    const missing = await runCli([
      'fraud',
      'train',
      '--in',
      logPath,
      '--config',
      config,
      '--out',
      join(dir, 'x'),
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(
      /column "amount" \(did you mean "amt"\?\) that the file does not have/,
    );
    // Without a config, a log of other columns is told how to get one.
    const none = await runCli(['fraud', 'train', '--in', logPath, '--out', join(dir, 'x')]);
    expect(none.stderr).toMatch(/mlsd fraud init --in .* --out fraud.config.json/);
  });
});
