import { getTf } from '@mlsd/tf/tfjs';
import type { Tensor, Tensor2D, Tensor4D, Variable } from '@tensorflow/tfjs-core';
import { denseMatMul } from '../embedding/dense-matmul.js';
import { activate } from '../embedding/layers-inference.js';
import { sameConv2d } from '../embedding/same-conv2d.js';
import type { FeaturePooling } from '../embedding/tfjs-embedder.js';
import type { BlockLayer, BlockStep, LastBlock } from './last-block.js';

// The TensorFlow.js side of TrainableBlock (its weights as tensors, its forward pass), kept out
// of that module so that the package's declarations name no tfjs type.

interface LayerState {
  layer: BlockLayer;
  /** Tensors by weight name: variables for trainable weights, constants for the others. */
  tensors: Map<string, Tensor>;
}

interface BlockState {
  inputShape: readonly number[];
  pooling: FeaturePooling;
  layers: LayerState[];
}

const STATES = new WeakMap<object, BlockState>();

function stateOf(owner: object): BlockState {
  const state = STATES.get(owner);
  if (state === undefined) throw new Error('This block has no weights (it was disposed).');
  return state;
}

/** Holds `block`'s weights as tensors for `owner`: variables for the trainable ones. */
export function createBlockTensors(owner: object, block: LastBlock, pooling: FeaturePooling): void {
  const tf = getTf();
  STATES.set(owner, {
    inputShape: block.inputShape.slice(),
    pooling,
    layers: block.layers.map((layer) => ({
      layer,
      tensors: new Map(
        layer.weights.map((weight) => {
          const value = tf.tensor(weight.values, weight.shape, 'float32');
          return [weight.name, weight.trainable ? tf.variable(value, true) : value];
        }),
      ),
    })),
  });
}

/** The weights training changes. */
export function blockVariables(owner: object): Variable[] {
  return stateOf(owner).layers.flatMap(({ layer, tensors }) =>
    layer.weights.filter((w) => w.trainable).map((w) => tensors.get(w.name) as Variable),
  );
}

/** `[n, inputDim]` features at the cut → `[n, dim]` unit rows; differentiable. */
export function applyBlock(owner: object, features: Tensor2D): Tensor2D {
  const tf = getTf();
  const { inputShape, pooling, layers } = stateOf(owner);
  const n = features.shape[0];
  let x: Tensor = tf.reshape(features, [n, ...inputShape]);
  for (const { layer, tensors } of layers) x = runLayer(layer.step, tensors, x);
  if (x.rank === 4) {
    x =
      pooling === 'flatten'
        ? tf.reshape(x, [n, -1])
        : pooling === 'max'
          ? tf.max(x, [1, 2])
          : tf.mean(x, [1, 2]);
  }
  const flat = tf.reshape(x, [n, -1]) as Tensor2D;
  return tf.div(flat, tf.sqrt(tf.add(tf.sum(tf.square(flat), 1, true), 1e-12))) as Tensor2D;
}

/** Length of the block's output (one image of zeros run through it). */
export function blockOutputDim(owner: object, inputDim: number): number {
  const tf = getTf();
  return tf.tidy(() => applyBlock(owner, tf.zeros([1, inputDim]) as Tensor2D).shape[1] ?? 0);
}

/** The layers with their current weights read back. */
export function readBlockLayers(owner: object): BlockLayer[] {
  return stateOf(owner).layers.map(({ layer, tensors }) => ({
    name: layer.name,
    step: layer.step,
    weights: layer.weights.map((weight) => ({
      ...weight,
      values: (tensors.get(weight.name)!.dataSync() as Float32Array).slice(),
    })),
  }));
}

/** `count` rows of features through {@link applyBlock}, in chunks; no gradients kept. */
export function runBlock(
  owner: object,
  features: Float32Array,
  count: number,
  inputDim: number,
  dim: number,
): Float32Array {
  const tf = getTf();
  const out = new Float32Array(count * dim);
  const chunk = 64;
  for (let start = 0; start < count; start += chunk) {
    const n = Math.min(chunk, count - start);
    const rows = tf.tidy(
      () =>
        applyBlock(
          owner,
          tf.tensor2d(
            features.subarray(start * inputDim, (start + n) * inputDim),
            [n, inputDim],
            'float32',
          ),
        ).dataSync() as Float32Array,
    );
    out.set(rows, start * dim);
  }
  return out;
}

/** Frees the block's tensors. */
export function disposeBlockTensors(owner: object): void {
  const state = STATES.get(owner);
  STATES.delete(owner);
  for (const { tensors } of state?.layers ?? [])
    for (const tensor of tensors.values()) tensor.dispose();
}

function runLayer(step: BlockStep, tensors: Map<string, Tensor>, x: Tensor): Tensor {
  const tf = getTf();
  const withBias = (y: Tensor) => {
    const bias = tensors.get('bias');
    return bias === undefined ? y : tf.add(y, bias);
  };
  switch (step.op) {
    case 'conv': {
      const kernel = tensors.get('kernel') as Tensor4D;
      const [n, h, w, c] = x.shape as [number, number, number, number];
      const out = kernel.shape[3];
      // A 1 × 1 convolution is a matrix product over pixels; its gradient then needs no
      // Conv2DBackpropFilter kernel, which the wasm backend lacks.
      const y =
        step.kernel === 1
          ? tf.reshape(
              denseMatMul(
                tf,
                tf.reshape(x, [n * h * w, c]) as Tensor2D,
                tf.reshape(kernel, [c, out]) as Tensor2D,
              ),
              [n, h, w, out],
            )
          : sameConv2d(tf, x as Tensor4D, kernel);
      return activate(withBias(y), step.activation);
    }
    case 'dense':
      return activate(
        withBias(denseMatMul(tf, x as Tensor2D, tensors.get('kernel') as Tensor2D)),
        step.activation,
      );
    case 'batch-norm': {
      const mean = tensors.get('moving_mean')!;
      const variance = tensors.get('moving_variance')!;
      let scale = tf.rsqrt(tf.add(variance, step.epsilon));
      const gamma = tensors.get('gamma');
      if (gamma !== undefined) scale = tf.mul(scale, gamma);
      const beta = tensors.get('beta');
      const shifted = tf.mul(tf.sub(x, mean), scale);
      return beta === undefined ? shifted : tf.add(shifted, beta);
    }
    case 'activation':
      return activate(x, step.activation);
    case 'global-pool':
      return step.mode === 'max' ? tf.max(x, [1, 2]) : tf.mean(x, [1, 2]);
    case 'flatten':
      return tf.reshape(x, [x.shape[0] ?? -1, -1]);
    case 'identity':
      return x;
  }
}
