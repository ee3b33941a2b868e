import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TimeZone } from '@mlsd/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { luhnCheckDigit } from '../src/public-layout/card-numbers.js';
import {
  PUBLIC_LAYOUT_COLUMNS,
  toPublicLayout,
  transactionNumber,
} from '../src/public-layout/public-log.js';
import { writePublicLog } from '../src/public-layout/write-public-log.js';
import { simulateTransactions } from '../src/simulator/simulate-transactions.js';

const simulation = simulateTransactions({
  customers: 200,
  terminals: 400,
  days: 20,
  seed: 5,
  progress: false,
});

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlsd-public-layout-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('toPublicLayout', () => {
  const log = toPublicLayout(simulation, { longCardShare: 0.2 });
  const table = log.toTable();

  it('has the public columns, one row per simulated transaction, labels unchanged', () => {
    expect(log.columns).toEqual([...PUBLIC_LAYOUT_COLUMNS]);
    expect(log.length).toBe(simulation.table.length);
    expect(Array.from(table.numeric('is_fraud'))).toEqual(
      Array.from(simulation.table.numeric('TX_FRAUD')),
    );
    expect(Array.from(table.numeric('amt'))).toEqual(
      Array.from(simulation.table.numeric('TX_AMOUNT')),
    );
  });

  it('writes local wall-clock text that names the unix_time instant in the zone', () => {
    const zone = TimeZone.of('America/New_York');
    const text = table.strings('trans_date_trans_time');
    const unix = table.numeric('unix_time');
    for (let i = 0; i < log.length; i += 97) {
      const wall = Date.parse(`${text[i]!.replace(' ', 'T')}Z`) / 1000;
      expect(zone.fromWallClock(wall)).toBe(unix[i]);
    }
    // The simulator's seconds are time since local midnight of the start date.
    const seconds = simulation.table.numeric('TX_TIME_SECONDS');
    expect(unix[0]! - seconds[0]!).toBe(Date.parse('2018-04-01T04:00:00Z') / 1000);
  });

  it('gives each card one valid number of 16 or 19 digits, some past 2^53', () => {
    const cards = table.strings('cc_num');
    const customers = simulation.table.numeric('CUSTOMER_ID');
    const byCustomer = new Map<number, string>();
    for (let i = 0; i < cards.length; i++) {
      const known = byCustomer.get(customers[i]!);
      if (known !== undefined) expect(cards[i]).toBe(known);
      byCustomer.set(customers[i]!, cards[i]!);
    }
    const numbers = new Set(byCustomer.values());
    expect(numbers.size).toBe(byCustomer.size);
    let long = 0;
    for (const number of numbers) {
      expect(number).toMatch(/^\d{16}(\d{3})?$/);
      expect(luhnCheckDigit(number.slice(0, -1))).toBe(Number(number.at(-1)));
      if (number.length === 19) {
        long++;
        // Past 2^53: a reader must keep it as text, not as a JS number.
        expect(BigInt(number) > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
      }
    }
    expect(long).toBeGreaterThan(0);
    expect(long).toBeLessThan(numbers.size);
  });

  it('has distinct transaction numbers and positions inside the map box', () => {
    expect(new Set(table.strings('trans_num')).size).toBe(log.length);
    expect(transactionNumber(0, 5)).toMatch(/^[0-9a-f]{32}$/);
    for (const [name, low, high] of [
      ['lat', 38, 42],
      ['merch_lat', 38, 42],
      ['long', -80, -74],
      ['merch_long', -80, -74],
    ] as const) {
      for (const value of table.numeric(name)) {
        expect(value).toBeGreaterThanOrEqual(low);
        expect(value).toBeLessThanOrEqual(high);
      }
    }
  });

  it('is deterministic and splits date and time on request', () => {
    const again = toPublicLayout(simulation, { longCardShare: 0.2 });
    expect(again.csvLine(17)).toBe(log.csvLine(17));
    const split = toPublicLayout(simulation, { longCardShare: 0.2, splitDateTime: true });
    expect(split.columns.slice(0, 3)).toEqual(['trans_date', 'trans_time', 'cc_num']);
    const [date, time] = split.csvLine(17).split(',');
    expect(`${date} ${time}`).toBe(log.cell(17, 'trans_date_trans_time'));
  });

  it('makes compromised terminals more often online merchants', () => {
    const compromised = new Set(simulation.compromised.terminals);
    const categories = table.strings('category');
    const terminals = simulation.table.numeric('TERMINAL_ID');
    const online = [0, 0];
    const total = [0, 0];
    const seen = new Set<number>();
    for (let i = 0; i < log.length; i++) {
      const terminal = terminals[i]!;
      if (seen.has(terminal)) continue;
      seen.add(terminal);
      const group = compromised.has(terminal) ? 1 : 0;
      total[group]!++;
      if (categories[i]!.startsWith('online_')) online[group]!++;
    }
    expect(online[1]! / total[1]!).toBeGreaterThan(online[0]! / total[0]!);
  });

  it('writes CSV and JSONL files whose rows are its lines', async () => {
    const csvPath = join(dir, 'log.csv');
    await writePublicLog(log, csvPath);
    const lines = (await readFile(csvPath, 'utf8')).trimEnd().split('\n');
    expect(lines[0]).toBe(PUBLIC_LAYOUT_COLUMNS.join(','));
    expect(lines).toHaveLength(log.length + 1);
    expect(lines[5]).toBe(log.csvLine(4));
    const jsonPath = join(dir, 'log.jsonl');
    await writePublicLog(log, jsonPath);
    const first = JSON.parse((await readFile(jsonPath, 'utf8')).split('\n')[0]!);
    expect(typeof first.cc_num).toBe('string');
    expect(first.amt).toBe(log.cell(0, 'amt'));
  });
});
