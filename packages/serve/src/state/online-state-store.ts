import type { FeatureSet, OnlineTransaction } from '@mlsd/features';

/** How much state a store holds, for `/metrics` and tests. */
export interface OnlineStateStoreStats {
  /** `'memory'` or `'redis'`. */
  kind: OnlineStateStore['kind'];
  /** Live entities (cards, merchants, …) the store keeps events for. */
  entities: number;
  /** Events held (one per transaction and entity). */
  events: number;
  /**
   * Newest event time accepted (the spec's time column), null before the first. For Redis, the
   * newest this replica has seen (there is no global clock): a progress indicator, not an order.
   */
  clock: number | null;
}

/** What {@link OnlineStateStore.updateWithOutcome} returns. */
export interface StateUpdateOutcome {
  /** The transaction's features, in `features.names` order. */
  vector: Float64Array;
  /**
   * True when the transaction id was already recorded with the same values: nothing new was
   * recorded and the vector is recomputed at the transaction's own place (a retry).
   */
  repeated: boolean;
}

/** Whether a store can take updates now (for `/readyz` and stream consumers). */
export interface StateStoreReadiness {
  ready: boolean;
  /** False when a shared namespace lost its seeded marker (Redis restarted empty). */
  seeded: boolean;
  /** Why not ready, for logs. */
  reason?: string;
}

/**
 * Where a fraud model's online feature state lives: per-entity stores of recent events that turn
 * one transaction into its feature vector. Two implementations share this contract and one test
 * suite: {@link InProcessStateStore} (one process, the default) and `RedisStateStore` (service
 * replicas sharing a Redis or Redis Cluster, as production fraud systems do). Both keep the
 * events in the layout the feature set declares and evaluate them with the same accumulators as
 * batch.
 *
 * Contract:
 * - The vector follows `features.names` and equals what batch `computeFeatures` gives on the
 *   time-sorted transactions recorded so far (arrivals within the allowed lateness included).
 * - Each entity's step is atomic and idempotent by transaction id; two concurrent updates of one
 *   entity never lose one another.
 * - A malformed transaction, a value outside the exact range, a time too far in the future or
 *   too late for one of its entities, or an id already recorded (`update`) rejects with an
 *   InvalidDataError (`details.reason`: `'out-of-order'`, `'future'`, `'duplicate'`,
 *   `'duplicate-conflict'`, …) and records nothing.
 */
export interface OnlineStateStore {
  /** Which implementation this is. */
  readonly kind: 'memory' | 'redis';
  /** The features the store computes (the model's feature set). */
  readonly features: FeatureSet;
  /**
   * Records one normalized transaction and returns its feature vector.
   * @throws InvalidDataError when the transaction cannot be recorded (see the contract).
   */
  update(transaction: OnlineTransaction): Promise<Float64Array>;
  /**
   * {@link OnlineStateStore.update}, except that an id already recorded with the same values is
   * answered again (`repeated: true`) instead of refused: what a retry after a lost reply needs.
   */
  updateWithOutcome(transaction: OnlineTransaction): Promise<StateUpdateOutcome>;
  /**
   * Records the fraud label of a transaction seen earlier (a chargeback or an investigation's
   * verdict); it counts for transactions at or after `labelTime` (default: from now on).
   * @throws NotFoundError when the store no longer (or never) held the transaction.
   */
  recordLabel(
    transactionId: string | number,
    fraud: boolean | 0 | 1,
    labelTime?: number,
  ): Promise<void>;
  /** Entities and events held. */
  stats(): Promise<OnlineStateStoreStats>;
  /** Whether updates can be taken now; never throws. */
  ready(): Promise<StateStoreReadiness>;
  /** Releases connections; the store cannot be used afterwards. */
  close(): Promise<void>;
}
