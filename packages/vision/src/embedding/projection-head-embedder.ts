import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CorruptFileError, writeFileAtomic } from '@mlsd/core';
import { getTf } from '@mlsd/tf/tfjs';
import type { io } from '@tensorflow/tfjs-core';
import { type LayersModel, loadLayersModel } from '@tensorflow/tfjs-layers';
import type { ImageSpec } from '../image-spec.js';
import type { LayersModelHandle } from '../model-handle.js';
import { type CutFeatures, splitBackbone } from '../transfer/backbone-split.js';
import { applyBlock } from '../transfer/block-ops.js';
import { TrainableBlock } from '../transfer/trainable-block.js';
import type { EmbedderLoader } from './embedder-registry.js';
import { embedderVersion } from './embedder-version.js';
import {
  type EmbedderInfo,
  type EmbedOptions,
  type ImageEmbedder,
  normalizeRows,
} from './image-embedder.js';
import { layersModelOf } from './layers-model-of.js';
import { folderSaveHandler, readModelFolder } from './model-folder-io.js';

const HEAD_JSON = 'head.json';
const BLOCK_FOLDER = 'block';

/** head.json: the backbone to reload, how the head was trained, and the trained block's cut. */
interface SavedHead {
  backbone: EmbedderInfo;
  params?: Record<string, unknown>;
  lastBlock?: { cutLayer: string };
}

/** A backbone's last block trained here, and the backbone's features at its cut. */
export interface TrainedLastBlock {
  block: TrainableBlock;
  features: CutFeatures;
}

/**
 * A pretrained backbone followed by a projection head trained here (`mlsd images train --dir
 * --backbone`): images → backbone features (unit length) → head → unit-length embedding. The
 * backbone is any registered embedder kind (TF.js, ONNX, yours). With a trained last block
 * (`--train-last-block`, TF.js layers backbones), images → backbone up to the cut → the
 * block as trained → pooled, unit length → head.
 */
export class ProjectionHeadEmbedder implements ImageEmbedder {
  readonly backbone: ImageEmbedder;
  /** The trained head, `[n, input] → [n, dim]` (a tfjs-layers model; see `layersModelOf`). */
  readonly head: LayersModelHandle;
  readonly #head: LayersModel;
  readonly dim: number;
  readonly info: EmbedderInfo;
  /** The trained last block, when the backbone's was fine-tuned. */
  readonly lastBlock: TrainedLastBlock | undefined;
  readonly #params: Record<string, unknown>;

  /**
   * @param params - how the head was trained, saved beside it.
   * @param lastBlock - a trained last block, run between the backbone's cut and the head.
   */
  constructor(
    backbone: ImageEmbedder,
    head: LayersModelHandle,
    params: Record<string, unknown> = {},
    lastBlock?: TrainedLastBlock,
  ) {
    this.backbone = backbone;
    this.head = head;
    this.#head = layersModelOf(head);
    this.lastBlock = lastBlock;
    this.#params = params;
    const output = this.#head.outputs[0]?.shape;
    this.dim = output?.[output.length - 1] ?? 0;
    // Fingerprinted from the weights themselves, so a head in memory and the same head saved
    // and loaded again have one version.
    const bytes = this.#head.getWeights().map((tensor) => {
      const data = tensor.dataSync();
      return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    });
    if (lastBlock !== undefined) {
      const { json, bin } = lastBlock.block.serialize();
      bytes.push(new TextEncoder().encode(json), bin);
    }
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
    const features =
      this.lastBlock === undefined
        ? await this.backbone.embed(pixels, count, options)
        : await this.lastBlock.features.embed(pixels, count);
    return this.project(features, count);
  }

  /**
   * The embedding from what the backbone gives (`count` rows, e.g. from a feature cache): its
   * features (`backbone.dim` each), or with a trained last block its feature maps at the cut
   * (`lastBlock.features.dim` each), which the block runs through first.
   */
  project(features: Float32Array, count: number): Float32Array {
    const tf = getTf();
    const block = this.lastBlock?.block;
    const inputDim = block?.inputDim ?? this.backbone.dim;
    const out = new Float32Array(count * this.dim);
    // Cut feature maps are large (15,680 values an image for MobileNetV2): smaller chunks.
    const step = block === undefined ? 4096 : 64;
    for (let start = 0; start < count; start += step) {
      const n = Math.min(step, count - start);
      const rows = tf.tidy(() => {
        const rows = tf.tensor2d(
          features.subarray(start * inputDim, (start + n) * inputDim),
          [n, inputDim],
          'float32',
        );
        const x = block === undefined ? rows : applyBlock(block, rows);
        return (this.#head.predict(x) as ReturnType<typeof tf.tensor2d>).dataSync() as Float32Array;
      });
      out.set(rows, start * this.dim);
    }
    normalizeRows(out, this.dim);
    return out;
  }

  async saveTo(dir: string): Promise<void> {
    await mkdir(join(dir, 'backbone'), { recursive: true });
    await this.backbone.saveTo(join(dir, 'backbone'));
    await this.#head.save(folderSaveHandler(join(dir, 'head')));
    if (this.lastBlock !== undefined) await this.lastBlock.block.saveTo(join(dir, BLOCK_FOLDER));
    const saved: SavedHead = {
      backbone: this.backbone.info,
      params: this.#params,
      ...(this.lastBlock === undefined
        ? {}
        : { lastBlock: { cutLayer: this.lastBlock.block.cutLayer } }),
    };
    await writeFileAtomic(join(dir, HEAD_JSON), `${JSON.stringify(saved, null, 2)}\n`);
  }

  dispose(): void {
    this.lastBlock?.block.dispose();
    this.lastBlock?.features.dispose();
    this.#head.dispose();
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
    let saved: SavedHead;
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
    if (saved.lastBlock === undefined) {
      return new ProjectionHeadEmbedder(backbone, head, saved.params ?? {});
    }
    const block = await TrainableBlock.load(join(path, BLOCK_FOLDER));
    const { features } = splitBackbone(backbone, saved.lastBlock.cutLayer);
    return new ProjectionHeadEmbedder(backbone, head, saved.params ?? {}, { block, features });
  },
};
