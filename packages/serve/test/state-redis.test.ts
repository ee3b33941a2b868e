import { InvalidArgumentError, InvalidDataError } from '@mlsd/core';
import { handbookFeatureSet, OnlineFeatureState } from '@mlsd/features';
import { startRedisServer, useRedisServer } from '@mlsd/test-utils/redis-server';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStateStore } from '../src/state/redis-state-store.js';
import {
  StateNotSeededError,
  StateStoreUnavailableError,
} from '../src/state/state-store-unavailable-error.js';
import { describeStateStoreContract } from './state-store-contract.js';

const server = useRedisServer();
let namespaces = 0;

describeStateStoreContract(
  'RedisStateStore',
  (model, options) =>
    RedisStateStore.connect({
      url: server().url,
      model,
      namespace: `contract-${namespaces++}`,
      ...options,
    }),
  { sweepsIdleEntities: false },
);

const features = handbookFeatureSet();
const DAY = 86_400;
const COUNT_1D = features.names.indexOf('CUSTOMER_ID_NB_TX_1DAY_WINDOW');

function transaction(id: number, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    TRANSACTION_ID: id,
    TX_TIME_SECONDS: 10 * DAY,
    CUSTOMER_ID: 7,
    TERMINAL_ID: 70,
    TX_AMOUNT: 12.5,
    ...fields,
  };
}

/** The hash tag of a key: what Redis Cluster hashes to pick its slot. */
function hashTag(key: string): string {
  const open = key.indexOf('{');
  const close = key.indexOf('}', open + 1);
  return key.slice(open + 1, close);
}

