import { InvalidArgumentError } from '@mlsd/core';
import type { Tf } from '@mlsd/tf/tfjs';
import type { GradSaveFunc, Tensor, Tensor4D } from '@tensorflow/tfjs-core';
import { patchColumns } from './im2col.js';

/**
 * A 2-D convolution (stride 1, 'same' padding, odd square kernel) whose gradient every tfjs
 * backend can compute, the WebAssembly one included.
 *
 * tfjs' WebAssembly backend ships no `Conv2DBackpropFilter` kernel, so `tf.conv2d` cannot be
 * trained there, and its `Conv2DBackpropInput` is a plain loop several times slower than the
 * forward convolution. This op keeps the fast forward convolution and writes both gradients
 * with ops the backend runs well:
 * - input gradient: a 'same' convolution of the output gradient with the kernel rotated by 180°
 *   and its channels swapped (exact for stride 1 and symmetric padding);
 * - kernel gradient: a transposed im2col on typed arrays ({@link patchColumns}) times the
 *   output gradient, one plain matrix product.
 *
 * Set `inputNeedsGradient` to false for the first layer (its input is data) to skip the input
 * gradient entirely.
 * @param x input, [batch, height, width, inChannels].
 * @param kernel filters, [k, k, inChannels, outChannels], k odd.
 */
export function sameConv2d(
  tf: Tf,
  x: Tensor4D,
  kernel: Tensor4D,
  inputNeedsGradient = true,
): Tensor4D {
  const [k, k2, inChannels, outChannels] = kernel.shape;
  if (k !== k2 || k % 2 !== 1) {
    throw new InvalidArgumentError(`sameConv2d needs an odd square kernel; got ${k}×${k2}.`);
  }
  if (x.shape[3] !== inChannels) {
    throw new InvalidArgumentError(
      `sameConv2d: input has ${x.shape[3]} channels, the kernel expects ${inChannels}.`,
    );
  }
  const op = tf.customGrad((...args: (Tensor | GradSaveFunc)[]) => {
    const [xs, ws, save] = args as [Tensor4D, Tensor4D, GradSaveFunc];
    save([xs, ws]);
    return {
      value: tf.conv2d(xs, ws, 1, 'same'),
      gradFunc: (dy, saved) => {
        const [xv, wv] = saved as [Tensor4D, Tensor4D];
        const dy4 = dy as Tensor4D;
        const [batch, height, width] = xv.shape;
        const dx = inputNeedsGradient
          ? tf.conv2d(dy4, tf.transpose(tf.reverse(wv, [0, 1]), [0, 1, 3, 2]), 1, 'same')
          : tf.zerosLike(xv);
        // Kernel gradient: dW = patchesᵀ · dy, one plain matrix product over a typed-array
        // im2col (tfjs slice/concat/transpose chains run element by element on wasm).
        const pixels = batch * height * width;
        const patches = patchColumns(
          xv.dataSync() as Float32Array,
          batch,
          height,
          width,
          inChannels,
          k,
        );
        const dw = tf.reshape(
          tf.matMul(
            tf.tensor2d(patches, [k * k * inChannels, pixels], 'float32'),
            tf.reshape(dy4, [pixels, outChannels]),
          ),
          [k, k, inChannels, outChannels],
        );
        return [dx, dw];
      },
    };
  });
  return op(x, kernel) as Tensor4D;
}
