import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CategoryColumn,
  NotFoundError,
  QuarantineLimitError,
  SchemaMismatchError,
  Table,
} from '@mlsd/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { readCsv } from '../src/read-csv.js';
import { readJsonl } from '../src/read-jsonl.js';
import { writeCsv, writeJsonl } from '../src/write-table.js';

const schema = z.object({
  TRANSACTION_ID: z.number().int().nonnegative(),
  CUSTOMER_ID: z.number().int(),
  TERMINAL_ID: z.string(),
  TX_AMOUNT: z.number().nonnegative(),
  TX_FRAUD: z.number().int().min(0).max(1),
  NOTE: z.string().optional(),
});
const columns = {
  TRANSACTION_ID: 'int32',
  CUSTOMER_ID: 'int32',
  TERMINAL_ID: 'category',
  TX_FRAUD: 'uint8',
} as const;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlsd-ingest-'));
});

const good = [
  'TRANSACTION_ID,CUSTOMER_ID,TERMINAL_ID,TX_AMOUNT,TX_FRAUD,EXTRA',
  '0,10,T1,57.16,0,x',
  '1,11,T2,"1,000.5",0,x', // not a number: comma inside
  '2,12,T1,12.5,2,x', // fraud label out of range
  '3,13,T3,NaN,0,x', // NaN amount
  '4,14,T3,Infinity,0,x', // infinite amount
  '5,15,T2,8.25,1', // too few fields
  '6,,T2,8.25,1,x', // missing customer
  '7,17,"T""4",-1,0,x', // negative amount, quoted terminal
  '8,18,T9,3,1,"multi',
  'line"',
  '9,19,T1,4.5,0,x',
].join('\n');

