import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CategoryColumn } from '@mlsd/core';
import { simulateTransactions, toPublicLayout, writePublicLog } from '@mlsd/datasets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFraudConfig } from '../src/config/parse-fraud-config.js';
import { readFraudLog } from '../src/config/read-fraud-log.js';
import { publicLayoutConfig } from './helpers/public-config.js';

const log = toPublicLayout(
  simulateTransactions({ customers: 60, terminals: 120, days: 8, seed: 4, progress: false }),
  { longCardShare: 0.3 },
);
const columns = parseFraudConfig(publicLayoutConfig()).columns!;

let dir: string;
let csvPath: string;
let lines: string[];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlsd-fraud-log-'));
  csvPath = join(dir, 'log.csv');
  await writePublicLog(log, csvPath);
  lines = (await readFile(csvPath, 'utf8')).trimEnd().split('\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(name: string, content: string[]): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `${content.join('\n')}\n`);
  return path;
}

describe('readFraudLog', () => {
  it('reads the public layout into the normalized table, card numbers kept exactly', async () => {
    const result = await readFraudLog(csvPath, columns);
    const { table, stats } = result;
    expect(stats).toMatchObject({ read: log.length, accepted: log.length, quarantined: 0 });
    expect(Array.from(table.numeric('trans_date_trans_time'))).toEqual(
      Array.from(log.epochSeconds),
    );
    expect(table.numeric('is_fraud')).toBeInstanceOf(Uint8Array);
    const cards = table.column('cc_num');
    expect(cards).toBeInstanceOf(CategoryColumn);
    const long = (cards as CategoryColumn).levels.filter((card) => card.length === 19);
    expect(long.length).toBeGreaterThan(0);
    for (let i = 0; i < log.length; i += 50) {
      expect((cards as CategoryColumn).get(i)).toBe(log.cell(i, 'cc_num'));
    }
    expect(table.strings('trans_num')[3]).toBe(log.cell(3, 'trans_num'));
    expect(result.notes.join('\n')).toMatch(/left out as the config says: first, last/);
    expect(result.notes.join('\n')).toMatch(/not named in the config.*lat, long/);
  });

  it('quarantines repeated ids after the first, naming its line; counts reconcile', async () => {
    const path = await write('dup.csv', [...lines.slice(0, 6), lines[2]!, lines[3]!]);
    const result = await readFraudLog(path, columns);
    expect(result.stats).toMatchObject({ read: 7, accepted: 5, quarantined: 2, duplicates: 2 });
    expect(result.quarantine[0]).toMatchObject({ line: 7, column: 'trans_num' });
    expect(result.quarantine[0]!.reason).toMatch(
      /duplicate transaction id '.+' \(first on line 3\)/,
    );
    expect(result.notes.join('\n')).toMatch(/2 rows repeated an earlier transaction id/);
  });

  it('sorts rows out of time order (stable) and says so', async () => {
    const shuffled = [lines[0]!, lines[3]!, lines[1]!, lines[2]!, lines[4]!];
    const result = await readFraudLog(await write('unsorted.csv', shuffled), columns);
    expect(result.stats.sorted).toBe(true);
    expect(result.table.strings('trans_num')).toEqual(
      [0, 1, 2, 3].map((i) => log.cell(i, 'trans_num')),
    );
    expect(result.notes.join('\n')).toMatch(/not in time order \(line 3 .*sorted them by time/);
  });

  it('quarantines unparseable and mixed time formats with the reason', async () => {
    const broken = [
      lines[0]!,
      lines[1]!,
      lines[2]!.replace(/^(\d{4})-(\d{2})-(\d{2})/, '$3/$2/$1'),
      lines[3]!.replace(/^([^,]+) /, '$1T'),
      lines[4]!,
    ];
    const result = await readFraudLog(await write('times.csv', broken), columns);
    expect(result.stats).toMatchObject({ read: 4, accepted: 2, quarantined: 2 });
    expect(result.quarantine.map((row) => row.line)).toEqual([3, 4]);
    expect(result.quarantine[0]!.reason).toMatch(
      /^trans_date_trans_time: '.*' is not a time in the format "YYYY-MM-DD HH:mm:ss"/,
    );
  });

  it('refuses a header-only file, and a label column with other values, clearly', async () => {
    await expect(readFraudLog(await write('empty.csv', [lines[0]!]), columns)).rejects.toThrow(
      /has no transactions: a header and no data rows/,
    );
    const relabelled = lines.map((line, i) =>
      i === 0 ? line : line.replace(/,[01]$/, i % 3 === 0 ? ',2' : ',0'),
    );
    await expect(readFraudLog(await write('labels.csv', relabelled), columns)).rejects.toThrow(
      /label column "is_fraud" has values other than the two the config maps \(fraud 1; genuine 0\): '2' \(\d+ rows\)/,
    );
  });

  it('reads JSON Lines through the same normalizer', async () => {
    const path = join(dir, 'log.jsonl');
    await writePublicLog(log, path);
    const result = await readFraudLog(path, columns);
    expect(result.stats.accepted).toBe(log.length);
    const fromCsv = await readFraudLog(csvPath, columns);
    expect(result.table.strings('cc_num')).toEqual(fromCsv.table.strings('cc_num'));
    expect(Array.from(result.table.numeric('amt'))).toEqual(
      Array.from(fromCsv.table.numeric('amt')),
    );
  });
});
