import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openRedisClient, type RedisClient } from '../src/redis/redis-client.js';
import {
  readDecisions,
  readGroupProgress,
  type StreamDecision,
} from '../src/stream/decision-reader.js';
import { StreamConsumer } from '../src/stream/stream-consumer.js';
import { openStreamKeys } from '../src/stream/stream-keys.js';
import type { StreamRecord, StreamScore, StreamScorer } from '../src/stream/stream-scorer.js';
import { publishTransactions } from '../src/stream/transaction-publisher.js';
import { useRedisCluster } from './redis-cluster.js';
import { waitForDrained } from './stream-helpers.js';

const cluster = useRedisCluster({ masters: 3, replicasPerMaster: 1 });

/**
 * A scorer double for the plumbing: the score is a pure function of the record, and it
 * remembers the order in which it saw each card's transactions (across every consumer of the
 * process), so the test can check per-card order.
 */
class RecordingScorer implements StreamScorer {
  readonly modelVersion = 'test-1';
  readonly seen = new Map<string, string[]>();

  transactionIdOf(record: StreamRecord): string | undefined {
    return record.id;
  }

  async score(record: StreamRecord): Promise<StreamScore> {
    const id = record.id;
    if (id === undefined) {
      return { kind: 'rejected', transactionId: undefined, code: 'INVALID', message: 'no id' };
    }
    const card = record.card ?? '';
    const list = this.seen.get(card) ?? [];
    if (list[list.length - 1] !== id) list.push(id);
    this.seen.set(card, list);
    const score = (Number(id) % 100) / 100;
    return {
      kind: 'scored',
      transactionId: id,
      score,
      decision: score >= 0.9 ? 'alert' : 'pass',
      threshold: 0.9,
    };
  }

  async close(): Promise<void> {}
}

/** 3,000 transactions of 97 cards, ids in time order. */
function makeRecords(n = 3_000): StreamRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    id: String(i),
    card: String((i * 7919) % 97),
    amount: String(10 + (i % 13)),
  }));
}

async function decisionsOf(client: RedisClient): Promise<StreamDecision[]> {
  const out: StreamDecision[] = [];
  for await (const decision of readDecisions(client, 'tx')) out.push(decision);
  return out;
}

/** Checks that every card's transactions were seen in publish (= id) order, repeats aside. */
function expectCardOrder(scorer: RecordingScorer): void {
  for (const [card, ids] of scorer.seen) {
    const numbers = ids.map(Number);
    const sorted = [...new Set(numbers)].sort((a, b) => a - b);
    expect({ card, ids: numbers.filter((id, i) => numbers.indexOf(id) === i) }).toEqual({
      card,
      ids: sorted,
    });
  }
}

describe('the transaction stream on a 3-master Redis Cluster', () => {
  let client: RedisClient;
  const consumers: StreamConsumer[] = [];

  beforeAll(async () => {
    client = openRedisClient(cluster().url);
    await client.connect();
  });

  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((consumer) => consumer.stop()));
  });

  afterAll(async () => {
    await client?.quit();
  });

  it('spreads the partitions over the slots of every master', async () => {
    const keys = await openStreamKeys(client, 'spread', 16);
    const masters = new Set<number>();
    for (let p = 0; p < keys.partitions; p++) masters.add(await cluster().masterOf(keys.input(p)));
    expect(masters.size).toBe(3);
    // Everything of one partition is in one slot, so one Lua step can touch it all.
    const slots = new Set<number>();
    for (const key of [
      keys.input(5),
      keys.alerts(5),
      keys.lease(5, 'g'),
      keys.done(5, 'g', '42'),
    ]) {
      slots.add(Number(await client.cluster('KEYSLOT', key)));
    }
    expect(slots.size).toBe(1);
  });

  it('three consumers share 8 partitions, one leaves and another joins, a master is killed: one decision each, per-card order kept', async () => {
    const records = makeRecords();
    await publishTransactions(records, {
      client,
      stream: 'tx',
      partitionBy: ['card'],
      partitions: 8,
      batchSize: 200,
    });
    // The log is on the replicas before any fault (what a master acknowledged but had not
    // replicated would die with it), and whole.
    await cluster().replicated();
    expect((await readGroupProgress(client, 'tx', 'scorers')).entries).toBe(records.length);
    const scorer = new RecordingScorer();
    const start = (name: string) =>
      StreamConsumer.start({
        client,
        stream: 'tx',
        group: 'scorers',
        consumer: name,
        scorer,
        batchSize: 8,
        leaseMs: 1_000,
        maxRetryMs: 500,
      }).then((consumer) => {
        consumers.push(consumer);
        return consumer;
      });
    const [first] = await Promise.all(['a', 'b', 'c'].map(start));
    await waitForDecisions(client, 600);
    await first!.stop();
    await start('d');
    await waitForDecisions(client, 1_500);
    // The master serving partition 0 dies; its replica takes over after cluster-node-timeout.
    const keys = await openStreamKeys(client, 'tx');
    await cluster().kill(await cluster().masterOf(keys.input(0)), 'SIGKILL');
    await waitForDrained(client, 'tx', 'scorers', records.length, 120_000);

    const decisions = await decisionsOf(client);
    const ids = decisions.map((decision) => Number(decision.transactionId));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort((x, y) => x - y)).toEqual(records.map((_, i) => i));
    expectCardOrder(scorer);
  }, 180_000);
});

async function waitForDecisions(client: RedisClient, count: number): Promise<void> {
  const keys = await openStreamKeys(client, 'tx');
  for (;;) {
    let total = 0;
    for (let p = 0; p < keys.partitions; p++) total += await client.xlen(keys.alerts(p));
    if (total >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
