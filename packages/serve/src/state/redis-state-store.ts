import { createHash } from 'node:crypto';
import { InvalidArgumentError, InvalidDataError, MlsdError, NotFoundError } from '@mlsd/core';
import {
  type FeatureSet,
  type OnlineFeatureState,
  type OnlineStateOptions,
  type OnlineTransaction,
  parseOnlineStateOptions,
} from '@mlsd/features';
import {
  categoryValue,
  checkLabelArguments,
  describeValue,
  type EntityEvaluator,
  type EventLayout,
  type FutureGuard,
  futureTimeError,
  outOfOrder,
  RecordReader,
  UnpackedEvents,
} from '@mlsd/features/internal';
import type { Cluster, Redis } from 'ioredis';
import { openRedisClient, redactRedisUrl } from '../redis/redis-client.js';
import type {
  OnlineStateStore,
  OnlineStateStoreStats,
  StateStoreReadiness,
  StateUpdateOutcome,
} from './online-state-store.js';
import { RedisStateKeys } from './redis-state-keys.js';
import {
  CHECK_MARKER_SCRIPT,
  CLAIM_SCRIPT,
  INSERT_EVENT_SCRIPT,
  RELEASE_CLAIM_SCRIPT,
  REMOVE_EVENT_SCRIPT,
  SET_LABEL_SCRIPT,
} from './redis-state-scripts.js';
import { ensureSeeded, nodesOf } from './redis-state-seed.js';
import {
  StateNotSeededError,
  StateStoreUnavailableError,
} from './state-store-unavailable-error.js';

/** Options of {@link RedisStateStore.connect}. */
export type RedisStateStoreOptions = {
  /**
   * The fraud model (a `FraudModel`, or just its parts) whose features the store computes and
   * whose saved online state seeds an empty namespace.
   */
  model: { features: FeatureSet; state?: OnlineFeatureState | undefined };
  /**
   * Keys go under `mlsd:<namespace>:`. Default `fraud-<hash of the feature spec and lateness>`,
   * so replicas (and reloaded versions) of models with the same features share state, and a
   * model with other features starts its own.
   */
  namespace?: string;
  /**
   * Seconds an idle entity's keys live (wall clock), refreshed by each of its updates. Default
   * its longest reach (window + delay + lateness) plus two days. Redis keeps no global clock, so
   * idle entities leave by this TTL rather than by a sweep; their stale events never change a
   * value (evaluation reads only events within reach of the transaction's time).
   */
  ttlSeconds?: number;
  /** Milliseconds to wait for the connection (default 5000) and for each command (default 2000). */
  connectTimeoutMs?: number;
  commandTimeoutMs?: number;
} & OnlineStateOptions &
  (
    | {
        /**
         * `redis://[user:password@]host:port[/db]` (or `rediss://` for TLS), or
         * `redis+cluster://host:port[,host:port…]` for a Redis Cluster.
         */
        url: string;
        client?: undefined;
      }
    | {
        /**
         * A connected ioredis client (standalone or Cluster) to use instead of a URL; the store
         * does not close it. Enable `enableAutoPipelining` on it so one transaction's steps
         * travel in one round trip.
         */
        client: Redis | Cluster;
        url?: undefined;
      }
  );

/** The Lua commands the store defines on its client. */
interface StateCommands {
  mlsdInsertEventBuffer(...args: (string | number | Buffer)[]): Promise<Buffer[]>;
  mlsdRemoveEvent(...args: (string | Buffer)[]): Promise<number>;
  mlsdSetLabel(...args: (string | number | Buffer)[]): Promise<number>;
  mlsdClaim(...args: string[]): Promise<string>;
  mlsdReleaseClaim(...args: string[]): Promise<number>;
  mlsdCheckMarker(...args: string[]): Promise<number>;
}

/** Refresh the marker's TTL at most this often (from updates). */
const MARKER_REFRESH_MS = 60_000;

