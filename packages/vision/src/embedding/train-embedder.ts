import { InvalidArgumentError, InvalidDataError, Rng } from '@mlsd/core';
import { type AugmentOptions, augmentBatch } from '../augment.js';
import { type ImageSpec, imageSize } from '../image-spec.js';
import type { LayersModelHandle } from '../model-handle.js';
import type { EmbedderArchitecture } from './build-network.js';
import { EmbedderReplica, type ReplicaConfig } from './embedder-replica.js';
import { cosineRate, countClasses } from './normalized-softmax.js';
import { ReplicaPool } from './replica-pool.js';

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
  /** Peak Adam learning rate; default 0.002. */
  learningRate?: number;
  /**
   * How the learning rate changes: 'halve' keeps it, then halves it for the last third of the
   * epochs; 'cosine' decays it per step from `learningRate` to 0 along a half cosine
   * (Loshchilov & Hutter, *SGDR*, 2017). Default 'halve'.
   */
  schedule?: 'halve' | 'cosine';
  /** Scale (inverse temperature) of the normalised-softmax logits; default 16. */
  scale?: number;
  /** Dropout before the projection; default 0.2. */
  dropout?: number;
  /** Random shifts/flips/... per batch, or false (default false). */
  augment?: AugmentOptions | false;
  /** Seed of the initial weights, the batch order, dropout and augmentation; default 0. */
  seed?: number;
  /**
   * Worker threads to train on, data-parallel (each takes a share of every batch; see
   * {@link ReplicaPool}); 1 trains in this thread. Default 1.
   */
  workers?: number;
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
  model: LayersModelHandle;
  history: EpochReport[];
  /** The resolved training parameters, to store with the model. */
  params: Record<string, unknown>;
}

/**
 * Trains an image embedder with a normalised-softmax (proxy) loss: each class has a learned
 * unit vector, logits are `scale · cos(embedding, class vector)`, and cross-entropy pulls each
 * image towards its class vector and away from the others (Wang et al., *NormFace*, 2017;
 * Zhai & Wu, *Classification is a Strong Baseline for Deep Metric Learning*, 2019). Gradients
 * come from ops the WebAssembly backend differentiates quickly (see {@link EmbedderReplica});
 * with `workers` > 1 each batch is split over worker threads.
 * @throws InvalidDataError when images and labels disagree in count, or a label is out of range.
 */
export async function trainImageEmbedder(options: TrainEmbedderOptions): Promise<TrainedEmbedder> {
  const { spec } = options;
  const size = imageSize(spec);
  const count = options.labels.length;
  if (options.images.length !== count * size) {
    throw new InvalidDataError(
      `trainImageEmbedder: ${count} labels need ${count * size} image values, got ${options.images.length}.`,
    );
  }
  const classes = countClasses(options.labels, 'trainImageEmbedder');
  const epochs = options.epochs ?? 6;
  const batchSize = Math.min(options.batchSize ?? 256, count);
  const learningRate = options.learningRate ?? 0.002;
  const scale = options.scale ?? 16;
  const dropout = options.dropout ?? 0.2;
  const seed = options.seed ?? 0;
  const schedule = options.schedule ?? 'halve';
  if (schedule !== 'halve' && schedule !== 'cosine') {
    throw new InvalidArgumentError(
      `schedule must be 'halve' or 'cosine', got ${String(schedule)}.`,
    );
  }
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
  const workers = options.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) {
    throw new InvalidArgumentError(`workers must be an integer from 1 to 64, got ${workers}.`);
  }
  const config: ReplicaConfig = {
    spec,
    architecture,
    classes,
    learningRate,
    scale,
    dropout,
    seed,
  };
  const local = new EmbedderReplica(config);
  const pool = workers > 1 ? await ReplicaPool.start(config, workers) : undefined;
  const rng = new Rng(seed);
  const order = Int32Array.from({ length: count }, (_, i) => i);
  const history: EpochReport[] = [];
  const batch = new Float32Array(batchSize * size);
  const batchLabels = new Int32Array(batchSize);
  const stepsPerEpoch = Math.floor(count / batchSize);
  const rateAt = (epoch: number, step: number): number =>
    schedule === 'cosine'
      ? cosineRate(learningRate, step, epochs * stepsPerEpoch)
      : epochs >= 3 && epoch >= Math.floor((2 * epochs) / 3)
        ? learningRate / 2
        : learningRate;
  let step = 0;
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
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
        const dropoutSeed = seed * 1_000_003 + step * 64;
        const rate = rateAt(epoch, step);
        if (pool === undefined) {
          const result = local.gradients(batch, batchLabels, batchSize, dropoutSeed);
          local.apply(result.gradients, rate);
          lossSum += result.loss;
        } else {
          lossSum += (await pool.step(batch, batchLabels, batchSize, dropoutSeed, rate)).loss;
        }
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
    if (pool !== undefined) local.setParameters(await pool.parameters());
  } finally {
    await pool?.close();
    local.disposeTraining();
  }
  return {
    model: local.model,
    history,
    params: {
      architecture,
      epochs,
      batchSize,
      learningRate,
      schedule,
      scale,
      dropout,
      seed,
      augment: options.augment ?? false,
      loss: 'normalised-softmax',
      workers,
      examples: count,
    },
  };
}
