import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Table } from '@mlsd/core';
import { FraudModel, type HandbookTransaction } from '@mlsd/fraud';
import { buildSmallFraudModel, toRequests } from '@mlsd/test-utils/serve-artifacts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createService, type Service } from '../src/create-service.js';
import { openRedisClient, type RedisClient } from '../src/redis/redis-client.js';
import { readDecisions, readGroupProgress } from '../src/stream/decision-reader.js';
import { StreamConsumer } from '../src/stream/stream-consumer.js';
import { openStreamKeys } from '../src/stream/stream-keys.js';
import { FraudStreamScorer } from '../src/stream/stream-scorer.js';
import { publishTransactions } from '../src/stream/transaction-publisher.js';
import { useRedisCluster } from './redis-cluster.js';
import { batchFeaturesById, toRecords, waitForDrained } from './stream-helpers.js';

// Fault 2 of issue 17: a master of the Redis Cluster that holds the stream and the online state
// is SIGKILLed during a run; its replica takes over (cluster-node-timeout 3 s).
const WORLD = { customers: 150, terminals: 300, laterDays: 6, seed: 31, referenceRows: 300 };
const HISTORY_DAYS = 37;
const COUNTS = /_NB_TX_/;
// Consumers and the service share one namespace, so one lateness (it is part of the namespace).
const LATENESS_SECONDS = 5 * 86_400;

const cluster = useRedisCluster({ masters: 3, replicasPerMaster: 1 });

/** Compares count features with the batch: how many are equal, lower (a lost write), higher. */
function compareCounts(
  batch: Map<string, Record<string, number>>,
  id: string,
  features: Record<string, number>,
  tally: { equal: number; lower: number; higher: number },
): void {
  for (const [name, expected] of Object.entries(batch.get(id)!)) {
    const value = features[name]!;
    if (value === expected) tally.equal++;
    else if (value < expected) tally.lower++;
    else tally.higher++;
  }
}

