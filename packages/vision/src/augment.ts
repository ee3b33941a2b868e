import { InvalidArgumentError, type Rng } from '@mlsd/core';
import type { ImageSpec } from './image-spec.js';

/** Random changes applied to training images; all amounts are maxima, drawn per image. */
export interface AugmentOptions {
  /** Maximum shift in pixels along each axis (default 2); vacated pixels get `fill`. */
  shift?: number;
  /** Flip left–right with probability 0.5 (default true). */
  flip?: boolean;
  /** Maximum brightness change, added to normalised values (default 0.1). */
  brightness?: number;
  /** Maximum relative contrast change around the image mean (default 0.2). */
  contrast?: number;
  /** Standard deviation of Gaussian noise added to each value (default 0.02). */
  noise?: number;
  /** Value for pixels shifted in from outside the image (default 0: background after normalising). */
  fill?: number;
}

/**
 * Applies seeded random shift, flip, brightness, contrast and noise to a batch of images
 * (n × height × width × channels, row-major) in place and returns it. Same seed, same result.
 */
export function augmentBatch(
  images: Float32Array,
  spec: ImageSpec,
  rng: Rng,
  options: AugmentOptions = {},
): Float32Array {
  const { width, height, channels } = spec;
  const size = width * height * channels;
  if (images.length % size !== 0) {
    throw new InvalidArgumentError(
      `augmentBatch: ${images.length} values are not a whole number of ${width}×${height}×${channels} images.`,
    );
  }
  const shift = options.shift ?? 2;
  const flip = options.flip ?? true;
  const brightness = options.brightness ?? 0.1;
  const contrast = options.contrast ?? 0.2;
  const noise = options.noise ?? 0.02;
  const fill = options.fill ?? 0;
  const scratch = new Float32Array(size);
  for (let offset = 0; offset < images.length; offset += size) {
    const image = images.subarray(offset, offset + size);
    const dx = shift > 0 ? rng.integer(-shift, shift + 1) : 0;
    const dy = shift > 0 ? rng.integer(-shift, shift + 1) : 0;
    const mirror = flip && rng.next() < 0.5;
    for (let y = 0; y < height; y++) {
      const sy = y - dy;
      for (let x = 0; x < width; x++) {
        const tx = mirror ? width - 1 - x : x;
        const sx = tx - dx;
        for (let c = 0; c < channels; c++) {
          scratch[(y * width + x) * channels + c] =
            sy >= 0 && sy < height && sx >= 0 && sx < width
              ? image[(sy * width + sx) * channels + c]!
              : fill;
        }
      }
    }
    const gain = 1 + rng.uniform(-contrast, contrast);
    const bias = rng.uniform(-brightness, brightness);
    let mean = 0;
    for (let i = 0; i < size; i++) mean += scratch[i]!;
    mean /= size;
    for (let i = 0; i < size; i++) {
      image[i] = (scratch[i]! - mean) * gain + mean + bias + (noise > 0 ? rng.normal(0, noise) : 0);
    }
  }
  return images;
}
