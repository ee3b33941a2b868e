import { initBackend } from '@mlsd/tf';
import { getTf } from '@mlsd/tf/tfjs';
import type { Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { denseMatMul } from '../src/embedding/dense-matmul.js';

describe('denseMatMul', () => {
  beforeAll(async () => {
    await initBackend({ prefer: 'cpu', quiet: true });
  });

  it('matches tf.matMul and its gradients', () => {
    const tf = getTf();
    const a = tf.randomNormal([5, 7], 0, 1, 'float32', 1) as Tensor2D;
    const b = tf.randomNormal([7, 3], 0, 1, 'float32', 2) as Tensor2D;
    const upstream = tf.randomNormal([5, 3], 0, 1, 'float32', 3);
    const loss =
      (product: (x: Tensor2D, y: Tensor2D) => Tensor2D) =>
      (...args: Tensor[]) =>
        tf.sum(tf.mul(product(args[0] as Tensor2D, args[1] as Tensor2D), upstream));
    const ours = tf.grads(loss((x, y) => denseMatMul(tf, x, y)))([a, b]);
    const reference = tf.grads(loss((x, y) => tf.matMul(x, y)))([a, b]);
    const gap = (x: Tensor, y: Tensor) =>
      Math.max(...Array.from(x.dataSync(), (v, i) => Math.abs(v - y.dataSync()[i]!)));
    expect(gap(denseMatMul(tf, a, b), tf.matMul(a, b))).toBeLessThan(1e-5);
    expect(ours[0]!.shape).toEqual([5, 7]);
    expect(ours[1]!.shape).toEqual([7, 3]);
    expect(gap(ours[0]!, reference[0]!)).toBeLessThan(1e-5);
    expect(gap(ours[1]!, reference[1]!)).toBeLessThan(1e-5);
  });
});
