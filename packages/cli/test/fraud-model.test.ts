import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';
import { simulateSmallFraudLog } from './small-fraud-log.js';

const bin = fileURLToPath(new URL('../src/bin.ts', import.meta.url));
let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mlsd-fraud-cli-'));
  for (const file of ['tx.csv', 'tx.jsonl']) {
    await simulateSmallFraudLog(join(work, file));
  }
}, 60_000);

describe('mlsd fraud train / evaluate / score', () => {
  it('trains, evaluates on the test week with the required keys, and writes the HTML report', async () => {
    const model = join(work, 'model');
    const trained = await runCli([
      'fraud',
      'train',
      '--in',
      join(work, 'tx.csv'),
      '--out',
      model,
      '--json',
    ]);
    expect(trained.code, trained.stderr).toBe(0);
    // No model in the config: the default, the tuned trees.
    expect(JSON.parse(trained.stdout)).toMatchObject({ model: 'gbdt', classWeight: 'none' });

    const report = join(work, 'report.html');
    const evaluated = await runCli([
      'fraud',
      'evaluate',
      '--model',
      model,
      '--in',
      join(work, 'tx.jsonl'),
      '--report',
      report,
      '--prequential',
      '2',
      '--json',
    ]);
    expect(evaluated.code, evaluated.stderr).toBe(0);
    const result = JSON.parse(evaluated.stdout);
    for (const key of ['auc', 'ap', 'cpAt100', 'recallAtBudget', 'threshold', 'falseNegatives']) {
      expect(typeof result[key], key).toBe('number');
    }
    expect(result.auc).toBeGreaterThan(0.6);
    expect(result.testDays).toEqual([129, 135]);
    // Prequential: the same model retrained a week earlier too, reported as mean ± std.
    expect(result.prequential.folds.map((f: { testStartDay: number }) => f.testStartDay)).toEqual([
      129, 122,
    ]);
    expect(result.prequential.auc.std).toBeGreaterThanOrEqual(0);
    expect(await readFile(report, 'utf8')).toContain('Precision–recall curve');
  });

  it('scores JSONL from stdin line by line, reporting malformed lines and going on', async () => {
    const model = join(work, 'model-logreg');
    const trained = await runCli([
      'fraud',
      'train',
      '--in',
      join(work, 'tx.csv'),
      '--out',
      model,
      '--model',
      'logreg',
      '--class-weight',
      'balanced',
    ]);
    expect(trained.code, trained.stderr).toBe(0);
    const later = 141 * 86_400;
    const lines = [
      JSON.stringify({
        TRANSACTION_ID: 900_001,
        TX_TIME_SECONDS: later,
        CUSTOMER_ID: 3,
        TERMINAL_ID: 7,
        TX_AMOUNT: 42.5,
      }),
      '{not json',
      JSON.stringify({
        TRANSACTION_ID: 900_002,
        TX_TIME_SECONDS: later + 60,
        CUSTOMER_ID: 3,
        TX_AMOUNT: 'a lot',
      }),
      JSON.stringify({
        TRANSACTION_ID: 900_003,
        TX_TIME_SECONDS: later + 120,
        CUSTOMER_ID: 3,
        TERMINAL_ID: 7,
        TX_AMOUNT: 900,
      }),
    ];
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--conditions=@mlsd/source', bin, 'fraud', 'score', '--model', model],
      {
        input: `${lines.join('\n')}\n`,
        encoding: 'utf8',
      },
    );
    expect(run.status, run.stderr).toBe(0);
    const out = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(out.map((r) => r.transactionId)).toEqual(['900001', '900003']);
    for (const r of out) {
      expect(['alert', 'pass']).toContain(r.decision);
      expect(Object.keys(r.features)).toHaveLength(15);
    }
    // The card's second payment sees the first in its 1-day window.
    expect(out[1].features.CUSTOMER_ID_NB_TX_1DAY_WINDOW).toBe(
      out[0].features.CUSTOMER_ID_NB_TX_1DAY_WINDOW + 1,
    );
    expect(run.stderr).toMatch(/line 2: not JSON/);
    expect(run.stderr).toMatch(/line 3: Invalid transaction: TX_AMOUNT: 'a lot' is not a number/);
    expect(run.stderr).toMatch(/scored 2 transactions, rejected 2/);
  });

  it('refuses a missing model folder and an unknown model kind', async () => {
    const missing = await runCli([
      'fraud',
      'evaluate',
      '--model',
      join(work, 'nope'),
      '--in',
      join(work, 'tx.csv'),
    ]);
    expect(missing.code).toBe(1);
    const bad = await runCli([
      'fraud',
      'train',
      '--in',
      join(work, 'tx.csv'),
      '--out',
      join(work, 'x'),
      '--model',
      'forest',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/forest/);
  });

  it('reports duplicate transaction ids and refuses a file with only a header, clearly', async () => {
    const lines = (await readFile(join(work, 'tx.csv'), 'utf8')).trimEnd().split('\n');
    const headerOnly = join(work, 'header-only.csv');
    await writeFile(headerOnly, `${lines[0]}\n`);
    const empty = await runCli(['fraud', 'train', '--in', headerOnly, '--out', join(work, 'h')]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/has no transactions: a header and no data rows/);
    expect(empty.stderr).not.toMatch(/timeSplit/);
    // Two rows repeated at the end: trained on the first of each, the others reported.
    const repeated = join(work, 'repeated.csv');
    await writeFile(repeated, `${[...lines, lines[5]!, lines[9]!].join('\n')}\n`);
    const quarantine = join(work, 'repeated.quarantine.jsonl');
    const run = await runCli([
      'fraud',
      'train',
      '--in',
      repeated,
      '--out',
      join(work, 'r'),
      '--quarantine',
      quarantine,
      '--json',
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/2 rows repeated an earlier transaction id and were quarantined/);
    expect(JSON.parse(run.stdout).rows).toMatchObject({ quarantined: 2, read: lines.length + 1 });
    const refused = (await readFile(quarantine, 'utf8'))
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(refused.map((row) => row.reason)).toEqual([
      expect.stringMatching(/^TRANSACTION_ID: duplicate transaction id '4' \(first on line 6\)/),
      expect.stringMatching(/^TRANSACTION_ID: duplicate transaction id '8' \(first on line 10\)/),
    ]);
  });
});