describe('RedisStateStore with Redis', () => {
  let client: Redis;
  beforeAll(async () => {
    client = new Redis(server().url);
  });
  afterAll(async () => {
    await client.quit();
  });

  it('loses no update when two stores fire many concurrent updates for the same card', async () => {
    const namespace = 'concurrent';
    const [a, b] = await Promise.all([
      RedisStateStore.connect({ url: server().url, model: { features }, namespace }),
      RedisStateStore.connect({ url: server().url, model: { features }, namespace }),
    ]);
    try {
      const n = 400;
      const vectors = await Promise.all(
        Array.from({ length: n }, (_, i) =>
          (i % 2 === 0 ? a : b).update(transaction(i, { TERMINAL_ID: i % 5 })),
        ),
      );
      const counts = vectors.map((vector) => vector[COUNT_1D]!).sort((x, y) => x - y);
      expect(counts).toEqual(Array.from({ length: n }, (_, i) => i + 1));
      // The card holds all n events; the 5 terminals hold n between them.
      expect(await a.stats()).toMatchObject({ kind: 'redis', entities: 6, events: 2 * n });
      const last = await b.update(transaction(n, { TERMINAL_ID: 0 }));
      expect(last[COUNT_1D]).toBe(n + 1);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('seeds an empty namespace from the model state once when replicas start together', async () => {
    const state = new OnlineFeatureState(features);
    for (let i = 0; i < 50; i++) {
      state.update(
        transaction(i, {
          CUSTOMER_ID: i % 4,
          TERMINAL_ID: i % 6,
          TX_TIME_SECONDS: i * 3600,
          TX_FRAUD: i % 9 === 0 ? 1 : 0,
        }),
      );
    }
    const connect = () =>
      RedisStateStore.connect({
        url: server().url,
        model: { features, state },
        namespace: 'seed-race',
      });
    const stores = await Promise.all(Array.from({ length: 4 }, connect));
    try {
      expect(stores.filter((store) => store.seeded)).toHaveLength(1);
      const expected = state.stats();
      for (const store of stores) {
        expect(await store.stats()).toEqual({
          kind: 'redis',
          entities: expected.entities,
          events: expected.events,
          clock: state.watermark,
        });
      }
      // Seeded transactions are known: their ids are refused and their labels can be recorded.
      await expect(
        stores[0]!.update(
          transaction(3, { CUSTOMER_ID: 3, TERMINAL_ID: 3, TX_TIME_SECONDS: 3 * 3600 }),
        ),
      ).rejects.toBeInstanceOf(InvalidDataError);
      await stores[1]!.recordLabel(45, 1);
      // A later connect leaves the seeded (and since updated) namespace alone.
      const late = await connect();
      expect(late.seeded).toBe(false);
      await late.close();
      // A namespace in use whose marker expired is adopted, not seeded over.
      const before = await stores[0]!.stats();
      await client.del('mlsd:seed-race:seeded');
      const adopter = await connect();
      expect(adopter.seeded).toBe(false);
      expect(await adopter.stats()).toEqual({ ...before, clock: state.watermark });
      expect(await client.exists('mlsd:seed-race:seeded')).toBe(1);
      await adopter.close();
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
  });

  it('refuses updates into a namespace whose marker is gone (Redis restarted empty) and re-seeds it', async () => {
    const state = new OnlineFeatureState(features);
    state.update(transaction(1, { TX_TIME_SECONDS: 0 }));
    const store = await RedisStateStore.connect({
      url: server().url,
      model: { features, state },
      namespace: 'restarted',
    });
    try {
      await store.update(transaction(2, { TX_TIME_SECONDS: 3_600 }));
      // Everything gone, as after a restart without persistence.
      const keys = await client.keys('mlsd:restarted:*');
      await client.del(...keys);
      const error = await store
        .update(transaction(3, { TX_TIME_SECONDS: 7_200 }))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StateNotSeededError);
      expect((error as StateNotSeededError).code).toBe('BACKEND_UNAVAILABLE');
      expect((error as StateNotSeededError).details.reason).toBe('not-seeded');
      // Nothing of transaction 3 was written; the namespace comes back seeded from the model.
      const deadline = Date.now() + 10_000;
      while (!(await store.ready()).ready && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(await store.ready()).toEqual({ ready: true, seeded: true });
      expect((await store.stats()).events).toBe(2); // the model's one transaction, card + terminal
      const vector = await store.update(transaction(3, { TX_TIME_SECONDS: 7_200 }));
      expect(vector[COUNT_1D]).toBe(2);
    } finally {
      await store.close();
    }
  });

  it('refuses a namespace seeded for other features', async () => {
    const first = await RedisStateStore.connect({
      url: server().url,
      model: { features },
      namespace: 'spec-a',
    });
    await first.close();
    const other = handbookFeatureSet({ windowsDays: [2, 5] });
    await expect(
      RedisStateStore.connect({
        url: server().url,
        model: { features: other },
        namespace: 'spec-a',
      }),
    ).rejects.toBeInstanceOf(InvalidArgumentError);
    // The default namespace follows the feature spec, so the two models do not collide.
    const [x, y] = await Promise.all([
      RedisStateStore.connect({ url: server().url, model: { features } }),
      RedisStateStore.connect({ url: server().url, model: { features: other } }),
    ]);
    expect(x.namespace).toMatch(/^fraud-[0-9a-f]{12}$/);
    expect(x.namespace).not.toBe(y.namespace);
    await Promise.all([x.close(), y.close()]);
  });

  it('completes a transaction whose first attempt was cut short (claim or a step lost), and still refuses other values under its id', async () => {
    const namespace = 'partial';
    const store = await RedisStateStore.connect({
      url: server().url,
      model: { features },
      namespace,
    });
    // What a client that died between its writes (or a failed-over node) leaves behind.
    const lose = async (id: number, entity: string, options: { claim: boolean }) => {
      if (options.claim) await client.del(`mlsd:${namespace}:t{${id}}`);
      const index = `mlsd:${namespace}:i{${entity}}`;
      const member = await client.hgetBuffer(index, String(id));
      expect(member).not.toBeNull();
      await client.zrem(`mlsd:${namespace}:e{${entity}}`, member!);
      await client.hdel(index, String(id));
    };
    try {
      await store.update(transaction(1));
      await store.update(transaction(2, { TERMINAL_ID: 71, TX_TIME_SECONDS: 10 * DAY + 60 }));
      const first = await store.updateWithOutcome(
        transaction(3, { TX_TIME_SECONDS: 10 * DAY + 120 }),
      );
      // The label rewrites the terminal's stored event (its risk windows read labels): the
      // comparison of a retry with the stored event must leave those bytes out.
      await store.recordLabel(3, 1);
      const full = await store.stats();

      // Claim and the card's step lost: the terminal's step (with its label) is found, the card's
      // inserted again, the claim made again: recorded once, same features.
      await lose(3, 'CUSTOMER_ID:7', { claim: true });
      const retried = await store.updateWithOutcome(
        transaction(3, { TX_TIME_SECONDS: 10 * DAY + 120 }),
      );
      expect(retried.repeated).toBe(false);
      expect(Array.from(retried.vector)).toEqual(Array.from(first.vector));
      expect(await store.stats()).toEqual(full);
      expect(await client.exists(`mlsd:${namespace}:t{3}`)).toBe(1);

      // The claim kept, the terminal's step lost: completed the same way.
      await lose(3, 'TERMINAL_ID:70', { claim: false });
      const again = await store.updateWithOutcome(
        transaction(3, { TX_TIME_SECONDS: 10 * DAY + 120 }),
      );
      expect(again.repeated).toBe(false);
      expect(Array.from(again.vector)).toEqual(Array.from(first.vector));
      expect(await store.stats()).toEqual(full);

      // Nothing lost: a plain repeat.
      const repeat = await store.updateWithOutcome(
        transaction(3, { TX_TIME_SECONDS: 10 * DAY + 120 }),
      );
      expect(repeat.repeated).toBe(true);
      expect(Array.from(repeat.vector)).toEqual(Array.from(first.vector));

      // Claim and a step lost, then other values under the id: the surviving step holds another
      // event (another time), so it is a conflict, and the step the refused one inserted is
      // undone. (An entity compares only what it keeps: the terminal keeps no amount, so with the
      // claim lost a payload differing only in its amount would pass for the retry.)
      await lose(3, 'CUSTOMER_ID:7', { claim: true });
      const conflict = await store
        .updateWithOutcome(transaction(3, { TX_TIME_SECONDS: 10 * DAY + 130 }))
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      expect(conflict).toBeInstanceOf(InvalidDataError);
      expect((conflict as InvalidDataError).details.reason).toBe('duplicate-conflict');
      expect(await client.hexists(`mlsd:${namespace}:i{CUSTOMER_ID:7}`, '3')).toBe(0);
      expect(await client.exists(`mlsd:${namespace}:t{3}`)).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('keys each entity under one hash tag, escaped, every key with a TTL, no key shared by all', async () => {
    const store = await RedisStateStore.connect({
      url: server().url,
      model: { features },
      namespace: 'keys',
      ttlSeconds: 3_600,
    });
    try {
      await store.update(transaction(1, { TERMINAL_ID: 'shop {a}%' }));
      await store.update(transaction(2, { TERMINAL_ID: 71, TX_TIME_SECONDS: 11 * DAY }));
      const keys = (await client.keys('mlsd:keys:*')).sort();
      expect(keys).toEqual([
        'mlsd:keys:e{CUSTOMER_ID:7}',
        'mlsd:keys:e{TERMINAL_ID:71}',
        'mlsd:keys:e{TERMINAL_ID:shop %7Ba%7D%25}',
        'mlsd:keys:i{CUSTOMER_ID:7}',
        'mlsd:keys:i{TERMINAL_ID:71}',
        'mlsd:keys:i{TERMINAL_ID:shop %7Ba%7D%25}',
        'mlsd:keys:seeded',
        'mlsd:keys:t{1}',
        'mlsd:keys:t{2}',
      ]);
      // An entity's two keys share a tag (one slot); transactions and entities have their own.
      expect(new Set(keys.filter((k) => k !== 'mlsd:keys:seeded').map(hashTag)).size).toBe(5);
      for (const key of keys) {
        const ttl = await client.ttl(key);
        expect(ttl, key).toBeGreaterThan(3_500);
        expect(ttl, key).toBeLessThanOrEqual(3_600);
      }
    } finally {
      await store.close();
    }
  });

  it('refuses a bad URL and names an unreachable one', async () => {
    await expect(
      RedisStateStore.connect({ url: 'http://localhost:6379', model: { features } }),
    ).rejects.toBeInstanceOf(InvalidArgumentError);
    const spare = await startRedisServer();
    const url = spare.url;
    await spare.stop();
    const error = await RedisStateStore.connect({ url, model: { features } }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StateStoreUnavailableError);
    expect((error as StateStoreUnavailableError).code).toBe('BACKEND_UNAVAILABLE');
    expect((error as Error).message).toContain(url);
    expect((error as Error).message).toMatch(/redis-server --port/);
  });

  it('rejects with StateStoreUnavailableError when Redis goes away, and recovers when it is back', async () => {
    const spare = await startRedisServer();
    const store = await RedisStateStore.connect({
      url: spare.url,
      model: { features },
      namespace: 'outage',
    });
    try {
      await store.update(transaction(1));
      expect(await store.ping()).toBe(true);
      await spare.stop();
      const error = await store.update(transaction(2)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StateStoreUnavailableError);
      expect((error as Error).message).toContain(spare.url);
      await expect(store.stats()).rejects.toBeInstanceOf(StateStoreUnavailableError);
      expect(await store.ping()).toBe(false);
      expect((await store.ready()).ready).toBe(false);
      // Back on the same port (empty: no persistence), the client reconnects by itself, finds
      // the namespace unseeded, seeds it again, and takes updates.
      const restarted = await startRedisServer({ port: spare.port });
      try {
        const deadline = Date.now() + 10_000;
        while (!(await store.ready()).ready && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        const vector = await store.update(transaction(2));
        expect(vector[COUNT_1D]).toBe(1);
      } finally {
        await restarted.stop();
      }
    } finally {
      await store.close();
    }
  });
});
