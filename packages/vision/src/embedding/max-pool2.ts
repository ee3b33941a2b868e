import type { Tf } from '@mlsd/tf/tfjs';
import type { GradSaveFunc, Tensor, Tensor4D } from '@tensorflow/tfjs-core';

/**
 * 2×2 max-pooling with stride 2 and 'valid' padding (a trailing odd row or column is dropped),
 * the same as `tf.maxPool(x, 2, 2, 'valid')`, whose gradient is computed in one pass over
 * typed arrays: each output's gradient goes to the first largest value of its window
 * (row-major), as tfjs' own kernels do. The WebAssembly backend's `MaxPoolGrad` is several
 * times slower.
 * @param x NHWC input.
 */
export function maxPool2(tf: Tf, x: Tensor4D): Tensor4D {
  const op = tf.customGrad((...args: (Tensor | GradSaveFunc)[]) => {
    const [input, save] = args as [Tensor4D, GradSaveFunc];
    save([input]);
    return {
      value: tf.maxPool(input, 2, 2, 'valid'),
      gradFunc: (dy, saved) => {
        const [xv] = saved as [Tensor4D];
        const [batch, height, width, channels] = xv.shape;
        const values = xv.dataSync() as Float32Array;
        const upstream = (dy as Tensor).dataSync() as Float32Array;
        return tf.tensor4d(
          routeToMaxima(values, upstream, batch, height, width, channels),
          xv.shape,
          'float32',
        );
      },
    };
  });
  return op(x) as Tensor4D;
}

/** The input gradient of 2×2/2 max-pooling: `dy` of each window placed at its first maximum. */
function routeToMaxima(
  x: Float32Array,
  dy: Float32Array,
  batch: number,
  height: number,
  width: number,
  channels: number,
): Float32Array {
  const dx = new Float32Array(x.length);
  const outHeight = height >> 1;
  const outWidth = width >> 1;
  const rowStride = width * channels;
  let o = 0;
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++) {
        const topLeft = ((b * height + 2 * oy) * width + 2 * ox) * channels;
        for (let c = 0; c < channels; c++, o++) {
          let at = topLeft + c;
          let best = x[at]!;
          const right = at + channels;
          if (x[right]! > best) {
            best = x[right]!;
            at = right;
          }
          const below = topLeft + c + rowStride;
          if (x[below]! > best) {
            best = x[below]!;
            at = below;
          }
          if (x[below + channels]! > best) at = below + channels;
          dx[at] = dy[o]!;
        }
      }
    }
  }
  return dx;
}
