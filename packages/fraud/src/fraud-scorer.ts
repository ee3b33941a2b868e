import { InvalidDataError } from '@mlsd/core';
import { OnlineFeatureState, type OnlineStateOptions } from '@mlsd/features';
import { RowNormalizer } from './config/row-normalizer.js';
import type { FraudModel } from './fraud-model.js';

/** The answer for one transaction. */
export interface ScoreResult {
  /** The transaction's id, as text. */
  transactionId: string;
  /** Fraud probability. */
  score: number;
  /** `'alert'` at or above the model's threshold. */
  decision: 'alert' | 'pass';
  threshold: number;
  /** The feature values the model saw, by name. */
  features: Record<string, number>;
}

/**
 * Scores transactions one at a time as they arrive, each a JSON object with the log's own
 * column names (as the model's config reads the file): the config's row normalizer checks and
 * converts it (the same messages as the file reader), the online feature state adds it to its
 * entities' windows, and the model scores the resulting vector. Starts from the state saved with
 * the model (the weeks before it was saved) unless given another.
 */
export class FraudScorer {
  readonly model: FraudModel;
  readonly state: OnlineFeatureState;
  readonly normalizer: RowNormalizer;
  readonly #vector: Float32Array;

  /**
   * @param state - the online state to continue from; default a copy of the state saved with
   *   the model (so several scorers of one model do not share it), else an empty one.
   */
  constructor(model: FraudModel, state?: OnlineFeatureState, options: OnlineStateOptions = {}) {
    this.model = model;
    this.state =
      state ??
      (model.state === undefined
        ? new OnlineFeatureState(model.features, options)
        : OnlineFeatureState.fromJSON(model.state.toJSON(), options));
    this.normalizer = new RowNormalizer(model.config.columns, { labels: 'optional' });
    this.#vector = new Float32Array(model.features.names.length);
    // Paid here rather than in the first transaction's latency.
    model.prepareScoreRow();
  }

  /**
   * Checks one transaction through the config and returns the record the online state takes.
   * @throws InvalidDataError naming the field and the problem (unknown fields: the nearest name).
   */
  normalize(transaction: unknown): Record<string, string | number> {
    if (transaction === null || typeof transaction !== 'object' || Array.isArray(transaction)) {
      throw new InvalidDataError(
        `Invalid transaction: expected a JSON object with the columns ${this.normalizer.layout.rawColumns.join(', ')}.`,
      );
    }
    const problem = this.normalizer.normalizeObject(transaction as Record<string, unknown>);
    if (problem !== undefined) {
      throw new InvalidDataError(`Invalid transaction: ${problem.reason}`, {
        ...(problem.column === undefined ? {} : { column: problem.column }),
        reason: 'invalid',
      });
    }
    return this.normalizer.toRecord();
  }

  /**
   * Validates one transaction, updates the state and scores it.
   * @throws InvalidDataError with the problem of a malformed transaction, or when it is too late
   * for one of its entities, too far in the future or repeats a transaction id; the state is then
   * unchanged.
   */
  score(transaction: unknown): ScoreResult {
    const record = this.normalize(transaction);
    const vector = this.state.update(record, this.#vector);
    const score = this.model.scoreRow(vector);
    return this.result(record, vector, score);
  }

  /** The answer for a normalized record, its feature vector and score. */
  result(
    record: Record<string, string | number>,
    vector: ArrayLike<number>,
    score: number,
  ): ScoreResult {
    const names = this.model.features.names;
    const features: Record<string, number> = {};
    for (let j = 0; j < names.length; j++) features[names[j]!] = vector[j]!;
    const threshold = this.model.threshold;
    return {
      transactionId: String(record[this.normalizer.layout.transactionId]),
      score,
      decision: score >= threshold ? 'alert' : 'pass',
      threshold,
      features,
    };
  }

  /** Records a label that arrived after scoring (a card-holder's report). */
  recordLabel(transactionId: string | number, fraud: boolean | 0 | 1): void {
    this.state.recordLabel(String(transactionId), fraud);
  }
}
