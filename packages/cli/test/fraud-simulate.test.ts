import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Table } from '@mlsd/core';
import {
  PUBLIC_LAYOUT_COLUMNS,
  simulateTransactions,
  TRANSACTION_COLUMN_KINDS,
  TRANSACTION_COLUMNS,
  TransactionRowSchema,
  toPublicLayout,
} from '@mlsd/datasets';
import { computeFeatures, HANDBOOK_FEATURE_NAMES, handbookFeatureSet } from '@mlsd/features';
import { readCsv, readJsonl } from '@mlsd/ingest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const FLAGS = ['--customers', '150', '--terminals', '300', '--days', '20', '--seed', '3'];
const OPTIONS = { customers: 150, terminals: 300, days: 20, seed: 3 } as const;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlsd-fraud-simulate-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Column names whose values (and typed-array kinds) differ between two tables; [] when equal. */
function differingColumns(a: Table, b: Table): string[] {
  const names = [...TRANSACTION_COLUMNS];
  return names.filter((name) => {
    const x = a.numeric(name);
    const y = b.numeric(name);
    if (x.constructor !== y.constructor || x.length !== y.length) return true;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return true;
    return false;
  });
}

describe('mlsd fraud simulate', () => {
  it('--json prints the same summary as simulateTransactions', async () => {
    const run = await runCli(['fraud', 'simulate', ...FLAGS, '--json']);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const printed = JSON.parse(lines[0]!) as Record<string, unknown>;
    const { summary } = simulateTransactions(OPTIONS);
    expect(printed).toMatchObject({
      customers: 150,
      terminals: 300,
      days: 20,
      startDate: '2018-04-01',
      radius: 5,
      seed: 3,
      transactions: summary.transactions,
      frauds: summary.frauds,
      fraudShare: summary.fraudShare,
      byScenario: summary.byScenario,
      out: null,
      drift: null,
    });
    expect(printed.seconds).toBeGreaterThan(0);
  });

  it('writes a CSV that @mlsd/ingest reads back into the same table, and features agree', async () => {
    const path = join(dir, 'tx.csv');
    const run = await runCli(['fraud', 'simulate', ...FLAGS, '--out', path]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Simulated [\d,]+ transactions of 150 customers/);
    expect(run.stdout).toMatch(/frauds: [\d,]+ \(\d+\.\d+%\)/);
    expect(run.stdout).toContain('compromised terminal (28 days)');
    expect(run.stdout).toContain(`wrote ${path}`);

    const simulated = simulateTransactions(OPTIONS).table;
    const { table, stats } = await readCsv(path, TransactionRowSchema, {
      columns: TRANSACTION_COLUMN_KINDS,
    });
    expect(stats.quarantined).toBe(0);
    expect(stats.accepted).toBe(simulated.length);
    expect(differingColumns(table, simulated)).toEqual([]);

    // The simulator's Table feeds the features package as it is, and the file gives the same features.
    const features = handbookFeatureSet();
    const direct = computeFeatures(simulated, features);
    const fromFile = computeFeatures(table, features);
    expect(direct.names).toEqual([...HANDBOOK_FEATURE_NAMES]);
    expect(direct.rows).toBe(simulated.length);
    expect(Buffer.from(fromFile.values.buffer).equals(Buffer.from(direct.values.buffer))).toBe(
      true,
    );
    // Spot-check the night flag against the simulated seconds (hour ≤ 6 is night).
    const night = HANDBOOK_FEATURE_NAMES.indexOf('TX_DURING_NIGHT');
    const seconds = simulated.numeric('TX_TIME_SECONDS');
    let mismatches = 0;
    for (let i = 0; i < simulated.length; i++) {
      const hour = Math.floor((seconds[i]! % 86_400) / 3600);
      if (direct.values[i * direct.columns + night] !== (hour <= 6 ? 1 : 0)) mismatches++;
    }
    expect(mismatches).toBe(0);
  });

  it('writes JSONL that reads back into the same table', async () => {
    const path = join(dir, 'tx.jsonl');
    const run = await runCli(['fraud', 'simulate', ...FLAGS, '--out', path, '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ out: path });
    const first = JSON.parse((await readFile(path, 'utf8')).split('\n', 1)[0]!) as Record<
      string,
      unknown
    >;
    expect(Object.keys(first)).toEqual([...TRANSACTION_COLUMNS]);
    const { table, stats } = await readJsonl(path, TransactionRowSchema, {
      columns: TRANSACTION_COLUMN_KINDS,
    });
    expect(stats.quarantined).toBe(0);
    expect(differingColumns(table, simulateTransactions(OPTIONS).table)).toEqual([]);
  });

  it('passes the drift flags through', async () => {
    const run = await runCli([
      'fraud',
      'simulate',
      ...FLAGS,
      '--drift',
      'new-fraud-pattern',
      '--drift-from-day',
      '5',
      '--drift-strength',
      '0.5',
      '--json',
    ]);
    expect(run.code).toBe(0);
    const printed = JSON.parse(run.stdout) as {
      drift: unknown;
      byScenario: Record<string, number>;
    };
    expect(printed.drift).toEqual({ kind: 'new-fraud-pattern', fromDay: 5, strength: 0.5 });
    expect(printed.byScenario['4']).toBeGreaterThan(0);
  });

  it('rejects bad flags with one line on stderr', async () => {
    const usage: [string[], RegExp][] = [
      [['--customers', '0'], /--customers must be a positive integer/],
      [['--radius', 'wide'], /--radius must be a number/],
      [['--drift', 'gradual', '--drift-from-day', '1'], /--drift.*gradual/],
      [['--drift', 'amount-shift'], /needs --drift-from-day/],
      [['--drift-from-day', '3'], /need --drift <kind>/],
      [['--split-datetime'], /apply to --layout public/],
    ];
    for (const [flags, message] of usage) {
      const run = await runCli(['fraud', 'simulate', ...flags]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stdout).toBe('');
    }
    const invalid: [string[], RegExp][] = [
      [['--start-date', '2018-13-01'], /startDate: must be a real date/],
      [['--radius', '-2'], /radius/],
      [
        ['--days', '10', '--drift', 'amount-shift', '--drift-from-day', '10'],
        /drift\.fromDay: must be below days/,
      ],
      [['--days', '2', '--out', join(dir, 'tx.parquet')], /\.csv or \.jsonl/],
    ];
    for (const [flags, message] of invalid) {
      const run = await runCli(['fraud', 'simulate', ...flags]);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^mlsd: INVALID_ARGUMENT: /);
      expect(run.stderr).toMatch(message);
    }
  });

  it('--layout public writes the public card-fraud layout, the same rows as the simulation', async () => {
    const out = join(dir, 'public.csv');
    const run = await runCli([
      'fraud',
      'simulate',
      ...FLAGS,
      '--layout',
      'public',
      '--out',
      out,
      '--json',
    ]);
    expect(run.code).toBe(0);
    const printed = JSON.parse(run.stdout) as { columns: string[]; transactions: number };
    expect(printed.columns).toEqual([...PUBLIC_LAYOUT_COLUMNS]);
    const text = (await readFile(out, 'utf8')).trimEnd().split('\n');
    expect(text[0]).toBe(PUBLIC_LAYOUT_COLUMNS.join(','));
    expect(text).toHaveLength(printed.transactions + 1);
    const expected = toPublicLayout(simulateTransactions(OPTIONS));
    expect(text[1]).toBe(expected.csvLine(0));
  });
});
