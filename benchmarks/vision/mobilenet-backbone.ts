/**
 * What the pretrained-model benchmarks share: nsfwjs's MobileNetV2 as a backbone, Fashion-MNIST
 * images as the JPEGs it is fed, and a log line that carries the machine's load.
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { FashionMnist } from '@mlsd/datasets';
import { extractNsfwjsModel, fashionMnistPng, loadImageEmbedder } from '@mlsd/vision';
import sharp from 'sharp';

/** A progress logger for benchmark `tag`; each line ends with the 1-minute load average. */
export function benchLogger(tag: string): (message: string) => void {
  return (message) =>
    process.stderr.write(`[${tag}] ${message} (load ${loadavg()[0]!.toFixed(1)})\n`);
}

/**
 * nsfwjs's MobileNetV2, extracted under `cacheDir` (`modelDir`), embedding at its global average
 * pooling (`backbone`).
 */
export async function loadMobileNetV2Backbone(cacheDir: string) {
  const modelDir = await extractNsfwjsModel('mobilenet_v2', join(cacheDir, 'mobilenet_v2'), {
    from: import.meta.url,
  });
  const backbone = await loadImageEmbedder(modelDir, {
    preset: 'unit',
    output: 'average_pooling2d_1',
  });
  return { modelDir, backbone };
}

/** Fashion-MNIST image `index` of a split as a 112-px JPEG, the form a photo catalogue holds. */
export function fashionMnistJpeg(dataset: FashionMnist) {
  return async (part: 'train' | 'test', index: number): Promise<Buffer> =>
    sharp(await fashionMnistPng(dataset[part].images.subarray(index * 784, (index + 1) * 784)))
      .resize(112)
      .jpeg({ quality: 90 })
      .toBuffer();
}
