import { randomBytes } from 'node:crypto';
import { InvalidArgumentError, parseOptions } from '@mlsd/core';
import { z } from 'zod';
import type { RedisClient } from '../redis/redis-client.js';
import { readGroupInfo } from './group-info.js';
import { partitionOf } from './partition.js';
import { type StreamCommands, streamCommands } from './stream-commands.js';
import { checkStreamName, openStreamKeys, type StreamKeys } from './stream-keys.js';
import type { EntryOutcome, StreamMetrics } from './stream-metrics.js';
import {
  StreamBackendError,
  type StreamRecord,
  type StreamScore,
  type StreamScorer,
} from './stream-scorer.js';

/** Options of {@link StreamConsumer.start}. */
export interface StreamConsumerOptions {
  /** The stream's Redis (or Redis Cluster) client; the consumer does not close it. */
  client: RedisClient;
  /** The stream's name (`--stream`). */
  stream: string;
  /** The consumer group (`--group`): consumers of one group share the partitions. */
  group: string;
  /** This consumer's name in the group (`--consumer`); a restarted consumer may reuse it. */
  consumer: string;
  /** What decides each transaction. */
  scorer: StreamScorer;
  /** Partition count when the stream is new (default 16); must match when it is not. */
  partitions?: number | undefined;
  /** Entries read (and decided in one atomic step) at a time per partition; default 64. */
  batchSize?: number | undefined;
  /**
   * Milliseconds a partition lease lives without renewal (default 10,000). A dead consumer's
   * partitions are taken over this long after its last renewal; its pending entries are then
   * claimed. Renewed every third of it.
   */
  leaseMs?: number | undefined;
  /** Longest wait between polls of an idle partition, ms (default 20; doubles from 1). */
  maxIdleMs?: number | undefined;
  /** Longest back-off after a Redis failure, ms (default 2,000; doubles from 50). */
  maxRetryMs?: number | undefined;
  /** Seconds the per-transaction decided-guard is kept (default 7 days). */
  guardSeconds?: number | undefined;
  /** Approximate MAXLEN of each partition's alerts stream; 0 (default) keeps every decision. */
  alertsMaxLen?: number | undefined;
  /** Most partitions this consumer takes (default: its fair share, all of them when alone). */
  maxPartitions?: number | undefined;
  metrics?: StreamMetrics | undefined;
  /** Where the consumer reports what it does (takeovers, lost leases, retries). */
  log?: ((event: StreamConsumerEvent) => void) | undefined;
}

/** Something a consumer reports through `log`. */
export type StreamConsumerEvent =
  | { event: 'acquired'; partition: number; claimed: number; fromOthers: number }
  | { event: 'released'; partition: number }
  | { event: 'lease-lost'; partition: number }
  | { event: 'retry'; partition: number; error: string; delayMs: number }
  | { event: 'error'; partition: number; error: string };

/** Counts of one consumer since it started. */
export interface StreamConsumerStats {
  handled: number;
  scored: number;
  rejected: number;
  duplicate: number;
  stale: number;
  claimed: number;
  redelivered: number;
  /** Fenced reads and claims sent (round trips to the partitions' nodes). */
  reads: number;
  /** Decide steps sent (one per batch). */
  decides: number;
  owned: number[];
}

const OptionsSchema = z
  .object({
    stream: z.string(),
    group: z.string(),
    consumer: z.string(),
    partitions: z.number().int().positive().optional(),
    batchSize: z.number().int().min(1).max(1_000).default(64),
    leaseMs: z.number().int().min(300).default(10_000),
    maxIdleMs: z.number().int().min(1).default(20),
    maxRetryMs: z.number().int().min(1).default(2_000),
    guardSeconds: z
      .number()
      .int()
      .positive()
      .default(7 * 86_400),
    alertsMaxLen: z.number().int().nonnegative().default(0),
    maxPartitions: z.number().int().positive().optional(),
  })
  .passthrough();

type ParsedOptions = z.output<typeof OptionsSchema>;

interface Entry {
  id: string;
  record: StreamRecord;
}

