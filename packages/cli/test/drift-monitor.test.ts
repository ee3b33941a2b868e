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

describe('mlsd drift monitor', () => {
  it('finds no drift between samples of one distribution', async () => {
    const run = await runCli([
      'drift',
      'monitor',
      '--reference',
      join(dir, 'reference.csv'),
      '--current',
      join(dir, 'same.csv'),
      '--categorical',
      'channel',
      '--json',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.columns.map((c: { test: string }) => c.test)).toEqual(['ks', 'ks', 'chi-square']);
    expect(report.datasetDrift).toBe(false);
  });

  it('flags shifted columns and writes an HTML report with their ECDFs', async () => {
    const html = join(dir, 'drift.html');
    const run = await runCli([
      'drift',
      'monitor',
      '--reference',
      join(dir, 'reference.csv'),
      '--current',
      join(dir, 'shifted.csv'),
      '--categorical',
      'channel',
      '--report',
      html,
      '--json',
    ]);
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
    const run = await runCli([
      'drift',
      'monitor',
      '--reference',
      join(dir, 'reference.csv'),
      '--current',
      join(dir, 'same.csv'),
      '--columns',
      'amuont',
    ]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/no column "amuont"; columns: amount, hour, channel/);
  });
});
