import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { locateFashionMnist } from '@mlsd/datasets';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

describe('mlsd data fetch', () => {
  it('copies Fashion-MNIST from a folder into one the loader reads', async () => {
    const to = join(await mkdtemp(join(tmpdir(), 'mlsd-cli-fetch-')), 'fashion-mnist');
    const fetch = await runCli([
      'data',
      'fetch',
      '--from',
      locateFashionMnist(),
      '--to',
      to,
      '--json',
    ]);
    expect(fetch.code, fetch.stderr).toBe(0);
    expect(JSON.parse(fetch.stdout)).toMatchObject({ dir: to, copied: 4 });
    const summary = await runCli(['data', 'fashion-mnist', '--dir', to, '--json']);
    expect(summary.code, summary.stderr).toBe(0);
    expect(JSON.parse(summary.stdout)).toMatchObject({ dir: to, train: 60_000, test: 10_000 });
  });

  it('says how to get the data when the folder does not hold it', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'mlsd-cli-fetch-empty-'));
    const run = await runCli(['data', 'fetch', '--from', empty]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^mlsd: NOT_FOUND: No copy of Fashion-MNIST .*apt-get install dataset-fashion-mnist/,
    );
  });
});
