import {
  DimensionMismatchError,
  InvalidArgumentError,
  InvalidDataError,
  NotFoundError,
  parseOptions,
} from '@mlsd/core';
import { z } from 'zod';
import { categoryValue } from './category-codes.js';
import type { EntityEvents } from './entity-events.js';
import { type EntitySnapshot, EntityStore } from './entity-store.js';
import { FeatureSet } from './feature-set.js';
import type { FeatureSpec } from './feature-spec.js';
import { HeldTransactions } from './held-transactions.js';
import { describeValue, type RecordFields, RecordReader } from './record-reader.js';
import { type FutureGuard, futureTimeError } from './time-guards.js';
import { SECONDS_PER_DAY } from './zoned-calendar.js';

/**
 * One normalized transaction for {@link OnlineFeatureState.update}: fields named by the spec's
 * columns (id, time, amount, entity key columns, the columns features read; optionally the
 * label and label time). Other fields are ignored.
 */
export type OnlineTransaction = Readonly<Record<string, unknown>>;

/** Options of the online state, shared by every online store. */
export const OnlineStateOptionsSchema = z
  .object({
    /**
     * Seconds a transaction may be older than the newest event of one of its entities and still
     * be inserted in order (default 0: each entity's events must arrive in time order; equal
     * times are fine). An older one is refused with `OUT_OF_ORDER`.
     */
    allowedLatenessSeconds: z.number().nonnegative().finite().default(0),
    /**
     * Seconds a transaction may lie beyond the wall clock (`now`, given by services) before it
     * is refused. Default one day; null for no limit.
     */
    maxFutureSkewSeconds: z.number().positive().nullable().default(SECONDS_PER_DAY),
    /**
     * Without a wall clock (a replay of a log): seconds a transaction may lie beyond the newest
     * time the state has accepted. Default 30 days; null for no limit.
     */
    maxGapSeconds: z
      .number()
      .positive()
      .nullable()
      .default(30 * SECONDS_PER_DAY),
    /**
     * Forget idle entities (default true): once an entity's newest event is out of every
     * window's reach of the newest accepted time. Turned off only to count what per-entity
     * trimming alone keeps (as the Redis store, which has no global clock, does).
     */
    sweepIdleEntities: z.boolean().default(true),
  })
  .strict();

/**
 * Validates online-state options (shared by every store), reading an Infinity limit as null.
 * @throws InvalidArgumentError listing every problem.
 */
export function parseOnlineStateOptions(
  options: unknown,
  where: string,
): z.output<typeof OnlineStateOptionsSchema> {
  // JSON has no infinity: Infinity is written null (no limit).
  const input =
    typeof options === 'object' && options !== null
      ? Object.fromEntries(
          Object.entries(options).map(([key, value]) => [
            key,
            value === Number.POSITIVE_INFINITY &&
            (key === 'maxFutureSkewSeconds' || key === 'maxGapSeconds')
              ? null
              : value,
          ]),
        )
      : options;
  return parseOptions(OnlineStateOptionsSchema, input, where);
}

/** Options of {@link OnlineFeatureState}. */
export type OnlineStateOptions = z.input<typeof OnlineStateOptionsSchema> & {
  /** The wall clock, epoch seconds (e.g. `() => Date.now() / 1000`); checked against the skew. */
  now?: (() => number) | undefined;
};

/** Memory use of an {@link OnlineFeatureState}. */
export interface OnlineStateStats {
  /** Live entities over all entity plans. */
  entities: number;
  /** Events held (one per transaction and entity). */
  events: number;
  /** Event slots allocated (≥ events). */
  capacity: number;
  /** Transactions whose id the state still knows (duplicates, late labels). */
  transactions: number;
  /** Rough bytes of typed-array state (not keys and ids). */
  bytes: number;
  /** The same figures per entity. */
  byEntity: Record<string, { entities: number; events: number; capacity: number }>;
}

/** What {@link OnlineFeatureState.updateWithOutcome} returns. */
export interface UpdateOutcome<T extends Float64Array | Float32Array> {
  vector: T;
  /**
   * True when the transaction id was already recorded with the same values: nothing changed and
   * the vector is recomputed at the transaction's own place (a retried request).
   */
  repeated: boolean;
}

/** {@link OnlineFeatureState.toJSON}'s output: plain JSON. */
export interface OnlineFeatureSnapshot {
  kind: 'OnlineFeatureState';
  version: 2;
  /** The (fitted) feature spec the state computes. */
  spec: FeatureSpec;
  options: z.output<typeof OnlineStateOptionsSchema>;
  /** Newest event time accepted, null before the first. */
  watermark: number | null;
  /** One entry per entity plan, in the feature set's order. */
  stores: { entity: string; entities: EntitySnapshot[] }[];
  /** Fingerprint of each held transaction (for repeated requests). */
  fingerprints: Record<string, number>;
}

