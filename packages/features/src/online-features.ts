import {
  DimensionMismatchError,
  decodeTypedArray,
  type EncodedTypedArray,
  encodeTypedArray,
  InvalidArgumentError,
  InvalidDataError,
  NotFoundError,
  parseOptions,
} from '@mlsd/core';
import { z } from 'zod';
import { SECONDS_PER_DAY } from './calendar.js';
import { EntityStore, type EntityStoreSnapshot } from './entity-store.js';
import { FeatureSet } from './feature-set.js';
import { defineFraudFeatures } from './fraud-features.js';
import type { FeatureSpec } from './legacy-feature-spec.js';
import {
  checkLateLabel,
  readTransactionFields,
  type TransactionFieldsTarget,
} from './transaction-fields.js';

/**
 * One transaction for {@link OnlineFeatureState.update}, keyed by the same column names as the
 * batch table (`TRANSACTION_ID`, `TX_TIME_SECONDS`, `CUSTOMER_ID`, `TERMINAL_ID`, `TX_AMOUNT`,
 * optionally `TX_FRAUD`); other fields (such as `TX_DATETIME`) are ignored.
 */
export type OnlineTransaction = Readonly<Record<string, unknown>>;

const OptionsSchema = z
  .object({
    /** How often (in days of the state's clock) idle entities are forgotten. */
    sweepEveryDays: z.number().positive().finite().default(1),
  })
  .strict();

/** Options of {@link OnlineFeatureState}. */
export type OnlineFeatureStateOptions = z.input<typeof OptionsSchema>;

/** Memory use of an {@link OnlineFeatureState}. */
export interface OnlineStateStats {
  /** Live entities over all entity columns. */
  entities: number;
  /** Events held in the entities' rings. */
  events: number;
  /** Event slots allocated (≥ events). */
  capacity: number;
  /** Transactions whose label can still be recorded. */
  labelIndex: number;
  /** Rough bytes of typed-array state: rings, cursors, transaction-id index (not the id → entity maps). */
  bytes: number;
  /** The same figures per entity column. */
  byEntity: Record<string, { entities: number; events: number; capacity: number }>;
}

const EncodedSchema = z.object({ dtype: z.string(), data: z.string() });
const SnapshotSchema = z.object({
  kind: z.literal('OnlineFeatureState'),
  version: z.literal(1),
  spec: z.unknown(),
  options: OptionsSchema,
  clock: z.number().nullable(),
  lastSweep: z.number().nullable(),
  stores: z.array(
    z.object({
      entity: z.string(),
      ids: EncodedSchema,
      counts: EncodedSchema,
      cursors: EncodedSchema,
      times: EncodedSchema,
      amounts: EncodedSchema,
      labels: EncodedSchema,
      transactionIds: EncodedSchema,
    }),
  ),
});

/** {@link OnlineFeatureState.toJSON}'s output: plain JSON, typed arrays as base64. */
export interface OnlineFeatureSnapshot {
  kind: 'OnlineFeatureState';
  version: 1;
  /** The feature spec the state computes. */
  spec: FeatureSpec;
  options: { sweepEveryDays: number };
  /** Time of the last transaction seen (seconds), null before the first. */
  clock: number | null;
  /** Clock at the last sweep of idle entities, null before the first transaction. */
  lastSweep: number | null;
  /** One entry per entity column, in the feature set's order. */
  stores: ({ entity: string } & Record<
    Exclude<keyof EntityStoreSnapshot, 'entity'>,
    EncodedTypedArray
  >)[];
}

/**
 * The online evaluator: incremental per-entity state that scores one transaction at a time with
 * the same {@link FeatureSet} (and the same window code) as {@link computeFeatures}, so replaying
 * a table through {@link OnlineFeatureState.update} gives the batch values exactly.
 *
 * What it assumes:
 * - transactions arrive in time order (equal times allowed); an older one is refused;
 * - a fraud label can come with the transaction (replay) or later through
 *   {@link OnlineFeatureState.recordLabel}; either way a window with a delay only counts labels
 *   of transactions at least the delay older than the one being scored, because such a window
 *   never contains newer transactions. A label still unknown when its transaction enters a
 *   window counts as genuine until it is recorded, and from then on. In production the label of
 *   a transaction is known by the delay (7 days by default), which makes online and batch agree;
 * - labels can be recorded while their transaction is inside some window's reach (the longest
 *   window plus delay, 37 days by default); older transactions are forgotten.
 */
export class OnlineFeatureState {
  /** The features it computes. */
  readonly features: FeatureSet;
  readonly #options: z.output<typeof OptionsSchema>;
  readonly #stores: EntityStore[];
  readonly #labelStores: EntityStore[];
  readonly #entityIds: Float64Array;
  readonly #slots: Int32Array;
  readonly #sweepEverySeconds: number;
  /** Reused by every update: where readTransactionFields writes, and the time-order check. */
  readonly #target: TransactionFieldsTarget & { vector: Float32Array | Float64Array };
  #clock = Number.NEGATIVE_INFINITY;
  #lastSweep = Number.NEGATIVE_INFINITY;

