import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Table } from '@mlsd/core';
import { FraudModel, FraudScorer, type HandbookTransaction } from '@mlsd/fraud';
import { useRedisServer } from '@mlsd/test-utils/redis-server';
import { buildSmallFraudModel, toRequests } from '@mlsd/test-utils/serve-artifacts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openRedisClient, type RedisClient } from '../src/redis/redis-client.js';
import { readDecisions, type StreamDecision } from '../src/stream/decision-reader.js';
import { partitionOf } from '../src/stream/partition.js';
import { readRecords } from '../src/stream/record-source.js';
import { streamCommands } from '../src/stream/stream-commands.js';
import { StreamConsumer, type StreamConsumerOptions } from '../src/stream/stream-consumer.js';
import { openStreamKeys } from '../src/stream/stream-keys.js';
import { StreamMetrics } from '../src/stream/stream-metrics.js';
import {
  FraudStreamScorer,
  type StreamRecord,
  type StreamScorer,
} from '../src/stream/stream-scorer.js';
import { publishTransactions } from '../src/stream/transaction-publisher.js';
import { toRecords, waitForDrained } from './stream-helpers.js';

const server = useRedisServer();

async function collect(client: RedisClient, stream: string): Promise<StreamDecision[]> {
  const out: StreamDecision[] = [];
  for await (const decision of readDecisions(client, stream)) out.push(decision);
  return out;
}

describe('partitionOf', () => {
  it('is 32-bit FNV-1a of the UTF-8 key modulo the partition count', () => {
    // Reference values of FNV-1a 32 (Fowler–Noll–Vo test vectors).
    expect(partitionOf('', 2 ** 32 - 1)).toBe(0x811c9dc5 % (2 ** 32 - 1));
    expect(partitionOf('a', 2 ** 32 - 1)).toBe(0xe40c292c % (2 ** 32 - 1));
    expect(partitionOf('foobar', 2 ** 32 - 1)).toBe(0xbf9cf968 % (2 ** 32 - 1));
    // A card number past 2^53 keeps its last digits.
    expect(partitionOf('4000123412341234567', 1_000)).not.toBe(
      partitionOf('4000123412341234568', 1_000),
    );
  });
});

describe('readRecords', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mlsd-records-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads CSV and JSONL records as text, and names the line of a broken one', async () => {
    await writeFile(join(dir, 'a.csv'), 'id,card,amt\n1,"4000 1234",2.50\n2,x,"3,5"\n');
    const csv = [];
    for await (const record of readRecords(join(dir, 'a.csv'))) csv.push(record);
    expect(csv).toEqual([
      { id: '1', card: '4000 1234', amt: '2.50' },
      { id: '2', card: 'x', amt: '3,5' },
    ]);
    await writeFile(join(dir, 'a.jsonl'), '{"id":1,"card":"4000123412341234567","x":null}\n\n');
    const jsonl = [];
    for await (const record of readRecords(join(dir, 'a.jsonl'))) jsonl.push(record);
    expect(jsonl).toEqual([{ id: '1', card: '4000123412341234567', x: '' }]);
    await writeFile(join(dir, 'b.csv'), 'id,card\n1,2\n3\n');
    await expect(async () => {
      for await (const _ of readRecords(join(dir, 'b.csv'))) {
        // drain
      }
    }).rejects.toThrow(/b\.csv:3: 1 fields where the header has 2/);
  });
});