const SnapshotSchema = z.object({
  kind: z.literal('OnlineFeatureState'),
  version: z.literal(2),
  spec: z.unknown(),
  options: OnlineStateOptionsSchema,
  watermark: z.number().nullable(),
  stores: z.array(z.object({ entity: z.string(), entities: z.array(z.unknown()) })),
  fingerprints: z.record(z.string(), z.number()),
});

const EntitySnapshotSchema = z.object({
  key: z.string(),
  transactionIds: z.array(z.string()),
  times: z.array(z.number()),
  labels: z.array(z.number().int().min(0).max(1)),
  labelTimes: z.array(z.union([z.number(), z.literal('-inf'), z.literal('+inf')])),
  values: z.array(z.array(z.number())),
  categories: z.array(z.array(z.string().nullable())),
});

/**
 * The in-process online evaluator: per-entity stores of recent events (typed arrays) that turn
 * one transaction at a time into its feature vector, with the same {@link FeatureSet} and the
 * same accumulators as `computeFeatures`, so replaying a time-sorted table gives the batch
 * values bit for bit.
 *
 * - **Event time per entity.** Each entity (a card, a merchant) has its own clock, its newest
 *   event. A transaction up to `allowedLatenessSeconds` older than that is inserted in order and
 *   its features are what batch gives on the time-sorted events seen so far; an older one is
 *   refused (`InvalidDataError`, `details.reason: 'out-of-order'`). There is no global clock
 *   for ordering.
 * - **Guards before anything is recorded.** Times beyond the wall clock plus
 *   `maxFutureSkewSeconds` (with `now`; else beyond the newest accepted time plus
 *   `maxGapSeconds`), window values outside the exact fixed-point range, malformed fields:
 *   refused, and nothing changes when `update` throws.
 * - **Labels** come with the transaction (a replay) or later through
 *   {@link OnlineFeatureState.recordLabel}; a label counts in windows of transactions at or
 *   after its label time.
 * - **Memory** follows active entities × window contents: an entity keeps the events within its
 *   longest window + delay + lateness of its newest one, and idle entities are swept.
 */
export class OnlineFeatureState {
  /** The features it computes. */
  readonly features: FeatureSet;
  /** The options in force (defaults filled in). */
  readonly options: z.output<typeof OnlineStateOptionsSchema>;
  readonly #guard: FutureGuard;
  readonly #reader: RecordReader;
  readonly #stores: EntityStore[];
  readonly #held: HeldTransactions;
  /** Each entity's events as found by the time check, handed to the stores (one lookup each). */
  readonly #found: (EntityEvents | undefined)[];
  #watermark = Number.NEGATIVE_INFINITY;