  /**
   * @param features - what to compute; default the handbook's 15 baseline features.
   * @throws InvalidArgumentError for bad options.
   */
  constructor(
    features: FeatureSet = defineFraudFeatures(),
    options: OnlineFeatureStateOptions = {},
  ) {
    this.features = features;
    this.#options = parseOptions(OptionsSchema, options, 'OnlineFeatureState options');
    this.#sweepEverySeconds = this.#options.sweepEveryDays * SECONDS_PER_DAY;
    this.#stores = features.entities.map((windows) => new EntityStore(windows));
    this.#labelStores = this.#stores.filter((store) => store.keepsLabels);
    this.#entityIds = new Float64Array(this.#stores.length);
    this.#slots = new Int32Array(this.#stores.length);
    this.#target = {
      vector: new Float64Array(0),
      entityIds: this.#entityIds,
      fields: { transactionId: 0, time: 0, amount: 0, label: 0 },
      checkTime: (time, transactionId) => this.#checkTime(time, transactionId),
    };
  }

  /** Refuses a transaction older than the latest one seen. */
  #checkTime(time: number, transactionId: number): void {
    if (time < this.#clock) {
      const column = this.features.columns.time;
      throw new InvalidDataError(
        `OnlineFeatureState.update (transaction ${transactionId}): ${column} ${time} is older than the state's clock ${this.#clock} (the latest transaction seen). The online state takes transactions in time order; score late arrivals with their real order in batch.`,
        { column, transactionId, value: time, clock: this.#clock },
      );
    }
  }

  /** Feature names, in the order of the vectors {@link OnlineFeatureState.update} returns. */
  get names(): readonly string[] {
    return this.features.names;
  }

  /** Time (seconds) of the last transaction seen; undefined before the first. */
  get clock(): number | undefined {
    return this.#clock === Number.NEGATIVE_INFINITY ? undefined : this.#clock;
  }

  /**
   * Records one transaction and returns its feature vector, computed with everything seen up
   * to and including it. Nothing changes when it throws.
   * @param out - where to write the values (length ≥ the number of features); default a new
   *   Float64Array.
   * @throws InvalidDataError when the transaction id or an entity id is not a non-negative
   *   integer, the time or amount is not a finite number, the label is not 0/1/true/false/
   *   null/undefined, the time is older than the state's clock, or the transaction id is
   *   already held by the state.
   */
  update<T extends Float64Array | Float32Array = Float64Array>(
    transaction: OnlineTransaction,
    out?: T,
  ): T {
    const features = this.features;
    const width = features.names.length;
    const vector = out ?? (new Float64Array(width) as T);
    if (vector.length < width) {
      throw new DimensionMismatchError(
        `OnlineFeatureState.update: out has ${vector.length} entries but there are ${width} features.`,
        { expected: width, actual: vector.length },
      );
    }
    const target = this.#target;
    target.vector = vector;
    const { transactionId, time, amount, label } = readTransactionFields(
      features,
      transaction,
      'OnlineFeatureState.update',
      target,
    );
    const stores = this.#stores;
    for (let s = 0; s < stores.length; s++) {
      const store = stores[s]!;
      if (store.hasTransaction(transactionId)) {
        throw new InvalidDataError(
          `OnlineFeatureState.update: transaction id ${transactionId} was already recorded; transaction ids must be unique.`,
          { column: features.columns.transactionId, transactionId },
        );
      }
      this.#slots[s] = store.slotOf(this.#entityIds[s]!);
    }

    // Everything is checked: from here on nothing throws, so a bad transaction changes nothing.
    for (let s = 0; s < stores.length; s++) {
      stores[s]!.add(
        this.#slots[s]!,
        this.#entityIds[s]!,
        transactionId,
        time,
        amount,
        label,
        vector,
      );
    }
    this.#clock = time;
    if (this.#lastSweep === Number.NEGATIVE_INFINITY) this.#lastSweep = time;
    else if (time - this.#lastSweep >= this.#sweepEverySeconds) {
      for (let s = 0; s < stores.length; s++) stores[s]!.sweep(time);
      this.#lastSweep = time;
    }
    return vector;
  }

  /**
   * Records the fraud label of a transaction seen earlier (a chargeback, an investigation's
   * verdict). Windows already holding the transaction count it from now on; windows it enters
   * later count it then. Recording the same label twice is harmless; a different label
   * corrects the earlier one.
   * @param fraud - 1 or true for fraud, 0 or false for genuine.
   * @throws InvalidDataError when the id is not a non-negative integer or the label is not 0/1.
   * @throws NotFoundError when the state does not hold the transaction: it was never passed to
   *   {@link OnlineFeatureState.update}, or it is older than every window's reach and was
   *   forgotten (its label can no longer change any feature).
   */
  recordLabel(transactionId: number, fraud: number | boolean): void {
    const label = checkLateLabel(transactionId, fraud, 'OnlineFeatureState.recordLabel');
    let found = false;
    for (const store of this.#labelStores) found = store.setLabel(transactionId, label) || found;
    if (!found) {
      const reach = Math.max(0, ...this.#labelStores.map((store) => store.windows.spanSeconds));
      throw new NotFoundError(
        this.#labelStores.length === 0
          ? `OnlineFeatureState.recordLabel: no feature of this state reads labels, so it keeps no transactions to label (transaction ${transactionId}).`
          : `OnlineFeatureState.recordLabel: transaction ${transactionId} is not in the state: it was never passed to update(), or it is more than ${reach / SECONDS_PER_DAY} days older than the latest transaction and was forgotten (its label can no longer change a feature).`,
        { transactionId },
      );
    }
  }

  /** How much state is held (entities, events, bytes), for monitoring and tests. */
  stats(): OnlineStateStats {
    const stats: OnlineStateStats = {
      entities: 0,
      events: 0,
      capacity: 0,
      labelIndex: 0,
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
      stats.labelIndex += store.labelIndexSize;
      stats.bytes += store.bytes;
      stats.byEntity[store.entity] = { entities, events, capacity };
    }
    return stats;
  }

  /**
   * The whole state as plain JSON (typed arrays as base64, exact to the bit), for an artifact.
   * {@link OnlineFeatureState.fromJSON} of it continues with identical values.
   */
  toJSON(): OnlineFeatureSnapshot {
    return {
      kind: 'OnlineFeatureState',
      version: 1,
      spec: this.features.spec,
      options: { ...this.#options },
      clock: this.clock ?? null,
      lastSweep: this.#lastSweep === Number.NEGATIVE_INFINITY ? null : this.#lastSweep,
      stores: this.#stores.map((store) => {
        const { entity, ...arrays } = store.toSnapshot();
        return {
          entity,
          ids: encodeTypedArray(arrays.ids),
          counts: encodeTypedArray(arrays.counts),
          cursors: encodeTypedArray(arrays.cursors),
          times: encodeTypedArray(arrays.times),
          amounts: encodeTypedArray(arrays.amounts),
          labels: encodeTypedArray(arrays.labels),
          transactionIds: encodeTypedArray(arrays.transactionIds),
        };
      }),
    };
  }

  /**
   * Restores a state written by {@link OnlineFeatureState.toJSON} (parsed JSON or the object).
   * @throws InvalidArgumentError when the blob is not such a snapshot or is inconsistent.
   */
  static fromJSON(json: unknown): OnlineFeatureState {
    const snapshot = parseOptions(SnapshotSchema, json, 'OnlineFeatureState.fromJSON');
    const state = new OnlineFeatureState(
      new FeatureSet(snapshot.spec as FeatureSpec),
      snapshot.options,
    );
    const entities = state.#stores.map((store) => store.entity);
    const stored = snapshot.stores.map((store) => store.entity);
    if (entities.join('\u0000') !== stored.join('\u0000')) {
      throw new InvalidArgumentError(
        `OnlineFeatureState.fromJSON: the snapshot holds entity columns [${stored.join(', ')}] but its spec groups by [${entities.join(', ')}].`,
      );
    }
    snapshot.stores.forEach((blob, s) => {
      const decode = <A>(name: string, Type: new (n: number) => A): A => {
        const array = decodeTypedArray(blob[name as keyof typeof blob] as EncodedTypedArray);
        if (!(array instanceof (Type as unknown as typeof Float64Array))) {
          throw new InvalidArgumentError(
            `OnlineFeatureState.fromJSON: "${blob.entity}".${name} must be a ${Type.name}.`,
          );
        }
        return array as A;
      };
      const store = EntityStore.fromSnapshot(state.#stores[s]!.windows, {
        entity: blob.entity,
        ids: decode('ids', Float64Array),
        counts: decode('counts', Int32Array),
        cursors: decode('cursors', Float64Array),
        times: decode('times', Float64Array),
        amounts: decode('amounts', Float64Array),
        labels: decode('labels', Uint8Array),
        transactionIds: decode('transactionIds', Float64Array),
      });
      state.#stores[s] = store;
    });
    state.#labelStores.length = 0;
    state.#labelStores.push(...state.#stores.filter((store) => store.keepsLabels));
    state.#clock = snapshot.clock ?? Number.NEGATIVE_INFINITY;
    state.#lastSweep = snapshot.lastSweep ?? Number.NEGATIVE_INFINITY;
    return state;
  }
}
