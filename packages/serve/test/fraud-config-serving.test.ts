import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simulateTransactions, toPublicLayout } from '@mlsd/datasets';
import { trainFraudModel } from '@mlsd/fraud';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createService, type Service } from '../src/index.js';

let dir: string;
let service: Service;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlsd-serve-config-'));
  const log = toPublicLayout(
    simulateTransactions({ customers: 150, terminals: 300, days: 40, seed: 4, progress: false }),
    { longCardShare: 0.5 },
  );
  const trained = await trainFraudModel(log.toTable(), {
    columns: {
      transactionId: 'trans_num',
      time: { column: 'trans_date_trans_time', format: 'YYYY-MM-DD HH:mm:ss' },
      timezone: 'America/New_York',
      amount: 'amt',
      label: { column: 'is_fraud' },
      entities: { card: ['cc_num'], merchant: ['merchant'] },
      categorical: ['category'],
      ignore: ['first', 'last', 'dob'],
    },
  });
  await trained.model.save(join(dir, 'model'));
  service = await createService({ fraudModelDir: join(dir, 'model'), logger: false });
}, 120_000);

afterAll(async () => {
  await service?.close();
  await rm(dir, { recursive: true, force: true });
});

const score = (body: unknown) =>
  service.app.inject({ method: 'POST', url: '/v1/fraud/score', payload: body as object });

describe('serving a model trained on a log of its own columns', () => {
  it("describes the log's columns in /v1/info and scores the example it offers", async () => {
    const info = (await service.app.inject({ url: '/v1/info' })).json();
    const fields = info.fraud.transaction.fields as {
      name: string;
      role: string;
      required: boolean;
    }[];
    expect(fields.filter((field) => field.required).map((field) => field.name)).toEqual([
      'trans_num',
      'trans_date_trans_time',
      'amt',
      'cc_num',
      'merchant',
    ]);
    expect(fields.find((field) => field.name === 'first')?.role).toBe('ignored');
    const example = (await service.app.inject({ url: '/v1/fraud/example' })).json().transaction;
    expect(example.trans_date_trans_time).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    const first = await score({ ...example, first: 'Ann' });
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json().transactionId).toBe(example.trans_num);
    // The next example is a new id, later than the one just scored.
    const next = (await service.app.inject({ url: '/v1/fraud/example' })).json().transaction;
    expect(next.trans_num).not.toBe(example.trans_num);
    expect(next.trans_date_trans_time > example.trans_date_trans_time).toBe(true);
    expect((await score(next)).statusCode).toBe(200);
  });

  it('refuses what the file reader refuses, with the same messages', async () => {
    const example = (await service.app.inject({ url: '/v1/fraud/example' })).json().transaction;
    const { amt, ...rest } = example;
    const misspelt = await score({ ...rest, amount: amt });
    expect(misspelt.statusCode).toBe(400);
    expect(misspelt.json().error.message).toMatch(
      /unknown field "amount" \(did you mean "amt"\?\).*amt: missing amount/,
    );
    // A 19-digit card number sent as a JSON number has already lost digits.
    const inexact = await service.app.inject({
      method: 'POST',
      url: '/v1/fraud/score',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(example).replace(/"cc_num":"(\d+)"/, '"cc_num":6011000990139424123'),
    });
    expect(inexact.statusCode).toBe(400);
    expect(inexact.json().error.message).toMatch(/cc_num: .*send ids and keys as strings/);
    const badTime = await score({ ...example, trans_date_trans_time: '07/01/2018 10:00' });
    expect(badTime.json().error.message).toMatch(
      /trans_date_trans_time: '07\/01\/2018 10:00' is not a time in the format "YYYY-MM-DD HH:mm:ss"/,
    );
  });

  it("documents the model's request fields in /openapi.json", async () => {
    const document = (await service.app.inject({ url: '/openapi.json' })).json();
    const schema =
      document.paths['/v1/fraud/score'].post.requestBody.content['application/json'].schema;
    const transaction = schema.anyOf[0];
    expect(Object.keys(transaction.properties)).toEqual(
      expect.arrayContaining(['trans_num', 'cc_num', 'amt', 'category', 'first']),
    );
    expect(transaction.required).toContain('cc_num');
    expect(transaction.properties.trans_date_trans_time.description).toMatch(
      /"YYYY-MM-DD HH:mm:ss", wall-clock time in America\/New_York/,
    );
    expect(schema.anyOf[1].type).toBe('array');
  });
});