  /**
   * @throws InvalidArgumentError for bad options; NotFittedError when the features need fitting.
   */
  constructor(features: FeatureSet, options: OnlineStateOptions = {}) {
    features.assertFitted('OnlineFeatureState');
    const { now, ...rest } = options;
    this.features = features;
    this.options = parseOnlineStateOptions(rest, 'OnlineFeatureState options');
    this.#guard = {
      maxFutureSkewSeconds: this.options.maxFutureSkewSeconds,
      maxGapSeconds: this.options.maxGapSeconds,
      now,
    };
    this.#reader = new RecordReader(features);
    this.#held = new HeldTransactions(features.entities.length);
    this.#stores = features.entities.map(
      (plan, e) =>
        new EntityStore(plan, features.prior, this.options.allowedLatenessSeconds, this.#held, e),
    );
    this.#found = new Array<EntityEvents | undefined>(this.#stores.length).fill(undefined);
  }

  /** Feature names, in the order of the vectors {@link OnlineFeatureState.update} returns. */
  get names(): readonly string[] {
    return this.features.names;
  }

  /** Newest event time accepted; undefined before the first. */
  get watermark(): number | undefined {
    return this.#watermark === Number.NEGATIVE_INFINITY ? undefined : this.#watermark;
  }

  /**
   * Records one transaction and returns its feature vector, computed from the events its
   * entities hold at its time (itself included where the definitions say so). A repeated
   * transaction id is refused (see {@link OnlineFeatureState.updateWithOutcome} for retries).
   * Nothing changes when it throws.
   * @param out - where to write the values (length ≥ the number of features); default new.
   * @throws InvalidDataError for a malformed field, a value outside the exact range, a time
   *   too far in the future (`reason: 'future'`), too late for an entity (`'out-of-order'`), or a
   *   transaction id already held (`'duplicate'`, or `'duplicate-conflict'` with other values).
   */
  update<T extends Float64Array | Float32Array = Float64Array>(
    transaction: OnlineTransaction,
    out?: T,
  ): T {
    const outcome = this.updateWithOutcome(transaction, out);
    if (outcome.repeated) {
      const id = categoryValue(transaction[this.features.columns.transactionId]);
      throw new InvalidDataError(
        `OnlineFeatureState.update: transaction id ${describeValue(id)} was already recorded; transaction ids must be unique.`,
        { column: this.features.columns.transactionId, transactionId: id, reason: 'duplicate' },
      );
    }
    return outcome.vector;
  }

  /**
   * {@link OnlineFeatureState.update}, except that a transaction id already held with the same
   * values is not an error: nothing changes and its vector is recomputed at its own place
   * (`repeated: true`), so a retried request gets its answer again.
   */
  updateWithOutcome<T extends Float64Array | Float32Array = Float64Array>(
    transaction: OnlineTransaction,
    out?: T,
  ): UpdateOutcome<T> {
    const features = this.features;
    const width = features.names.length;
    const vector = out ?? (new Float64Array(width) as T);
    if (vector.length < width) {
      throw new DimensionMismatchError(
        `OnlineFeatureState.update: out has ${vector.length} entries but there are ${width} features.`,
        { expected: width, actual: vector.length },
      );
    }
    const fields = this.#reader.read(transaction, 'OnlineFeatureState.update', vector);
    const held = this.#held.slotOf(fields.transactionId);
    if (held >= 0) {
      this.#checkRepeat(held, fields);
      this.#evaluateHeld(held, fields, vector);
      return { vector, repeated: true };
    }
    this.#checkTime(fields);

    // Everything is checked: from here on nothing throws, so a refused transaction changes nothing.
    const stores = this.#stores;
    let holders = 0;
    for (const key of fields.keys) if (key !== null) holders++;
    const heldSlot =
      holders === 0
        ? -1
        : this.#held.add(fields.transactionId, fields.fingerprint, fields.keys, holders);
    for (let e = 0; e < stores.length; e++) {
      const store = stores[e]!;
      const key = fields.keys[e]!;
      if (key === null) {
        store.writeEmpty(vector, fields.time);
        continue;
      }
      store.add(
        this.#found[e],
        key,
        fields.transactionId,
        fields.time,
        fields.label,
        fields.labelTime,
        this.#reader.eventValues(e),
        this.#reader.eventCategories(e),
        vector,
        heldSlot,
      );
    }
    if (fields.time > this.#watermark) this.#watermark = fields.time;
    this.#sweep();
    return { vector, repeated: false };
  }

  /** Refuses times too far in the future, or too late for one of the transaction's entities. */
  #checkTime(fields: RecordFields): void {
    const { time, transactionId } = fields;
    const column = this.features.columns.time;
    const caller = 'OnlineFeatureState.update';
    const future = futureTimeError(
      this.features,
      this.#guard,
      time,
      this.#watermark,
      transactionId,
      caller,
    );
    if (future !== undefined) throw future;
    const lateness = this.options.allowedLatenessSeconds;
    for (let e = 0; e < this.#stores.length; e++) {
      const key = fields.keys[e];
      const store = this.#stores[e]!;
      const entity = key === null || key === undefined ? undefined : store.get(key);
      this.#found[e] = entity;
      if (entity === undefined) continue;
      const newest = entity.newest;
      if (time < newest - lateness) {
        throw outOfOrder(
          `${caller} (transaction ${transactionId})`,
          column,
          transactionId,
          time,
          store.plan.name,
          key!,
          newest,
          lateness,
        );
      }
    }
  }

  /** Forgets idle entities (see {@link EntityStore.sweep}). */
  #sweep(): void {
    if (!this.options.sweepIdleEntities) return;
    for (const store of this.#stores) store.sweep(this.#watermark);
  }

  #checkRepeat(held: number, fields: RecordFields): void {
    if (this.#held.fingerprint(held) === fields.fingerprint) return;
    throw new InvalidDataError(
      `OnlineFeatureState.update: transaction id ${describeValue(fields.transactionId)} was already recorded with other values; transaction ids must be unique.`,
      {
        column: this.features.columns.transactionId,
        transactionId: fields.transactionId,
        reason: 'duplicate-conflict',
      },
    );
  }

  /** The vector of a held transaction, recomputed at its own place in each entity. */
  #evaluateHeld(_held: number, fields: RecordFields, vector: Float64Array | Float32Array): void {
    for (let e = 0; e < this.#stores.length; e++) {
      const store = this.#stores[e]!;
      const key = fields.keys[e]!;
      if (key === null || !store.evaluateHeld(key, fields.transactionId, vector)) {
        store.writeEmpty(vector, fields.time);
      }
    }
  }

  /**
   * Records the fraud label of a transaction seen earlier (a chargeback, an investigation's
   * verdict). It counts in the windows of transactions at or after `labelTime` (default: every
   * transaction scored from now on). Recording again replaces it.
   * @param fraud - 1 or true for fraud, 0 or false for genuine.
   * @throws InvalidDataError when the id or label is malformed.
   * @throws NotFoundError when no label-reading entity holds the transaction: it was never
   *   recorded, or it is older than every window's reach and was forgotten.
   */
  recordLabel(
    transactionId: string | number,
    fraud: number | boolean,
    labelTime = Number.NEGATIVE_INFINITY,
  ): void {
    const caller = 'OnlineFeatureState.recordLabel';
    const id = checkLabelArguments(transactionId, fraud, labelTime, caller);
    const label = fraud === true || fraud === 1 ? 1 : 0;
    const held = this.#held.slotOf(id);
    let found = false;
    if (held >= 0) {
      this.#stores.forEach((store, e) => {
        const key = this.#held.key(held, e);
        if (key !== null && store.plan.readsLabels) {
          found = store.setLabel(key, id, label, labelTime) || found;
        }
      });
    }
    if (!found) {
      const reach = Math.max(
        0,
        ...this.#stores.filter((s) => s.plan.readsLabels).map((s) => s.keepSeconds),
      );
      throw new NotFoundError(
        this.#stores.some((store) => store.plan.readsLabels)
          ? `${caller}: transaction ${id} is not in the state: it was never recorded, or it is more than ${reach / SECONDS_PER_DAY} days older than its entities' newest events and was forgotten (its label can no longer change a feature).`
          : `${caller}: no feature of this state reads labels, so it keeps no transactions to label (transaction ${id}).`,
        { transactionId: id },
      );
    }
  }

  /** How much state is held (entities, events, bytes), for monitoring and tests. */
  stats(): OnlineStateStats {
    const stats: OnlineStateStats = {
      entities: 0,
      events: 0,
      capacity: 0,
      transactions: this.#held.size,
      bytes: 0,
      byEntity: {},
    };
    for (const store of this.#stores) {
      const entities = store.entityCount;
      const events = store.eventCount;
      const capacity = store.capacity;
      stats.entities += entities;
      stats.events += events;
      stats.capacity += capacity;
      stats.bytes += store.bytes;
      stats.byEntity[store.plan.name] = { entities, events, capacity };
    }
    return stats;
  }

  /** The whole state as plain JSON; {@link OnlineFeatureState.fromJSON} continues identically. */
  toJSON(): OnlineFeatureSnapshot {
    const fingerprints: Record<string, number> = {};
    this.#held.forEach((id, fingerprint) => {
      fingerprints[id] = fingerprint;
    });
    return {
      kind: 'OnlineFeatureState',
      version: 2,
      spec: this.features.spec,
      options: { ...this.options },
      watermark: this.watermark ?? null,
      stores: this.#stores.map((store) => ({
        entity: store.plan.name,
        entities: store.toSnapshot(),
      })),
      fingerprints,
    };
  }

  /**
   * Restores a state written by {@link OnlineFeatureState.toJSON} (parsed JSON or the object).
   * @param options - the wall clock, and option overrides (e.g. another lateness).
   * @throws InvalidArgumentError when the blob is not such a snapshot or is inconsistent.
   */
  static fromJSON(json: unknown, options: OnlineStateOptions = {}): OnlineFeatureState {
    if (
      typeof json === 'object' &&
      json !== null &&
      (json as { version?: unknown }).version === 1
    ) {
      throw new InvalidArgumentError(
        'OnlineFeatureState.fromJSON: this online state was saved by an older version of @mlsd/features (snapshot version 1); retrain the model (or rebuild the state from the transactions) to save it again.',
      );
    }
    const snapshot = parseOptions(SnapshotSchema, json, 'OnlineFeatureState.fromJSON');
    const state = new OnlineFeatureState(new FeatureSet(snapshot.spec as FeatureSpec), {
      ...snapshot.options,
      ...options,
    });
    const expected = state.#stores.map((store) => store.plan.name);
    const stored = snapshot.stores.map((store) => store.entity);
    if (expected.join('\u0000') !== stored.join('\u0000')) {
      throw new InvalidArgumentError(
        `OnlineFeatureState.fromJSON: the snapshot holds entities [${stored.join(', ')}] but its spec uses [${expected.join(', ')}].`,
      );
    }
    // Which entities hold each transaction, then the held slots, then the events.
    const entities = snapshot.stores.map((blob, e) =>
      blob.entities.map((raw) => {
        const entity = parseOptions(
          EntitySnapshotSchema,
          raw,
          `OnlineFeatureState.fromJSON: entity of "${blob.entity}"`,
        );
        checkEntitySnapshot(entity, state.#stores[e]!, blob.entity);
        return entity;
      }),
    );
    const keysOf = new Map<string, (string | null)[]>();
    entities.forEach((list, e) => {
      for (const entity of list) {
        for (const id of entity.transactionIds) {
          let keys = keysOf.get(id);
          if (keys === undefined) {
            keys = new Array<string | null>(expected.length).fill(null);
            keysOf.set(id, keys);
          }
          keys[e] = entity.key;
        }
      }
    });
    for (const [id, keys] of keysOf) {
      const holders = keys.filter((key) => key !== null).length;
      state.#held.add(id, snapshot.fingerprints[id] ?? -1, keys, holders);
    }
    entities.forEach((list, e) => {
      for (const entity of list) state.#stores[e]!.restore(entity, (id) => state.#held.slotOf(id));
    });
    state.#watermark = snapshot.watermark ?? Number.NEGATIVE_INFINITY;
    return state;
  }
}

