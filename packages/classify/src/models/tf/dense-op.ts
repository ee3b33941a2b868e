import type { Tf } from '@mlsd/tf/tfjs';

type Tensor = ReturnType<Tf['tensor']>;
type GradSave = (tensors: Tensor[]) => void;

/** `x · kernel + bias` for a `[rows, inputs]` batch, with gradients for all three. */
export type DenseOp = (x: Tensor, kernel: Tensor, bias: Tensor) => Tensor;

/**
 * A fully connected layer `x · kernel + bias` whose backward pass transposes explicitly:
 * `dKernel = transpose(x) · dy`, `dX = dy · transpose(kernel)`, `dBias = Σ_rows dy`. tfjs's own
 * MatMul gradient passes `transposeA` / `transposeB` flags, and the wasm backend's BatchMatMul
 * runs those 4–8× slower than a transpose followed by a plain product (measured on tfjs 4.22:
 * [64, 256]ᵀ·[256, 32] 1.27 ms with the flag, 0.16 ms transposed), which made the
 * backward pass ten times the forward one. The gradients are the same to float rounding.
 *
 * @param needsInputGradient - false for the first layer, whose input is data: its gradient is
 * returned as zeros instead of being computed.
 */
export function createDenseOp(tf: Tf, needsInputGradient: boolean): DenseOp {
  const op = tf.customGrad((...args: Array<Tensor | GradSave>) => {
    const [x, kernel, bias, save] = args as [Tensor, Tensor, Tensor, GradSave];
    save([x, kernel]);
    return {
      value: tf.add(tf.matMul(x, kernel), bias),
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [input, weights] = saved as [Tensor, Tensor];
        const dKernel = tf.matMul(tf.transpose(input), dy);
        const dBias = tf.sum(dy, 0);
        const dInput = needsInputGradient
          ? tf.matMul(dy, tf.transpose(weights))
          : tf.zerosLike(input);
        return [dInput, dKernel, dBias];
      },
    };
  });
  return (x, kernel, bias) => op(x, kernel, bias);
}
