import { type FraudModel, RowNormalizer } from '@mlsd/fraud';
import type { OnlineStateStore } from '../state/online-state-store.js';
import type { DriftWatch } from './drift-watch.js';
import { type TransactionField, transactionFields } from './transaction-fields.js';

/**
 * One loaded fraud model with everything scoring needs: its online state store, its version
 * and its drift watch. The service swaps whole runtimes on reload; a request keeps the
 * runtime it started with ({@link FraudRuntime.enter} / {@link FraudRuntime.leave}), and a
 * retired runtime closes its store once its last request has left.
 */
export class FraudRuntime {
  readonly model: FraudModel;
  readonly store: OnlineStateStore;
  /** Artifact version (see `artifactVersion`). */
  readonly version: string;
  /** Absolute artifact folder. */
  readonly dir: string;
  readonly drift: DriftWatch | undefined;
  /** Scratch row for single-transaction scoring. */
  readonly row: Float32Array;
  /** Reads requests with the log's column names through the model's config (as the file reader does). */
  readonly normalizer: RowNormalizer;
  /** The request fields the config reads, for the form, /v1/info and /openapi.json. */
  readonly fields: TransactionField[];
  #inFlight = 0;
  #retired = false;
  #closing = false;
  #markClosed: () => void = () => {};
  readonly #closed = new Promise<void>((resolve) => {
    this.#markClosed = () => resolve();
  });

  constructor(parts: {
    model: FraudModel;
    store: OnlineStateStore;
    version: string;
    dir: string;
    drift: DriftWatch | undefined;
  }) {
    this.model = parts.model;
    this.store = parts.store;
    this.version = parts.version;
    this.dir = parts.dir;
    this.drift = parts.drift;
    this.row = new Float32Array(parts.model.features.names.length);
    // The model's one-row path is built now, not in the first request's latency.
    parts.model.prepareScoreRow();
    this.normalizer = new RowNormalizer(parts.model.config.columns, { labels: 'optional' });
    this.fields = transactionFields(parts.model.config);
  }

  /** Requests using this runtime now. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Marks a request as using this runtime. */
  enter(): void {
    this.#inFlight++;
  }

  /** Marks a request as done; closes the store when the runtime is retired and idle. */
  leave(): void {
    this.#inFlight--;
    if (this.#retired && this.#inFlight === 0) this.#close();
  }

  /** Stops new work from choosing this runtime; closes it once idle. Resolves when closed. */
  retire(): Promise<void> {
    this.#retired = true;
    this.drift?.stop();
    if (this.#inFlight === 0) this.#close();
    return this.#closed;
  }

  #close(): void {
    if (this.#closing) return;
    this.#closing = true;
    this.store.close().then(this.#markClosed, this.#markClosed);
  }
}
