import { createHash } from 'node:crypto';
import { InvalidArgumentError, InvalidDataError, MlsdError, NotFoundError } from '@mlsd/core';
import {
  checkLateLabel,
  type FeatureSet,
  type OnlineFeatureState,
  readTransactionFields,
  SECONDS_PER_DAY,
} from '@mlsd/features';
import type { ScoreRequest } from '@mlsd/fraud';
import { Redis } from 'ioredis';
import type { OnlineStateStore, OnlineStateStoreStats } from './online-state-store.js';
import { RedisStateKeys } from './redis-state-keys.js';
import { RECORD_LABEL_SCRIPT, UPDATE_SCRIPT } from './redis-state-scripts.js';
import { seedRedisState } from './redis-state-seed.js';
import { StateStoreUnavailableError } from './state-store-unavailable-error.js';

/** Options of {@link RedisStateStore.connect}. */
export interface RedisStateStoreOptions {
  /** `redis://[user:password@]host:port[/db]` (or `rediss://` for TLS). */
  url: string;
  /**
   * The fraud model (a `FraudModel`, or just its parts) whose features the store computes and
   * whose saved online state seeds an empty namespace.
   */
  model: { features: FeatureSet; state?: OnlineFeatureState | undefined };
  /**
   * Keys go under `mlsd:<namespace>:`. Default `fraud-<hash of the feature spec and sweep
   * period>`, so replicas (and reloaded versions) of models with the same features share state,
   * and a model with other features starts its own.
   */
  namespace?: string;
  /**
   * Seconds an idle key lives (wall clock): entities, transaction records and the namespace's
   * own keys. Default the longest window + delay + two sweep periods (39 days for the
   * handbook features). Idle entities are normally dropped earlier by the sweep, which runs on
   * the transactions' clock as in the in-process state; the TTL is the backstop that makes an
   * abandoned namespace disappear.
   */
  ttlSeconds?: number;
  /** Milliseconds to wait for the connection (default 5000) and for each command (default 2000). */
  connectTimeoutMs?: number;
  commandTimeoutMs?: number;
}

/** The Lua commands {@link RedisStateStore} defines on its connection. */
interface StateCommands {
  mlsdStateUpdateBuffer(numberOfKeys: number, ...args: (string | number)[]): Promise<Buffer[]>;
  mlsdStateLabel(...args: (string | number)[]): Promise<number>;
}

/**
 * The fraud online state in Redis, shared by every service replica that connects to the same
 * namespace: per-card and per-terminal windows of any {@link FeatureSet} (its entity columns,
 * windows and delays, aggregates), computed exactly as `computeFeatures` computes them in batch.
 *
 * Each {@link RedisStateStore.update} is one Lua script (EVALSHA) that checks the transaction id
 * is new and the time not older than the namespace's clock, appends the event to each entity's
 * hash, slides every window with the same compensated arithmetic as `SlidingWindow.slide`,
 * evicts events no window needs, sweeps idle entities once per sweep period, and returns the
 * window cursors; the aggregates are then read in JS with `EntityWindows.read`. Redis runs one
 * script at a time, so concurrent updates from any number of replicas are serialized: none is
 * lost, and each sees all that committed before it.
 *
 * Errors: invalid, repeated or out-of-order transactions reject with InvalidDataError and change
 * nothing; Redis unreachable or failing rejects with {@link StateStoreUnavailableError} (code
 * `BACKEND_UNAVAILABLE`, HTTP 503). Needs a standalone Redis or one primary (tested with 7.0),
 * with `maxmemory-policy noeviction`: the sweep and late labels address keys computed inside
 * the scripts, and evicted keys would lose windows. Times must not decrease across the whole
 * namespace (as in the in-process state), so replicas behind a load balancer should receive
 * transactions in time order or accept `OUT_OF_ORDER` refusals for the stragglers.
 *
 * @example
 * const store = await RedisStateStore.connect({ url: 'redis://127.0.0.1:6379', model });
 * const vector = await store.update(transaction); // follows store.features.names
 */