describe('readCsv', () => {
  it('reads valid rows into typed columns and quarantines the rest with line and reason', async () => {
    const path = join(dir, 'tx.csv');
    await writeFile(path, good);
    const quarantinePath = join(dir, 'out', 'quarantine.jsonl');
    const result = await readCsv(path, schema, { columns, quarantinePath });
    expect(result.stats.read).toBe(10);
    expect(result.stats.read).toBe(result.stats.accepted + result.stats.quarantined);
    expect(result.stats.accepted).toBe(3);
    expect(result.ignoredColumns).toEqual(['EXTRA']);
    const t = result.table;
    expect(t.numeric('TRANSACTION_ID')).toEqual(Int32Array.from([0, 8, 9]));
    expect(t.numeric('TX_FRAUD')).toBeInstanceOf(Uint8Array);
    expect(t.column('TERMINAL_ID')).toBeInstanceOf(CategoryColumn);
    expect(t.strings('TERMINAL_ID')).toEqual(['T1', 'T9', 'T1']);
    expect(t.strings('NOTE')).toEqual(['', '', '']);
    expect(result.quarantine.map((q) => [q.line, q.column ?? null])).toEqual([
      [3, 'TX_AMOUNT'],
      [4, 'TX_FRAUD'],
      [5, 'TX_AMOUNT'],
      [6, 'TX_AMOUNT'],
      [7, null],
      [8, 'CUSTOMER_ID'],
      [9, 'TX_AMOUNT'],
    ]);
    expect(result.quarantine[0]!.reason).toBe("TX_AMOUNT: expected a number, got '1,000.5'");
    expect(result.quarantine[0]!.raw).toBe('1,11,T2,"1,000.5",0,x');
    expect(result.quarantine[2]!.reason).toMatch(/TX_AMOUNT: 'NaN' is not a finite number/);
    expect(result.quarantine[4]!.reason).toBe('expected 6 fields, found 5');
    expect(result.quarantine[5]!.reason).toBe('CUSTOMER_ID: missing value');
    const lines = (await readFile(quarantinePath, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(7);
    expect(JSON.parse(lines[6]!)).toMatchObject({ line: 9, raw: '7,17,"T""4",-1,0,x' });
  });

  it('fails at the header naming a missing column and the nearest one', async () => {
    const path = join(dir, 'misspelt.csv');
    await writeFile(path, 'TRANSACTION_ID,CUSTOMER_ID,TERMINAL_ID,TX_AMOUT,TX_FRAUD\n1,2,T,3,0\n');
    await expect(readCsv(path, schema)).rejects.toThrow(SchemaMismatchError);
    await expect(readCsv(path, schema)).rejects.toThrow(
      /missing required column "TX_AMOUNT" \(did you mean "TX_AMOUT"\?\)/,
    );
  });

  it('fails when the refused share passes the limit, and still writes the quarantine', async () => {
    const path = join(dir, 'limit.csv');
    await writeFile(path, good);
    const quarantinePath = join(dir, 'limit-q.jsonl');
    await expect(
      readCsv(path, schema, { columns, quarantinePath, maxQuarantineShare: 0.5 }),
    ).rejects.toThrow(QuarantineLimitError);
    await expect(
      readCsv(path, schema, { columns, quarantinePath, maxQuarantineShare: 0.5 }),
    ).rejects.toThrow(/7 of 10 rows refused \(70.00%\), above the limit of 50.00%.*limit-q\.jsonl/);
    expect((await readFile(quarantinePath, 'utf8')).trim().split('\n')).toHaveLength(7);
    await expect(readCsv(path, schema, { columns, maxQuarantined: 2 })).rejects.toThrow(
      /more than 2 rows refused/,
    );
    const ok = await readCsv(path, schema, { columns, maxQuarantineShare: 0.7 });
    expect(ok.stats.quarantined).toBe(7);
  });

  it('reads from a stream of byte chunks split inside multi-byte characters', async () => {
    const text = 'TRANSACTION_ID,CUSTOMER_ID,TERMINAL_ID,TX_AMOUNT,TX_FRAUD\n1,2,"Bé€😀",3,0\n';
    const bytes = Buffer.from(text, 'utf8');
    const chunks = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
    const result = await readCsv(chunks, schema);
    expect(result.table.strings('TERMINAL_ID')).toEqual(['Bé€😀']);
  });

  it('reports a missing file and an empty one', async () => {
    await expect(readCsv(join(dir, 'none.csv'), schema)).rejects.toThrow(NotFoundError);
    const empty = join(dir, 'empty.csv');
    await writeFile(empty, '');
    await expect(readCsv(empty, schema)).rejects.toThrow(/is empty: no header row/);
  });
});

describe('readJsonl', () => {
  it('validates types strictly and quarantines invalid JSON and bad fields', async () => {
    const path = join(dir, 'tx.jsonl');
    await writeFile(
      path,
      [
        '{"TRANSACTION_ID":0,"CUSTOMER_ID":1,"TERMINAL_ID":"T1","TX_AMOUNT":2.5,"TX_FRAUD":0}',
        '',
        '{"TRANSACTION_ID":1,"CUSTOMER_ID":1,"TERMINAL_ID":"T1","TX_AMOUNT":"2.5","TX_FRAUD":0}',
        '{"TRANSACTION_ID":2, not json',
        '[1,2]',
        '{"TRANSACTION_ID":3,"CUSTOMER_ID":1,"TERMINAL_ID":"T2","TX_FRAUD":1}',
        '{"TRANSACTION_ID":4,"CUSTOMER_ID":1,"TERMINAL_ID":"T2","TX_AMOUNT":9,"TX_FRAUD":1,"NOTE":"hi"}\r',
      ].join('\n'),
    );
    const result = await readJsonl(path, schema, { columns });
    expect(result.stats).toMatchObject({ read: 6, accepted: 2, quarantined: 4, blankLines: 1 });
    expect(result.quarantine.map((q) => [q.line, q.reason.split(':')[0]])).toEqual([
      [3, 'TX_AMOUNT'],
      [4, 'invalid JSON'],
      [5, 'expected a JSON object on the line'],
      [6, 'TX_AMOUNT'],
    ]);
    expect(result.quarantine[0]!.reason).toBe("TX_AMOUNT: expected number, got '2.5'");
    expect(result.table.strings('NOTE')).toEqual(['', 'hi']);
  });
});

describe('writeCsv / writeJsonl', () => {
  const table = new Table({
    TRANSACTION_ID: Int32Array.from([0, 1]),
    CUSTOMER_ID: Int32Array.from([5, 6]),
    TERMINAL_ID: CategoryColumn.fromValues(['a,b', 'say "x"']),
    TX_AMOUNT: Float64Array.from([1.5, 1e-7]),
    TX_FRAUD: Uint8Array.from([0, 1]),
    NOTE: ['line\nbreak', ''],
  });

  it('round-trips a table through CSV and JSONL', async () => {
    for (const [write, read, file] of [
      [writeCsv, readCsv, 'rt.csv'],
      [writeJsonl, readJsonl, 'rt.jsonl'],
    ] as const) {
      const path = join(dir, file);
      await write(path, table);
      const back = await read(path, schema, { columns });
      expect(back.stats.quarantined).toBe(0);
      expect(back.table.toRows()).toEqual(table.toRows());
    }
  });

  it('formats a column on the way out', async () => {
    const path = join(dir, 'fmt.csv');
    await writeCsv(path, table, {
      columns: ['TRANSACTION_ID', 'TX_AMOUNT'],
      format: { TX_AMOUNT: (v) => Number(v).toFixed(2) },
    });
    expect(await readFile(path, 'utf8')).toBe('TRANSACTION_ID,TX_AMOUNT\n0,1.50\n1,0.00\n');
  });
});

describe('datetime columns', () => {
  it('stores ISO date-times as epoch seconds and quarantines bad ones', async () => {
    const path = join(dir, 'dates.csv');
    await writeFile(path, 'TX_DATETIME\n2018-04-01 00:00:10\n2018-02-30 10:00:00\n');
    const result = await readCsv(path, z.object({ TX_DATETIME: z.string() }), {
      columns: { TX_DATETIME: 'datetime' },
    });
    expect([...result.table.numeric('TX_DATETIME')]).toEqual([
      Date.UTC(2018, 3, 1, 0, 0, 10) / 1000,
    ]);
    expect(result.quarantine[0]!.reason).toBe(
      "TX_DATETIME: '2018-02-30 10:00:00' is not an ISO-8601 date-time",
    );
  });
});
