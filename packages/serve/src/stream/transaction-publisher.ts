import { InvalidArgumentError, InvalidDataError, parseOptions } from '@mlsd/core';
import { z } from 'zod';
import type { RedisClient } from '../redis/redis-client.js';
import { partitionKey, partitionOf } from './partition.js';
import { streamCommands } from './stream-commands.js';
import { openStreamKeys } from './stream-keys.js';
import type { StreamRecord } from './stream-scorer.js';

/** Options of {@link publishTransactions}. */
export interface PublishOptions {
  /** The stream's Redis (or Redis Cluster) client; not closed here. */
  client: RedisClient;
  /** The stream's name. */
  stream: string;
  /**
   * The record field(s) whose value picks the partition (the card: `CUSTOMER_ID`, `cc_num`):
   * every transaction of one card goes to one partition, in the order published.
   */
  partitionBy: readonly string[];
  /** Partition count when the stream is new (default 16); must match when it is not. */
  partitions?: number | undefined;
  /** Records per second; absent or 0: as fast as Redis takes them. */
  rate?: number | undefined;
  /** Records sent per round (one Lua step per partition touched); default 500. */
  batchSize?: number | undefined;
  /** Approximate MAXLEN of each partition (old entries trimmed); 0 (default) keeps all. */
  maxLen?: number | undefined;
  /** Stop after this many records (default: all). */
  limit?: number | undefined;
  /** Called after each round with the records published so far. */
  onProgress?: ((published: number) => void) | undefined;
  /** Stops publishing after the round in flight (e.g. on SIGINT). */
  signal?: AbortSignal | undefined;
}

/** What {@link publishTransactions} did. */
export interface PublishSummary {
  stream: string;
  partitions: number;
  published: number;
  /** Records per partition, by partition. */
  perPartition: number[];
  seconds: number;
  /** Achieved records per second. */
  rate: number;
}

const OptionsSchema = z
  .object({
    stream: z.string(),
    partitionBy: z.array(z.string().min(1)).min(1),
    partitions: z.number().int().positive().optional(),
    rate: z.number().nonnegative().finite().optional(),
    batchSize: z.number().int().min(1).max(10_000).default(500),
    maxLen: z.number().int().nonnegative().default(0),
    limit: z.number().int().nonnegative().optional(),
  })
  .passthrough();

/**
 * Feeds transaction records into a partitioned stream (see `StreamKeys`): each record's
 * fields, as text, become one entry of the partition its `partitionBy` value hashes to
 * (`partitionOf`), in the order the records come, at `rate` records per second or as fast as
 * possible. Each round sends up to `batchSize` records as one atomic append per partition, so
 * a partition's entries keep the source order even across retries and cluster redirections.
 * @throws InvalidArgumentError for bad options or a partition count that differs from the
 *   stream's; InvalidDataError for a record without its partition field (naming its position).
 */
export async function publishTransactions(
  records: AsyncIterable<StreamRecord> | Iterable<StreamRecord>,
  options: PublishOptions,
): Promise<PublishSummary> {
  const o = parseOptions(OptionsSchema, options, 'publishTransactions options');
  const client = options.client;
  const keys = await openStreamKeys(client, o.stream, o.partitions);
  const commands = streamCommands(client);
  const perPartition = new Array<number>(keys.partitions).fill(0);
  const limit = o.limit ?? Number.POSITIVE_INFINITY;
  const started = performance.now();
  let published = 0;
  let round: StreamRecord[] = [];

  const flush = async (): Promise<void> => {
    if (round.length === 0) return;
    const byPartition = new Map<number, string[]>();
    for (let i = 0; i < round.length; i++) {
      const record = round[i]!;
      const p = partitionOf(keyOf(record, o.partitionBy, published + i), keys.partitions);
      let args = byPartition.get(p);
      if (args === undefined) {
        args = [String(o.maxLen)];
        byPartition.set(p, args);
      }
      const names = Object.keys(record);
      args.push(String(names.length));
      for (const name of names) args.push(name, record[name]!);
      perPartition[p]!++;
    }
    await Promise.all(
      [...byPartition].map(([p, args]) => commands.mlsdStreamAppend(keys.input(p), ...args)),
    );
    published += round.length;
    round = [];
    options.onProgress?.(published);
  };

  const rate = o.rate !== undefined && o.rate > 0 ? o.rate : undefined;
  // Paced: a round is due every 10 ms (or every record at low rates); sends what the clock owes.
  const roundSize = rate === undefined ? o.batchSize : Math.max(1, Math.ceil(rate / 100));
  for await (const record of records) {
    if (published + round.length >= limit || options.signal?.aborted) break;
    round.push(record);
    if (round.length < Math.min(roundSize, o.batchSize)) continue;
    if (rate !== undefined) {
      const due = started + ((published + round.length) / rate) * 1000;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    await flush();
  }
  if (!options.signal?.aborted) await flush();
  const seconds = (performance.now() - started) / 1000;
  return {
    stream: keys.stream,
    partitions: keys.partitions,
    published,
    perPartition,
    seconds,
    rate: seconds > 0 ? published / seconds : 0,
  };
}

function keyOf(record: StreamRecord, columns: readonly string[], index: number): string {
  const values: string[] = [];
  for (const column of columns) {
    const value = record[column];
    if (value === undefined || value === '') {
      const known = Object.keys(record).slice(0, 12).join(', ');
      throw new InvalidDataError(
        `Record ${index + 1} has no ${JSON.stringify(column)} to partition by (its fields: ${known}). Choose the card column with --partition-by.`,
        { record: index + 1, column },
      );
    }
    values.push(value);
  }
  return partitionKey(values);
}

/** @throws InvalidArgumentError unless `columns` is a comma-separated list of names. */
export function parseColumnList(flag: string, text: string): string[] {
  const columns = text
    .split(',')
    .map((column) => column.trim())
    .filter((column) => column !== '');
  if (columns.length === 0) {
    throw new InvalidArgumentError(`${flag} needs one or more column names, e.g. CUSTOMER_ID.`);
  }
  return columns;
}