export class RedisStateStore implements OnlineStateStore {
  readonly kind = 'redis' as const;
  readonly features: FeatureSet;
  /** The namespace the keys live under (`mlsd:<namespace>:`). */
  readonly namespace: string;
  /** True when this store seeded the namespace from the model's saved state at connect. */
  readonly seeded: boolean;
  readonly #redis: Redis;
  readonly #commands: StateCommands;
  readonly #keys: RedisStateKeys;
  readonly #url: string;
  /** ttl, sweep period: the constant ARGV after the transaction's own values. */
  readonly #ttlSeconds: string;
  readonly #sweepEverySeconds: string;
  /** Per entity column: column, span, W, W × (length, delay); the id goes after the column. */
  readonly #windowArgs: string[][];
  readonly #labelArgs: string[];
  readonly #labelStores: number;
  #closed = false;

  private constructor(
    redis: Redis,
    keys: RedisStateKeys,
    features: FeatureSet,
    settings: {
      url: string;
      namespace: string;
      seeded: boolean;
      ttlSeconds: number;
      sweepEverySeconds: number;
    },
  ) {
    this.#redis = redis;
    this.#commands = redis as unknown as StateCommands;
    this.#keys = keys;
    this.features = features;
    this.namespace = settings.namespace;
    this.seeded = settings.seeded;
    this.#url = settings.url;
    this.#ttlSeconds = String(settings.ttlSeconds);
    this.#sweepEverySeconds = String(settings.sweepEverySeconds);
    this.#windowArgs = features.entities.map((windows) => [
      String(windows.spanSeconds),
      String(windows.windows.length),
      ...windows.windows.flatMap((window) => [
        String(window.lengthSeconds),
        String(window.delaySeconds),
      ]),
    ]);
    this.#labelArgs = features.entities.flatMap((windows) => [
      windows.entity,
      windows.usesLabels ? '1' : '0',
      String(windows.windows.length),
    ]);
    this.#labelStores = features.entities.filter((windows) => windows.usesLabels).length;
  }

  /**
   * Connects to Redis and, when the namespace is empty, seeds it from the model's saved online
   * state (once, however many replicas start together), so the first scores after start equal
   * those of an {@link InProcessStateStore} of the same model.
   * @throws InvalidArgumentError for a bad URL, namespace or TTL, or a namespace seeded for
   *   other features.
   * @throws StateStoreUnavailableError when Redis cannot be reached (naming the URL).
   */
  static async connect(options: RedisStateStoreOptions): Promise<RedisStateStore> {
    const { url, model } = options;
    const shown = redactUrl(url);
    const features = model.features;
    const snapshot = model.state?.toJSON();
    const sweepEveryDays = snapshot?.options.sweepEveryDays ?? 1;
    const sweepEverySeconds = sweepEveryDays * SECONDS_PER_DAY;
    const span = Math.max(0, ...features.entities.map((windows) => windows.spanSeconds));
    const ttlSeconds = options.ttlSeconds ?? Math.ceil(span + 2 * sweepEverySeconds);
    if (!(Number.isSafeInteger(ttlSeconds) && ttlSeconds > 0)) {
      throw new InvalidArgumentError(
        `RedisStateStore: ttlSeconds must be a positive whole number of seconds, got ${ttlSeconds}.`,
      );
    }
    if (snapshot !== undefined && JSON.stringify(snapshot.spec) !== JSON.stringify(features.spec)) {
      throw new InvalidArgumentError(
        'RedisStateStore: the model saved an online state for other features than its own; retrain or re-save the model.',
      );
    }
    const marker = JSON.stringify({ spec: features.spec, sweepEveryDays });
    const namespace =
      options.namespace ??
      `fraud-${createHash('sha256').update(marker).digest('hex').slice(0, 12)}`;
    const keys = new RedisStateKeys(namespace);
    const redis = openRedis(url, options);

    try {
      await redis.connect();
    } catch (error) {
      redis.disconnect();
      throw new StateStoreUnavailableError(
        `RedisStateStore: cannot connect to Redis at ${shown} (${reason(error)}). Start Redis there (e.g. \`redis-server --port ${portOf(url)}\`), or fix the --redis URL, or leave it out to keep the online state in process.`,
        { url: shown },
        { cause: error },
      );
    }
    try {
      redis.defineCommand('mlsdStateUpdate', { lua: UPDATE_SCRIPT });
      redis.defineCommand('mlsdStateLabel', { numberOfKeys: 1, lua: RECORD_LABEL_SCRIPT });
      // Seeding runs on its own connection: WATCH/MULTI must not interleave with other
      // commands, and one large EXEC may outlast the per-command timeout.
      const seeder = redis.duplicate({ commandTimeout: undefined, lazyConnect: true });
      seeder.on('error', () => {});
      let seeded: boolean;
      try {
        await seeder.connect();
        seeded = await seedRedisState(seeder, keys, features, snapshot, marker, ttlSeconds);
      } finally {
        seeder.disconnect();
      }
      return new RedisStateStore(redis, keys, features, {
        url: shown,
        namespace,
        seeded,
        ttlSeconds,
        sweepEverySeconds,
      });
    } catch (error) {
      redis.disconnect();
      if (error instanceof MlsdError) throw error;
      throw new StateStoreUnavailableError(
        `RedisStateStore: Redis at ${shown} failed while preparing namespace "${namespace}" (${reason(error)}).`,
        { url: shown, namespace },
        { cause: error },
      );
    }
  }

  async update(transaction: ScoreRequest): Promise<Float64Array> {
    this.#checkOpen('update');
    const features = this.features;
    // Fresh buffers per call: updates run concurrently across the await below.
    const vector = new Float64Array(features.names.length);
    const entityIds = new Float64Array(features.entities.length);
    const fields = readTransactionFields(features, transaction, 'RedisStateStore.update', {
      vector,
      entityIds,
    });
    const { transactionId, time, amount } = fields;
    const keys = this.#keys;
    const entities = features.entities;
    const keyArgs: string[] = [keys.meta, keys.transaction(transactionId)];
    for (let e = 0; e < entities.length; e++) {
      keyArgs.push(keys.entity(entities[e]!.entity, entityIds[e]!));
    }
    for (let e = 0; e < entities.length; e++) keyArgs.push(keys.seen(entities[e]!.entity));
    const args: string[] = [
      keys.prefix,
      String(transactionId),
      exactText(time),
      exactText(amount),
      String(fields.label),
      this.#ttlSeconds,
      this.#sweepEverySeconds,
      String(entities.length),
    ];
    for (let e = 0; e < entities.length; e++) {
      args.push(entities[e]!.entity, String(entityIds[e]!), ...this.#windowArgs[e]!);
    }

    let reply: Buffer[];
    try {
      reply = await this.#commands.mlsdStateUpdateBuffer(keyArgs.length, ...keyArgs, ...args);
    } catch (error) {
      throw this.#unavailable('recording transaction', transactionId, error);
    }
    const status = reply[0]?.toString();
    if (status === 'DUPLICATE') {
      throw new InvalidDataError(
        `RedisStateStore.update: transaction id ${transactionId} was already recorded; transaction ids must be unique.`,
        { column: features.columns.transactionId, transactionId },
      );
    }
    if (status === 'OUT_OF_ORDER') {
      const clock = Number(reply[1]?.toString());
      throw new InvalidDataError(
        `RedisStateStore.update (transaction ${transactionId}): ${features.columns.time} ${time} is older than the state's clock ${clock} (the latest transaction seen). The online state takes transactions in time order; score late arrivals with their real order in batch.`,
        { column: features.columns.time, transactionId, value: time, clock },
      );
    }
    if (status !== 'OK' || reply.length !== entities.length + 1) {
      throw this.#unavailable('recording transaction', transactionId, `unexpected reply ${status}`);
    }
    for (let e = 0; e < entities.length; e++) {
      const windows = entities[e]!;
      const packed = reply[e + 1]!;
      const cursor = new Float64Array(windows.cursorLength);
      for (let j = 0; j < cursor.length; j++) cursor[j] = packed.readDoubleLE(j * 8);
      windows.read(cursor, vector, 0);
    }
    return vector;
  }

  async recordLabel(transactionId: number, fraud: boolean | 0 | 1): Promise<void> {
    this.#checkOpen('recordLabel');
    const label = checkLateLabel(transactionId, fraud, 'RedisStateStore.recordLabel');
    if (this.#labelStores === 0) {
      throw new NotFoundError(
        `RedisStateStore.recordLabel: no feature of this state reads labels, so it keeps no transactions to label (transaction ${transactionId}).`,
        { transactionId },
      );
    }
    let found: number;
    try {
      found = await this.#commands.mlsdStateLabel(
        this.#keys.transaction(transactionId),
        this.#keys.prefix,
        String(label),
        String(this.features.entities.length),
        ...this.#labelArgs,
      );
    } catch (error) {
      throw this.#unavailable('recording the label of transaction', transactionId, error);
    }
    if (found !== 1) {
      const reach = Math.max(...this.features.entities.map((windows) => windows.spanSeconds));
      throw new NotFoundError(
        `RedisStateStore.recordLabel: transaction ${transactionId} is not in the state: it was never recorded, or it is more than ${reach / SECONDS_PER_DAY} days older than the latest transaction of its card or terminal and was forgotten (its label can no longer change a feature).`,
        { transactionId },
      );
    }
  }

  async stats(): Promise<OnlineStateStoreStats> {
    this.#checkOpen('stats');
    let values: (string | null)[];
    try {
      values = await this.#redis.hmget(this.#keys.meta, 'entities', 'events', 'clock');
    } catch (error) {
      throw this.#unavailable('reading stats', undefined, error);
    }
    return {
      kind: this.kind,
      entities: Number(values[0] ?? 0),
      events: Number(values[1] ?? 0),
      clock: values[2] === null || values[2] === undefined ? null : Number(values[2]),
    };
  }

  /** True when Redis answers PING now (for readiness probes); never throws. */
  async ping(): Promise<boolean> {
    if (this.#closed) return false;
    try {
      return (await this.#redis.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.#redis.quit();
    } catch {
      this.#redis.disconnect();
    }
  }

  #checkOpen(method: string): void {
    if (this.#closed) {
      throw new InvalidArgumentError(`RedisStateStore.${method}: the store was closed.`);
    }
  }

  #unavailable(
    what: string,
    transactionId: number | undefined,
    error: unknown,
  ): StateStoreUnavailableError {
    const about = transactionId === undefined ? '' : ` ${transactionId}`;
    return new StateStoreUnavailableError(
      `RedisStateStore: Redis at ${this.#url} failed while ${what}${about} (${reason(error)}). Retry once Redis is back: if it was recorded after all (a timeout), the retry is refused as a duplicate rather than counted twice.`,
      {
        url: this.#url,
        namespace: this.namespace,
        ...(transactionId === undefined ? {} : { transactionId }),
      },
      { cause: error },
    );
  }
}

/** A client that fails fast while disconnected (so requests get a 503, not a hang) and keeps reconnecting. */
function openRedis(url: string, options: RedisStateStoreOptions): Redis {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    parsed = new URL('invalid:');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new InvalidArgumentError(
      `RedisStateStore: ${JSON.stringify(redactUrl(url))} is not a Redis URL; expected redis://host:port (or rediss:// for TLS), e.g. redis://127.0.0.1:6379.`,
      { url: redactUrl(url) },
    );
  }
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: options.connectTimeoutMs ?? 5_000,
    commandTimeout: options.commandTimeoutMs ?? 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
  });
  // Errors reach callers through rejected commands; without a listener ioredis would also log them.
  redis.on('error', () => {});
  return redis;
}

/** Shortest decimal text that reads back as exactly `value` (also in Lua), keeping −0. */
function exactText(value: number): string {
  return Object.is(value, -0) ? '-0' : String(value);
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return String(url);
  }
}

function portOf(url: string): string {
  try {
    return new URL(url).port || '6379';
  } catch {
    return '6379';
  }
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
