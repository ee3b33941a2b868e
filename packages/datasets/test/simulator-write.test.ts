import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CategoryColumn, InvalidArgumentError, Table } from '@mlsd/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DateTimeFormatter,
  simulateTransactions,
  TRANSACTION_COLUMNS,
  writeTransactions,
  writeTransactionsCsv,
  writeTransactionsJsonl,
} from '../src/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlsd-simulator-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const SMALL = { customers: 100, terminals: 200, days: 10 } as const;

describe('DateTimeFormatter', () => {
  it('writes epoch seconds as YYYY-MM-DD HH:MM:SS, with a fraction only when there is one', () => {
    const f = new DateTimeFormatter();
    const origin = Date.UTC(2018, 3, 1) / 1000;
    expect(f.format(origin)).toBe('2018-04-01 00:00:00');
    expect(f.format(origin + 31)).toBe('2018-04-01 00:00:31');
    expect(f.format(origin + 86_399)).toBe('2018-04-01 23:59:59');
    expect(f.format(origin + 86_400 + 3_723)).toBe('2018-04-02 01:02:03');
    expect(f.format(origin + 1.25)).toBe('2018-04-01 00:00:01.250');
    expect(f.format(-1)).toBe('1969-12-31 23:59:59');
    expect(f.format(Number.NaN)).toBe('');
  });
});

describe('writeTransactionsCsv / writeTransactionsJsonl', () => {
  it('writes the handbook header and rows with formatted date-times', async () => {
    const { table } = simulateTransactions({ ...SMALL, seed: 1 });
    const path = join(dir, 'tx.csv');
    const progress: number[] = [];
    await writeTransactionsCsv(table, path, { onProgress: (rows) => progress.push(rows) });
    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
    expect(lines[0]).toBe(TRANSACTION_COLUMNS.join(','));
    expect(lines).toHaveLength(table.length + 1);
    const first = lines[1]!.split(',');
    expect(first[0]).toBe('0');
    expect(first[1]).toMatch(/^2018-04-01 \d\d:\d\d:\d\d$/);
    expect(Number(first[4])).toBe(table.numeric('TX_AMOUNT')[0]);
    expect(progress.at(-1)).toBe(table.length);
    // No temporary file is left behind.
    expect(await readdir(dir)).toEqual(['tx.csv']);
  });

  it('same seed gives byte-identical CSV and JSONL; another seed does not', async () => {
    const write = async (seed: number, name: string) => {
      const { table } = simulateTransactions({ ...SMALL, seed });
      await writeTransactions(table, join(dir, name));
      return readFile(join(dir, name));
    };
    const a = await write(7, 'a.csv');
    const b = await write(7, 'b.csv');
    const c = await write(8, 'c.csv');
    expect(a.equals(b)).toBe(true);
    expect(a.equals(c)).toBe(false);
    const ja = await write(7, 'a.jsonl');
    const jb = await write(7, 'b.jsonl');
    expect(ja.equals(jb)).toBe(true);
  });

  it('JSONL has one object per row with the same values', async () => {
    const { table } = simulateTransactions({ ...SMALL, seed: 2 });
    const path = join(dir, 'tx.jsonl');
    await writeTransactionsJsonl(table, path);
    const rows = (await readFile(path, 'utf8'))
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, number | string>);
    expect(rows).toHaveLength(table.length);
    const last = table.length - 1;
    expect(Object.keys(rows[last]!)).toEqual([...TRANSACTION_COLUMNS]);
    for (const name of TRANSACTION_COLUMNS) {
      if (name === 'TX_DATETIME') continue;
      expect(rows[last]![name]).toBe(table.numeric(name)[last]);
    }
    expect(rows[last]!.TX_DATETIME).toMatch(/^2018-04-10 \d\d:\d\d:\d\d$/);
  });

  it('quotes text, writes missing numbers as empty / null', async () => {
    const table = new Table({
      name: ['plain', 'a "quoted", one'],
      kind: new CategoryColumn(Int32Array.of(0, -1), ['x']),
      value: Float64Array.of(1.5, Number.NaN),
      TX_DATETIME: Float64Array.of(0, Number.NaN),
    });
    await writeTransactionsCsv(table, join(dir, 'odd.csv'));
    expect(await readFile(join(dir, 'odd.csv'), 'utf8')).toBe(
      'name,kind,value,TX_DATETIME\nplain,x,1.5,1970-01-01 00:00:00\n"a ""quoted"", one",,,\n',
    );
    await writeTransactionsJsonl(table, join(dir, 'odd.jsonl'));
    const [, second] = (await readFile(join(dir, 'odd.jsonl'), 'utf8')).trimEnd().split('\n');
    expect(JSON.parse(second!)).toEqual({
      name: 'a "quoted", one',
      kind: null,
      value: null,
      TX_DATETIME: null,
    });
  });

  it('refuses a file name without a known extension', async () => {
    const table = new Table({ a: Float64Array.of(1) });
    await expect(writeTransactions(table, join(dir, 'out.parquet'))).rejects.toThrow(
      InvalidArgumentError,
    );
    await expect(writeTransactions(table, join(dir, 'out.parquet'))).rejects.toThrow(
      /\.csv or \.jsonl/,
    );
  });
});
