import {
  type FeatureSet,
  OnlineFeatureState,
  type OnlineStateOptions,
  type OnlineTransaction,
} from '@mlsd/features';
import type {
  OnlineStateStore,
  OnlineStateStoreStats,
  StateStoreReadiness,
  StateUpdateOutcome,
} from './online-state-store.js';

/**
 * The default {@link OnlineStateStore}: an {@link OnlineFeatureState} in this process's memory
 * (typed-array event columns per entity). Fast (microseconds per update) and exact, but one
 * replica's state is invisible to another; use `RedisStateStore` to share it.
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
   * @param options - lateness, future skew and wall clock; they override the saved state's.
   */
  static forModel(
    model: { features: FeatureSet; state?: OnlineFeatureState | undefined },
    options: OnlineStateOptions = {},
  ): InProcessStateStore {
    return new InProcessStateStore(
      model.state === undefined
        ? new OnlineFeatureState(model.features, options)
        : OnlineFeatureState.fromJSON(model.state.toJSON(), options),
    );
  }

  get features(): FeatureSet {
    return this.state.features;
  }

  async update(transaction: OnlineTransaction): Promise<Float64Array> {
    return this.state.update(transaction, new Float64Array(this.state.names.length));
  }

  async updateWithOutcome(transaction: OnlineTransaction): Promise<StateUpdateOutcome> {
    return this.state.updateWithOutcome(transaction, new Float64Array(this.state.names.length));
  }

  async recordLabel(
    transactionId: string | number,
    fraud: boolean | 0 | 1,
    labelTime?: number,
  ): Promise<void> {
    this.state.recordLabel(transactionId, fraud, labelTime);
  }

  async stats(): Promise<OnlineStateStoreStats> {
    const stats = this.state.stats();
    return {
      kind: this.kind,
      entities: stats.entities,
      events: stats.events,
      clock: this.state.watermark ?? null,
    };
  }

  async ready(): Promise<StateStoreReadiness> {
    return { ready: true, seeded: true };
  }

  async close(): Promise<void> {}
}
