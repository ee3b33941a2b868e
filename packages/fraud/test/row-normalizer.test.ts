import { describe, expect, it } from 'vitest';
import { parseFraudConfig } from '../src/config/parse-fraud-config.js';
import { RowNormalizer } from '../src/config/row-normalizer.js';
import { publicLayoutConfig } from './helpers/public-config.js';

const config = parseFraudConfig(publicLayoutConfig());
const header = [
  'trans_date_trans_time',
  'cc_num',
  'merchant',
  'category',
  'amt',
  'first',
  'gender',
  'city_pop',
  'trans_num',
  'is_fraud',
];
const cells = [
  '2018-07-01 08:00:00',
  '6011000990139424123',
  'Blue Bakery Co',
  'grocery',
  '12.50',
  'Alice',
  'F',
  '1500',
  'abc123',
  '1',
];

describe('RowNormalizer', () => {
  it('normalizes a CSV record: local time to epoch seconds, keys as exact text, label mapped', () => {
    const normalizer = new RowNormalizer(config.columns!);
    const binding = normalizer.bindHeader(header, 'data.csv');
    expect(binding.ignored).toEqual(['first']);
    expect(binding.unused).toEqual([]);
    expect(normalizer.normalizeCells(cells, binding.index)).toBeUndefined();
    expect(normalizer.row).toMatchObject({
      id: 'abc123',
      time: Date.parse('2018-07-01T12:00:00Z') / 1000,
      amount: 12.5,
      label: 1,
      keys: ['6011000990139424123', 'Blue Bakery Co'],
      categorical: ['grocery', 'F'],
    });
    expect(Array.from(normalizer.row.numeric)).toEqual([1500]);
  });

  it('accepts and refuses a JSON body with the same messages as the CSV record', () => {
    const normalizer = new RowNormalizer(config.columns!);
    const binding = normalizer.bindHeader(header, 'data.csv');
    const body = Object.fromEntries(header.map((column, i) => [column, cells[i]!]));
    expect(normalizer.normalizeObject({ ...body, amt: 12.5, is_fraud: 1 })).toBeUndefined();
    const fromJson = normalizer.toRecord();
    normalizer.normalizeCells(cells, binding.index);
    expect(normalizer.toRecord()).toEqual(fromJson);
    for (const [column, bad] of [
      ['amt', 'twelve'],
      ['trans_date_trans_time', '2018/07/01 08:00'],
      ['is_fraud', 'maybe'],
      ['cc_num', ''],
    ] as const) {
      const csvCells = header.map((name, i) => (name === column ? bad : cells[i]!));
      const fromCsv = normalizer.normalizeCells(csvCells, binding.index);
      const fromBody = normalizer.normalizeObject({ ...body, [column]: bad });
      expect(fromCsv).toBeDefined();
      expect(fromBody).toEqual(fromCsv);
      expect(fromCsv!.reason.startsWith(`${column}:`)).toBe(true);
    }
  });

  it('refuses unknown fields (nearest name) and card numbers sent as inexact JSON numbers', () => {
    const normalizer = new RowNormalizer(config.columns!, { labels: 'optional' });
    const body = Object.fromEntries(header.map((column, i) => [column, cells[i]!]));
    delete body.is_fraud;
    expect(normalizer.normalizeObject(body)).toBeUndefined();
    expect(normalizer.row.label).toBe(-1);
    expect(normalizer.normalizeObject({ ...body, amout: 3 })?.reason).toMatch(
      /unknown field "amout" \(did you mean "amt"\?\)/,
    );
    // What JSON.parse makes of a 19-digit card number sent as a number: a different number.
    const inexact = JSON.parse('{"cc_num": 6011000990139424123}') as { cc_num: number };
    expect(normalizer.normalizeObject({ ...body, ...inexact })?.reason).toMatch(
      /cc_num: .*not an exact integer.*send ids and keys as strings/,
    );
    expect(normalizer.normalizeObject({ ...body, cc_num: 4242 })).toBeUndefined();
    expect(normalizer.row.keys[0]).toBe('4242');
  });

  it('names missing and misspelt header columns with the nearest one', () => {
    const normalizer = new RowNormalizer(config.columns!);
    const renamed = header.map((column) => (column === 'cc_num' ? 'cc_number' : column));
    expect(() => normalizer.bindHeader(renamed, 'data.csv')).toThrow(
      /config names column "cc_num" \(did you mean "cc_number"\?\) that the file does not have/,
    );
    // Without labels required, a file without the label column is fine.
    const unlabeled = new RowNormalizer(config.columns!, { labels: 'optional' });
    expect(() => unlabeled.bindHeader(header.slice(0, -1), 'new.csv')).not.toThrow();
  });

  it('reads a time from a date column and a time-of-day column', () => {
    const split = parseFraudConfig(
      publicLayoutConfig({ time: { date: 'd', time: 't', format: 'YYYY-MM-DD HH:mm:ss' } }),
    );
    const normalizer = new RowNormalizer(split.columns!);
    expect(normalizer.layout.time).toBe('time');
    const body = Object.fromEntries(header.map((column, i) => [column, cells[i]!]));
    delete body.trans_date_trans_time;
    expect(normalizer.normalizeObject({ ...body, d: '2018-07-01', t: '08:00:00' })).toBeUndefined();
    expect(normalizer.row.time).toBe(Date.parse('2018-07-01T12:00:00Z') / 1000);
  });

  it('refuses a config whose columns clash, by key path', () => {
    const clash = parseFraudConfig(publicLayoutConfig({ numeric: ['amt'], ignore: ['cc_num'] }));
    expect(() => new RowNormalizer(clash.columns!)).toThrow(
      /columns.numeric\[0\]: column "amt" is already used as columns.amount.*; columns.ignore\[0\]: column "cc_num" is used as columns.entities.card\[0\]/,
    );
  });
});
