import { CategoryColumn } from '@mlsd/core';
import { simulateTransactions } from '@mlsd/datasets';
import { describe, expect, it } from 'vitest';
import { normalizeTable } from '../src/config/normalize-table.js';
import { parseFraudConfig } from '../src/config/parse-fraud-config.js';
import { dayNumbers, resolveProtocol, timeSpan } from '../src/protocol/fraud-periods.js';

const { table } = simulateTransactions({
  customers: 80,
  terminals: 160,
  days: 40,
  seed: 3,
  progress: false,
});

describe('the handbook preset', () => {
  const config = parseFraudConfig({ version: 1, preset: 'handbook' });

  it("reads the simulator's table: epoch times, ids and keys as text, nothing refused", () => {
    const log = normalizeTable(table, config.columns!);
    expect(log.stats).toMatchObject({ read: table.length, quarantined: 0, sorted: false });
    const seconds = table.numeric('TX_TIME_SECONDS');
    const time = log.table.numeric('TX_TIME_SECONDS');
    for (let i = 0; i < table.length; i += 31) {
      expect(time[i]).toBe(Date.parse('2018-04-01T00:00:00Z') / 1000 + seconds[i]!);
    }
    expect(log.table.strings('TRANSACTION_ID')[5]).toBe(String(table.numeric('TRANSACTION_ID')[5]));
    const customers = log.table.column('CUSTOMER_ID') as CategoryColumn;
    expect(customers).toBeInstanceOf(CategoryColumn);
    expect(customers.get(7)).toBe(String(table.numeric('CUSTOMER_ID')[7]));
    expect(Array.from(log.table.numeric('TX_FRAUD'))).toEqual(
      Array.from(table.numeric('TX_FRAUD')),
    );
  });

  it("counts the protocol's days as the simulator's TX_TIME_DAYS", () => {
    const log = normalizeTable(table, config.columns!);
    const time = log.table.numeric('TX_TIME_SECONDS');
    const protocol = resolveProtocol({ ...config.protocol, trainStart: 'auto' }, timeSpan(time), {
      timezone: 'UTC',
      labelDelayDays: 7,
      cardEntity: 'CUSTOMER_ID',
    });
    expect(protocol.origin).toBe('2018-04-01');
    expect(Array.from(dayNumbers(time, protocol))).toEqual(
      Array.from(table.numeric('TX_TIME_DAYS')),
    );
    expect(config.protocol).toMatchObject({
      trainStart: '2018-07-25',
      delayDays: 7,
      cardEntity: 'CUSTOMER_ID',
    });
  });
});
