import { initBackend } from '@mlsd/tf';
import { getTf } from '@mlsd/tf/tfjs';
import type { Tensor, Tensor4D } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { maxPool2 } from '../src/embedding/max-pool2.js';

const largestGap = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let gap = 0;
  for (let i = 0; i < a.length; i++) gap = Math.max(gap, Math.abs(a[i]! - b[i]!));
  return gap;
};

describe('maxPool2', () => {
  beforeAll(async () => {
    // The cpu backend has tfjs' own max-pool gradient to compare against.
    await initBackend({ prefer: 'cpu', quiet: true });
  });

  it.each([
    [2, 8, 6, 3],
    [1, 7, 5, 2],
  ])(
    'matches tf.maxPool 2×2/2 and its gradient (%i×%i×%i×%i, odd sizes drop the last row)',
    (n, h, w, c) => {
      const tf = getTf();
      const x = tf.randomNormal([n, h, w, c], 0, 1, 'float32', 5) as Tensor4D;
      const outShape = [n, h >> 1, w >> 1, c];
      const upstream = tf.randomNormal(outShape, 0, 1, 'float32', 6);
      const ours = maxPool2(tf, x);
      const reference = tf.maxPool(x, 2, 2, 'valid');
      expect(ours.shape).toEqual(outShape);
      expect(largestGap(ours.dataSync(), reference.dataSync())).toBe(0);
      const grad = (pool: (a: Tensor4D) => Tensor4D) =>
        tf
          .grad((a: Tensor) => tf.sum(tf.mul(pool(a as Tensor4D), upstream)))(x)
          .dataSync();
      expect(
        largestGap(
          grad((a) => maxPool2(tf, a)),
          grad((a) => tf.maxPool(a, 2, 2, 'valid')),
        ),
      ).toBe(0);
    },
  );

  it('sends each window gradient to exactly one position', () => {
    const tf = getTf();
    // Ties (ReLU zeros) must not double the gradient.
    const x = tf.zeros([1, 4, 4, 1]) as Tensor4D;
    const dx = tf
      .grad((a: Tensor) => tf.sum(maxPool2(tf, a as Tensor4D)))(x)
      .dataSync();
    expect(Array.from(dx).reduce((s, v) => s + v, 0)).toBe(4);
    expect(Array.from(dx).filter((v) => v !== 0)).toHaveLength(4);
  });
});
