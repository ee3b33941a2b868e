import { getTf, InvalidArgumentError, InvalidDataError, Rng } from '@mlsd/core';
import type { Scalar, Tensor2D, Tensor4D, Variable } from '@tensorflow/tfjs-core';
import { type LayersModel, layers, sequential } from '@tensorflow/tfjs-layers';
import { type AugmentOptions, augmentBatch } from '../augment.js';
import { type ImageSpec, imageSize } from '../image-spec.js';
import { sameConv2d } from './same-conv2d.js';

/** Shape of the embedding network: two 3×3 conv blocks, a hidden layer, a linear projection. */
export interface EmbedderArchitecture {
  /** Filters of the two conv blocks (each conv → ReLU → 2×2 max-pool); default [16, 32]. */
  filters?: [number, number];
  /** Units of the hidden dense layer; default 128. */
  hidden?: number;
  /** Embedding length; default 64. */
  dim?: number;
}

/** Options of {@link trainImageEmbedder}. */
export interface TrainEmbedderOptions {
  /** Preprocessed images, `count × imageSize(spec)` values (see `decodeImage`). */
  images: Float32Array;
  /** Class of each image, 0 .. classes − 1. */
  labels: ArrayLike<number>;
  spec: ImageSpec;
  architecture?: EmbedderArchitecture;
  /** Passes over the data; default 6. */
  epochs?: number;
  /** Images per step; default 256. */
  batchSize?: number;
  /** Adam learning rate; default 0.002, halved for the last third of the epochs. */
  learningRate?: number;
  /** Scale (inverse temperature) of the normalised-softmax logits; default 16. */
  scale?: number;
  /** Dropout before the projection; default 0.2. */
  dropout?: number;
  /** Random shifts/flips/... per batch, or false (default false). */
  augment?: AugmentOptions | false;
  /** Seed of the initial weights, the batch order, dropout and augmentation; default 0. */
  seed?: number;
  /** Called after each epoch. */
  onEpoch?: (epoch: EpochReport) => void;
  /** Called after each step with the number of images seen in the current epoch. */
  onStep?: (imagesDone: number) => void;
}

/** One epoch of training. */
export interface EpochReport {
  epoch: number;
  /** Mean normalised-softmax loss over the epoch's batches. */
  loss: number;
  seconds: number;
}

/** What {@link trainImageEmbedder} returns. */
export interface TrainedEmbedder {
  /** The network for inference (a plain tfjs-layers model; normalise its output rows). */
  model: LayersModel;
  history: EpochReport[];
  /** The resolved training parameters, to store with the model. */
  params: Record<string, unknown>;
}

/**
 * Builds the embedding network as a standard tfjs-layers model (so it saves and loads as any
 * TensorFlow.js layers model): conv 3×3 → ReLU → max-pool 2, twice, then flatten → dense + ReLU →
 * dense projection to `dim`.
 */
export function buildEmbedderNetwork(
  spec: ImageSpec,
  architecture: EmbedderArchitecture = {},
  seed = 0,
): LayersModel {
  const [f1, f2] = architecture.filters ?? [16, 32];
  const hidden = architecture.hidden ?? 128;
  const dim = architecture.dim ?? 64;
  // Seeded initialisers, so the same seed gives the same starting weights.
  const initializer = (className: 'HeNormal' | 'GlorotNormal', offset: number) =>
    ({ className, config: { seed: seed * 16 + offset } }) as never;
  return sequential({
    layers: [
      layers.conv2d({
        inputShape: [spec.height, spec.width, spec.channels],
        filters: f1,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: initializer('HeNormal', 1),
      }),
      layers.maxPooling2d({ poolSize: 2, strides: 2 }),
      layers.conv2d({
        filters: f2,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: initializer('HeNormal', 2),
      }),
      layers.maxPooling2d({ poolSize: 2, strides: 2 }),
      layers.flatten(),
      layers.dense({
        units: hidden,
        activation: 'relu',
        kernelInitializer: initializer('HeNormal', 3),
      }),
      layers.dense({
        units: dim,
        kernelInitializer: initializer('GlorotNormal', 4),
      }),
    ],
  });
}

/**
 * Trains an image embedder with a normalised-softmax (proxy) loss: each class has a learned
 * unit vector, logits are `scale · cos(embedding, class vector)`, and cross-entropy pulls each
 * image towards its class vector and away from the others (Wang et al., *NormFace*, 2017;
 * Zhai & Wu, *Classification is a Strong Baseline for Deep Metric Learning*, 2019). The
 * convolutions train through {@link sameConv2d}, so this runs on the WebAssembly backend.
 * @throws InvalidDataError when images and labels disagree in count, or a label is out of range.
 */