/**
 * The online state in Redis or Redis Cluster, shared by every replica that connects to the same
 * namespace. Each entity's recent events are kept packed in the layout the feature set declares
 * (`EventLayout`), in a sorted set by time with a hash of transaction ids beside it, both under
 * one hash tag. A transaction's update is one Lua step per entity (idempotent by transaction id,
 * lateness check, insert in time order, trim, return the events within reach) plus a claim of
 * its id and a check of the namespace's seeded marker, all sent together (one round trip with
 * auto-pipelining); no script spans two slots and there is no global clock. The features are
 * then computed here, in TypeScript, from the returned events with the same accumulators as
 * batch, so values equal `computeFeatures` bit for bit.
 *
 * A transaction refused as a whole (too late for one entity, an id claimed with other values,
 * the namespace not seeded) has its other steps undone (removal by transaction id and arrival
 * number): nothing stays recorded. In the microseconds between a step and its undoing another
 * transaction of that entity may have read the event; the refusal is an error path (a
 * conflicting id or an arrival beyond the lateness), and the README says so.
 *
 * Errors: invalid, repeated, late or too-future transactions reject with InvalidDataError;
 * Redis unreachable or failing rejects with {@link StateStoreUnavailableError} (HTTP 503); a
 * namespace whose marker is gone with {@link StateNotSeededError} while it is re-seeded. Run
 * Redis with `maxmemory-policy noeviction` (evicted keys would lose events).
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
  readonly #redis: Redis | Cluster;
  readonly #owned: boolean;
  readonly #commands: StateCommands;
  readonly #keys: RedisStateKeys;
  readonly #shown: string;
  readonly #options: ReturnType<typeof parseOnlineStateOptions>;
  readonly #guard: FutureGuard;
  readonly #reader: RecordReader;
  readonly #evaluators: EntityEvaluator[];
  readonly #unpacked = new UnpackedEvents();
  readonly #ttlMs: string;
  readonly #reseed: () => Promise<boolean>;
  #reseeding: Promise<unknown> | undefined;
  #watermark: number;
  #markerRefreshedAt = 0;
  #closed = false;

  private constructor(init: {
    redis: Redis | Cluster;
    owned: boolean;
    keys: RedisStateKeys;
    features: FeatureSet;
    namespace: string;
    seeded: boolean;
    shown: string;
    options: ReturnType<typeof parseOnlineStateOptions>;
    now: (() => number) | undefined;
    ttlMs: number;
    watermark: number;
    reseed: () => Promise<boolean>;
  }) {
    this.#redis = init.redis;
    this.#owned = init.owned;
    this.#commands = init.redis as unknown as StateCommands;
    this.#keys = init.keys;
    this.features = init.features;
    this.namespace = init.namespace;
    this.seeded = init.seeded;
    this.#shown = init.shown;
    this.#options = init.options;
    this.#guard = {
      maxFutureSkewSeconds: init.options.maxFutureSkewSeconds,
      maxGapSeconds: init.options.maxGapSeconds,
      now: init.now,
    };
    this.#reader = new RecordReader(init.features);
    this.#evaluators = init.features.entities.map((plan) =>
      plan.createEvaluator(init.features.prior),
    );
    this.#ttlMs = String(init.ttlMs);
    this.#watermark = init.watermark;
    this.#reseed = init.reseed;
  }

  /**
   * Connects to Redis and makes sure the namespace is seeded: an empty one from the model's
   * saved online state (once, however many replicas start together), so the first scores after
   * start equal those of an {@link InProcessStateStore} of the same model.
   * @throws InvalidArgumentError for a bad URL, namespace, option or TTL, or a namespace seeded
   *   for other features.
   * @throws StateStoreUnavailableError when Redis cannot be reached (naming the URL).
   */
  static async connect(options: RedisStateStoreOptions): Promise<RedisStateStore> {
    const {
      model,
      namespace: namespaceOption,
      ttlSeconds,
      connectTimeoutMs,
      commandTimeoutMs,
      url,
      client,
      now,
      ...stateOptions
    } = options;
    const features = model.features;
    features.assertFitted('RedisStateStore');
    const snapshot = model.state?.toJSON();
    const parsed = parseOnlineStateOptions(
      { ...snapshot?.options, ...stateOptions },
      'RedisStateStore options',
    );
    const lateness = parsed.allowedLatenessSeconds;
    const reach = Math.max(0, ...features.entities.map((plan) => plan.spanSeconds)) + lateness;
    const ttl = ttlSeconds ?? Math.ceil(reach + 2 * 86_400);
    if (!(Number.isSafeInteger(ttl) && ttl > 0)) {
      throw new InvalidArgumentError(
        `RedisStateStore: ttlSeconds must be a positive whole number of seconds, got ${ttl}.`,
      );
    }
    if (snapshot !== undefined && JSON.stringify(snapshot.spec) !== JSON.stringify(features.spec)) {
      throw new InvalidArgumentError(
        'RedisStateStore: the model saved an online state for other features than its own; retrain or re-save the model.',
      );
    }
    const marker = JSON.stringify({
      spec: features.spec,
      layouts: features.entities.map((plan) => plan.layout.toJSON()),
      allowedLatenessSeconds: lateness,
    });
    const namespace =
      namespaceOption ?? `fraud-${createHash('sha256').update(marker).digest('hex').slice(0, 12)}`;
    const keys = new RedisStateKeys(namespace);
    const shown = url === undefined ? 'the given client' : redactRedisUrl(url);
    // redis:// (one server) or redis+cluster:// (a Redis Cluster); auto-pipelined, so one
    // transaction's steps travel together.
    const redis =
      client ??
      openRedisClient(url, {
        autoPipelining: true,
        ...(connectTimeoutMs === undefined ? {} : { connectTimeoutMs }),
        ...(commandTimeoutMs === undefined ? {} : { commandTimeoutMs }),
      });
    if (client === undefined) {
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
    }
    const ttlMs = ttl * 1000;
    defineCommands(redis);
    const seed = () => ensureSeeded(redis, keys, features, snapshot, marker, ttlMs);
    try {
      const seeded = await seed();
      return new RedisStateStore({
        redis,
        owned: client === undefined,
        keys,
        features,
        namespace,
        seeded,
        shown,
        options: parsed,
        now,
        ttlMs,
        watermark: snapshot?.watermark ?? Number.NEGATIVE_INFINITY,
        reseed: seed,
      });
    } catch (error) {
      if (client === undefined) redis.disconnect();
      if (error instanceof MlsdError) throw error;
      throw new StateStoreUnavailableError(
        `RedisStateStore: Redis at ${shown} failed while preparing namespace "${namespace}" (${reason(error)}).`,
        { url: shown, namespace },
        { cause: error },
      );
    }
  }

  async update(transaction: OnlineTransaction): Promise<Float64Array> {
    const outcome = await this.updateWithOutcome(transaction);
    if (outcome.repeated) {
      const id = categoryValue(transaction[this.features.columns.transactionId]);
      throw new InvalidDataError(
        `RedisStateStore.update: transaction id ${describeValue(id)} was already recorded; transaction ids must be unique.`,
        { column: this.features.columns.transactionId, transactionId: id, reason: 'duplicate' },
      );
    }
    return outcome.vector;
  }

  async updateWithOutcome(transaction: OnlineTransaction): Promise<StateUpdateOutcome> {
    this.#checkOpen('update');
    const features = this.features;
    const caller = 'RedisStateStore.update';
    // Fresh buffers per call: updates run concurrently across the await below.
    const vector = new Float64Array(features.names.length);
    const fields = this.#reader.read(transaction, caller, vector);
    const { transactionId, time } = fields;
    this.#checkFuture(time, transactionId, caller);

    const plans = features.entities;
    const keys = this.#keys;
    const lateness = String(this.#options.allowedLatenessSeconds);
    const steps: (Promise<Buffer[]> | undefined)[] = [];
    const refresh = Date.now() - this.#markerRefreshedAt > MARKER_REFRESH_MS;
    // Issued together: with auto-pipelining they travel in one round trip.
    const marker = this.#commands.mlsdCheckMarker(keys.seeded, refresh ? '1' : '0', this.#ttlMs);
    const claim = this.#commands.mlsdClaim(
      keys.claim(transactionId),
      String(fields.fingerprint),
      JSON.stringify(fields.keys),
      this.#ttlMs,
    );
    const idBytes = Buffer.byteLength(transactionId, 'utf8');
    for (let e = 0; e < plans.length; e++) {
      const key = fields.keys[e];
      if (key === null || key === undefined) continue;
      const plan = plans[e]!;
      const layout = plan.layout;
      const body = layout.pack({
        transactionId,
        time,
        label: fields.label,
        labelTime: fields.labelTime,
        values: this.#reader.eventValues(e),
        categories: this.#reader.eventCategories(e),
      });
      steps[e] = this.#commands.mlsdInsertEventBuffer(
        keys.events(plan.name, key),
        keys.index(plan.name, key),
        transactionId,
        exactText(time),
        body,
        lateness,
        String(plan.spanSeconds + this.#options.allowedLatenessSeconds),
        String(plan.spanSeconds),
        this.#ttlMs,
        // The label bytes (1-based in Lua), which a stored event may have had rewritten since.
        layout.labels ? String(layout.labelOffset(idBytes) + 1) : '0',
        String(layout.labels ? labelBytes(layout) : 0),
      );
    }
    let replies: (Buffer[] | undefined)[];
    let claimed: string;
    let seeded: number;
    try {
      [seeded, claimed, ...replies] = await Promise.all([marker, claim, ...steps]);
    } catch (error) {
      // Some steps may have run; a retry is safe (each step is idempotent by transaction id).
      void Promise.allSettled([marker, claim, ...steps]);
      throw this.#unavailable('recording transaction', transactionId, error);
    }
    if (refresh) this.#markerRefreshedAt = Date.now();

    const statuses = replies.map((reply) => reply?.[0]?.toString());
    const refusal = this.#refusal(fields, seeded, claimed, statuses, replies, caller);
    if (refusal !== undefined) {
      await this.#undo(fields, claimed, statuses, replies);
      if (refusal instanceof StateNotSeededError) this.#startReseed();
      throw refusal;
    }
    // A retry: claimed before with the same values and nothing new inserted now (or, when the
    // claim expired or was lost, every entity still holding this very event). A retry that
    // inserts some steps completes a transaction whose first attempt was cut short (its client
    // died between steps, or a failed-over node lost them): not a repeat, it is now recorded.
    const inserted = statuses.includes('INSERTED');
    const repeated = claimed === 'SAME' ? !inserted : !inserted && statuses.includes('EXISTING');

    for (let e = 0; e < plans.length; e++) {
      const evaluator = this.#evaluators[e]!;
      const reply = replies[e];
      if (reply === undefined) {
        evaluator.clear();
        evaluator.write(vector, 0, this.#unpacked, 0, 0, time);
        continue;
      }
      const events = this.#unpacked;
      plans[e]!.layout.unpack(reply.slice(2), 8, events);
      const self = events.length - 1;
      const at = events.times[self]!;
      evaluator.rebuild(events, 0, self, at);
      evaluator.write(vector, 0, events, 0, self, at);
    }
    if (!repeated && time > this.#watermark) this.#watermark = time;
    return { vector, repeated };
  }

  /** Why a transaction is refused as a whole, or undefined when it is recorded. */
  #refusal(
    fields: { transactionId: string; time: number; keys: (string | null)[] },
    seeded: number,
    claimed: string,
    statuses: (string | undefined)[],
    replies: (Buffer[] | undefined)[],
    caller: string,
  ): MlsdError | undefined {
    const { transactionId, time } = fields;
    if (seeded !== 1) {
      return new StateNotSeededError(
        `RedisStateStore: namespace "${this.namespace}" at ${this.#shown} is not seeded (Redis restarted empty, or the namespace expired); nothing was recorded. It is being seeded again from the model's saved state; retry shortly.`,
        { url: this.#shown, namespace: this.namespace, transactionId },
      );
    }
    const late = statuses.indexOf('LATE');
    if (late >= 0) {
      const plan = this.features.entities[late]!;
      const newest = Number(replies[late]![1]!.toString());
      return outOfOrder(
        caller,
        this.features.columns.time,
        transactionId,
        time,
        plan.name,
        fields.keys[late] ?? '',
        newest,
        this.#options.allowedLatenessSeconds,
      );
    }
    // An entity holding the id with another event says CONFLICT; one holding this same event
    // (EXISTING) is a step of an earlier attempt of this transaction.
    if (claimed === 'DIFFERENT' || statuses.includes('CONFLICT')) {
      return new InvalidDataError(
        `${caller}: transaction id ${describeValue(transactionId)} was already recorded with other values; transaction ids must be unique.`,
        {
          column: this.features.columns.transactionId,
          transactionId,
          reason: 'duplicate-conflict',
        },
      );
    }
    return undefined;
  }

  /** Undoes the steps of a refused transaction: removes what it inserted, releases its claim. */
  async #undo(
    fields: { transactionId: string; fingerprint: number; keys: (string | null)[] },
    claimed: string,
    statuses: (string | undefined)[],
    replies: (Buffer[] | undefined)[],
  ): Promise<void> {
    const plans = this.features.entities;
    const undo: Promise<unknown>[] = [];
    statuses.forEach((status, e) => {
      if (status !== 'INSERTED') return;
      const key = fields.keys[e]!;
      undo.push(
        this.#commands.mlsdRemoveEvent(
          this.#keys.events(plans[e]!.name, key),
          this.#keys.index(plans[e]!.name, key),
          fields.transactionId,
          replies[e]![1]!,
        ),
      );
    });
    if (claimed === 'NEW') {
      undo.push(
        this.#commands.mlsdReleaseClaim(
          this.#keys.claim(fields.transactionId),
          String(fields.fingerprint),
        ),
      );
    }
    try {
      await Promise.all(undo);
    } catch (error) {
      throw this.#unavailable('undoing refused transaction', fields.transactionId, error);
    }
  }

  #checkFuture(time: number, transactionId: string, caller: string): void {
    const future = futureTimeError(
      this.features,
      this.#guard,
      time,
      this.#watermark,
      transactionId,
      caller,
    );
    if (future !== undefined) throw future;
  }

  async recordLabel(
    transactionId: string | number,
    fraud: boolean | 0 | 1,
    labelTime = Number.NEGATIVE_INFINITY,
  ): Promise<void> {
    this.#checkOpen('recordLabel');
    const caller = 'RedisStateStore.recordLabel';
    const id = checkLabelArguments(transactionId, fraud, labelTime, caller);
    const label = fraud === true || fraud === 1 ? 1 : 0;
    const plans = this.features.entities;
    if (!plans.some((plan) => plan.readsLabels)) {
      throw new NotFoundError(
        `${caller}: no feature of this state reads labels, so it keeps no transactions to label (transaction ${id}).`,
        { transactionId: id },
      );
    }
    let found = false;
    try {
      const held = await this.#redis.hget(this.#keys.claim(id), 'k');
      const keys = held === null ? [] : (JSON.parse(held) as (string | null)[]);
      const idBytes = Buffer.byteLength(id);
      const results = await Promise.all(
        plans.map((plan, e) => {
          const key = keys[e];
          if (!plan.readsLabels || key === null || key === undefined) return 0;
          return this.#commands.mlsdSetLabel(
            this.#keys.events(plan.name, key),
            this.#keys.index(plan.name, key),
            id,
            String(plan.layout.labelOffset(idBytes)),
            plan.layout.packLabel(label, labelTime),
          );
        }),
      );
      found = results.some((result) => result === 1);
    } catch (error) {
      throw this.#unavailable('recording the label of transaction', id, error);
    }
    if (!found) {
      throw new NotFoundError(
        `${caller}: transaction ${id} is not in the state: it was never recorded, or its entities have moved on past every window's reach and let it go (its label can no longer change a feature).`,
        { transactionId: id },
      );
    }
  }

  /**
   * Entities and events held in the namespace, counted with SCAN and ZCARD on every master
   * (cost grows with the number of entities: scrape it, don't call it per request).
   */
  async stats(): Promise<OnlineStateStoreStats> {
    this.#checkOpen('stats');
    let entities = 0;
    let events = 0;
    try {
      for (const node of nodesOf(this.#redis)) {
        let cursor = '0';
        do {
          const [next, batch] = await node.scan(
            cursor,
            'MATCH',
            this.#keys.eventsPattern,
            'COUNT',
            1_000,
          );
          cursor = next;
          const sizes = await Promise.all(batch.map((key) => node.zcard(key)));
          entities += sizes.filter((size) => size > 0).length;
          for (const size of sizes) events += size;
        } while (cursor !== '0');
      }
    } catch (error) {
      throw this.#unavailable('reading stats', undefined, error);
    }
    return {
      kind: this.kind,
      entities,
      events,
      clock: this.#watermark === Number.NEGATIVE_INFINITY ? null : this.#watermark,
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

  async ready(): Promise<StateStoreReadiness> {
    if (this.#closed) return { ready: false, seeded: false, reason: 'closed' };
    try {
      const seeded = (await this.#redis.exists(this.#keys.seeded)) === 1;
      if (!seeded) this.#startReseed();
      return seeded
        ? { ready: true, seeded }
        : { ready: false, seeded, reason: `namespace "${this.namespace}" is not seeded` };
    } catch (error) {
      return { ready: false, seeded: false, reason: reason(error) };
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#reseeding?.catch(() => {});
    if (!this.#owned) return;
    try {
      await this.#redis.quit();
    } catch {
      this.#redis.disconnect();
    }
  }

  /** Seeds the namespace again (once at a time) after its marker was found gone. */
  #startReseed(): void {
    if (this.#reseeding !== undefined || this.#closed) return;
    this.#reseeding = this.#reseed()
      .catch(() => {})
      .finally(() => {
        this.#reseeding = undefined;
      });
  }

  #checkOpen(method: string): void {
    if (this.#closed) {
      throw new InvalidArgumentError(`RedisStateStore.${method}: the store was closed.`);
    }
  }

  #unavailable(
    what: string,
    transactionId: string | undefined,
    error: unknown,
  ): StateStoreUnavailableError {
    const about = transactionId === undefined ? '' : ` ${transactionId}`;
    return new StateStoreUnavailableError(
      `RedisStateStore: Redis at ${this.#shown} failed while ${what}${about} (${reason(error)}). Retry once Redis is back: every step is idempotent by transaction id, so a retry completes what was recorded rather than counting it twice.`,
      {
        url: this.#shown,
        namespace: this.namespace,
        ...(transactionId === undefined ? {} : { transactionId }),
      },
      { cause: error },
    );
  }
}

function defineCommands(redis: Redis | Cluster): void {
  const define = (name: string, keys: number, lua: string): void => {
    if (!(name in redis)) redis.defineCommand(name, { numberOfKeys: keys, lua });
  };
  define('mlsdInsertEvent', 2, INSERT_EVENT_SCRIPT);
  define('mlsdRemoveEvent', 2, REMOVE_EVENT_SCRIPT);
  define('mlsdSetLabel', 2, SET_LABEL_SCRIPT);
  define('mlsdClaim', 1, CLAIM_SCRIPT);
  define('mlsdReleaseClaim', 1, RELEASE_CLAIM_SCRIPT);
  define('mlsdCheckMarker', 1, CHECK_MARKER_SCRIPT);
}

/** Length of a layout's label bytes (label and label time), as its own packing writes them. */
function labelBytes(layout: EventLayout): number {
  return layout.packLabel(0, 0).length;
}

/** Shortest decimal text that reads back as exactly `value` (also in Lua), keeping −0. */
function exactText(value: number): string {
  return Object.is(value, -0) ? '-0' : String(value);
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