describe('the transaction stream on a standalone Redis', () => {
  let dir: string;
  let modelDir: string;
  let later: Table;
  let client: RedisClient;
  const running: { stop(): Promise<void> }[] = [];
  const scorers: FraudStreamScorer[] = [];

  /** Publishes records to stream `tx` (one partition: the current store keeps one clock). */
  const publish = (records: StreamRecord[], batchSize?: number) =>
    publishTransactions(records, {
      client,
      stream: 'tx',
      partitionBy: ['CUSTOMER_ID'],
      partitions: 1,
      ...(batchSize === undefined ? {} : { batchSize }),
    });
  /** Starts consumer `name` of group `scorers` on `tx`; stopped after the test. */
  const startConsumer = async (
    name: string,
    scorer: StreamScorer,
    options: Partial<StreamConsumerOptions> = {},
  ): Promise<StreamConsumer> => {
    const consumer = await StreamConsumer.start({
      client,
      stream: 'tx',
      group: 'scorers',
      consumer: name,
      scorer,
      ...options,
    });
    running.push(consumer);
    return consumer;
  };

  const openScorer = async (includeFeatures = true): Promise<FraudStreamScorer> => {
    const scorer = await FraudStreamScorer.open({
      modelDir,
      redisUrl: server().url,
      includeFeatures,
    });
    scorers.push(scorer);
    return scorer;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mlsd-stream-'));
    modelDir = join(dir, 'fraud-model');
    later = await buildSmallFraudModel(modelDir, {
      customers: 100,
      terminals: 200,
      laterDays: 2,
      seed: 11,
      referenceRows: 500,
    });
    client = openRedisClient(server().url);
    await client.connect();
  }, 120_000);

  afterEach(async () => {
    await Promise.all(running.splice(0).map((consumer) => consumer.stop()));
    await Promise.all(scorers.splice(0).map((scorer) => scorer.close()));
    await client.flushall();
  });

  afterAll(async () => {
    await client.quit();
    await rm(dir, { recursive: true, force: true });
  });

  it('decides every published transaction once, as the in-process scorer scores it', async () => {
    const records = toRecords(later, 250);
    const summary = await publish(records, 40);
    expect(summary.published).toBe(250);
    const metrics = new StreamMetrics({ defaultMetrics: false });
    await startConsumer('c1', await openScorer(), {
      metrics,
      batchSize: 16,
    });
    await waitForDrained(client, 'tx', 'scorers', 250);

    const decisions = await collect(client, 'tx');
    expect(decisions).toHaveLength(250);
    const reference = new FraudScorer(await FraudModel.load(modelDir));
    const requests: HandbookTransaction[] = toRequests(later, 250);
    for (let i = 0; i < 250; i++) {
      const expected = reference.score({ ...requests[i]!, TX_FRAUD: later.numeric('TX_FRAUD')[i] });
      const decision = decisions[i]!;
      expect(decision.transactionId).toBe(String(requests[i]!.TRANSACTION_ID));
      expect(decision.decision).toBe(expected.decision);
      expect(decision.score).toBe(expected.score);
      // FraudScorer keeps its vector in float32 (what the model sees); the service reports float64.
      const seen = Object.fromEntries(
        Object.entries(decision.features ?? {}).map(([name, value]) => [name, Math.fround(value)]),
      );
      expect(seen).toEqual(expected.features);
      expect(decision.consumer).toBe('c1');
    }
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/mlsd_stream_entries_total\{outcome="scored"\} 250/);
    expect(text).toMatch(/mlsd_stream_decision_latency_seconds_count 250/);
  });

  it('claims the pending entries of a consumer that died, and decides each once', async () => {
    const records = toRecords(later, 120);
    await publish(records);
    const keys = await openStreamKeys(client, 'tx');
    await client.xgroup('CREATE', keys.input(0), 'scorers', '0');
    // A consumer that took the partition, read 50 entries and died: its lease runs out.
    await client.set(keys.lease(0, 'scorers'), 'dead#0', 'PX', 600);
    await client.xreadgroup('GROUP', 'scorers', 'dead', 'COUNT', 50, 'STREAMS', keys.input(0), '>');
    const metrics = new StreamMetrics({ defaultMetrics: false });
    const events: string[] = [];
    await startConsumer('heir', await openScorer(false), {
      metrics,
      leaseMs: 600,
      log: (event) => events.push(JSON.stringify(event)),
    });
    await waitForDrained(client, 'tx', 'scorers', 120);
    const decisions = await collect(client, 'tx');
    expect(decisions.map((d) => d.transactionId)).toEqual(records.map((r) => r.TRANSACTION_ID));
    expect(decisions.every((d) => d.consumer === 'heir')).toBe(true);
    expect(await metrics.claimed.get()).toMatchObject({ values: [{ value: 50 }] });
    expect(events.some((e) => e.includes('"fromOthers":50'))).toBe(true);
  });

  it('gives a transaction published twice one decision, and rejects a bad record with a reason', async () => {
    const records = toRecords(later, 30);
    const bad = { ...records[10]!, TRANSACTION_ID: '999999999', TX_AMOUNT: 'twelve' };
    await publish([...records.slice(0, 20), records[5]!, bad, ...records.slice(20)]);
    const metrics = new StreamMetrics({ defaultMetrics: false });
    await startConsumer('c1', await openScorer(false), {
      metrics,
    });
    await waitForDrained(client, 'tx', 'scorers', 32);
    const decisions = await collect(client, 'tx');
    expect(decisions).toHaveLength(31);
    const ids = decisions.map((d) => d.transactionId);
    expect(new Set(ids).size).toBe(31);
    const rejected = decisions.filter((d) => d.decision === 'rejected');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ transactionId: '999999999', code: 'INVALID_TRANSACTION' });
    expect(rejected[0]!.message).toMatch(/TX_AMOUNT/);
    expect(await metrics.entries.get()).toMatchObject({
      values: expect.arrayContaining([
        expect.objectContaining({ labels: { outcome: 'duplicate' }, value: 1 }),
      ]),
    });
  });

  it('rejects with INTERNAL (and goes on) when the scorer fails on a record', async () => {
    await publish(toRecords(later, 10));
    const real = await openScorer(false);
    const victim = toRecords(later, 10)[4]!.TRANSACTION_ID;
    const failing: StreamScorer = {
      modelVersion: real.modelVersion,
      transactionIdOf: (record) => real.transactionIdOf(record),
      score: (record) =>
        record.TRANSACTION_ID === victim
          ? Promise.reject(new TypeError('model exploded'))
          : real.score(record),
      close: () => real.close(),
    };
    const events: string[] = [];
    await startConsumer('c1', failing, {
      log: (event) => events.push(JSON.stringify(event)),
    });
    await waitForDrained(client, 'tx', 'scorers', 10);
    const decisions = await collect(client, 'tx');
    expect(decisions.map((d) => d.decision === 'rejected')).toEqual(
      Array.from({ length: 10 }, (_, i) => i === 4),
    );
    expect(decisions[4]).toMatchObject({ transactionId: victim, code: 'INTERNAL' });
    expect(decisions[4]!.message).toContain('model exploded');
    expect(events.some((e) => e.includes('model exploded'))).toBe(true);
  });

  it('writes nothing for a consumer that lost its lease (the decide step is fenced)', async () => {
    await publish(toRecords(later, 3));
    const keys = await openStreamKeys(client, 'tx');
    await client.xgroup('CREATE', keys.input(0), 'scorers', '0');
    const read = (await client.xreadgroup(
      'GROUP',
      'scorers',
      'zombie',
      'STREAMS',
      keys.input(0),
      '>',
    )) as [string, [string, string[]][]][];
    const id = read[0]![1][0]![0];
    await client.set(keys.lease(0, 'scorers'), 'someone-else#1', 'PX', 10_000);
    const commands = streamCommands(client);
    const reply = await commands.mlsdStreamDecide(
      4,
      keys.input(0),
      keys.alerts(0),
      keys.lease(0, 'scorers'),
      keys.done(0, 'scorers', '1'),
      'scorers',
      'zombie#0',
      '60',
      '0',
      id,
      '1',
      'decision',
      'pass',
    );
    expect(reply).toEqual(['LOST']);
    expect(await client.xlen(keys.alerts(0))).toBe(0);
    expect(((await client.xpending(keys.input(0), 'scorers')) as unknown[])[0]).toBe(3);
  });

  it('refuses a partition count that differs from the stream’s', async () => {
    await openStreamKeys(client, 'tx', 4);
    await expect(openStreamKeys(client, 'tx', 8)).rejects.toThrow(
      /has 4 partitions \(fixed when it was first used\), not 8/,
    );
    expect((await openStreamKeys(client, 'tx')).partitions).toBe(4);
  });
});
