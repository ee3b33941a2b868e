import type { Tf } from '@mlsd/tf/tfjs';
import type { GradSaveFunc, Tensor, Tensor2D } from '@tensorflow/tfjs-core';

/**
 * `a · b` (no transposes) whose gradients are computed with plain products of explicitly
 * transposed operands. tfjs differentiates `matMul` into products with `transposeA` /
 * `transposeB` set, which the WebAssembly backend runs on a path about eight times slower than
 * its plain matrix product; transposing the operand first costs far less.
 * @param a `[m, k]`, @param b `[k, n]`; returns `[m, n]`.
 */
export function denseMatMul(tf: Tf, a: Tensor2D, b: Tensor2D): Tensor2D {
  const op = tf.customGrad((...args: (Tensor | GradSaveFunc)[]) => {
    const [left, right, save] = args as [Tensor2D, Tensor2D, GradSaveFunc];
    save([left, right]);
    return {
      value: tf.matMul(left, right),
      gradFunc: (dy, saved) => {
        const [av, bv] = saved as [Tensor2D, Tensor2D];
        const upstream = dy as Tensor2D;
        return [tf.matMul(upstream, tf.transpose(bv)), tf.matMul(tf.transpose(av), upstream)];
      },
    };
  });
  return op(a, b) as Tensor2D;
}
