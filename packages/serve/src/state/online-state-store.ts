import type { FeatureSet } from '@mlsd/features';
import type { ScoreRequest } from '@mlsd/fraud';

/** How much state a store holds, for `/metrics` and tests. */
export interface OnlineStateStoreStats {
  /** `'memory'` or `'redis'`. */
  kind: OnlineStateStore['kind'];
  /** Live entities (cards + terminals) the store keeps windows for. */
  entities: number;
  /** Events (transactions) held in those windows. */
  events: number;
  /**
   * Time (seconds since the feature calendar's origin) of the latest transaction recorded;
   * null before the first. New transactions must not be older.
   */
  clock: number | null;
}

/**
 * Where the fraud model's online feature state lives: the per-card and per-terminal windows
 * that turn one transaction into its feature vector. Two implementations share this contract
 * and one test suite: {@link InProcessStateStore} (one process, the default) and
 * `RedisStateStore` (several service replicas sharing one Redis, as production fraud systems
 * do).
 *
 * Contract:
 * - {@link OnlineStateStore.update} is atomic per transaction: it records the transaction and
 *   returns the features computed from everything recorded before it plus itself, and two
 *   concurrent updates for the same card or terminal never lose one another (each sees the
 *   other or is seen by it).
 * - The vector follows `features.names` and equals, for transactions given in time order,
 *   what the batch `computeFeatures` gives for the same table.
 * - A malformed transaction, or a repeated transaction id, rejects with an InvalidDataError
 *   and changes nothing.
 */
export interface OnlineStateStore {
  /** Which implementation this is. */
  readonly kind: 'memory' | 'redis';
  /** The features the store computes (the model's feature set). */
  readonly features: FeatureSet;
  /**
   * Records one (already schema-checked) transaction and returns its feature vector.
   * @throws InvalidDataError when the transaction cannot be recorded (see the contract).
   */
  update(transaction: ScoreRequest): Promise<Float64Array>;
  /**
   * Records the fraud label of a transaction seen earlier (a chargeback or an investigation's
   * verdict), so windows that read labels count it.
   * @throws NotFoundError when the store no longer (or never) held the transaction.
   */
  recordLabel(transactionId: number, fraud: boolean | 0 | 1): Promise<void>;
  /** Entities and events held. */
  stats(): Promise<OnlineStateStoreStats>;
  /** Releases connections; the store cannot be used afterwards. */
  close(): Promise<void>;
}