/**
 * A scorer replica reading a partitioned transaction stream (see {@link StreamKeys}) in a
 * Redis consumer group, Kafka-style: each partition is owned by one consumer at a time through
 * a lease (a key with a TTL, renewed every third of it), so the entries of a partition — all
 * transactions of a card — are decided in the order they were published. Consumers of a group
 * share the partitions out (each takes its fair share, ⌈P / live consumers⌉, and gives up the
 * rest); when one dies, its leases expire and the others take its partitions over, claiming its
 * pending entries with XAUTOCLAIM before reading new ones, so order still holds.
 *
 * Per entry: score (update the online state, run the model), then — for a batch of entries at
 * once — one Lua step in the partition's slot acknowledges each entry (XACK), appends its
 * decision to the partition's alerts stream and sets a per-transaction guard, fenced by the
 * lease. An entry is acknowledged only with its decision, and only after its state update: a
 * consumer that dies before the step leaves it pending, to be claimed and decided by the next
 * owner; a second entry for a transaction already decided is acknowledged without a decision.
 * The state store is idempotent by transaction id, so a redelivered transaction is not counted
 * twice in the windows.
 */
export class StreamConsumer {
  readonly keys: StreamKeys;
  readonly group: string;
  readonly consumer: string;
  readonly #client: RedisClient;
  readonly #commands: StreamCommands;
  readonly #scorer: StreamScorer;
  readonly #options: ParsedOptions;
  readonly #metrics: StreamMetrics | undefined;
  readonly #log: (event: StreamConsumerEvent) => void;
  /** This process's lease value: the consumer name and a nonce (a restart is a new holder). */
  readonly #holder: string;
  readonly #workers = new Map<number, PartitionWorker>();
  /** Partitions whose worker was aborted (lease lost) and has not finished its step yet. */
  readonly #retiring = new Set<number>();
  readonly #stats: Omit<StreamConsumerStats, 'owned'> = {
    handled: 0,
    scored: 0,
    rejected: 0,
    duplicate: 0,
    stale: 0,
    claimed: 0,
    redelivered: 0,
    reads: 0,
    decides: 0,
  };
  #timer: NodeJS.Timeout | undefined;
  #ticking: Promise<void> = Promise.resolve();
  #stopping = false;

  private constructor(keys: StreamKeys, options: StreamConsumerOptions, parsed: ParsedOptions) {
    this.keys = keys;
    this.group = parsed.group;
    this.consumer = parsed.consumer;
    this.#client = options.client;
    this.#commands = streamCommands(options.client);
    this.#scorer = options.scorer;
    this.#options = parsed;
    this.#metrics = options.metrics;
    this.#log = options.log ?? (() => {});
    this.#holder = `${parsed.consumer}#${randomBytes(6).toString('hex')}`;
  }

  /**
   * Joins the group (creating it on every partition, from the stream's beginning, when new)
   * and starts taking partitions and deciding their entries. Resolves once it runs.
   * @throws InvalidArgumentError for bad names or options, or a partition count that differs
   *   from the stream's.
   */
  static async start(options: StreamConsumerOptions): Promise<StreamConsumer> {
    const parsed = parseOptions(OptionsSchema, options, 'StreamConsumer options');
    checkStreamName('group', parsed.group);
    checkStreamName('consumer', parsed.consumer);
    const keys = await openStreamKeys(options.client, parsed.stream, parsed.partitions);
    await Promise.all(
      Array.from({ length: keys.partitions }, async (_, p) => {
        try {
          await options.client.xgroup('CREATE', keys.input(p), parsed.group, '0', 'MKSTREAM');
        } catch (error) {
          if (!String((error as Error).message).startsWith('BUSYGROUP')) throw error;
        }
      }),
    );
    const consumer = new StreamConsumer(keys, options, parsed);
    await consumer.#tick();
    consumer.#schedule();
    return consumer;
  }

  /** Partitions owned now, ascending. */
  get owned(): number[] {
    return [...this.#workers.keys()].sort((a, b) => a - b);
  }

  /** What this consumer has handled since it started. */
  stats(): StreamConsumerStats {
    return { ...this.#stats, owned: this.owned };
  }

  /**
   * Stops taking work: each partition finishes (or abandons, if Redis is failing) the batch in
   * hand, its lease is released so another consumer takes over at once, and the consumer leaves
   * the group's member list. Does not close the client or the scorer.
   */
  async stop(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    clearTimeout(this.#timer);
    await this.#ticking;
    await Promise.all([...this.#workers.values()].map((worker) => this.#release(worker)));
    try {
      await this.#client.zrem(this.keys.members(this.group), this.consumer);
    } catch {
      // The member entry expires by itself.
    }
  }

  #schedule(): void {
    this.#timer = setTimeout(
      () => {
        this.#ticking = this.#tick().finally(() => {
          if (!this.#stopping) this.#schedule();
        });
      },
      Math.max(100, Math.floor(this.#options.leaseMs / 3)),
    );
  }

  /** Heartbeat, lease renewal, rebalancing and lag gauges; never throws. */
  async #tick(): Promise<void> {
    if (this.#stopping) return;
    const { leaseMs } = this.#options;
    const members = this.keys.members(this.group);
    let live = 1;
    try {
      const now = Date.now();
      await this.#client.zadd(members, now + leaseMs, this.consumer);
      await this.#client.zremrangebyscore(members, '-inf', now);
      live = Math.max(1, await this.#client.zcard(members));
    } catch {
      this.#metrics?.backendErrors.inc();
    }
    await Promise.all([...this.#workers.values()].map((worker) => this.#renew(worker)));
    const partitions = this.keys.partitions;
    const target = Math.min(
      this.#options.maxPartitions ?? partitions,
      Math.ceil(partitions / live),
    );
    if (this.#workers.size > target) {
      const extras = this.owned.slice(target);
      await Promise.all(extras.map((p) => this.#release(this.#workers.get(p)!)));
    }
    // Start looking at a place that depends on the name, so consumers starting together
    // do not all race for partition 0.
    const offset = partitionOf(this.consumer, partitions);
    for (let i = 0; i < partitions && this.#workers.size < target && !this.#stopping; i++) {
      const p = (offset + i) % partitions;
      if (this.#workers.has(p) || this.#retiring.has(p)) continue;
      try {
        const taken = await this.#client.set(
          this.keys.lease(p, this.group),
          this.#holder,
          'PX',
          leaseMs,
          'NX',
        );
        if (taken === 'OK') this.#startWorker(p);
      } catch {
        this.#metrics?.backendErrors.inc();
        break;
      }
    }
    this.#metrics?.partitionsOwned.set(this.#workers.size);
    await this.#refreshLag();
  }

  async #renew(worker: PartitionWorker): Promise<void> {
    try {
      const kept = await this.#commands.mlsdStreamRenew(
        this.keys.lease(worker.partition, this.group),
        this.#holder,
        String(this.#options.leaseMs),
      );
      if (kept === 1) return;
    } catch {
      // A renewal that cannot reach Redis is retried next tick; the lease may still expire.
      this.#metrics?.backendErrors.inc();
      return;
    }
    this.#lost(worker);
  }

  #lost(worker: PartitionWorker): void {
    if (!worker.running) return;
    this.#metrics?.leasesLost.inc();
    this.#log({ event: 'lease-lost', partition: worker.partition });
    this.#retire(worker);
  }

  /** Stops a worker whose lease is gone; its partition is not taken again until it has stopped. */
  #retire(worker: PartitionWorker): void {
    const p = worker.partition;
    worker.abort();
    if (this.#workers.get(p) === worker) this.#workers.delete(p);
    this.#forgetGauges(p);
    this.#retiring.add(p);
    void worker.done.finally(() => this.#retiring.delete(p));
  }

  async #release(worker: PartitionWorker): Promise<void> {
    worker.abort();
    await worker.done;
    this.#workers.delete(worker.partition);
    this.#forgetGauges(worker.partition);
    try {
      await this.#commands.mlsdStreamRelease(
        this.keys.lease(worker.partition, this.group),
        this.#holder,
      );
    } catch {
      // It expires by itself.
    }
    this.#log({ event: 'released', partition: worker.partition });
  }

  #startWorker(p: number): void {
    const worker = new PartitionWorker(p);
    this.#workers.set(p, worker);
    worker.done = this.#runPartition(worker).catch((error: unknown) => {
      // Redis failures are retried inside; anything else is a bug: report it, give the
      // partition up (its entries stay pending for the next owner).
      this.#log({ event: 'error', partition: p, error: String((error as Error)?.stack ?? error) });
      void this.#release(worker);
    });
  }

  async #runPartition(worker: PartitionWorker): Promise<void> {
    const p = worker.partition;
    const input = this.keys.input(p);
    const { maxIdleMs } = this.#options;
    // Take over what the previous owner read but did not acknowledge, oldest first, before
    // anything new: the partition's order holds across the takeover.
    const taken = await this.#retrying(worker, () => this.#pendingByOthers(input));
    if (taken === undefined) return;
    let claimed = 0;
    let cursor = '0-0';
    do {
      const reply = await this.#read(worker, cursor);
      if (reply === undefined) return;
      cursor = reply.cursor;
      const entries = reply.entries;
      claimed += entries.length;
      this.#stats.claimed += entries.length;
      this.#stats.redelivered += entries.length;
      this.#metrics?.claimed.inc(entries.length);
      this.#metrics?.redeliveries.inc(entries.length);
      if (!(await this.#handle(worker, entries))) return;
    } while (cursor !== '0-0' && worker.running);
    this.#log({ event: 'acquired', partition: p, claimed, fromOthers: taken });

    let idle = 0;
    while (worker.running) {
      const reply = await this.#read(worker, '>');
      if (reply === undefined) return;
      if (reply.entries.length === 0) {
        idle = Math.min(maxIdleMs, Math.max(1, idle * 2));
        await worker.sleep(idle);
        continue;
      }
      idle = 0;
      if (!(await this.#handle(worker, reply.entries))) return;
    }
  }

  /**
   * Reads new entries (`from` '>') or claims pending ones from a cursor, fenced by the lease.
   * Resolves undefined when the worker stopped or lost the lease meanwhile.
   */
  async #read(
    worker: PartitionWorker,
    from: string,
  ): Promise<{ cursor: string; entries: Entry[] } | undefined> {
    const p = worker.partition;
    const reply = await this.#retrying(worker, () => {
      this.#stats.reads++;
      return this.#commands.mlsdStreamRead(
        this.keys.input(p),
        this.keys.lease(p, this.group),
        this.#holder,
        this.group,
        this.consumer,
        String(this.#options.batchSize),
        from,
      );
    });
    if (reply === undefined) return undefined;
    if (reply[0] === 'LOST') {
      this.#lost(worker);
      return undefined;
    }
    if (from === '>') {
      return { cursor: from, entries: toEntries(reply as [string, string[]][]) };
    }
    const [cursor, raw] = reply as [string, [string, string[] | null][]];
    return { cursor, entries: toEntries(raw) };
  }

  /** Pending entries of the partition held by other consumers of the group (XPENDING summary). */
  async #pendingByOthers(input: string): Promise<number> {
    const summary = (await this.#client.xpending(input, this.group)) as [
      number,
      string | null,
      string | null,
      [string, string][] | null,
    ];
    return (summary[3] ?? [])
      .filter(([name]) => name !== this.consumer)
      .reduce((sum, [, count]) => sum + Number(count), 0);
  }

  /**
   * Scores the entries in order and decides them in one step. Resolves false when the
   * partition was lost or given up meanwhile (the rest stays pending for the next owner).
   */
  async #handle(worker: PartitionWorker, entries: Entry[]): Promise<boolean> {
    const outcomes: StreamScore[] = [];
    for (const entry of entries) {
      const outcome = await this.#retrying(worker, () => this.#score(worker, entry));
      if (outcome === undefined) return false;
      outcomes.push(outcome);
    }
    const p = worker.partition;
    const keys = [this.keys.input(p), this.keys.alerts(p), this.keys.lease(p, this.group)];
    const args = [
      this.group,
      this.#holder,
      String(this.#options.guardSeconds),
      String(this.#options.alertsMaxLen),
    ];
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      const outcome = outcomes[i]!;
      keys.push(this.keys.done(p, this.group, outcome.transactionId ?? `entry:${entry.id}`));
      const fields = this.#decisionFields(p, entry, outcome);
      args.push(entry.id, String(fields.length / 2), ...fields);
    }
    const results = await this.#retrying(worker, () => {
      this.#stats.decides++;
      return this.#commands.mlsdStreamDecide(keys.length, ...keys, ...args);
    });
    if (results === undefined) return false;
    if (results[0] === 'LOST') {
      this.#lost(worker);
      return false;
    }
    const now = Date.now();
    for (let i = 0; i < entries.length; i++) {
      const result = results[i] ?? 'STALE';
      const outcome = outcomes[i]!;
      let kind: EntryOutcome;
      if (result === 'STALE') kind = 'stale';
      else if (result.startsWith('DUP ')) kind = 'duplicate';
      else {
        kind = outcome.kind;
        const decision = outcome.kind === 'scored' ? outcome.decision : 'rejected';
        this.#metrics?.decisions.inc({ decision });
        this.#metrics?.decisionLatency.observe(
          Math.max(0, now - entryTimeMs(entries[i]!.id)) / 1000,
        );
      }
      this.#stats[kind]++;
      this.#stats.handled++;
      this.#metrics?.entries.inc({ outcome: kind });
    }
    return true;
  }

  /**
   * The scorer's outcome; a failure that is not Redis' (a bug, a model that throws) becomes a
   * rejection with code INTERNAL, logged, so one bad record cannot stall its partition.
   */
  async #score(worker: PartitionWorker, entry: Entry): Promise<StreamScore> {
    try {
      return await this.#scorer.score(entry.record);
    } catch (error) {
      if (isBackendFailure(error)) throw error;
      const message = error instanceof Error ? error.message : String(error);
      this.#log({
        event: 'error',
        partition: worker.partition,
        error: `entry ${entry.id}: ${message}`,
      });
      return {
        kind: 'rejected',
        transactionId: this.#scorer.transactionIdOf(entry.record),
        code: 'INTERNAL',
        message: `The scorer failed on this transaction: ${message}`,
      };
    }
  }

  #decisionFields(p: number, entry: Entry, outcome: StreamScore): string[] {
    const fields = [
      'transactionId',
      outcome.transactionId ?? '',
      'decision',
      outcome.kind === 'scored' ? outcome.decision : 'rejected',
    ];
    if (outcome.kind === 'scored') {
      fields.push('score', String(outcome.score), 'threshold', String(outcome.threshold));
    } else {
      fields.push('code', outcome.code, 'message', outcome.message);
    }
    fields.push(
      'model',
      this.#scorer.modelVersion,
      'entry',
      entry.id,
      'partition',
      String(p),
      'group',
      this.group,
      'consumer',
      this.consumer,
    );
    if (outcome.kind === 'scored' && outcome.features !== undefined) {
      fields.push('features', JSON.stringify(outcome.features));
    }
    return fields;
  }

  /**
   * Runs `step` until it succeeds, backing off after Redis failures (doubling from 50 ms to
   * `maxRetryMs`); resolves undefined when the worker is stopped meanwhile. Errors other than
   * Redis failures are bugs and propagate.
   */
  async #retrying<T>(worker: PartitionWorker, step: () => Promise<T>): Promise<T | undefined> {
    let delay = 50;
    while (worker.running) {
      try {
        return await step();
      } catch (error) {
        if (!isBackendFailure(error)) throw error;
        this.#metrics?.backendErrors.inc();
        this.#log({
          event: 'retry',
          partition: worker.partition,
          error: (error as Error).message,
          delayMs: delay,
        });
        await worker.sleep(delay);
        delay = Math.min(this.#options.maxRetryMs, delay * 2);
      }
    }
    return undefined;
  }

  async #refreshLag(): Promise<void> {
    const metrics = this.#metrics;
    if (metrics === undefined) return;
    await Promise.all(
      this.owned.map(async (p) => {
        try {
          const info = await readGroupInfo(this.#client, this.keys.input(p), this.group);
          if (info === undefined) return;
          if (info.lag !== null) metrics.lag.set({ partition: p }, info.lag);
          metrics.pending.set({ partition: p }, info.pending);
        } catch {
          metrics.backendErrors.inc();
        }
      }),
    );
  }

  #forgetGauges(p: number): void {
    this.#metrics?.lag.remove({ partition: p });
    this.#metrics?.pending.remove({ partition: p });
    this.#metrics?.partitionsOwned.set(this.#workers.size);
  }
}