function checkEntitySnapshot(entity: EntitySnapshot, store: EntityStore, name: string): void {
  const layout = store.plan.layout;
  const n = entity.times.length;
  const fits =
    n > 0 &&
    entity.transactionIds.length === n &&
    (layout.labels ? entity.labels.length === n && entity.labelTimes.length === n : true) &&
    entity.values.length === layout.valueColumns.length &&
    entity.values.every((column) => column.length === n) &&
    entity.categories.length === layout.categoryColumns.length &&
    entity.categories.every((column) => column.length === n) &&
    entity.times.every((t, k) => Number.isFinite(t) && (k === 0 || t >= entity.times[k - 1]!));
  if (!fits) {
    throw new InvalidArgumentError(
      `OnlineFeatureState.fromJSON: the events of ${name} "${entity.key}" do not fit the spec's layout or are out of order; the snapshot was damaged or edited.`,
      { entity: name, key: entity.key },
    );
  }
}

/** The InvalidDataError for a transaction older than an entity's newest event allows. */
export function outOfOrder(
  caller: string,
  column: string,
  transactionId: string,
  time: number,
  entity: string,
  key: string,
  newest: number,
  lateness: number,
): InvalidDataError {
  return new InvalidDataError(
    `${caller}: ${column} ${time} is older than the newest event of ${entity} ${describeValue(key)} (its clock ${newest}) by ${newest - time} s, more than the allowed lateness of ${lateness} s (allowedLatenessSeconds). Raise the lateness, or score late arrivals in batch with their real order.`,
    {
      column,
      transactionId,
      value: time,
      entity,
      key,
      newest,
      clock: newest,
      lateness,
      reason: 'out-of-order',
    },
  );
}

/**
 * Checks `recordLabel`'s arguments for every store: an id (string or number), a label
 * (0/1/true/false) and a label time (a number, −∞ for "from now on").
 * @returns the id as a string.
 */
export function checkLabelArguments(
  transactionId: unknown,
  fraud: unknown,
  labelTime: unknown,
  caller: string,
): string {
  const id = categoryValue(transactionId);
  if (id === null || id === undefined || typeof transactionId === 'boolean') {
    throw new InvalidDataError(
      `${caller}: transaction id is ${describeValue(transactionId)}; it must be a non-empty string or a number.`,
      { transactionId: describeValue(transactionId) },
    );
  }
  if (fraud !== 0 && fraud !== 1 && fraud !== true && fraud !== false) {
    throw new InvalidDataError(
      `${caller} (transaction ${id}): fraud must be 0, 1, true or false, got ${describeValue(fraud)}.`,
      { transactionId: id, value: describeValue(fraud) },
    );
  }
  if (typeof labelTime !== 'number' || Number.isNaN(labelTime)) {
    throw new InvalidDataError(
      `${caller} (transaction ${id}): the label time must be a number of seconds, got ${describeValue(labelTime)}.`,
      { transactionId: id },
    );
  }
  return id;
}