describe('fault: a Redis Cluster master killed during the run', () => {
  let dir: string;
  let modelDir: string;
  let later: Table;
  let client: RedisClient;
  let batch: Map<string, Record<string, number>>;
  const stoppers: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mlsd-stream-failover-'));
    modelDir = join(dir, 'fraud-model');
    later = await buildSmallFraudModel(modelDir, WORLD);
    batch = batchFeaturesById(
      await FraudModel.load(modelDir),
      { ...WORLD, days: HISTORY_DAYS + WORLD.laterDays },
      (name) => COUNTS.test(name),
    );
    client = openRedisClient(cluster().url);
    await client.connect();
  }, 120_000);

  afterAll(async () => {
    for (const stop of stoppers.reverse()) await stop();
    await client?.quit();
    await rm(dir, { recursive: true, force: true });
  });

  it('stream: the replica takes over; every transaction one decision, no update applied twice', async () => {
    const records = toRecords(later).slice(0, Math.floor(later.length / 2));
    await publishTransactions(records, {
      client,
      stream: 'tx',
      partitionBy: ['CUSTOMER_ID'],
      partitions: 6,
    });
    // The log itself is safe before the fault (an append the master acknowledged but had not
    // replicated would be lost with it: producers that cannot lose one wait for the replica).
    await cluster().replicated();
    const start = async (name: string) => {
      const scorer = await FraudStreamScorer.open({
        modelDir,
        redisUrl: cluster().url,
        includeFeatures: true,
        allowedLatenessSeconds: LATENESS_SECONDS,
      });
      const consumer = await StreamConsumer.start({
        client,
        stream: 'tx',
        group: 'scorers',
        consumer: name,
        scorer,
        batchSize: 16,
        leaseMs: 1_500,
        maxRetryMs: 300,
      });
      stoppers.push(async () => {
        await consumer.stop();
        await scorer.close();
      });
    };
    await Promise.all(['a', 'b'].map(start));
    for (;;) {
      const progress = await readGroupProgress(client, 'tx', 'scorers');
      if (progress.entries - progress.lag - progress.pending >= records.length * 0.4) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const keys = await openStreamKeys(client, 'tx');
    const victim = await cluster().masterOf(keys.input(0));
    await cluster().kill(victim, 'SIGKILL');
    await waitForDrained(client, 'tx', 'scorers', records.length, 120_000);
    expect(await cluster().masterPorts()).not.toContain(victim);

    const seen = new Map<string, number>();
    const tally = { equal: 0, lower: 0, higher: 0 };
    const rejected: string[] = [];
    for await (const decision of readDecisions(client, 'tx')) {
      seen.set(decision.transactionId, (seen.get(decision.transactionId) ?? 0) + 1);
      if (decision.decision !== 'rejected') {
        compareCounts(batch, decision.transactionId, decision.features!, tally);
      } else rejected.push(`${decision.code}: ${decision.message}`);
    }
    // A retry whose claim or steps died with the master is completed, never refused as another
    // transaction's id (nor is anything else refused).
    expect(rejected).toEqual([]);
    expect([...seen.values()].every((count) => count === 1)).toBe(true);
    expect([...seen.keys()].sort()).toEqual(records.map((r) => r.TRANSACTION_ID!).sort());
    // No update applied twice: no count ever exceeds the batch value. A state write the dead
    // master acknowledged but had not yet replicated (asynchronous replication) is lost with it,
    // which shows as a lower count in that card's or terminal's later transactions: the one loss
    // Redis Cluster allows, so it is reported, not asserted away (README, "Beyond one machine").
    expect(tally.higher).toBe(0);
    process.stderr.write(`[failover stream] count features vs batch: ${JSON.stringify(tally)}\n`);
  }, 180_000);

  it('HTTP: requests answer 200 or fail fast with 503, and succeed on retry; none counted twice', async () => {
    await cluster().waitHealthy(30_000);
    const service: Service = await createService({
      fraudModelDir: modelDir,
      redisUrl: cluster().url,
      allowedLatenessSeconds: LATENESS_SECONDS,
      logger: false,
    });
    stoppers.push(() => service.close());
    const base = await service.listen({ host: '127.0.0.1', port: 0 });
    const requests: HandbookTransaction[] = toRequests(later).slice(Math.floor(later.length / 2));
    const post = async (body: HandbookTransaction) => {
      const started = Date.now();
      const response = await fetch(`${base}/v1/fraud/score`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const json = (await response.json()) as { features: Record<string, number> };
      return { status: response.status, json, ms: Date.now() - started };
    };
    // A master with a replica left (the one promoted in the stream test has none).
    const masters = await cluster().masterPorts();
    const withReplica = cluster()
      .nodes.filter((node) => node.alive && node.createdAs === 'master')
      .map((node) => node.port)
      .find((port) => masters.includes(port))!;
    const statuses = new Map<number, number>();
    const refusedMs: number[] = [];
    let slowestMs = 0;
    const tally = { equal: 0, lower: 0, higher: 0 };
    let killed = false;
    for (let i = 0; i < requests.length; i++) {
      if (!killed && i === Math.floor(requests.length / 3)) {
        await cluster().kill(withReplica, 'SIGKILL');
        killed = true;
      }
      let answer = await post(requests[i]!);
      for (let retry = 0; answer.status === 503 && retry < 100; retry++) {
        refusedMs.push(answer.ms);
        statuses.set(503, (statuses.get(503) ?? 0) + 1);
        await new Promise((resolve) => setTimeout(resolve, 100));
        answer = await post(requests[i]!);
      }
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      slowestMs = Math.max(slowestMs, answer.ms);
      expect(answer.status).toBe(200);
      compareCounts(batch, String(requests[i]!.TRANSACTION_ID), answer.json.features, tally);
    }
    expect([...statuses.keys()].every((status) => status === 200 || status === 503)).toBe(true);
    expect(tally.higher).toBe(0);
    process.stderr.write(
      `[failover http] statuses ${JSON.stringify(Object.fromEntries(statuses))}, 503 answered in ${JSON.stringify(refusedMs)} ms, slowest 200 ${slowestMs} ms, counts vs batch ${JSON.stringify(tally)}\n`,
    );
  }, 180_000);
});
