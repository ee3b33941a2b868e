import { simulateTransactions, toPublicLayout } from '@mlsd/datasets';
import { describe, expect, it } from 'vitest';
import { TUNED_FRAUD_MODEL } from '../src/classifiers.js';
import { parseFraudConfig } from '../src/config/parse-fraud-config.js';
import { readFraudLog } from '../src/config/read-fraud-log.js';
import { inferFraudConfig } from '../src/init/infer-fraud-config.js';
import { readLogSample } from '../src/init/read-log-sample.js';

const simulation = simulateTransactions({
  customers: 150,
  terminals: 300,
  days: 30,
  seed: 9,
  progress: false,
});

/** The log as CSV text, with a column transform per row. */
function csvOf(
  options: Parameters<typeof toPublicLayout>[1],
  drop: readonly string[] = [],
): string[] {
  const log = toPublicLayout(simulation, options);
  const keep = log.columns.map((column) => !drop.includes(column));
  const line = (cells: string[]) => cells.filter((_, i) => keep[i]).join(',');
  const out = [line([...log.columns])];
  for (let i = 0; i < log.length; i++) {
    const cells = log.csvLine(i).split(',');
    out.push(line(cells));
  }
  return [`${out.join('\n')}\n`];
}

describe('inferFraudConfig', () => {
  it('reads the public layout: epoch time with the zone of the text column, id, label, entities', async () => {
    const text = csvOf({});
    const sample = await readLogSample(text, { name: 'log.csv' });
    const { config, explanations, leftOut } = inferFraudConfig(sample);
    const columns = config.columns!;
    expect(columns).toMatchObject({
      transactionId: 'trans_num',
      time: { column: 'unix_time', format: 'epoch-seconds' },
      timezone: 'America/New_York',
      amount: 'amt',
      label: { column: 'is_fraud', fraud: ['1'], genuine: ['0'] },
      entities: { card: ['cc_num'], merchant: ['merchant'] },
      categorical: ['category'],
      numeric: ['city_pop', 'merch_lat', 'merch_long'],
    });
    const personal = leftOut.filter((entry) => entry.reason.startsWith('personal data'));
    expect(personal.map((entry) => entry.column).sort()).toEqual(
      [
        'city',
        'dob',
        'first',
        'gender',
        'job',
        'last',
        'lat',
        'long',
        'state',
        'street',
        'zip',
      ].sort(),
    );
    expect(leftOut).toContainEqual({
      column: 'trans_date_trans_time',
      reason: 'the same instants as the time column',
    });
    expect(explanations.join('\n')).toMatch(/label: is_fraud — two values, '1' fraud/);
    // The draft is a valid config, and it reads the whole file with nothing refused.
    const parsed = parseFraudConfig(config);
    const log = await readFraudLog(text, parsed.columns!, { name: 'log.csv' });
    expect(log.stats.quarantined).toBe(0);
    expect(log.stats.accepted).toBe(simulation.table.length);
    expect(config.features!.length).toBeGreaterThan(10);
    // The draft names no model kind, so it trains the tuned trees rather than logreg.
    expect(config.model).toEqual({ classWeight: 'none', seed: 0 });
    expect(parsed.model).toMatchObject({
      kind: TUNED_FRAUD_MODEL.kind,
      params: TUNED_FRAUD_MODEL.params,
    });
    expect(explanations.join('\n')).toMatch(/model: no "kind", so the tuned trees \(gbdt/);
  });

  it('reads local text when there is no epoch column, and a date + time pair', async () => {
    const textOnly = inferFraudConfig(
      await readLogSample(csvOf({}, ['unix_time']), { name: 'a.csv' }),
    );
    expect(textOnly.config.columns).toMatchObject({
      time: { column: 'trans_date_trans_time', format: 'iso' },
      timezone: 'UTC',
    });
    expect(textOnly.explanations.join('\n')).toMatch(/read as UTC — set columns.timezone/);
    const split = inferFraudConfig(
      await readLogSample(csvOf({ splitDateTime: true }, ['unix_time']), { name: 'b.csv' }),
    );
    expect(split.config.columns!.time).toEqual({
      date: 'trans_date',
      time: 'trans_time',
      format: 'YYYY-MM-DD HH:mm:ss',
    });
  });

  it('gives the handbook preset to the simulator columns', async () => {
    const header =
      'TRANSACTION_ID,TX_DATETIME,CUSTOMER_ID,TERMINAL_ID,TX_AMOUNT,TX_TIME_SECONDS,TX_TIME_DAYS,TX_FRAUD,TX_FRAUD_SCENARIO';
    const sample = await readLogSample([
      `${header}\n0,2018-04-01 00:00:31,596,3156,57.16,31,0,0,0\n`,
    ]);
    expect(inferFraudConfig(sample, { schemaRef: 's.json' }).config).toEqual({
      $schema: 's.json',
      version: 1,
      preset: 'handbook',
    });
  });

  it('says what is missing when there is no time or no unique id', async () => {
    const noTime = await readLogSample(['id,amount,label\n1,2.5,0\n2,3.5,1\n']);
    expect(() => inferFraudConfig(noTime)).toThrow(/no column reads as a time/);
    const noId = await readLogSample([
      'when,amount,label\n2020-01-01T00:00:00Z,2.5,0\n2020-01-01T00:00:00Z,2.5,1\n',
    ]);
    expect(() => inferFraudConfig(noId)).toThrow(
      /no column has a different value on every sampled row/,
    );
  });
});
