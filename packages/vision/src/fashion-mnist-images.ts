import { fileURLToPath } from 'node:url';
import { InvalidArgumentError } from '@mlsd/core';
import sharp from 'sharp';

/**
 * Folder of the embedder trained here on Fashion-MNIST and shipped with the package
 * (`mlsd images train` reproduces it).
 */
export const DEFAULT_EMBEDDER_DIR = fileURLToPath(
  new URL('../models/fashion-mnist-embedder', import.meta.url),
);

/**
 * Encodes one 28 × 28 Fashion-MNIST image (light garment on black, as stored) as a PNG of a
 * dark garment on white, the way product photos look. Decoding it with `FASHION_MNIST_SPEC`
 * (which inverts) gives back exactly the dataset's pixels / 255, so files made this way test
 * the whole image path without changing what the model sees.
 */
export async function fashionMnistPng(pixels: Uint8Array, side = 28): Promise<Buffer> {
  if (pixels.length !== side * side) {
    throw new InvalidArgumentError(
      `fashionMnistPng: expected ${side * side} pixels, got ${pixels.length}.`,
    );
  }
  const inverted = Uint8Array.from(pixels, (v) => 255 - v);
  return sharp(inverted, { raw: { width: side, height: side, channels: 1 } })
    .png()
    .toBuffer();
}
