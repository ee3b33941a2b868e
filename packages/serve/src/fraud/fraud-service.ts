import { isMlsdError, TimeZone, toMatrix } from '@mlsd/core';
import type { DriftReport } from '@mlsd/drift';
import type { FeatureSet } from '@mlsd/features';
import { RecordReader } from '@mlsd/features/internal';
import { FraudModel, formatTime, type ScoreResult } from '@mlsd/fraud';
import { loadArtifact } from '../artifact-version.js';
import { HttpError } from '../http/http-error.js';
import { createStateStore, type StateStoreOptions } from '../state/create-state-store.js';
import type { StateStoreReadiness, StateUpdateOutcome } from '../state/online-state-store.js';
import { DriftWatch } from './drift-watch.js';
import { FraudRuntime } from './fraud-runtime.js';
import type { TransactionField } from './transaction-fields.js';

/** Options of {@link FraudService.open}. */
export interface FraudServiceOptions {
  /** Keep the online state in this Redis (or `redis+cluster://` Redis Cluster) instead of in process. */
  redisUrl?: string | undefined;
  /**
   * The online state's guards (allowed lateness per entity, future skew, wall clock); replicas
   * sharing one Redis namespace must agree on the lateness.
   */
  state?: Omit<StateStoreOptions, 'redisUrl' | 'namespace'> | undefined;
  /** Recent rows the drift monitor compares with the reference; default 2,000. */
  driftWindowRows?: number | undefined;
  /** Scores between drift checks; default 500. */
  driftCheckEvery?: number | undefined;
  /** Least time between drift checks, milliseconds; default 5,000. */
  driftMinIntervalMs?: number | undefined;
  /** Each decision made (for metrics). */
  onDecision?: ((decision: 'alert' | 'pass') => void) | undefined;
  /** Each drift check (for metrics). */
  onDrift?: ((report: DriftReport) => void) | undefined;
  /** A drift check failed (for logs; scoring goes on). */
  onDriftError?: ((error: unknown) => void) | undefined;
}

/** What `GET /v1/info` says of the fraud model. */
export interface FraudInfo {
  version: string;
  threshold: number;
  features: string[];
  store: 'memory' | 'redis';
  kind: string;
  /** Time of the latest transaction the online state holds (epoch seconds), null before any. */
  clock: number | null;
  /** The fields of a scoring request (the log's columns, as the model's config reads them). */
  transaction: { fields: TransactionField[] };
}

/** A normalized transaction, ready for the online state. */
type TransactionRecord = Record<string, string | number>;

const HINT = 'train one with `mlsd fraud train --out <dir>` and pass that folder';

/**
 * Fraud scoring over HTTP: a {@link FraudModel}, the online state store that turns each
 * transaction into features (in process by default, Redis with `redisUrl`), the alert
 * threshold saved with the model, and a drift watch over the scored rows. The model can be
 * replaced while requests run ({@link FraudService.reload}): the new one is loaded completely
 * first, then swapped in; requests already running finish on the old one.
 *
 * A reloaded model gets a new store continuing from the online state saved in its own artifact
 * (in process), not the state the old model built while serving: its features start from the
 * history it was trained with. With Redis the new store connects to the same server, where a
 * model with the same features continues the shared state.
 */
export class FraudService {
  readonly #options: FraudServiceOptions;
  #runtime: FraudRuntime;

  private constructor(runtime: FraudRuntime, options: FraudServiceOptions) {
    this.#runtime = runtime;
    this.#options = options;
  }