/** One owned partition's loop: running until aborted; sleeps that an abort cuts short. */
class PartitionWorker {
  readonly partition: number;
  done: Promise<void> = Promise.resolve();
  #running = true;
  #wake: (() => void) | undefined;

  constructor(partition: number) {
    this.partition = partition;
  }

  get running(): boolean {
    return this.#running;
  }

  abort(): void {
    this.#running = false;
    this.#wake?.();
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done(): void {
        clearTimeout(timer);
        self.#wake = undefined;
        resolve();
      }
      this.#wake = done;
    });
  }
}

/**
 * A Redis failure (connection lost or refused, timeout, cluster reconfiguring, out of memory)
 * rather than a bug: worth backing off and trying again.
 */
function isBackendFailure(error: unknown): boolean {
  if (error instanceof StreamBackendError) return true;
  if (!(error instanceof Error) || error instanceof InvalidArgumentError) return false;
  return (
    error.name === 'MaxRetriesPerRequestError' ||
    error.name === 'ClusterAllFailedError' ||
    /^(CLUSTERDOWN|TRYAGAIN|MOVED|ASK|LOADING|MASTERDOWN|READONLY|OOM|BUSY)\b|Connection is closed|Command timed out|ECONNREFUSED|ECONNRESET|EPIPE|Stream isn't writeable|enableOfflineQueue|Failed to refresh slots cache|None of startup nodes is available/.test(
      error.message,
    )
  );
}

function toEntries(raw: [string, string[] | null][]): Entry[] {
  const entries: Entry[] = [];
  for (const [id, flat] of raw) {
    // XAUTOCLAIM returns deleted (trimmed) entries without fields in Redis 6.2; 7 lists them apart.
    if (flat === null) continue;
    const record: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) record[flat[i]!] = flat[i + 1]!;
    entries.push({ id, record });
  }
  return entries;
}

/** Milliseconds part of a stream entry id (`<ms>-<seq>`): when Redis added it. */
function entryTimeMs(id: string): number {
  return Number(id.slice(0, id.indexOf('-')));
}
