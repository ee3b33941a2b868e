// The wasm backend must really compute, not just register: run a matmul against a plain
// JavaScript reference and differentiate through the tape on wasm kernels.
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend.js';
import { getTf } from '../src/tfjs.js';

beforeAll(async () => {
  await initBackend({ env: { MLSD_BACKEND: 'wasm' }, quiet: true });
});

describe('wasm backend', () => {
  it('is active', () => {
    expect(getTf().getBackend()).toBe('wasm');
  });

  it('computes a matmul that matches a JavaScript reference', async () => {
    const tf = getTf();
    const n = 48;
    const a = Float32Array.from({ length: n * n }, (_, i) => Math.sin(i));
    const b = Float32Array.from({ length: n * n }, (_, i) => Math.cos(i * 0.7));
    const product = tf.matMul(tf.tensor2d(a, [n, n]), tf.tensor2d(b, [n, n]));
    const actual = await product.data();
    let worst = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let expected = 0;
        for (let k = 0; k < n; k++) expected += a[i * n + k]! * b[k * n + j]!;
        worst = Math.max(worst, Math.abs(actual[i * n + j]! - expected));
      }
    }
    expect(worst).toBeLessThan(1e-4);
    const small = tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([5, 6], [2, 1]));
    expect([...(await small.data())]).toEqual([17, 39]);
  });

  it('computes a gradient with tf.grad', async () => {
    const tf = getTf();
    // logSigmoid carries its own gradient (customGrad), so this needs no gradient registry:
    // d/dx log(sigmoid(x)) = sigmoid(-x).
    const xs = [-3, -0.5, 0, 0.5, 3];
    const dx = tf.grad((x) => tf.logSigmoid(x))(tf.tensor1d(xs));
    const actual = await dx.data();
    xs.forEach((x, i) => {
      expect(actual[i]).toBeCloseTo(1 / (1 + Math.exp(x)), 5);
    });
  });

  it('differentiates through registered gradients (sum, square, matMul) on wasm', async () => {
    const tf = getTf();
    // d/dw sum((x·w)²) = 2·xᵀ(x·w): needs the Sum, Square and MatMul gradients, which the
    // Node build of tfjs-core does not register by itself.
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]);
    const w = tf.tensor2d([0.5, -1], [2, 1]);
    const dw = tf.grad((weights) => tf.sum(tf.square(tf.matMul(x, weights as typeof w))))(w);
    // x·w = [-1.5, -2.5, -3.5]; 2·xᵀ(x·w) = 2·[1·-1.5 + 3·-2.5 + 5·-3.5, 2·-1.5 + 4·-2.5 + 6·-3.5]
    expect([...(await dw.data())]).toEqual([-53, -68]);
  });
});
