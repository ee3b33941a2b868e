import { MlsdError } from '@mlsd/core';
import { FraudService, type FraudServiceOptions } from '../fraud/fraud-service.js';
import { HttpError } from '../http/http-error.js';

/** A transaction entry as the stream holds it: the raw record's fields, as text. */
export type StreamRecord = Readonly<Record<string, string>>;

/** What the scorer made of one transaction entry. */
export type StreamScore =
  | {
      kind: 'scored';
      /** The transaction id, as text (ids are opaque). */
      transactionId: string;
      score: number;
      decision: 'alert' | 'pass';
      threshold: number;
      /** The features the model saw, by name (only when the consumer asked for them). */
      features?: Record<string, number>;
    }
  | {
      kind: 'rejected';
      /** The transaction id when the record had a readable one. */
      transactionId: string | undefined;
      /** The stable code the HTTP API would answer (`INVALID_TRANSACTION`, `OUT_OF_ORDER`, …). */
      code: string;
      message: string;
    };

/**
 * Turns one transaction entry into a decision. `score` resolves to a decision — a score, or a
 * rejection that says why (invalid record, too late for its card) — and rejects only with a
 * {@link StreamBackendError} when the state store failed, which the consumer answers by backing
 * off and trying the same entry again.
 */
export interface StreamScorer {
  /** Version of the model deciding (recorded with every decision). */
  readonly modelVersion: string;
  /** The record's transaction id, when it has one (keys the decided-guard). */
  transactionIdOf(record: StreamRecord): string | undefined;
  score(record: StreamRecord): Promise<StreamScore>;
  /** Releases the model's state store. */
  close(): Promise<void>;
}

/** The state store failed (Redis unreachable, timed out): retry the entry later. */
export class StreamBackendError extends MlsdError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('BACKEND_UNAVAILABLE', message, {}, options);
  }
}

/** Options of {@link FraudStreamScorer.open}. */
export interface FraudStreamScorerOptions {
  /** Fraud-model artifact folder. */
  modelDir: string;
  /** The online state's Redis (shared by every consumer); absent: in process (one consumer only). */
  redisUrl?: string | undefined;
  /** Put the feature values into each decision (for audits and tests); default false. */
  includeFeatures?: boolean | undefined;
  /**
   * Seconds a transaction may arrive late for one of its entities (default 0). The stream keeps
   * each card's order (partitions), but a terminal's transactions come from every partition, as
   * far apart as the consumers are: set it to cover that skew (in event time) unless every window
   * of the other entities is delayed by more.
   */
  allowedLatenessSeconds?: number | undefined;
  /**
   * Seconds a transaction's time may lie beyond the newest this replica accepted (default 7
   * days; null: no limit). A replay of an old log, started long after the model's snapshot,
   * needs more than the gap.
   */
  maxFutureSkewSeconds?: number | null | undefined;
  /** Passed to the fraud service (drift window and the like). */
  service?: Omit<FraudServiceOptions, 'redisUrl'> | undefined;
}

/**
 * The fraud model behind the HTTP API, scoring stream entries: the same {@link FraudService}
 * (model, online state store, validation), so an entry is accepted or refused with the same
 * code and message as the same transaction posted to `/v1/fraud/score`.
 */
export class FraudStreamScorer implements StreamScorer {
  readonly #service: FraudService;
  readonly #includeFeatures: boolean;
  readonly #idColumn: string;

  private constructor(service: FraudService, includeFeatures: boolean) {
    this.#service = service;
    this.#includeFeatures = includeFeatures;
    this.#idColumn = service.runtime.model.config.layout.transactionId;
  }

  /**
   * Loads the model (checksums verified) and opens its state store.
   * @throws the artifact's typed errors; StateStoreUnavailableError when Redis cannot be reached.
   */
  static async open(options: FraudStreamScorerOptions): Promise<FraudStreamScorer> {
    const service = await FraudService.open(options.modelDir, {
      ...options.service,
      redisUrl: options.redisUrl,
      state: {
        ...options.service?.state,
        ...(options.allowedLatenessSeconds === undefined
          ? {}
          : { allowedLatenessSeconds: options.allowedLatenessSeconds }),
        ...(options.maxFutureSkewSeconds === undefined
          ? {}
          : { maxFutureSkewSeconds: options.maxFutureSkewSeconds }),
      },
    });
    return new FraudStreamScorer(service, options.includeFeatures ?? false);
  }

  get modelVersion(): string {
    return this.#service.version;
  }

  transactionIdOf(record: StreamRecord): string | undefined {
    const id = record[this.#idColumn];
    return id === undefined || id === '' ? undefined : id;
  }

  async score(record: StreamRecord): Promise<StreamScore> {
    const transactionId = this.transactionIdOf(record);
    try {
      // The entry holds the log's own columns as text, which the model's config reads like the
      // cells of its file (the same reader as a JSON body).
      const { result } = await this.#service.score(record);
      return {
        kind: 'scored',
        transactionId: String(result.transactionId),
        score: result.score,
        decision: result.decision,
        threshold: result.threshold,
        ...(this.#includeFeatures ? { features: result.features } : {}),
      };
    } catch (error) {
      // 503: the state store failed, the same entry is tried again; 4xx: the transaction's own
      // fault, decided as a rejection; anything else is thrown (the consumer rejects it as
      // INTERNAL and logs it, rather than stall the partition behind it).
      if (error instanceof HttpError && error.statusCode === 503) {
        throw new StreamBackendError(error.message, { cause: error });
      }
      if (error instanceof HttpError && error.statusCode < 500) {
        return { kind: 'rejected', transactionId, code: error.code, message: error.message };
      }
      throw error;
    }
  }

  close(): Promise<void> {
    return this.#service.close();
  }
}
