import type { RedisClient } from '../redis/redis-client.js';
import { readGroupInfo } from './group-info.js';
import { openStreamKeys } from './stream-keys.js';

/** One decision from a partition's alerts stream, as the consumer wrote it. */
export interface StreamDecision {
  /** The alert entry's id (`<ms>-<seq>`: when it was written). */
  alertId: string;
  partition: number;
  transactionId: string;
  decision: 'alert' | 'pass' | 'rejected';
  /** Fraud probability (NaN for a rejection). */
  score: number;
  /** Model version that decided. */
  model: string;
  /** The transaction's entry id in the input stream (`<ms>-<seq>`: when it was published). */
  entry: string;
  group: string;
  consumer: string;
  /** Why it was rejected (`INVALID_TRANSACTION`, `OUT_OF_ORDER`, …), for a rejection. */
  code?: string;
  message?: string;
  /** Feature values by name, when the consumer was asked to include them. */
  features?: Record<string, number>;
}

/**
 * Reads every decision of a stream's alerts streams, partition by partition (each in the order
 * it was written), `pageSize` entries per XRANGE. For audits, tests and benchmarks.
 */
export async function* readDecisions(
  client: RedisClient,
  stream: string,
  options: { group?: string; pageSize?: number } = {},
): AsyncGenerator<StreamDecision> {
  const keys = await openStreamKeys(client, stream);
  const pageSize = options.pageSize ?? 1_000;
  for (let p = 0; p < keys.partitions; p++) {
    let start = '-';
    for (;;) {
      const page = (await client.xrange(keys.alerts(p), start, '+', 'COUNT', pageSize)) as [
        string,
        string[],
      ][];
      for (const [alertId, flat] of page) {
        const fields = new Map<string, string>();
        for (let i = 0; i + 1 < flat.length; i += 2) fields.set(flat[i]!, flat[i + 1]!);
        const decision = toDecision(alertId, p, fields);
        if (options.group === undefined || decision.group === options.group) yield decision;
      }
      if (page.length < pageSize) break;
      start = `(${page[page.length - 1]![0]}`;
    }
  }
}

function toDecision(
  alertId: string,
  partition: number,
  fields: Map<string, string>,
): StreamDecision {
  const features = fields.get('features');
  const code = fields.get('code');
  const message = fields.get('message');
  return {
    alertId,
    partition,
    transactionId: fields.get('transactionId') ?? '',
    decision: (fields.get('decision') ?? 'rejected') as StreamDecision['decision'],
    score: fields.has('score') ? Number(fields.get('score')) : Number.NaN,
    model: fields.get('model') ?? '',
    entry: fields.get('entry') ?? '',
    group: fields.get('group') ?? '',
    consumer: fields.get('consumer') ?? '',
    ...(code === undefined ? {} : { code }),
    ...(message === undefined ? {} : { message }),
    ...(features === undefined ? {} : { features: JSON.parse(features) as Record<string, number> }),
  };
}

/** How far a consumer group is through a stream. */
export interface GroupProgress {
  /** Entries in the input partitions (XLEN, summed). */
  entries: number;
  /** Entries not yet delivered to the group. */
  lag: number;
  /** Entries delivered but not acknowledged. */
  pending: number;
}

/**
 * Sums XLEN and the group's lag and pending entries over every partition (a partition whose
 * group does not exist yet counts its whole length as lag).
 */
export async function readGroupProgress(
  client: RedisClient,
  stream: string,
  group: string,
): Promise<GroupProgress> {
  const keys = await openStreamKeys(client, stream);
  const progress: GroupProgress = { entries: 0, lag: 0, pending: 0 };
  await Promise.all(
    Array.from({ length: keys.partitions }, async (_, p) => {
      const length = await client.xlen(keys.input(p));
      progress.entries += length;
      const info = await readGroupInfo(client, keys.input(p), group);
      if (info === undefined) {
        progress.lag += length;
        return;
      }
      progress.pending += info.pending;
      progress.lag += info.lag ?? Math.max(0, length - info.entriesRead);
    }),
  );
  return progress;
}
