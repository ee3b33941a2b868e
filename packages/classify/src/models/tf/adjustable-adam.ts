import type { Tf } from '@mlsd/tf/tfjs';

/** tfjs's Adam optimizer whose step size can be lowered between epochs. */
export interface AdjustableAdam {
  /** The optimizer, to call `minimize` on. */
  optimizer: ReturnType<Tf['train']['adam']>;
  /** Current step size. */
  learningRate(): number;
  /** Sets the step size used by the following updates; moments and step count are kept. */
  setLearningRate(learningRate: number): void;
}

/**
 * `tf.train.adam(learningRate)` (β₁ 0.9, β₂ 0.999, the backend's ε) with a settable step size.
 * Adam's steps stay about `learningRate` long however small the gradient gets, so mini-batch
 * noise keeps the weights jittering by that much around the optimum; lowering the step size on
 * a plateau is what lets it converge. tfjs keeps the step size in a protected field that every
 * update reads, so a subclass can change it without resetting the moment estimates.
 */
export function createAdjustableAdam(tf: Tf, learningRate: number): AdjustableAdam {
  class SettableAdam extends tf.AdamOptimizer {
    get stepSize(): number {
      return this.learningRate;
    }
    set stepSize(value: number) {
      this.learningRate = value;
    }
  }
  const optimizer = new SettableAdam(learningRate, 0.9, 0.999);
  return {
    optimizer,
    learningRate: () => optimizer.stepSize,
    setLearningRate(value: number) {
      optimizer.stepSize = value;
    },
  };
}
