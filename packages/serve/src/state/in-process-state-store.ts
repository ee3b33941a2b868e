import { type FeatureSet, OnlineFeatureState } from '@mlsd/features';
import type { FraudModel, ScoreRequest } from '@mlsd/fraud';
import type { OnlineStateStore, OnlineStateStoreStats } from './online-state-store.js';

/**
 * The default {@link OnlineStateStore}: an {@link OnlineFeatureState} in this process's
 * memory (typed-array rings per card and terminal). Fast (microseconds per update) and exact,
 * but one replica's state is invisible to another; use `RedisStateStore` to share it.
 */
export class InProcessStateStore implements OnlineStateStore {
  readonly kind = 'memory' as const;
  readonly state: OnlineFeatureState;

  /** @param state - the state to continue from (see {@link InProcessStateStore.forModel}). */
  constructor(state: OnlineFeatureState) {
    this.state = state;
  }

  /**
   * A store that continues from the state saved with the model (a copy, so two stores of one
   * model do not share it), or an empty state when the model saved none.
   */
  static forModel(model: FraudModel): InProcessStateStore {
    return new InProcessStateStore(
      model.state === undefined
        ? new OnlineFeatureState(model.features)
        : OnlineFeatureState.fromJSON(model.state.toJSON()),
    );
  }

  get features(): FeatureSet {
    return this.state.features;
  }

  async update(transaction: ScoreRequest): Promise<Float64Array> {
    return this.state.update(transaction, new Float64Array(this.state.names.length));
  }

  async recordLabel(transactionId: number, fraud: boolean | 0 | 1): Promise<void> {
    this.state.recordLabel(transactionId, fraud);
  }

  async stats(): Promise<OnlineStateStoreStats> {
    const stats = this.state.stats();
    return {
      kind: this.kind,
      entities: stats.entities,
      events: stats.events,
      clock: this.state.clock ?? null,
    };
  }

  async close(): Promise<void> {}
}
