import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HandbookTransaction } from '@mlsd/fraud';
import { type ScoredAnswer, postScore as score } from '@mlsd/test-utils/http';
import { type RedisServerHandle, startRedisServer } from '@mlsd/test-utils/redis-server';
import { buildSmallFraudModel, toRequests } from '@mlsd/test-utils/serve-artifacts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createService, type Service } from '../src/create-service.js';

// Issue 13, items 8–10, at the HTTP level: limits checked before anything is recorded, a
// Redis restarted empty refused then re-seeded, a retried transaction answered again.

const COUNT_1D = 'CUSTOMER_ID_NB_TX_1DAY_WINDOW';

describe('scoring integrity over HTTP (issue 13, items 8–10)', () => {
  let dir: string;
  let modelDir: string;
  let later: HandbookTransaction[];
  let redis: RedisServerHandle;
  const services: Service[] = [];
  const start = async (redisUrl?: string): Promise<string> => {
    const service = await createService({
      fraudModelDir: modelDir,
      logger: false,
      ...(redisUrl === undefined ? {} : { redisUrl }),
    });
    services.push(service);
    return service.listen({ host: '127.0.0.1', port: 0 });
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mlsd-http-integrity-'));
    modelDir = join(dir, 'fraud-model');
    later = toRequests(
      await buildSmallFraudModel(modelDir, {
        customers: 80,
        terminals: 160,
        laterDays: 1,
        seed: 9,
        referenceRows: 300,
      }),
    );
    redis = await startRedisServer();
  }, 120_000);

  afterAll(async () => {
    await Promise.all(services.map((service) => service.close()));
    await redis?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  for (const where of ['in process', 'Redis'] as const) {
    it(`answers a retried transaction again and refuses its id with other values (${where}, item 10)`, async () => {
      const base = await start(where === 'Redis' ? redis.url : undefined);
      const transaction = later[0]!;
      const first = await score(base, transaction);
      expect(first.status).toBe(200);
      const retry = await score(base, transaction);
      expect(retry).toEqual(first);
      const changed = await score(base, { ...transaction, TX_AMOUNT: transaction.TX_AMOUNT + 1 });
      expect(changed.status).toBe(409);
      expect(changed.json.error?.code).toBe('DUPLICATE_TRANSACTION');
      // The retry recorded nothing: the card's next transaction counts the first one once.
      const next = later.find(
        (t, i) => i > 0 && t.CUSTOMER_ID === transaction.CUSTOMER_ID,
      ) as HandbookTransaction;
      const fresh = await score(base, { ...next, TX_TIME_SECONDS: transaction.TX_TIME_SECONDS });
      expect(fresh.status).toBe(200);
      expect(fresh.json.features[COUNT_1D]).toBe(first.json.features[COUNT_1D]! + 1);
    });

    it(`checks a whole batch against the limits before recording any of it (${where}, item 8)`, async () => {
      const base = await start(where === 'Redis' ? redis.url : undefined);
      const card = 500_000 + (where === 'Redis' ? 1 : 0); // cards nobody used
      const time = later[later.length - 1]!.TX_TIME_SECONDS + 10;
      const batch = [0, 1, 2, 3].map((i) => ({
        TRANSACTION_ID: 90_000_000 + 10 * card + i,
        TX_TIME_SECONDS: time + i,
        CUSTOMER_ID: card,
        TERMINAL_ID: 3,
        TX_AMOUNT: i === 2 ? 1e30 : 20 + i,
      }));
      const refused = await score(base, batch);
      expect(refused.status).toBe(400);
      expect(refused.json.error?.code).toBe('INVALID_TRANSACTION');
      expect(refused.json.error?.message).toMatch(/^transaction \[2\]: .*TX_AMOUNT/);
      // Nothing of the batch was recorded: the card's next transaction sees none of it.
      const after = await score(base, {
        ...batch[0]!,
        TRANSACTION_ID: batch[0]!.TRANSACTION_ID + 5,
        TX_TIME_SECONDS: time + 5,
      });
      expect(after.status).toBe(200);
      expect(after.json.features[COUNT_1D]).toBe(1);
      // A single transaction beyond the exact range: 400, and nothing recorded either.
      const huge = await score(base, { ...batch[3]!, TX_AMOUNT: 1e308, TX_TIME_SECONDS: time + 6 });
      expect(huge.status).toBe(400);
      const last = await score(base, {
        ...batch[3]!,
        TRANSACTION_ID: batch[3]!.TRANSACTION_ID + 5,
        TX_TIME_SECONDS: time + 7,
      });
      expect(last.json.features[COUNT_1D]).toBe(2);
    });
  }

  it('refuses with 503 while Redis restarted empty, then re-seeds from the model and scores as before (item 9)', async () => {
    const base = await start(redis.url);
    const memory = await start();
    const transaction = later[10]!;
    // Redis restarts on its port with nothing in it (no persistence).
    const port = redis.port;
    await redis.stop();
    redis = await startRedisServer({ port });
    let refused = 0;
    let answer: { status: number; json: ScoredAnswer } | undefined;
    for (let attempt = 0; attempt < 100; attempt++) {
      answer = await score(base, transaction);
      if (answer.status === 200) break;
      expect(answer.status).toBe(503);
      refused++;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // The first request after the restart found the namespace unseeded: refused, not written
    // into an empty state.
    expect(refused).toBeGreaterThan(0);
    expect(answer?.status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    // Re-seeded from the model's saved state: the card's windows hold its history again.
    const reference = await score(memory, transaction);
    expect(answer?.json.features).toEqual(reference.json.features);
  });
});
