import { InvalidArgumentError } from '@mlsd/core';
import { getTf } from '@mlsd/tf/tfjs';
import { GraphModel } from '@tensorflow/tfjs-converter';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { embedderVersion } from '../embedding/embedder-version.js';
import {
  checkEmbedInput,
  defaultBatchSize,
  type ImageEmbedder,
} from '../embedding/image-embedder.js';
import type { FeaturePooling } from '../embedding/tfjs-embedder.js';
import { backboneInternals, layerRunner } from '../embedding/tfjs-runner.js';
import type { ImageSpec } from '../image-spec.js';
import type { FeatureSource } from './feature-cache.js';
import { describeLastBlock, type LastBlock } from './last-block.js';

/**
 * A backbone's features at a cut layer: the raw feature maps (flattened NHWC, neither pooled
 * nor normalised), which a trained last block turns into the backbone's features.
 */
export class CutFeatures implements FeatureSource {
  readonly spec: ImageSpec;
  readonly dim: number;
  readonly info: { readonly version: string; readonly cutLayer: string };
  readonly #run: (pixels: Float32Array, count: number) => Float32Array;
  readonly #dispose: () => void;
  readonly #batchSize: number;

  /**
   * Made by {@link splitBackbone}.
   * @param run - the backbone up to the cut: `count` images → `count × dim` values.
   * @param dispose - frees what `run` holds.
   */
  constructor(
    backbone: ImageEmbedder,
    block: LastBlock,
    run: (pixels: Float32Array, count: number) => Float32Array,
    dispose: () => void,
  ) {
    this.spec = backbone.spec;
    this.dim = block.inputShape.reduce((a, b) => a * b, 1);
    this.#run = run;
    this.#dispose = dispose;
    this.#batchSize = defaultBatchSize(backbone.spec);
    this.info = {
      cutLayer: block.cutLayer,
      version: embedderVersion('tfjs-cut', [new TextEncoder().encode(backbone.info.version)], {
        cutLayer: block.cutLayer,
      }),
    };
  }

  /** `count × dim` values, the feature maps at the cut layer. */
  async embed(pixels: Float32Array, count: number): Promise<Float32Array> {
    checkEmbedInput(pixels, count, this.spec);
    const size = this.spec.width * this.spec.height * this.spec.channels;
    const out = new Float32Array(count * this.dim);
    for (let start = 0; start < count; start += this.#batchSize) {
      const n = Math.min(this.#batchSize, count - start);
      out.set(this.#run(pixels.subarray(start * size, (start + n) * size), n), start * this.dim);
    }
    return out;
  }

  dispose(): void {
    this.#dispose();
  }
}

/** A backbone split before its last block. */
export interface BackboneSplit {
  /** The layers after the cut with their pretrained weights. */
  block: LastBlock;
  /** What the block reads: the backbone run up to the cut. */
  features: CutFeatures;
  /** How the backbone pools a feature-map output; the block pools its output the same way. */
  pooling: FeaturePooling;
}

/**
 * Splits a TensorFlow.js layers-model backbone (as `loadImageEmbedder` returns for a layers
 * model folder) at `cutLayer` (default: the input of its last convolution; see
 * `describeLastBlock`), for training its last block on features cached at the cut.
 * @throws InvalidArgumentError for another kind of backbone (a graph model, ONNX), or a cut
 *   the block cannot start at.
 */
export function splitBackbone(backbone: ImageEmbedder, cutLayer?: string): BackboneSplit {
  const internals = backboneInternals(backbone);
  const model = internals?.model;
  if (
    internals === undefined ||
    model instanceof GraphModel ||
    !Array.isArray((model as Partial<LayersModel>).layers)
  ) {
    throw new InvalidArgumentError(
      `Training the last block needs a TensorFlow.js layers model backbone (its layers and weights); ${backbone.info.name} is a ${backbone.info.kind} ${model instanceof GraphModel ? 'graph model' : 'embedder'}. Train the projection head alone.`,
      { kind: backbone.info.kind },
    );
  }
  const block = describeLastBlock(model as LayersModel, internals.output, cutLayer);
  const runner = layerRunner(
    internals.model,
    block.cutLayer,
    internals.outputNames,
    internals.compileLayers,
  );
  const tf = getTf();
  const { height, width, channels } = backbone.spec;
  const run = (pixels: Float32Array, n: number) =>
    tf.tidy(() => {
      const input = tf.tensor4d(pixels, [n, height, width, channels], 'float32');
      return runner.run(input).dataSync() as Float32Array;
    });
  return {
    block,
    features: new CutFeatures(backbone, block, run, () => runner.compiled?.dispose()),
    pooling: internals.pooling,
  };
}
