import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '@mlsd/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

let dir: string;

async function writeSample(
  path: string,
  rows: number,
  seed: number,
  shift: number,
  webShare: number,
): Promise<void> {
  const rng = new Rng(seed);
  const lines = ['amount,hour,channel'];
  for (let i = 0; i < rows; i++) {
    lines.push(
      `${(50 + shift + 10 * rng.normal()).toFixed(2)},${rng.integer(0, 24)},${rng.next() < webShare ? 'web' : 'pos'}`,
    );
  }
  await writeFile(path, `${lines.join('\n')}\n`);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlsd-drift-monitor-'));
  await writeSample(join(dir, 'reference.csv'), 3_000, 1, 0, 0.3);
  await writeSample(join(dir, 'same.csv'), 2_000, 2, 0, 0.3);
  await writeSample(join(dir, 'shifted.csv'), 2_000, 3, 8, 0.6);
});

/** `mlsd drift monitor --reference <reference> --current <current> ...flags` */
function monitor(reference: string, current: string, ...flags: string[]) {
  return runCli(['drift', 'monitor', '--reference', reference, '--current', current, ...flags]);
}

describe('mlsd drift monitor', () => {
  it('finds no drift between samples of one distribution', async () => {
    const run = await monitor(
      join(dir, 'reference.csv'),
      join(dir, 'same.csv'),
      '--categorical',
      'channel',
      '--json',
    );
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.columns.map((c: { test: string }) => c.test)).toEqual(['ks', 'ks', 'chi-square']);
    expect(report.datasetDrift).toBe(false);
  });

  it('flags shifted columns and writes an HTML report with their ECDFs', async () => {
    const html = join(dir, 'drift.html');
    const run = await monitor(
      join(dir, 'reference.csv'),
      join(dir, 'shifted.csv'),
      '--categorical',
      'channel',
      '--report',
      html,
      '--json',
    );
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    const verdicts = Object.fromEntries(
      report.columns.map((c: { column: string; drifted: boolean }) => [c.column, c.drifted]),
    );
    expect(verdicts).toEqual({ amount: true, hour: false, channel: true });
    expect(report.datasetDrift).toBe(true);
    const page = await readFile(html, 'utf8');
    expect(page).toContain('amount: ECDFs');
    expect(page).toContain('channel: current shares');
  });

  it('names a missing column and the columns there are', async () => {
    const run = await monitor(
      join(dir, 'reference.csv'),
      join(dir, 'same.csv'),
      '--columns',
      'amuont',
    );
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/no column "amuont"; columns: amount, hour, channel/);
  });

  it("runs the README's command on the simulator's CSV, leaving out ids, text and clocks with a note", async () => {
    const all = join(dir, 'transactions.csv');
    const simulate = await runCli([
      'fraud',
      'simulate',
      '--customers',
      '60',
      '--terminals',
      '120',
      '--days',
      '21',
      '--out',
      all,
      '--json',
    ]);
    expect(simulate.code, simulate.stderr).toBe(0);
    // Two weeks of training data, then the week after: split on TX_TIME_DAYS (7th column).
    const [header, ...rows] = (await readFile(all, 'utf8')).trimEnd().split('\n');
    const day = (row: string) => Number(row.split(',')[6]);
    await writeFile(
      join(dir, 'train.csv'),
      [header, ...rows.filter((r) => day(r) < 14)].join('\n'),
    );
    await writeFile(
      join(dir, 'week.csv'),
      [header, ...rows.filter((r) => day(r) >= 14)].join('\n'),
    );

    const text = await monitor(join(dir, 'train.csv'), join(dir, 'week.csv'));
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^TX_AMOUNT +ks /m);
    expect(text.stdout).toContain("not monitored: TX_DATETIME: not numeric (e.g. '2018-04-01 ");

    const run = await monitor(join(dir, 'train.csv'), join(dir, 'week.csv'), '--json');
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.columns.map((c: { column: string }) => c.column)).toEqual([
      'TX_AMOUNT',
      'TX_FRAUD',
      'TX_FRAUD_SCENARIO',
    ]);
    const skipped = Object.fromEntries(
      report.skippedColumns.map((c: { column: string; reason: string }) => [c.column, c.reason]),
    );
    expect(Object.keys(skipped).sort()).toEqual([
      'CUSTOMER_ID',
      'TERMINAL_ID',
      'TRANSACTION_ID',
      'TX_DATETIME',
      'TX_TIME_DAYS',
      'TX_TIME_SECONDS',
    ]);
    expect(skipped.TRANSACTION_ID).toMatch(/^id-like name/);
    expect(skipped.TX_TIME_DAYS).toMatch(/^ordered like a clock or a counter/);
    expect(run.stderr).toContain('note: TX_DATETIME is not monitored: not numeric');
  });

  it('says which column is the cause when every current row is quarantined', async () => {
    const current = join(dir, 'text-amounts.csv');
    await writeFile(current, 'amount,hour,channel\nn/a,3,web\nn/a,4,pos\n');
    const run = await monitor(join(dir, 'reference.csv'), current, '--columns', 'amount,hour');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /every one of its 2 rows was quarantined; first: line 2: amount: .*Column "amount" is the cause: leave it out of --columns, or compare it as categories with --categorical amount/,
    );
  });

  it('refuses a named text column and says how to compare it', async () => {
    const run = await monitor(
      join(dir, 'reference.csv'),
      join(dir, 'same.csv'),
      '--columns',
      'amount,channel',
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/Column "channel" is not numeric .*--categorical channel/);
  });
});
