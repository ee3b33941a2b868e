import { InvalidDataError, toMatrix } from '@mlsd/core';
import { OnlineFeatureState } from '@mlsd/features';
import { z } from 'zod';
import type { FraudModel } from './fraud-model.js';

const id = z.number().int().min(0).max(0x7fffffff);

/**
 * One transaction to score, with the simulator's column names. `TX_FRAUD`, when present, is a
 * label already known (a replay); the online state only lets it into windows that end at least
 * the label delay before later transactions, never into this transaction's own features.
 */
export const ScoreRequestSchema = z
  .object({
    TRANSACTION_ID: id,
    TX_TIME_SECONDS: z.number().int().min(0),
    CUSTOMER_ID: id,
    TERMINAL_ID: id,
    TX_AMOUNT: z.number().finite().min(0),
    TX_DATETIME: z.string().optional(),
    TX_TIME_DAYS: z.number().int().min(0).optional(),
    TX_FRAUD: z.union([z.literal(0), z.literal(1)]).optional(),
    TX_FRAUD_SCENARIO: z.number().int().min(0).optional(),
  })
  .strict();

/** A transaction as {@link ScoreRequestSchema} accepts it. */
export type ScoreRequest = z.infer<typeof ScoreRequestSchema>;

/** The answer for one transaction. */
export interface ScoreResult {
  transactionId: number;
  /** Fraud probability. */
  score: number;
  /** `'alert'` at or above the model's threshold. */
  decision: 'alert' | 'pass';
  threshold: number;
  /** The feature values the model saw, by name. */
  features: Record<string, number>;
}

/**
 * Scores transactions one at a time as they arrive: updates the online feature state (per card
 * and per terminal windows) and runs the model on the resulting vector. Starts from the state
 * saved with the model (the weeks before it was saved) unless given another.
 */
export class FraudScorer {
  readonly model: FraudModel;
  readonly state: OnlineFeatureState;
  readonly #vector: Float32Array;

  /**
   * @param state - the online state to continue from; default a copy of the state saved with
   *   the model (so several scorers of one model do not share it), else an empty one.
   */
  constructor(model: FraudModel, state?: OnlineFeatureState) {
    this.model = model;
    this.state =
      state ??
      (model.state === undefined
        ? new OnlineFeatureState(model.features)
        : OnlineFeatureState.fromJSON(model.state.toJSON()));
    this.#vector = new Float32Array(model.features.names.length);
  }

  /**
   * Validates one transaction, updates the state and scores it.
   * @throws InvalidDataError with every problem of a malformed transaction, or when it is older
   * than the state's clock or repeats a transaction id; the state is then unchanged.
   */
  score(transaction: unknown): ScoreResult {
    const parsed = ScoreRequestSchema.safeParse(transaction);
    if (!parsed.success) {
      throw new InvalidDataError(
        `Invalid transaction: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ')}`,
        { issues: parsed.error.issues },
      );
    }
    const tx = parsed.data;
    const vector = this.state.update(tx, this.#vector);
    const score = this.model.score(toMatrix(vector, 1, vector.length))[0]!;
    const names = this.model.features.names;
    const features: Record<string, number> = {};
    for (let j = 0; j < names.length; j++) features[names[j]!] = vector[j]!;
    return {
      transactionId: tx.TRANSACTION_ID,
      score,
      decision: score >= this.model.threshold ? 'alert' : 'pass',
      threshold: this.model.threshold,
      features,
    };
  }

  /** Records a label that arrived after scoring (a card-holder's report). */
  recordLabel(transactionId: number, fraud: boolean | 0 | 1): void {
    this.state.recordLabel(transactionId, fraud);
  }
}
