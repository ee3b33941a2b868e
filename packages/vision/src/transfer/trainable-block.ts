import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CorruptFileError, writeFileAtomic } from '@mlsd/core';
import { getTf } from '@mlsd/tf/tfjs';
import type { Tensor, Tensor2D, Tensor4D, Variable } from '@tensorflow/tfjs-core';
import { denseMatMul } from '../embedding/dense-matmul.js';
import { activate } from '../embedding/layers-inference.js';
import { sameConv2d } from '../embedding/same-conv2d.js';
import type { FeaturePooling } from '../embedding/tfjs-embedder.js';
import type { BlockLayer, BlockStep, LastBlock } from './last-block.js';

const BLOCK_JSON = 'block.json';
const BLOCK_BIN = 'block.bin';
const BLOCK_FORMAT = 1;

/** block.json: the block's layers, their weights' names and shapes, in block.bin's order. */
interface BlockFile {
  format: number;
  cutLayer: string;
  inputShape: number[];
  pooling: FeaturePooling;
  layers: {
    name: string;
    step: BlockStep;
    weights: { name: string; shape: number[]; trainable: boolean }[];
  }[];
}

interface LayerState {
  layer: BlockLayer;
  /** Tensors by weight name: variables for trainable weights, constants for the others. */
  tensors: Map<string, Tensor>;
}

/**
 * A backbone's last block ({@link LastBlock}) held as TensorFlow.js variables, trainable on any
 * backend (1 × 1 convolutions are matrix products, larger ones `sameConv2d`; batch norms keep
 * their moving statistics, as fine-tuning on small batches should). Its output, pooled when it
 * is still a feature map and scaled to unit length, is what the projection head reads: with the
 * pretrained weights it equals the frozen backbone's features.
 */
export class TrainableBlock {
  readonly cutLayer: string;
  readonly inputShape: readonly number[];
  /** Values per image at the cut (the product of `inputShape`). */
  readonly inputDim: number;
  /** Length of the block's (pooled) output. */
  readonly dim: number;
  readonly pooling: FeaturePooling;
  readonly #layers: LayerState[];

