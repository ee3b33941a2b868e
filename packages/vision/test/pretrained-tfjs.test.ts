import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '@mlsd/core';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { extractNsfwjsModel } from '../src/embedding/nsfwjs-models.js';
import {
  decodeImage,
  type ImageEmbedder,
  loadImageEmbedder,
  TfjsImageEmbedder,
} from '../src/index.js';

// Real pretrained weights: the MobileNetV2 models nsfwjs (MIT, a devDependency) bundles.
let layersDir: string;
let graphDir: string;
let photos: Buffer[];

/** A synthetic "photo": a coloured disc on a background, at an offset. */
function disc(
  colour: [number, number, number],
  background: number,
  shift: number,
): Promise<Buffer> {
  const size = 96;
  const pixels = Buffer.alloc(size * size * 3, background);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if ((x - 48 - shift) ** 2 + (y - 48) ** 2 < 30 ** 2) pixels.set(colour, (y * size + x) * 3);
    }
  }
  return sharp(pixels, { raw: { width: size, height: size, channels: 3 } })
    .jpeg()
    .toBuffer();
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  return dot;
}

async function embedAll(embedder: ImageEmbedder, images: Buffer[]): Promise<Float32Array[]> {
  const size = embedder.spec.width * embedder.spec.height * embedder.spec.channels;
  const pixels = new Float32Array(images.length * size);
  for (const [i, image] of images.entries()) {
    await decodeImage(image, embedder.spec, { out: pixels.subarray(i * size, (i + 1) * size) });
  }
  const rows = await embedder.embed(pixels, images.length);
  return images.map((_, i) => rows.slice(i * embedder.dim, (i + 1) * embedder.dim));
}

beforeAll(async () => {
  await initBackend({ quiet: true });
  const work = await mkdtemp(join(tmpdir(), 'mlsd-nsfwjs-'));
  layersDir = await extractNsfwjsModel('mobilenet_v2', join(work, 'mobilenet_v2'), {
    from: import.meta.url,
  });
  graphDir = await extractNsfwjsModel('mobilenet_v2_mid', join(work, 'mobilenet_v2_mid'), {
    from: import.meta.url,
  });
  photos = [
    await disc([200, 30, 30], 240, 0),
    await disc([200, 30, 30], 240, 6),
    await disc([20, 60, 200], 30, 0),
  ];
}, 60_000);

describe('pretrained TensorFlow.js models (nsfwjs MobileNetV2)', () => {
  it('loads the layers model, reads 224×224×3 from it, and picks the pooled features before the head', async () => {
    const head = await loadImageEmbedder(layersDir, { preset: 'unit' });
    expect(head).toBeInstanceOf(TfjsImageEmbedder);
    expect(head.spec).toMatchObject({ width: 224, height: 224, channels: 3, preset: 'unit' });
    expect(head.dim).toBe(5); // nsfwjs's five classes
    const pooled = await loadImageEmbedder(layersDir, {
      preset: 'unit',
      output: 'average_pooling2d_1',
    });
    expect(pooled.dim).toBe(1280);
    // Global average pooling of the last feature map is that same layer: one vector either way.
    const map = await loadImageEmbedder(layersDir, { preset: 'unit', output: 'out_relu' });
    const [a] = await embedAll(pooled, photos.slice(0, 1));
    const [b] = await embedAll(map, photos.slice(0, 1));
    expect(cosine(a!, b!)).toBeGreaterThan(0.99999);
    expect(pooled.info.version).not.toBe(map.info.version);
    await expect(
      loadImageEmbedder(layersDir, { preset: 'unit', output: 'average_pooling2d' }),
    ).rejects.toThrow(/did you mean "average_pooling2d_1"/);
  }, 60_000);

  it('embeds a shifted copy of a photo closer than a different photo', async () => {
    const embedder = await loadImageEmbedder(layersDir, {
      preset: 'unit',
      output: 'average_pooling2d_1',
    });
    const [original, shifted, other] = await embedAll(embedder, photos);
    expect(cosine(original!, shifted!)).toBeGreaterThan(cosine(original!, other!));
  }, 60_000);

  it('loads the graph model and takes a named node as the embedding', async () => {
    const node =
      'StatefulPartitionedCall/sequential/keras_layer/StatefulPartitionedCall/StatefulPartitionedCall/StatefulPartitionedCall/predict/feature_vector/SpatialSqueeze';
    const embedder = await loadImageEmbedder(graphDir, { preset: 'unit', output: node });
    expect(embedder.spec).toMatchObject({ width: 224, height: 224, layout: 'nhwc' });
    expect(embedder.dim).toBe(1792); // MobileNetV2 at width multiplier 1.4
    const [original, shifted, other] = await embedAll(embedder, photos);
    expect(cosine(original!, shifted!)).toBeGreaterThan(cosine(original!, other!));
  }, 60_000);
});
