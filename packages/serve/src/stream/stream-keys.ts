import { InvalidArgumentError } from '@mlsd/core';
import type { RedisClient } from '../redis/redis-client.js';

const NAME = /^[A-Za-z0-9._-]{1,100}$/;

/** Partitions of a stream when neither its producer nor its consumers said. */
export const DEFAULT_PARTITIONS = 16;

/** Most partitions a stream may have (Redis Cluster has 16,384 slots; a few hundred is plenty). */
export const MAX_PARTITIONS = 1_024;

/**
 * Checks a stream, group or consumer name: 1–100 of `A-Z a-z 0-9 . _ -` (no `{`, `}` or `:`, which
 * would change the keys' hash tags or layout).
 * @throws InvalidArgumentError naming the flag and the rule.
 */
export function checkStreamName(what: string, name: string): string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new InvalidArgumentError(
      `${what} ${JSON.stringify(name)} must be 1 to 100 characters among letters, digits, '.', '_' and '-'.`,
      { [what]: name },
    );
  }
  return name;
}

/**
 * @throws InvalidArgumentError unless `partitions` is a whole number in 1–{@link MAX_PARTITIONS}.
 */
export function checkPartitions(partitions: number): number {
  if (!(Number.isSafeInteger(partitions) && partitions >= 1 && partitions <= MAX_PARTITIONS)) {
    throw new InvalidArgumentError(
      `The number of partitions must be a whole number from 1 to ${MAX_PARTITIONS}, got ${partitions}.`,
      { partitions },
    );
  }
  return partitions;
}

/**
 * The Redis keys of one partitioned transaction stream. A stream `transactions` with P
 * partitions is P Redis Streams; everything about partition p shares the hash tag
 * `{transactions:p}`, so it lives in one Redis Cluster slot and one Lua step can touch it all:
 *
 * - `mlsd:{transactions:p}:in` — the transactions (one entry each, the raw record's fields);
 * - `mlsd:{transactions:p}:alerts` — the decisions (one entry per transaction and group);
 * - `mlsd:{transactions:p}:lease:<group>` — which consumer of the group owns partition p now;
 * - `mlsd:{transactions:p}:done:<group>:<transaction id>` — the guard that makes a second
 *   entry for one transaction id (a producer's retry) not decided twice.
 *
 * Two keys are per stream (tag `{transactions}`): `mlsd:{transactions}:meta` (the partition
 * count, fixed when the stream is first used) and `mlsd:{transactions}:members:<group>` (the
 * group's live consumers, for sharing partitions out).
 */
export class StreamKeys {
  readonly stream: string;
  readonly partitions: number;
  /** `mlsd:{<stream>}:meta` (hash: `partitions`). */
  readonly meta: string;

  /** @throws InvalidArgumentError for a bad stream name or partition count. */
  constructor(stream: string, partitions: number) {
    this.stream = checkStreamName('stream', stream);
    this.partitions = checkPartitions(partitions);
    this.meta = StreamKeys.metaKey(stream);
  }

  /** The meta key of a stream, before its partition count is known. */
  static metaKey(stream: string): string {
    return `mlsd:{${checkStreamName('stream', stream)}}:meta`;
  }

  /** Live consumers of a group (sorted set: consumer → expiry, ms). */
  members(group: string): string {
    return `mlsd:{${this.stream}}:members:${group}`;
  }

  /** The Redis Stream that holds partition `p`'s transactions. */
  input(p: number): string {
    return `${this.#tag(p)}:in`;
  }

  /** The Redis Stream of partition `p`'s decisions. */
  alerts(p: number): string {
    return `${this.#tag(p)}:alerts`;
  }

  /** Which consumer of `group` owns partition `p` (string with a TTL). */
  lease(p: number, group: string): string {
    return `${this.#tag(p)}:lease:${group}`;
  }

  /** The decided-guard of one transaction id in partition `p` for `group`. */
  done(p: number, group: string, transactionId: string): string {
    return `${this.#tag(p)}:done:${group}:${transactionId}`;
  }

  #tag(p: number): string {
    return `mlsd:{${this.stream}:${p}}`;
  }
}

/**
 * The keys of `stream` as its meta key in Redis records them: the partition count is fixed by
 * whoever uses the stream first (`partitions`, or {@link DEFAULT_PARTITIONS}) and read back by
 * everyone after, so producers and consumers always agree on where a card's transactions go.
 * @throws InvalidArgumentError when `partitions` is given and differs from the recorded count.
 */
export async function openStreamKeys(
  client: RedisClient,
  stream: string,
  partitions?: number,
): Promise<StreamKeys> {
  const meta = StreamKeys.metaKey(stream);
  const wanted = partitions === undefined ? DEFAULT_PARTITIONS : checkPartitions(partitions);
  await client.hsetnx(meta, 'partitions', String(wanted));
  const stored = Number(await client.hget(meta, 'partitions'));
  if (partitions !== undefined && stored !== partitions) {
    throw new InvalidArgumentError(
      `Stream ${JSON.stringify(stream)} has ${stored} partitions (fixed when it was first used), not ${partitions}: leave --partitions out or give ${stored}. To repartition, drain it and delete its keys (mlsd:{${stream}}:* and mlsd:{${stream}:*}:*).`,
      { stream, partitions, stored },
    );
  }
  return new StreamKeys(stream, checkPartitions(stored));
}
