import { Rng } from '@mlsd/core';

/**
 * Three classes of 12×12 grayscale images for tests: a bright horizontal bar (0), a vertical
 * bar (1) or a blob (2), at a random place, with noise. Values in about [0, 1].
 */
export function makeShapes(
  count: number,
  seed: number,
): { images: Float32Array; labels: Uint8Array } {
  const rng = new Rng(seed);
  const images = new Float32Array(count * 144);
  const labels = new Uint8Array(count);
  for (let n = 0; n < count; n++) {
    const label = n % 3;
    labels[n] = label;
    const at = rng.integer(3, 9);
    for (let y = 0; y < 12; y++) {
      for (let x = 0; x < 12; x++) {
        const on =
          label === 0
            ? Math.abs(y - at) <= 1
            : label === 1
              ? Math.abs(x - at) <= 1
              : (x - at) ** 2 + (y - 6) ** 2 <= 6;
        images[n * 144 + y * 12 + x] = (on ? 0.9 : 0.1) + rng.normal(0, 0.1);
      }
    }
  }
  return { images, labels };
}
