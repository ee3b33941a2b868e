import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simulateTransactions, toPublicLayout, writePublicLog } from '@mlsd/datasets';
import { parseFraudConfig } from '@mlsd/fraud';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

let dir: string;
let logPath: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlsd-fraud-init-'));
  logPath = join(dir, 'log.csv');
  const simulation = simulateTransactions({
    customers: 100,
    terminals: 200,
    days: 20,
    seed: 2,
    progress: false,
  });
  await writePublicLog(toPublicLayout(simulation), logPath);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('mlsd fraud init', () => {
  it('writes a valid draft, explains each guess on stderr and prints one JSON line', async () => {
    const out = join(dir, 'fraud.config.json');
    const run = await runCli(['fraud', 'init', '--in', logPath, '--out', out, '--json']);
    expect(run.code).toBe(0);
    const printed = JSON.parse(run.stdout) as { out: string; leftOut: { column: string }[] };
    expect(printed.out).toBe(out);
    expect(printed.leftOut.map((entry) => entry.column)).toContain('first');
    expect(run.stderr).toMatch(/transaction id: trans_num/);
    expect(run.stderr).toMatch(/left out: dob — personal data: a birth date/);
    const written = JSON.parse(await readFile(out, 'utf8'));
    expect(written.$schema).toMatch(/fraud-config\.schema\.json$/);
    expect(parseFraudConfig(written).columns?.entities).toEqual({
      card: ['cc_num'],
      merchant: ['merchant'],
    });
    // A second run does not overwrite the edited draft unless told to.
    const again = await runCli(['fraud', 'init', '--in', logPath, '--out', out]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already exists; pass --force/);
  });
});
