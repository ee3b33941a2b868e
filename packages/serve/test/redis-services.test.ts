import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HandbookTransaction } from '@mlsd/fraud';
import { postScore as score } from '@mlsd/test-utils/http';
import { useRedisServer } from '@mlsd/test-utils/redis-server';
import { buildSmallFraudModel, toRequests } from '@mlsd/test-utils/serve-artifacts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createService, type Service } from '../src/create-service.js';

const server = useRedisServer();
const DAY = 86_400;
const HISTORY_DAYS = 37;

describe('two service replicas sharing one Redis', () => {
  let dir: string;
  let later: HandbookTransaction[];
  const services: Service[] = [];
  const start = async (redisUrl?: string): Promise<string> => {
    const service = await createService({
      fraudModelDir: join(dir, 'fraud-model'),
      logger: false,
      ...(redisUrl === undefined ? {} : { redisUrl }),
    });
    services.push(service);
    return service.listen({ host: '127.0.0.1', port: 0 });
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mlsd-redis-services-'));
    later = toRequests(
      await buildSmallFraudModel(join(dir, 'fraud-model'), {
        customers: 200,
        terminals: 400,
        laterDays: 2,
        seed: 4,
        referenceRows: 1_000,
      }),
    );
  }, 120_000);

  afterAll(async () => {
    await Promise.all(services.map((service) => service.close()));
    await rm(dir, { recursive: true, force: true });
  });

  it('scores like an in-process replica from the first request (the state is seeded from the model)', async () => {
    const [memory, redis] = await Promise.all([start(), start(server().url)]);
    const stream = later.slice(0, 150);
    expect(stream.length).toBe(150);
    for (const transaction of stream) {
      const [a, b] = await Promise.all([score(memory, transaction), score(redis, transaction)]);
      expect(a.status).toBe(200);
      expect(b.status).toBe(200);
      expect(b.json.features).toEqual(a.json.features);
      expect(b.json.score).toBe(a.json.score);
    }
    const info = (await (await fetch(`${redis}/v1/info`)).json()) as { fraud: { store: string } };
    expect(info.fraud.store).toBe('redis');
  });

  it('loses no update under many concurrent requests for one card across two replicas', async () => {
    const [a, b] = await Promise.all([start(server().url), start(server().url)]);
    const n = 300;
    const time = (HISTORY_DAYS + 3) * DAY; // after everything scored so far
    const card = 1_000_000; // a card nobody used
    const responses = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        score(i % 2 === 0 ? a : b, {
          TRANSACTION_ID: 5_000_000 + i,
          TX_TIME_SECONDS: time,
          CUSTOMER_ID: card,
          TERMINAL_ID: i % 7,
          TX_AMOUNT: 10 + i,
        }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(n).fill(200));
    const counts = responses
      .map((r) => r.json.features.CUSTOMER_ID_NB_TX_1DAY_WINDOW!)
      .sort((x, y) => x - y);
    expect(counts).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    const last = await score(b, {
      TRANSACTION_ID: 5_000_000 + n,
      TX_TIME_SECONDS: time,
      CUSTOMER_ID: card,
      TERMINAL_ID: 0,
      TX_AMOUNT: 1,
    });
    expect(last.json.features.CUSTOMER_ID_NB_TX_1DAY_WINDOW).toBe(n + 1);
    // A transaction id one replica recorded is known to the other: the same transaction is
    // answered again (a retry), the id with other values is a duplicate.
    const retried = await score(a, {
      TRANSACTION_ID: 5_000_000 + n,
      TX_TIME_SECONDS: time,
      CUSTOMER_ID: card,
      TERMINAL_ID: 0,
      TX_AMOUNT: 1,
    });
    expect(retried).toEqual(last);
    const again = await score(a, {
      TRANSACTION_ID: 5_000_000 + n,
      TX_TIME_SECONDS: time,
      CUSTOMER_ID: card,
      TERMINAL_ID: 0,
      TX_AMOUNT: 2,
    });
    expect(again.status).toBe(409);
  });
});
