import { InvalidArgumentError, InvalidDataError, Rng } from '@mlsd/core';
import { getTf } from '@mlsd/tf/tfjs';
import type { Tensor, Tensor2D, Variable } from '@tensorflow/tfjs-core';
import { layers, sequential } from '@tensorflow/tfjs-layers';
import { denseMatMul } from '../embedding/dense-matmul.js';
import {
  cosineRate,
  countClasses,
  normalizedSoftmaxLoss,
} from '../embedding/normalized-softmax.js';
import type { EpochReport } from '../embedding/train-embedder.js';
import type { LayersModelHandle } from '../model-handle.js';
import { applyBlock, blockVariables as trainableBlockVariables } from './block-ops.js';
import type { TrainableBlock } from './trainable-block.js';

/** Options of {@link trainProjectionHead}. */
export interface TrainHeadOptions {
  /**
   * Backbone features, `labels.length × inputDim` values (unit rows, as embedders return); with
   * `block`, the backbone's feature maps at the block's cut.
   */
  features: Float32Array;
  inputDim: number;
  /**
   * A backbone's last block to train with the head (its weights change in place); the head
   * then reads the block's pooled, unit-length output.
   */
  block?: TrainableBlock;
  /** Peak Adam learning rate of the block's weights; default a tenth of `learningRate`. */
  blockLearningRate?: number;
  /**
   * With `block`: epochs the head first trains alone on the block's pretrained output (computed
   * once, so these epochs cost what head-only epochs cost) before the block trains with it, as
   * fine-tuning should start from a trained head; default three quarters of `epochs`.
   */
  blockWarmupEpochs?: number;
  /** Class of each row, 0 .. classes − 1. */
  labels: ArrayLike<number>;
  /** Units of the hidden ReLU layer; 0 trains a linear projection. Default 512. */
  hidden?: number;
  /** Embedding length; default 128. */
  dim?: number;
  /** Passes over the features; default 30 (an epoch of cached features takes seconds). */
  epochs?: number;
  /** Rows per step; default 256. */
  batchSize?: number;
  /** Peak Adam learning rate, decayed along a half cosine; default 0.002. */
  learningRate?: number;
  /** Scale of the normalised-softmax logits; default 16. */
  scale?: number;
  /** Dropout on the hidden layer; default 0.1. */
  dropout?: number;
  seed?: number;
  onEpoch?: (report: EpochReport) => void;
}

/** What {@link trainProjectionHead} returns. */
export interface TrainedHead {
  /** The head as a tfjs-layers model: `[n, inputDim] → [n, dim]` (normalise its rows). */
  model: LayersModelHandle;
  history: EpochReport[];
  /** The resolved settings, to store with the head. */
  params: Record<string, unknown>;
}

/**
 * Trains a projection head on frozen backbone features with the normalised-softmax loss the
 * shipped Fashion-MNIST embedder uses: dense → ReLU → dropout → dense to `dim`. The features
 * are computed once (see `cachedBackboneFeatures`), so an epoch is a few matrix products.
 * @throws InvalidDataError when features and labels disagree, or for a bad label.
 */