  /** @param pooling - how a feature-map output becomes a vector, as the backbone pools. */
  constructor(block: LastBlock, pooling: FeaturePooling = 'avg') {
    const tf = getTf();
    this.cutLayer = block.cutLayer;
    this.inputShape = block.inputShape.slice();
    this.inputDim = block.inputShape.reduce((a, b) => a * b, 1);
    this.pooling = pooling;
    this.#layers = block.layers.map((layer) => ({
      layer,
      tensors: new Map(
        layer.weights.map((weight) => {
          const value = tf.tensor(weight.values, weight.shape, 'float32');
          return [weight.name, weight.trainable ? tf.variable(value, true) : value];
        }),
      ),
    }));
    this.dim = tf.tidy(() => this.apply(tf.zeros([1, this.inputDim]) as Tensor2D).shape[1] ?? 0);
  }

  /** The weights training changes. */
  get trainableVariables(): Variable[] {
    return this.#layers.flatMap(({ layer, tensors }) =>
      layer.weights.filter((w) => w.trainable).map((w) => tensors.get(w.name) as Variable),
    );
  }

  /** `[n, inputDim]` features at the cut → `[n, dim]` unit rows; differentiable. */
  apply(features: Tensor2D): Tensor2D {
    const tf = getTf();
    const n = features.shape[0];
    let x: Tensor = tf.reshape(features, [n, ...this.inputShape]);
    for (const { layer, tensors } of this.#layers) x = runLayer(layer.step, tensors, x);
    if (x.rank === 4) {
      x =
        this.pooling === 'flatten'
          ? tf.reshape(x, [n, -1])
          : this.pooling === 'max'
            ? tf.max(x, [1, 2])
            : tf.mean(x, [1, 2]);
    }
    const flat = tf.reshape(x, [n, -1]) as Tensor2D;
    return tf.div(flat, tf.sqrt(tf.add(tf.sum(tf.square(flat), 1, true), 1e-12))) as Tensor2D;
  }

  /** {@link apply} on a typed array of `count` rows, in chunks; no gradients kept. */
  run(features: Float32Array, count: number): Float32Array {
    const tf = getTf();
    const out = new Float32Array(count * this.dim);
    const chunk = 64;
    for (let start = 0; start < count; start += chunk) {
      const n = Math.min(chunk, count - start);
      const rows = tf.tidy(
        () =>
          this.apply(
            tf.tensor2d(
              features.subarray(start * this.inputDim, (start + n) * this.inputDim),
              [n, this.inputDim],
              'float32',
            ),
          ).dataSync() as Float32Array,
      );
      out.set(rows, start * this.dim);
    }
    return out;
  }

  /** The block with its current weights, as plain data. */
  toLastBlock(): LastBlock {
    return {
      cutLayer: this.cutLayer,
      inputShape: this.inputShape.slice(),
      layers: this.#layers.map(({ layer, tensors }) => ({
        name: layer.name,
        step: layer.step,
        weights: layer.weights.map((weight) => ({
          ...weight,
          values: (tensors.get(weight.name)!.dataSync() as Float32Array).slice(),
        })),
      })),
    };
  }

  /** The bytes `saveTo` writes (block.json, block.bin), also what versions the block. */
  serialize(): { json: string; bin: Uint8Array } {
    const block = this.toLastBlock();
    const file: BlockFile = {
      format: BLOCK_FORMAT,
      cutLayer: block.cutLayer,
      inputShape: block.inputShape,
      pooling: this.pooling,
      layers: block.layers.map((layer) => ({
        name: layer.name,
        step: layer.step,
        weights: layer.weights.map(({ name, shape, trainable }) => ({ name, shape, trainable })),
      })),
    };
    const values = block.layers.flatMap((layer) => layer.weights.map((w) => w.values));
    const bin = new Float32Array(values.reduce((sum, v) => sum + v.length, 0));
    let offset = 0;
    for (const v of values) {
      bin.set(v, offset);
      offset += v.length;
    }
    return { json: `${JSON.stringify(file)}\n`, bin: new Uint8Array(bin.buffer) };
  }

  /** Writes block.json and block.bin into `dir`. */
  async saveTo(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true });
    const { json, bin } = this.serialize();
    // Weights first: a block.json naming weights that are not written yet fails the size check.
    await writeFileAtomic(join(dir, BLOCK_BIN), bin);
    await writeFileAtomic(join(dir, BLOCK_JSON), json);
  }

  /**
   * Reads a block `saveTo` wrote.
   * @throws CorruptFileError when the files are unreadable or disagree in size.
   */
  static async load(dir: string): Promise<TrainableBlock> {
    const jsonPath = join(dir, BLOCK_JSON);
    let file: BlockFile;
    let bytes: Buffer;
    try {
      file = JSON.parse(await readFile(jsonPath, 'utf8')) as BlockFile;
      bytes = await readFile(join(dir, BLOCK_BIN));
    } catch (error) {
      throw new CorruptFileError(
        `The trained last block in ${dir} cannot be read: ${(error as Error).message}`,
        { file: jsonPath },
      );
    }
    const sizes = file.layers.flatMap((layer) =>
      layer.weights.map((w) => w.shape.reduce((a, b) => a * b, 1)),
    );
    const total = sizes.reduce((a, b) => a + b, 0);
    if (file.format !== BLOCK_FORMAT || bytes.byteLength !== total * 4) {
      throw new CorruptFileError(
        `${jsonPath} (format ${file.format}) describes ${total * 4} weight bytes; ${BLOCK_BIN} has ${bytes.byteLength}.`,
        { file: jsonPath },
      );
    }
    const values = new Float32Array(total);
    new Uint8Array(values.buffer).set(bytes);
    let offset = 0;
    const layers = file.layers.map((layer) => ({
      name: layer.name,
      step: layer.step,
      weights: layer.weights.map((weight) => {
        const size = weight.shape.reduce((a, b) => a * b, 1);
        const part = values.subarray(offset, offset + size);
        offset += size;
        return { ...weight, values: part };
      }),
    }));
    return new TrainableBlock(
      { cutLayer: file.cutLayer, inputShape: file.inputShape, layers },
      file.pooling,
    );
  }

  dispose(): void {
    for (const { tensors } of this.#layers) for (const tensor of tensors.values()) tensor.dispose();
  }
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
