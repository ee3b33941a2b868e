import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type EmbedderLoader,
  embedderVersion,
  type ImageEmbedder,
  normalizeRows,
  parseImageSpec,
} from '../../src/index.js';

const CONFIG = 'quadrant-colour.json';

/**
 * An embedder from outside mlsd, as a user would write one: the mean colour of each quadrant
 * of a 8 × 8 image, weighted per channel (12 values). No TensorFlow.js, instant.
 */
export class QuadrantEmbedder implements ImageEmbedder {
  readonly spec = parseImageSpec({ width: 8, height: 8, channels: 3, fit: 'cover' });
  readonly dim = 12;
  readonly info;
  readonly weights: number[];

  constructor(weights: number[] = [1, 1, 1]) {
    this.weights = weights;
    this.info = {
      kind: 'quadrant-colour',
      version: embedderVersion('quadrant-colour', [], { weights, spec: this.spec }),
      name: `quadrants ${weights.join('/')}`,
      options: {},
    };
  }

  async embed(pixels: Float32Array, count: number): Promise<Float32Array> {
    const out = new Float32Array(count * 12);
    for (let n = 0; n < count; n++) {
      for (let y = 0; y < 8; y++) {
        for (let x = 0; x < 8; x++) {
          const q = (y < 4 ? 0 : 2) + (x < 4 ? 0 : 1);
          for (let c = 0; c < 3; c++) {
            // Shifted by 0.1 so a black quadrant still has a direction.
            out[n * 12 + q * 3 + c]! +=
              (pixels[n * 192 + (y * 8 + x) * 3 + c]! + 0.1) * this.weights[c]!;
          }
        }
      }
    }
    normalizeRows(out, 12);
    return out;
  }

  async saveTo(dir: string): Promise<void> {
    await writeFile(join(dir, CONFIG), JSON.stringify({ weights: this.weights }));
  }

  dispose(): void {}
}

/** Its loader, registered by the tests with `registerEmbedderKind`. */
export const QUADRANT_LOADER: EmbedderLoader = {
  kind: 'quadrant-colour',
  description: 'mean colour of each quadrant (a test embedder)',
  async detect(path) {
    return existsSync(join(path, CONFIG));
  },
  async load(path) {
    const { weights } = JSON.parse(await readFile(join(path, CONFIG), 'utf8')) as {
      weights: number[];
    };
    return new QuadrantEmbedder(weights);
  },
};
