import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError, Rng } from '@mlsd/core';
import { initBackend } from '@mlsd/tf';
import { layers, model as layersModel } from '@tensorflow/tfjs-layers';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ImageEmbedder,
  loadImageEmbedder,
  ProjectionHeadEmbedder,
  parseImageSpec,
  saveEmbedder,
  saveImageEmbedder,
  trainTransferEmbedder,
} from '../src/index.js';
import { splitBackbone } from '../src/transfer/backbone-split.js';
import { TrainableBlock } from '../src/transfer/trainable-block.js';

const COLOURS: Record<string, [number, number, number][]> = {
  // Each label is a vertical and a horizontal split of colours; the images vary them.
  ember: [
    [230, 90, 20],
    [40, 20, 60],
  ],
  lagoon: [
    [60, 190, 200],
    [10, 40, 120],
  ],
  moss: [
    [60, 140, 40],
    [220, 220, 180],
  ],
};

let work: string;
let dir: string;
let backbone: ImageEmbedder;

beforeAll(async () => {
  await initBackend({ quiet: true });
  work = await mkdtemp(join(tmpdir(), 'mlsd-last-block-'));
  dir = join(work, 'labelled');
  const rng = new Rng(11);
  for (const [label, [a, b]] of Object.entries(COLOURS)) {
    await mkdir(join(dir, label), { recursive: true });
    for (let i = 0; i < 8; i++) {
      const pixels = Buffer.alloc(16 * 16 * 3);
      const split = rng.integer(4, 12);
      for (let p = 0; p < 256; p++) {
        const colour = (i % 2 === 0 ? p % 16 : Math.floor(p / 16)) < split ? a! : b!;
        const jitter = rng.integer(-30, 30);
        pixels.set(
          colour.map((v) => Math.max(0, Math.min(255, v + jitter))),
          p * 3,
        );
      }
      await writeFile(
        join(dir, label, `${label}-${i}.png`),
        await sharp(pixels, { raw: { width: 16, height: 16, channels: 3 } })
          .png()
          .toBuffer(),
      );
    }
  }
  // A small backbone shaped like a Keras application's end: features, then a last block of
  // 1 × 1 convolution, batch norm and ReLU6, pooled over the whole map.
  const input = layers.input({ shape: [16, 16, 3] });
  const features = layers
    .conv2d({
      name: 'features',
      filters: 6,
      kernelSize: 3,
      strides: 2,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: { className: 'GlorotNormal', config: { seed: 1 } } as never,
    })
    .apply(input);
  const conv = layers
    .conv2d({
      name: 'last_conv',
      filters: 12,
      kernelSize: 1,
      useBias: false,
      kernelInitializer: { className: 'GlorotNormal', config: { seed: 2 } } as never,
    })
    .apply(features);
  const norm = layers
    .batchNormalization({
      name: 'last_bn',
      movingMeanInitializer: { className: 'Constant', config: { value: 0.05 } } as never,
      gammaInitializer: {
        className: 'RandomUniform',
        config: { minval: 0.5, maxval: 1.5, seed: 3 },
      } as never,
    })
    .apply(conv);
  const relu = layers.reLU({ name: 'last_relu', maxValue: 6 }).apply(norm);
  const pooled = layers.averagePooling2d({ name: 'pool', poolSize: 8 }).apply(relu);
  const model = layersModel({ inputs: input, outputs: pooled as never });
  const modelDir = join(work, 'backbone');
  await saveImageEmbedder(modelDir, {
    model,
    spec: parseImageSpec({ width: 16, height: 16, channels: 3 }),
  });
  backbone = await loadImageEmbedder(modelDir);
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const probe = Float32Array.from({ length: 3 * 768 }, (_, i) => ((i * 37) % 101) / 100);

describe('the last block of a TF.js layers backbone', () => {
  it('is cut before the last convolution, and with its pretrained weights gives the backbone features', async () => {
    const split = splitBackbone(backbone);
    expect(split.block.cutLayer).toBe('features');
    expect(split.block.inputShape).toEqual([8, 8, 6]);
    expect(split.block.layers.map((layer) => layer.step.op)).toEqual([
      'conv',
      'batch-norm',
      'activation',
      'global-pool',
    ]);
    const block = new TrainableBlock(split.block, split.pooling);
    const frozen = block.run(await split.features.embed(probe, 3), 3);
    const expected = await backbone.embed(probe, 3);
    for (let i = 0; i < expected.length; i++) expect(frozen[i]).toBeCloseTo(expected[i]!, 5);
    block.dispose();
    split.features.dispose();
  });

  it('names the nearest layer for an unknown cut, and refuses a cut the block cannot start at', () => {
    expect(() => splitBackbone(backbone, 'last_cnv')).toThrow(/last_conv/);
    expect(() => splitBackbone(backbone, 'pool')).toThrow(InvalidArgumentError);
  });

  it('trains with the head (loss falls), changes the embeddings, and reloads to the same vectors', async () => {
    const result = await trainTransferEmbedder(dir, backbone, {
      trainLastBlock: true,
      cacheDir: join(work, 'cache'),
      epochs: 12,
      hidden: 0,
      dim: 6,
      batchSize: 6,
      validation: 0.25,
      blockLearningRate: 0.01,
    });
    expect(result.metrics).toMatchObject({ lastBlockCut: 'features', trainImages: 18 });
    expect(result.history.at(-1)!.loss).toBeLessThan(result.history[0]!.loss);
    const { embedder } = result;
    const trained = embedder.lastBlock!.block.toLastBlock();
    const pretrained = splitBackbone(backbone).block;
    expect(trained.layers[0]!.weights[0]!.values).not.toEqual(
      pretrained.layers[0]!.weights[0]!.values,
    );
    // The moving statistics stay as the backbone learnt them.
    expect(trained.layers[1]!.weights.find((w) => w.name === 'moving_mean')!.values).toEqual(
      pretrained.layers[1]!.weights.find((w) => w.name === 'moving_mean')!.values,
    );
    // The same head on the frozen backbone embeds differently: the block's training shows.
    const headOnly = new ProjectionHeadEmbedder(backbone, embedder.head);
    const withBlock = await embedder.embed(probe, 3);
    expect(withBlock).not.toEqual(await headOnly.embed(probe, 3));
    expect(embedder.info.version).not.toBe(headOnly.info.version);

    const out = join(work, 'trained');
    await saveEmbedder(out, embedder, { metrics: result.metrics });
    const loaded = await loadImageEmbedder(out);
    expect(loaded).toBeInstanceOf(ProjectionHeadEmbedder);
    expect((loaded as ProjectionHeadEmbedder).lastBlock?.block.cutLayer).toBe('features');
    expect(loaded.info.version).toBe(embedder.info.version);
    expect(await loaded.embed(probe, 3)).toEqual(withBlock);
  });
});
