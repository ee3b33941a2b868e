import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CorruptFileError, getTf, writeFileAtomic } from '@mlsd/core';
import type { io } from '@tensorflow/tfjs-core';
import { type LayersModel, loadLayersModel } from '@tensorflow/tfjs-layers';
import type { ImageSpec } from '../image-spec.js';
import type { EmbedderLoader } from './embedder-registry.js';
import { embedderVersion } from './embedder-version.js';
import {
  type EmbedderInfo,
  type EmbedOptions,
  type ImageEmbedder,
  normalizeRows,
} from './image-embedder.js';
import { folderSaveHandler, readModelFolder } from './model-folder-io.js';

const HEAD_JSON = 'head.json';

/**
 * A pretrained backbone followed by a projection head trained here (`mlsd images train --dir
 * --backbone`): images → backbone features (unit length) → head → unit-length embedding. The
 * backbone is any registered embedder kind (TF.js, ONNX, yours).
 */
export class ProjectionHeadEmbedder implements ImageEmbedder {
  readonly backbone: ImageEmbedder;
  readonly head: LayersModel;
  readonly dim: number;
  readonly info: EmbedderInfo;
  readonly #params: Record<string, unknown>;

  /** @param params - how the head was trained, saved beside it. */
  constructor(backbone: ImageEmbedder, head: LayersModel, params: Record<string, unknown> = {}) {
    this.backbone = backbone;
    this.head = head;
    this.#params = params;
    const output = head.outputs[0]?.shape;
    this.dim = output?.[output.length - 1] ?? 0;
    // Fingerprinted from the weights themselves, so a head in memory and the same head saved
    // and loaded again have one version.
    const bytes = head.getWeights().map((tensor) => {
      const data = tensor.dataSync();
      return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    });
    this.info = {
      kind: 'projection-head',
      version: embedderVersion(
        'projection-head',
        [new TextEncoder().encode(backbone.info.version), ...bytes],
        {},
      ),
      name: `${backbone.info.name}+head`,
      options: {},
    };
  }

  get spec(): ImageSpec {
    return this.backbone.spec;
  }

  async embed(
    pixels: Float32Array,
    count: number,
    options: EmbedOptions = {},
  ): Promise<Float32Array> {
    const features = await this.backbone.embed(pixels, count, options);
    return this.project(features, count);
  }

  /** The head alone, on backbone features (`count × backbone.dim`, e.g. from a feature cache). */
  project(features: Float32Array, count: number): Float32Array {
    const tf = getTf();
    const inputDim = this.backbone.dim;
    const out = new Float32Array(count * this.dim);
    const step = 4096;
    for (let start = 0; start < count; start += step) {
      const n = Math.min(step, count - start);
      const rows = tf.tidy(() => {
        const x = tf.tensor2d(
          features.subarray(start * inputDim, (start + n) * inputDim),
          [n, inputDim],
          'float32',
        );
        return (this.head.predict(x) as ReturnType<typeof tf.tensor2d>).dataSync() as Float32Array;
      });
      out.set(rows, start * this.dim);
    }
    normalizeRows(out, this.dim);
    return out;
  }

  async saveTo(dir: string): Promise<void> {
    await mkdir(join(dir, 'backbone'), { recursive: true });
    await this.backbone.saveTo(join(dir, 'backbone'));
    await this.head.save(folderSaveHandler(join(dir, 'head')));
    await writeFileAtomic(
      join(dir, HEAD_JSON),
      `${JSON.stringify({ backbone: this.backbone.info, params: this.#params }, null, 2)}\n`,
    );
  }

  dispose(): void {
    this.head.dispose();
    this.backbone.dispose();
  }
}

/** The `'projection-head'` kind: a folder with head.json, backbone/ and head/. */
export const PROJECTION_HEAD_LOADER: EmbedderLoader = {
  kind: 'projection-head',
  description: 'a pretrained backbone with a projection head trained by mlsd (head.json)',
  async detect(path) {
    return existsSync(join(path, HEAD_JSON));
  },
  async load(path, _options, context) {
    const file = join(path, HEAD_JSON);
    let saved: { backbone: EmbedderInfo; params?: Record<string, unknown> };
    try {
      saved = JSON.parse(await readFile(file, 'utf8')) as typeof saved;
    } catch (error) {
      throw new CorruptFileError(`${file} cannot be read as JSON: ${(error as Error).message}`, {
        file,
      });
    }
    const backbone = await context.reload(join(path, 'backbone'), saved.backbone);
    const { artifacts } = await readModelFolder(join(path, 'head'));
    const head = await loadLayersModel({ load: async () => artifacts } satisfies io.IOHandler);
    return new ProjectionHeadEmbedder(backbone, head, saved.params ?? {});
  },
};