  /**
   * Loads a fraud-model artifact (checksums verified) and opens its state store.
   * @throws NotFoundError, ManifestInvalidError or ChecksumMismatchError naming the folder.
   */
  static async open(dir: string, options: FraudServiceOptions = {}): Promise<FraudService> {
    return new FraudService(await FraudService.#load(dir, options), options);
  }

  static async #load(dir: string, options: FraudServiceOptions): Promise<FraudRuntime> {
    const loaded = await loadArtifact('fraud model', dir, HINT, (d) => FraudModel.load(d));
    const model = loaded.value;
    const store = await createStateStore(model, { ...options.state, redisUrl: options.redisUrl });
    const drift =
      model.reference.rows === 0
        ? undefined
        : new DriftWatch(model.reference, model.features.names, {
            windowRows: options.driftWindowRows,
            checkEvery: options.driftCheckEvery,
            minIntervalMs: options.driftMinIntervalMs,
            onReport: (report) => options.onDrift?.(report),
            onError: (error) => options.onDriftError?.(error),
          });
    return new FraudRuntime({ model, store, version: loaded.version, dir: loaded.dir, drift });
  }

  /** The runtime serving new requests. */
  get runtime(): FraudRuntime {
    return this.#runtime;
  }

  /** Version of the model serving new requests. */
  get version(): string {
    return this.#runtime.version;
  }

