import { initBackend } from '@mlsd/tf';
import { getTf } from '@mlsd/tf/tfjs';
import type { Tensor, Tensor4D } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { sameConv2d } from '../src/embedding/same-conv2d.js';

describe('sameConv2d', () => {
  beforeAll(async () => {
    // The cpu backend has tfjs' own conv2d gradients to compare against.
    await initBackend({ prefer: 'cpu', quiet: true });
  });

  it.each([
    [3, 1, 4],
    [3, 5, 3],
    [5, 2, 6],
  ])('matches tf.conv2d and its gradients (k=%i, %i→%i channels)', (k, inC, outC) => {
    const tf = getTf();
    const x = tf.randomNormal([2, 7, 6, inC], 0, 1, 'float32', 1) as Tensor4D;
    const w = tf.randomNormal([k, k, inC, outC], 0, 1, 'float32', 2) as Tensor4D;
    const upstream = tf.randomNormal([2, 7, 6, outC], 0, 1, 'float32', 3);
    const loss =
      (conv: (a: Tensor4D, b: Tensor4D) => Tensor4D) =>
      (...args: Tensor[]) =>
        tf.sum(tf.mul(conv(args[0] as Tensor4D, args[1] as Tensor4D), upstream));
    const ours = tf.grads(loss((a, b) => sameConv2d(tf, a, b)))([x, w]);
    const reference = tf.grads(loss((a, b) => tf.conv2d(a, b, 1, 'same')))([x, w]);
    const close = (a: Float32Array | Int32Array | Uint8Array, b: typeof a) =>
      Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));
    expect(
      close(sameConv2d(tf, x, w).dataSync(), tf.conv2d(x, w, 1, 'same').dataSync()),
    ).toBeLessThan(1e-5);
    expect(close(ours[0]!.dataSync(), reference[0]!.dataSync())).toBeLessThan(1e-4);
    expect(close(ours[1]!.dataSync(), reference[1]!.dataSync())).toBeLessThan(1e-4);
  });

  it('skips the input gradient for a first layer', () => {
    const tf = getTf();
    const x = tf.ones([1, 4, 4, 1]) as Tensor4D;
    const w = tf.ones([3, 3, 1, 2]) as Tensor4D;
    const [dx] = tf.grads((...args: Tensor[]) =>
      tf.sum(sameConv2d(tf, args[0] as Tensor4D, args[1] as Tensor4D, false)),
    )([x, w]);
    expect(Math.max(...dx!.dataSync())).toBe(0);
  });

  it('refuses even kernels and mismatched channels', () => {
    const tf = getTf();
    const x = tf.zeros([1, 4, 4, 2]) as Tensor4D;
    expect(() => sameConv2d(tf, x, tf.zeros([2, 2, 2, 1]) as Tensor4D)).toThrow(/odd square/);
    expect(() => sameConv2d(tf, x, tf.zeros([3, 3, 1, 1]) as Tensor4D)).toThrow(/2 channels/);
  });
});