export async function trainImageEmbedder(options: TrainEmbedderOptions): Promise<TrainedEmbedder> {
  const tf = getTf();
  const { spec } = options;
  const size = imageSize(spec);
  const count = options.labels.length;
  if (options.images.length !== count * size) {
    throw new InvalidDataError(
      `trainImageEmbedder: ${count} labels need ${count * size} image values, got ${options.images.length}.`,
    );
  }
  let classes = 0;
  for (let i = 0; i < count; i++) {
    const label = options.labels[i]!;
    if (!Number.isInteger(label) || label < 0) {
      throw new InvalidDataError(
        `trainImageEmbedder: label ${i} is ${label}; labels are 0, 1, 2, ...`,
      );
    }
    classes = Math.max(classes, label + 1);
  }
  if (classes < 2) throw new InvalidDataError('trainImageEmbedder: need at least two classes.');
  const epochs = options.epochs ?? 6;
  const batchSize = Math.min(options.batchSize ?? 256, count);
  const learningRate = options.learningRate ?? 0.002;
  const scale = options.scale ?? 16;
  const dropout = options.dropout ?? 0.2;
  const seed = options.seed ?? 0;
  if (!Number.isInteger(epochs) || epochs < 1 || !Number.isInteger(batchSize) || batchSize < 1) {
    throw new InvalidArgumentError(
      `epochs and batchSize must be positive integers, got ${epochs} and ${batchSize}.`,
    );
  }
  const architecture = {
    filters: options.architecture?.filters ?? [16, 32],
    hidden: options.architecture?.hidden ?? 128,
    dim: options.architecture?.dim ?? 64,
  } satisfies Required<EmbedderArchitecture>;
  const model = buildEmbedderNetwork(spec, architecture, seed);
  const weights = model.trainableWeights.map((weight) => weight.read() as Variable);
  const [k1, b1, k2, b2, w3, b3, w4, b4] = weights as [
    Variable,
    Variable,
    Variable,
    Variable,
    Variable,
    Variable,
    Variable,
    Variable,
  ];
  const proxies = tf.variable(
    tf.randomNormal([architecture.dim, classes], 0, 1, 'float32', seed + 7),
  );
  const optimizer = tf.train.adam(learningRate);
  const rng = new Rng(seed);
  const order = Int32Array.from({ length: count }, (_, i) => i);
  const history: EpochReport[] = [];
  const batch = new Float32Array(batchSize * size);
  const batchLabels = new Int32Array(batchSize);

  const forward = (x: Tensor4D, step: number): Tensor2D => {
    const block = (input: Tensor4D, kernel: Variable, bias: Variable, first: boolean): Tensor4D =>
      tf.maxPool(
        tf.relu(tf.add(sameConv2d(tf, input, kernel as Tensor4D, !first), bias)) as Tensor4D,
        2,
        2,
        'valid',
      );
    const h = block(block(x, k1, b1, true), k2, b2, false);
    let flat = tf.relu(tf.add(tf.matMul(tf.reshape(h, [h.shape[0], -1]), w3), b3)) as Tensor2D;
    if (dropout > 0)
      flat = tf.dropout(flat, dropout, undefined, seed * 1_000_003 + step) as Tensor2D;
    return tf.add(tf.matMul(flat, w4), b4) as Tensor2D;
  };

  let step = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    if (epoch === Math.floor((2 * epochs) / 3) && epochs >= 3)
      // Adam reads its learning rate on every step; halving it keeps the moment estimates.
      (optimizer as unknown as { learningRate: number }).learningRate = learningRate / 2;
    const started = performance.now();
    rng.shuffle(order);
    let lossSum = 0;
    let batches = 0;
    for (let start = 0; start + batchSize <= count; start += batchSize) {
      for (let i = 0; i < batchSize; i++) {
        const row = order[start + i]!;
        batch.set(options.images.subarray(row * size, (row + 1) * size), i * size);
        batchLabels[i] = options.labels[row]!;
      }
      if (options.augment) augmentBatch(batch, spec, rng, options.augment);
      const loss = optimizer.minimize(
        () => {
          const x = tf.tensor4d(batch, [batchSize, spec.height, spec.width, spec.channels]);
          const embedding = forward(x, step);
          const unit = tf.div(embedding, tf.add(tf.norm(embedding, 2, 1, true), 1e-8));
          const unitProxies = tf.div(proxies, tf.add(tf.norm(proxies, 2, 0, true), 1e-8));
          const logits = tf.mul(tf.matMul(unit, unitProxies), scale);
          const targets = tf.oneHot(tf.tensor1d(batchLabels, 'int32'), classes);
          return tf.losses.softmaxCrossEntropy(targets, logits) as Scalar;
        },
        true,
        [...weights, proxies],
      );
      lossSum += (await loss!.data())[0]!;
      loss!.dispose();
      batches++;
      step++;
      options.onStep?.(start + batchSize);
    }
    const report = {
      epoch,
      loss: lossSum / Math.max(1, batches),
      seconds: (performance.now() - started) / 1000,
    };
    history.push(report);
    options.onEpoch?.(report);
  }
  proxies.dispose();
  optimizer.dispose();
  return {
    model,
    history,
    params: {
      architecture,
      epochs,
      batchSize,
      learningRate,
      scale,
      dropout,
      seed,
      augment: options.augment ?? false,
      loss: 'normalised-softmax',
      examples: count,
    },
  };
}
