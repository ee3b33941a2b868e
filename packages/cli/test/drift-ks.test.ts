import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ksTwoSample } from '@mlsd/drift';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'mlsd-drift-ks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const a = Array.from({ length: 40 }, (_, i) => (i * 7919) % 101);
const b = Array.from({ length: 55 }, (_, i) => ((i * 104729) % 97) + 15.5);

describe('mlsd drift ks', () => {
  it('prints one JSON line equal to ksTwoSample on one-number-per-line files', async () => {
    const fileA = write('a.txt', `${a.join('\n')}\n`);
    const fileB = write('b.txt', `  ${b.join('\r\n  ')}\r\n\r\n`);
    const run = await runCli(['drift', 'ks', '--a', fileA, '--b', fileB, '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const printed = JSON.parse(lines[0]!) as Record<string, unknown>;
    const expected = ksTwoSample(a, b);
    expect(printed).toEqual(JSON.parse(JSON.stringify(expected)));
    expect(printed).toMatchObject({ method: 'exact', n1: 40, n2: 55 });
  });

  it('passes --alternative and --method through', async () => {
    const fileA = write('a2.txt', a.join('\n'));
    const fileB = write('b2.txt', b.join('\n'));
    const run = await runCli([
      'drift',
      'ks',
      '--a',
      fileA,
      '--b',
      fileB,
      '--alternative',
      'greater',
      '--method',
      'asymp',
      '--json',
    ]);
    expect(run.code).toBe(0);
    const printed = JSON.parse(run.stdout) as { pvalue: number; method: string };
    const expected = ksTwoSample(a, b, { alternative: 'greater', method: 'asymp' });
    expect(printed.pvalue).toBe(expected.pvalue);
    expect(printed.method).toBe('asymp');
  });

  it('reads a CSV column with --column', async () => {
    const csvA = write('a.csv', `id,score\n${a.map((v, i) => `${i},${v}`).join('\n')}\n`);
    const csvB = write('b.csv', `score,id\n${b.map((v, i) => `${v},${i}`).join('\n')}\n`);
    const run = await runCli([
      'drift',
      'ks',
      '--a',
      csvA,
      '--b',
      csvB,
      '--column',
      'score',
      '--json',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const printed = JSON.parse(run.stdout) as { statistic: number; pvalue: number };
    const expected = ksTwoSample(a, b);
    expect(printed.statistic).toBe(expected.statistic);
    expect(printed.pvalue).toBe(expected.pvalue);
  });

  it('prints a readable summary without --json', async () => {
    const fileA = write('a3.txt', a.join('\n'));
    const fileB = write('b3.txt', b.join('\n'));
    const run = await runCli(['drift', 'ks', '--a', fileA, '--b', fileB]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^KS two-sided: D = [0-9.]+ at [0-9.]+ .*p = /);
    expect(run.stdout).toContain('n_a = 40, n_b = 55, method exact');
  });

  it('fails with the file and line of a value that is not a number', async () => {
    const bad = write('bad.txt', '1\n2\nabc\n4\n');
    const fileB = write('b4.txt', b.join('\n'));
    const run = await runCli(['drift', 'ks', '--a', bad, '--b', fileB, '--json']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/INVALID_DATA.*bad\.txt:3: "abc" is not a finite number/);
  });

  it('fails clearly on an empty file, a missing CSV column and a bad option', async () => {
    const empty = write('empty.txt', '\n');
    const fileB = write('b5.txt', b.join('\n'));
    const emptyRun = await runCli(['drift', 'ks', '--a', empty, '--b', fileB]);
    expect(emptyRun.code).toBe(1);
    expect(emptyRun.stderr).toMatch(/sample1 is empty/);

    const csv = write('c.csv', 'x\n1\n2\n');
    const missing = await runCli(['drift', 'ks', '--a', csv, '--b', csv, '--column', 'score']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/score/);

    const usage = await runCli(['drift', 'ks', '--a', fileB, '--b', fileB, '--method', 'fast']);
    expect(usage.code).toBe(2);
  });

  it('names the path when a sample is a folder or missing (issue 13, item 15)', async () => {
    const fileB = write('b6.txt', b.join('\n'));
    const folder = mkdtempSync(join(dir, 'a-folder-'));
    const onFolder = await runCli(['drift', 'ks', '--a', folder, '--b', fileB]);
    expect(onFolder.code).toBe(1);
    expect(onFolder.stderr).toContain(folder);
    expect(onFolder.stderr).toMatch(/is a folder, not a file/);
    expect(onFolder.stderr).not.toMatch(/EISDIR/);
    const missing = join(dir, 'no-such-sample.txt');
    const onMissing = await runCli(['drift', 'ks', '--a', fileB, '--b', missing]);
    expect(onMissing.code).toBe(1);
    expect(onMissing.stderr).toMatch(/NOT_FOUND.*no-such-sample\.txt does not exist/);
  });
});