export async function trainProjectionHead(options: TrainHeadOptions): Promise<TrainedHead> {
  const tf = getTf();
  const { inputDim } = options;
  const count = options.labels.length;
  if (options.features.length !== count * inputDim) {
    throw new InvalidDataError(
      `trainProjectionHead: ${count} labels need ${count * inputDim} feature values, got ${options.features.length}.`,
    );
  }
  const classes = countClasses(options.labels, 'trainProjectionHead');
  const hidden = options.hidden ?? 512;
  const dim = options.dim ?? 128;
  const epochs = options.epochs ?? 30;
  const batchSize = Math.min(options.batchSize ?? 256, count);
  const learningRate = options.learningRate ?? 0.002;
  const scale = options.scale ?? 16;
  const dropout = options.dropout ?? 0.1;
  const seed = options.seed ?? 0;
  const block = options.block;
  const blockLearningRate = options.blockLearningRate ?? learningRate / 10;
  if (block !== undefined && block.inputDim !== inputDim) {
    throw new InvalidDataError(
      `trainProjectionHead: the block reads ${block.inputDim} values per image, inputDim is ${inputDim}.`,
    );
  }
  const headInput = block?.dim ?? inputDim;
  const warmup =
    block === undefined
      ? 0
      : Math.min(epochs, options.blockWarmupEpochs ?? Math.floor((epochs * 3) / 4));
  if (!Number.isInteger(warmup) || warmup < 0) {
    throw new InvalidArgumentError(
      `blockWarmupEpochs must be a non-negative integer, got ${warmup}.`,
    );
  }
  // The block's pretrained output, which the head warms up on (unit rows, `headInput` each).
  const frozen = warmup > 0 && block !== undefined ? block.run(options.features, count) : undefined;
  for (const [name, value] of [
    ['epochs', epochs],
    ['batchSize', batchSize],
    ['dim', dim],
  ] as const) {
    if (!Number.isInteger(value) || value < 1) {
      throw new InvalidArgumentError(`${name} must be a positive integer, got ${value}.`);
    }
  }
  const initializer = (offset: number) =>
    ({ className: 'GlorotNormal', config: { seed: seed * 16 + offset } }) as never;
  const model = sequential({
    layers: [
      ...(hidden > 0
        ? [
            layers.dense({
              inputShape: [headInput],
              units: hidden,
              activation: 'relu',
              kernelInitializer: initializer(1),
            }),
          ]
        : []),
      layers.dense({
        ...(hidden > 0 ? {} : { inputShape: [headInput] }),
        units: dim,
        kernelInitializer: initializer(2),
      }),
    ],
  });
  const weights = model.trainableWeights.map((weight) => weight.read() as Variable);
  const proxies = tf.variable(tf.randomNormal([dim, classes], 0, 1, 'float32', seed + 7));
  const blockVariables = block === undefined ? [] : trainableBlockVariables(block);
  const headVariables = [...weights, proxies];
  const variables = [...headVariables, ...blockVariables];
  const optimizer = tf.train.adam(learningRate);
  const blockOptimizer = tf.train.adam(blockLearningRate);
  const blockNames = new Set(blockVariables.map((variable) => variable.name));
  const rng = new Rng(seed);
  const order = Int32Array.from({ length: count }, (_, i) => i);
  const batch = new Float32Array(batchSize * Math.max(inputDim, headInput));
  const batchLabels = new Int32Array(batchSize);
  const stepsPerEpoch = Math.floor(count / batchSize);
  const warmupSteps = warmup * stepsPerEpoch;
  const history: EpochReport[] = [];
  let step = 0;
  const forward = (input: Tensor2D, tuning: boolean, dropoutSeed: number): Tensor2D => {
    const x = tuning && block !== undefined ? applyBlock(block, input) : input;
    if (hidden === 0) return tf.add(denseMatMul(tf, x, weights[0] as Tensor2D), weights[1]!);
    let h = tf.relu(tf.add(denseMatMul(tf, x, weights[0] as Tensor2D), weights[1]!)) as Tensor2D;
    if (dropout > 0) h = tf.dropout(h, dropout, undefined, dropoutSeed) as Tensor2D;
    return tf.add(denseMatMul(tf, h, weights[2] as Tensor2D), weights[3]!) as Tensor2D;
  };
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      const started = performance.now();
      rng.shuffle(order);
      let lossSum = 0;
      const tuning = block !== undefined && epoch >= warmup;
      const source = tuning || frozen === undefined ? options.features : frozen;
      const width = tuning || frozen === undefined ? inputDim : headInput;
      for (let start = 0; start + batchSize <= count; start += batchSize) {
        for (let i = 0; i < batchSize; i++) {
          const row = order[start + i]!;
          batch.set(source.subarray(row * width, (row + 1) * width), i * width);
          batchLabels[i] = options.labels[row]!;
        }
        (optimizer as unknown as { learningRate: number }).learningRate = cosineRate(
          learningRate,
          step,
          epochs * stepsPerEpoch,
        );
        (blockOptimizer as unknown as { learningRate: number }).learningRate = cosineRate(
          blockLearningRate,
          step - warmupSteps,
          (epochs - warmup) * stepsPerEpoch,
        );
        const { value, grads } = tf.variableGrads(
          () => {
            const x = tf.tensor2d(batch.subarray(0, batchSize * width), [batchSize, width]);
            const embedding = forward(x, tuning, seed * 1_000_003 + step * 64);
            return normalizedSoftmaxLoss(tf, embedding, proxies, batchLabels, classes, scale);
          },
          tuning ? variables : headVariables,
        );
        const headGrads: Record<string, Tensor> = {};
        const blockGrads: Record<string, Tensor> = {};
        for (const [name, grad] of Object.entries(grads)) {
          (blockNames.has(name) ? blockGrads : headGrads)[name] = grad;
        }
        optimizer.applyGradients(headGrads as Parameters<typeof optimizer.applyGradients>[0]);
        if (tuning) {
          blockOptimizer.applyGradients(
            blockGrads as Parameters<typeof blockOptimizer.applyGradients>[0],
          );
        }
        lossSum += value.dataSync()[0]!;
        tf.dispose([value, ...Object.values(grads)]);
        step++;
      }
      const report = {
        epoch,
        loss: lossSum / Math.max(1, stepsPerEpoch),
        seconds: (performance.now() - started) / 1000,
      };
      history.push(report);
      options.onEpoch?.(report);
    }
  } finally {
    proxies.dispose();
    optimizer.dispose();
    blockOptimizer.dispose();
  }
  return {
    model,
    history,
    params: {
      inputDim,
      hidden,
      dim,
      epochs,
      batchSize,
      learningRate,
      schedule: 'cosine',
      scale,
      dropout,
      seed,
      ...(block === undefined
        ? {}
        : { lastBlock: block.cutLayer, blockLearningRate, blockWarmupEpochs: warmup }),
      loss: 'normalised-softmax',
      examples: count,
      classes,
    },
  };
}