  /**
   * Model, threshold, features, store kind and the state's clock, for `/v1/info`.
   * @throws HttpError 503 STATE_STORE_UNAVAILABLE when the store cannot be read.
   */
  async info(): Promise<FraudInfo> {
    const { model, store, version } = this.#runtime;
    let clock: number | null;
    try {
      clock = (await store.stats()).clock;
    } catch (error) {
      throw storeFailure(error);
    }
    return {
      version,
      threshold: model.threshold,
      features: [...model.features.names],
      store: store.kind,
      kind: model.kind,
      clock,
      transaction: { fields: this.#runtime.fields },
    };
  }

  /**
   * A transaction to try the service with: the model's example (the last transaction it was
   * trained on, as the log writes it) with a new id and a time a minute after the newest the
   * online state holds, written in the log's time format.
   * @throws HttpError 503 STATE_STORE_UNAVAILABLE when the store cannot be read.
   */
  async example(): Promise<Record<string, string | number> | null> {
    const { model, store, normalizer } = this.#runtime;
    const template = model.example;
    if (template === undefined) return null;
    let clock: number | null;
    try {
      clock = (await store.stats()).clock;
    } catch (error) {
      throw storeFailure(error);
    }
    const { columns, layout } = model.config;
    const example = { ...template };
    example[layout.transactionId] =
      `web-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
    if (clock !== null) {
      const time = formatTime(
        clock + 60,
        columns.time.format,
        TimeZone.of(columns.timezone),
        columns.time.origin,
      );
      if (columns.time.column !== undefined) example[columns.time.column] = time;
      else {
        const [date = '', clockText = ''] = String(time).split(' ');
        example[columns.time.date!] = date;
        example[columns.time.time!] = clockText;
      }
    }
    // The example must pass the checks a request does.
    return normalizer.normalizeObject(example) === undefined ? example : null;
  }

  /**
   * Scores one transaction (a JSON object with the log's column names): reads it through the
   * model's config, updates the online state and runs the model. A transaction id already
   * recorded with the same values (a retry after a lost answer) gets the same result again,
   * recomputed from the stored events at its place, and records nothing.
   * @throws HttpError 400 INVALID_TRANSACTION (with the config's reason), 409
   *   DUPLICATE_TRANSACTION (the id with other values) / OUT_OF_ORDER.
   */
  async score(body: unknown): Promise<{ result: ScoreResult; version: string }> {
    const runtime = this.#runtime;
    runtime.enter();
    try {
      const transaction = normalize(runtime, body, undefined);
      const { vector, repeated } = await update(runtime, transaction, undefined);
      const row = runtime.row;
      for (let j = 0; j < row.length; j++) row[j] = vector[j]!;
      const score = runtime.model.scoreRow(row);
      // A retry is not new traffic: the drift window has its row already.
      if (!repeated) runtime.drift?.push(row);
      return {
        result: this.#result(runtime, transaction, vector, score),
        version: runtime.version,
      };
    } finally {
      runtime.leave();
    }
  }

  /**
   * Scores a batch in order (each transaction sees the ones before it) with one model call.
   * Every transaction is read through the config and checked against what the state takes
   * (fields, exact ranges) before any is recorded, so a malformed one fails the batch with
   * nothing recorded; after that, a transaction the state refuses (too late, its id taken with
   * other values) fails the batch and the ones before it stay recorded. The error names the
   * failing index.
   */
  async scoreBatch(
    bodies: readonly unknown[],
  ): Promise<{ results: ScoreResult[]; version: string }> {
    const runtime = this.#runtime;
    runtime.enter();
    try {
      const transactions = bodies.map((body, i) => normalize(runtime, body, i));
      checkBatch(runtime, transactions);
      const width = runtime.row.length;
      const rows = new Float32Array(transactions.length * width);
      const vectors: Float64Array[] = [];
      const repeats: boolean[] = [];
      for (let i = 0; i < transactions.length; i++) {
        const { vector, repeated } = await update(runtime, transactions[i]!, i);
        vectors.push(vector);
        repeats.push(repeated);
        for (let j = 0; j < width; j++) rows[i * width + j] = vector[j]!;
      }
      const scores = runtime.model.score(toMatrix(rows, transactions.length, width));
      const results: ScoreResult[] = [];
      for (let i = 0; i < transactions.length; i++) {
        const row = rows.subarray(i * width, (i + 1) * width);
        if (!repeats[i]) runtime.drift?.push(row);
        results.push(this.#result(runtime, transactions[i]!, vectors[i]!, scores[i]!));
      }
      return { results, version: runtime.version };
    } finally {
      runtime.leave();
    }
  }

  /**
   * Records the fraud label of a transaction scored earlier.
   * @throws HttpError 404 UNKNOWN_TRANSACTION when the state does not hold it.
   */
  async label(transactionId: string | number, fraud: 0 | 1): Promise<void> {
    const runtime = this.#runtime;
    runtime.enter();
    try {
      await runtime.store.recordLabel(transactionId, fraud);
    } catch (error) {
      if (isMlsdError(error, 'NOT_FOUND')) {
        throw new HttpError(404, 'UNKNOWN_TRANSACTION', error.message, { cause: error });
      }
      if (isMlsdError(error, 'INVALID_DATA')) {
        throw new HttpError(400, 'INVALID_LABEL', error.message, { cause: error });
      }
      throw storeFailure(error);
    } finally {
      runtime.leave();
    }
  }

  /**
   * True when the state store can take updates (always, in process; with Redis: it answers and
   * the namespace is seeded).
   */
  async ready(): Promise<boolean> {
    return (await this.readiness()).ready;
  }

  /**
   * Whether the state store takes updates now, and why not: Redis does not answer, or its
   * namespace lost the seeded marker (Redis restarted empty; a re-seed from the model's saved
   * state is then under way). Never throws.
   */
  readiness(): Promise<StateStoreReadiness> {
    return this.#runtime.store.ready();
  }

  /**
   * Loads another fraud-model artifact completely (checksums, classifier, a new state store)
   * without serving it yet; {@link FraudService.install} swaps it in.
   * @throws the load's typed error; the serving model is untouched.
   */
  prepare(dir: string): Promise<FraudRuntime> {
    return FraudService.#load(dir, this.#options);
  }

  /**
   * Serves `next` from now on; the previous runtime finishes the requests it holds, then closes
   * its store.
   */
  install(next: FraudRuntime): void {
    const previous = this.#runtime;
    this.#runtime = next;
    void previous.retire();
  }

  /** {@link FraudService.prepare} then {@link FraudService.install}; resolves to the new version. */
  async reload(dir: string): Promise<string> {
    this.install(await this.prepare(dir));
    return this.version;
  }

  /** Closes the store of the serving model (and of a retired one still draining). */
  async close(): Promise<void> {
    await this.#runtime.retire();
  }

  #result(
    runtime: FraudRuntime,
    transaction: TransactionRecord,
    vector: Float64Array,
    score: number,
  ): ScoreResult {
    const names = runtime.model.features.names;
    const features: Record<string, number> = {};
    for (let j = 0; j < names.length; j++) features[names[j]!] = vector[j]!;
    const threshold = runtime.model.threshold;
    const decision = score >= threshold ? 'alert' : 'pass';
    this.#options.onDecision?.(decision);
    const transactionId = String(transaction[runtime.model.config.layout.transactionId]);
    return { transactionId, score, decision, threshold, features };
  }
}

/** Reads one request body through the model's config (the same messages as the file reader). */
function normalize(
  runtime: FraudRuntime,
  body: unknown,
  index: number | undefined,
): TransactionRecord {
  const where = index === undefined ? '' : `transaction [${index}]: `;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new HttpError(
      400,
      'INVALID_TRANSACTION',
      `${where}expected a JSON object with the columns ${runtime.normalizer.layout.rawColumns.join(', ')}.`,
    );
  }
  const problem = runtime.normalizer.normalizeObject(body as Record<string, unknown>);
  if (problem !== undefined)
    throw new HttpError(400, 'INVALID_TRANSACTION', `${where}${problem.reason}`);
  return runtime.normalizer.toRecord();
}

async function update(
  runtime: FraudRuntime,
  transaction: TransactionRecord,
  index: number | undefined,
): Promise<StateUpdateOutcome> {
  try {
    return await runtime.store.updateWithOutcome(transaction);
  } catch (error) {
    throw transactionFailure(error, index);
  }
}

const readers = new WeakMap<FeatureSet, RecordReader>();

/**
 * Reads every transaction of a batch the way the state store will (required fields, exact
 * fixed-point ranges) before any is recorded.
 * @throws HttpError 400 INVALID_TRANSACTION naming the first bad one's index.
 */
function checkBatch(runtime: FraudRuntime, transactions: readonly TransactionRecord[]): void {
  const features = runtime.model.features;
  let reader = readers.get(features);
  if (reader === undefined) {
    reader = new RecordReader(features);
    readers.set(features, reader);
  }
  const scratch = new Float64Array(features.names.length);
  for (let i = 0; i < transactions.length; i++) {
    try {
      reader.read(transactions[i], 'FraudService.scoreBatch', scratch);
    } catch (error) {
      throw transactionFailure(error, i);
    }
  }
}

/** Maps a store's refusal of a transaction to the HTTP error a client can act on. */
function transactionFailure(error: unknown, index: number | undefined): unknown {
  if (!isMlsdError(error, 'INVALID_DATA')) return storeFailure(error);
  const where = index === undefined ? '' : `transaction [${index}]: `;
  const reason = error.details.reason;
  if (
    reason === 'out-of-order' ||
    error.details.clock !== undefined ||
    /older than/i.test(error.message)
  ) {
    return new HttpError(409, 'OUT_OF_ORDER', `${where}${error.message}`, { cause: error });
  }
  if (
    reason === 'duplicate' ||
    reason === 'duplicate-conflict' ||
    /already recorded|duplicate/i.test(error.message)
  ) {
    return new HttpError(409, 'DUPLICATE_TRANSACTION', `${where}${error.message}`, {
      cause: error,
    });
  }
  return new HttpError(400, 'INVALID_TRANSACTION', `${where}${error.message}`, { cause: error });
}

/** A store failure that is not the transaction's fault (Redis down): 503, safe to retry. */
function storeFailure(error: unknown): unknown {
  if (error instanceof HttpError) return error;
  if (isMlsdError(error) && error.code !== 'BACKEND_UNAVAILABLE') return error;
  const message = error instanceof Error ? error.message : String(error);
  return new HttpError(
    503,
    'STATE_STORE_UNAVAILABLE',
    isMlsdError(error)
      ? message
      : `The online state store failed: ${message}. Retry; if it persists, check the state store (Redis).`,
    { cause: error },
  );
}
