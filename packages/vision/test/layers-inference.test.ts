import { fallbackCounts } from '@mlsd/core';
import { initBackend } from '@mlsd/tf';
import { getTf } from '@mlsd/tf/tfjs';
import type { Tensor } from '@tensorflow/tfjs-core';
import { input, type LayersModel, layers, model } from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  compileLayersInference,
  UnsupportedLayerError,
} from '../src/embedding/layers-inference.js';
import { parseImageSpec, TfjsImageEmbedder } from '../src/index.js';

/** Gives every batch norm of `net` non-trivial statistics, as a trained model has. */
function randomiseBatchNorms(net: LayersModel): void {
  const tf = getTf();
  let seed = 7;
  for (const layer of net.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    layer.setWeights(
      layer.getWeights().map((w, i) => {
        const values = tf.randomUniform(w.shape, 0.2, 1.5, 'float32', seed++);
        // beta and the moving mean may be negative; gamma and the variance stay positive.
        return i === 1 || i === 2 ? tf.sub(values, 0.8) : values;
      }),
    );
  }
}

/**
 * A small network with every fold the compiler makes and every layer class it runs: zero
 * padding into a valid stride-2 convolution, conv → BN → ReLU6, depthwise → BN → ReLU, a
 * residual add, concatenation, pooling, a dense layer with a BN after it, dropout (which keeps
 * the sigmoid after it a separate step).
 */
function network(): LayersModel {
  const x = input({ shape: [12, 10, 3] });
  const pad = layers
    .zeroPadding2d({
      padding: [
        [0, 1],
        [0, 1],
      ],
    })
    .apply(x);
  const conv = layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, useBias: false }).apply(pad);
  const bn = layers.batchNormalization({ epsilon: 1e-3 }).apply(conv);
  const relu6 = layers.reLU({ maxValue: 6 }).apply(bn);
  const dw = layers
    .depthwiseConv2d({ kernelSize: 3, padding: 'same', depthMultiplier: 2, useBias: false })
    .apply(relu6);
  const dwBn = layers.batchNormalization().apply(dw);
  const dwRelu = layers.activation({ activation: 'relu' }).apply(dwBn);
  const project = layers.conv2d({ filters: 8, kernelSize: 1, padding: 'same' }).apply(dwRelu);
  const projectBn = layers.batchNormalization().apply(project);
  const residual = layers.add().apply([relu6, projectBn] as never);
  const side = layers.conv2d({ filters: 4, kernelSize: 1, activation: 'tanh' }).apply(residual);
  const joined = layers.concatenate().apply([residual, side] as never);
  const pooled = layers.maxPooling2d({ poolSize: 2, padding: 'same' }).apply(joined);
  const averaged = layers.averagePooling2d({ poolSize: 2, strides: 1 }).apply(pooled);
  const global = layers.globalAveragePooling2d({}).apply(averaged);
  const dense = layers.dense({ units: 6 }).apply(global);
  const denseBn = layers.batchNormalization().apply(dense);
  const dropped = layers.dropout({ rate: 0.5 }).apply(denseBn);
  const out = layers.activation({ activation: 'sigmoid', name: 'out' }).apply(dropped);
  const net = model({ inputs: x, outputs: out as never });
  randomiseBatchNorms(net);
  return net;
}

function maxDifference(a: Tensor, b: Tensor): number {
  const x = a.dataSync();
  const y = b.dataSync();
  expect(x.length).toBe(y.length);
  let max = 0;
  for (let i = 0; i < x.length; i++) max = Math.max(max, Math.abs(x[i]! - y[i]!));
  return max;
}

describe('compileLayersInference', () => {
  beforeAll(async () => {
    await initBackend({ quiet: true });
  });

  it('gives the layers model its own outputs, with batch norms, activations and paddings folded', () => {
    const tf = getTf();
    const net = network();
    const plan = compileLayersInference(net);
    expect(plan.summary).toMatchObject({
      foldedBatchNorms: 4,
      fusedActivations: 2,
      mergedPaddings: 1,
    });
    const x = tf.randomNormal([3, 12, 10, 3], 0, 1, 'float32', 1);
    expect(maxDifference(plan.run(x), net.predict(x) as Tensor)).toBeLessThan(1e-5);
    // A named inner layer is an output too (here one whose batch norm then has no reader).
    const inner = compileLayersInference(net, net.layers[3]!.name);
    const reference = model({ inputs: net.inputs, outputs: net.layers[3]!.output as never });
    expect(maxDifference(inner.run(x), reference.predict(x) as Tensor)).toBeLessThan(1e-5);
    plan.dispose();
    inner.dispose();
  });

  it('frees every intermediate tensor and the folded weights', () => {
    const tf = getTf();
    const net = network();
    const x = tf.randomNormal([2, 12, 10, 3], 0, 1, 'float32', 2);
    const before = tf.memory().numTensors;
    const plan = compileLayersInference(net);
    const out = plan.run(x);
    out.dispose();
    plan.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a layer class it does not know, and the embedder then runs tfjs-layers (counted)', () => {
    const x = input({ shape: [8, 8, 3] });
    const up = layers.upSampling2d({ size: [2, 2] }).apply(x);
    const pooled = layers.globalAveragePooling2d({}).apply(up);
    const net = model({ inputs: x, outputs: pooled as never });
    expect(() => compileLayersInference(net)).toThrow(UnsupportedLayerError);
    expect(() => compileLayersInference(net)).toThrow(/UpSampling2D/);
    const before = fallbackCounts()['vision.compileLayers'] ?? 0;
    const embedder = new TfjsImageEmbedder(
      net,
      parseImageSpec({ width: 8, height: 8, channels: 3 }),
    );
    expect(embedder.compiled).toBeUndefined();
    expect(embedder.dim).toBe(3);
    expect(fallbackCounts()['vision.compileLayers']).toBe(before + 1);
  });
});
