import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Table } from '@mlsd/core';
import { FraudModel } from '@mlsd/fraud';
import { buildSmallFraudModel } from '@mlsd/test-utils/serve-artifacts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRedisClient, type RedisClient } from '../src/redis/redis-client.js';
import {
  readDecisions,
  readGroupProgress,
  type StreamDecision,
} from '../src/stream/decision-reader.js';
import { openStreamKeys } from '../src/stream/stream-keys.js';
import { publishTransactions } from '../src/stream/transaction-publisher.js';
import { type ConsumerProcess, spawnConsumer } from './consumer-process.js';
import { useRedisCluster } from './redis-cluster.js';
import { batchFeaturesById, toRecords, waitForDrained } from './stream-helpers.js';

// The 500,000 transactions scaled down for CI (benchmarks/serving/stream.bench.ts runs
// the full size): ~5,000 transactions of 250 cards at 500 terminals over 10 days, after a
// 37-day history the model was trained on, published at 250/s (ten days in twenty seconds) to
// 8 partitions on a 3-master Redis Cluster, which also holds the online state.
const WORLD = { customers: 250, terminals: 500, laterDays: 10, seed: 23, referenceRows: 500 };
const HISTORY_DAYS = 37;
const PARTITIONS = 8;
const RATE = 250;
// Cards keep their order (one partition each); a terminal's transactions come from every
// partition, up to a stalled partition's takeover apart — at this replay speed (half a day of
// event time per second) a day or two: the lateness covers it. The terminal windows are delayed
// 7 days, so an arrival that much late never changes a value.
const LATENESS_SECONDS = 5 * 86_400;

const cluster = useRedisCluster({ masters: 3 });

async function decisionsOf(client: RedisClient, stream: string): Promise<StreamDecision[]> {
  const out: StreamDecision[] = [];
  for await (const decision of readDecisions(client, stream)) out.push(decision);
  return out;
}

/**
 * Freezes the consumer (SIGSTOP) at a moment it holds entries read but not acknowledged in some
 * partition, so a kill then leaves the takeover something to redeliver: on a fast machine a
 * consumer is often between batches, and checking without freezing it races its acknowledgement.
 */
async function stopHoldingPending(
  client: RedisClient,
  partitions: number,
  input: (p: number) => string,
  consumer: ConsumerProcess,
): Promise<void> {
  for (let attempt = 0; attempt < 5_000; attempt++) {
    await consumer.kill('SIGSTOP');
    const summaries = (await Promise.all(
      Array.from({ length: partitions }, (_, p) => client.xpending(input(p), 'scorers')),
    )) as [number, string | null, string | null, [string, string][] | null][];
    const held = summaries
      .flatMap((summary) => summary[3] ?? [])
      .some(([name, count]) => name === consumer.name && Number(count) > 0);
    if (held) return;
    await consumer.kill('SIGCONT');
    await new Promise((resolve) => setTimeout(resolve, 1 + (attempt % 7)));
  }
}

/** Resolves once the group has decided at least `count` entries. */
async function waitForDone(client: RedisClient, stream: string, count: number): Promise<void> {
  for (;;) {
    const progress = await readGroupProgress(client, stream, 'scorers');
    if (progress.entries - progress.lag - progress.pending >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('fault: consumers killed with SIGKILL', () => {
  let dir: string;
  let modelDir: string;
  let later: Table;
  let client: RedisClient;
  const consumers = new Map<string, ConsumerProcess>();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mlsd-stream-faults-'));
    modelDir = join(dir, 'fraud-model');
    later = await buildSmallFraudModel(modelDir, WORLD);
    client = openRedisClient(cluster().url);
    await client.connect();
  }, 120_000);

  afterAll(async () => {
    await Promise.all([...consumers.values()].map((consumer) => consumer.kill('SIGKILL')));
    await client?.quit();
    await rm(dir, { recursive: true, force: true });
  });

  it('four consumers, one killed twice and restarted: every transaction one decision, counts equal the batch features', async () => {
    const records = toRecords(later);
    await openStreamKeys(client, 'tx', PARTITIONS);
    const start = (name: string) =>
      spawnConsumer({
        modelDir,
        redisUrl: cluster().url,
        stream: 'tx',
        group: 'scorers',
        consumer: name,
        batchSize: 16,
        leaseMs: 1_500,
        includeFeatures: true,
        allowedLatenessSeconds: LATENESS_SECONDS,
        // A replica restarted mid-replay starts from the model's snapshot, ten days behind.
        maxFutureSkewSeconds: 30 * 86_400,
      }).then((consumer) => {
        consumers.set(name, consumer);
        return consumer;
      });
    await Promise.all(['c0', 'c1', 'c2', 'c3'].map(start));
    const keys = await openStreamKeys(client, 'tx');
    const publishing = publishTransactions(records, {
      client,
      stream: 'tx',
      partitionBy: ['CUSTOMER_ID'],
      rate: RATE,
    });
    // Kill a consumer that owns a partition now, twice, restarting it each time.
    for (const share of [0.25, 0.6]) {
      await waitForDone(client, 'tx', Math.floor(records.length * share));
      const holders = await Promise.all(
        Array.from({ length: keys.partitions }, (_, p) => client.get(keys.lease(p, 'scorers'))),
      );
      const victim = holders.find((holder) => holder !== null)?.split('#')[0] ?? 'c0';
      // Killed while it holds entries read but not acknowledged, so the takeover has some to
      // redeliver (on a fast machine a consumer is often between batches).
      await stopHoldingPending(
        client,
        keys.partitions,
        (p) => keys.input(p),
        consumers.get(victim)!,
      );
      await consumers.get(victim)!.kill('SIGKILL');
      await start(victim);
    }
    await publishing;
    await waitForDrained(client, 'tx', 'scorers', records.length, 300_000);

    const decisions = await decisionsOf(client, 'tx');
    const ids = decisions.map((decision) => decision.transactionId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.slice().sort()).toEqual(records.map((record) => record.TRANSACTION_ID!).sort());
    expect(decisions.filter((decision) => decision.decision === 'rejected')).toEqual([]);

    const batch = batchFeaturesById(await FraudModel.load(modelDir), {
      ...WORLD,
      days: HISTORY_DAYS + WORLD.laterDays,
    });
    const countNames = Object.keys(decisions[0]!.features!).filter((name) =>
      name.includes('_NB_TX_'),
    );
    expect(countNames.length).toBeGreaterThanOrEqual(6);
    for (const decision of decisions) {
      const expected = batch.get(decision.transactionId)!;
      for (const name of countNames) {
        expect({ id: decision.transactionId, name, value: decision.features![name] }).toEqual({
          id: decision.transactionId,
          name,
          value: expected[name],
        });
      }
    }
    // The killed consumer's pending entries were redelivered to whoever took its partitions
    // (another consumer, or the restarted one under the same name reading its own history).
    const acquiredEvents = [...consumers.values()]
      .flatMap((consumer) => consumer.stderr().split('\n'))
      .filter((line) => line.includes('"event":"acquired"'))
      .map((line) => JSON.parse(line) as { claimed: number });
    expect(acquiredEvents.some((event) => event.claimed > 0)).toBe(true);
  }, 360_000);
});
