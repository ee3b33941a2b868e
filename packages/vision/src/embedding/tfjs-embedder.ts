import { cp } from 'node:fs/promises';
import { InvalidArgumentError } from '@mlsd/core';
import { getTf } from '@mlsd/tf/tfjs';
import type { Tensor } from '@tensorflow/tfjs-core';
import type { ImageSpec } from '../image-spec.js';
import { embedderVersion } from './embedder-version.js';
import {
  checkEmbedInput,
  defaultBatchSize,
  type EmbedderInfo,
  type EmbedOptions,
  type ImageEmbedder,
  normalizeRows,
} from './image-embedder.js';
import type { LayersInference } from './layers-inference.js';
import type { LayersInferenceSummary } from './layers-inference-summary.js';
import { layerRunner, poolTensor, readWeights, registerBackbone } from './tfjs-runner.js';

/**
 * What a model may run a batch through: a tfjs layers or graph model, or anything with predict.
 * `predict` is called with a float32 NHWC tensor and may return a tensor, an array of tensors
 * (the first is used) or a name → tensor map (the first entry); its parameter is typed `never`
 * so that any model's `predict` fits without naming TensorFlow.js types here.
 */
export interface BatchPredictor {
  predict(inputs: never): unknown;
  dispose?(): void;
}

/** How a rank-4 output (a feature map) becomes one vector per image. */
export type FeaturePooling = 'avg' | 'max' | 'flatten';

/** Options of {@link TfjsImageEmbedder}. */
export interface TfjsEmbedderOptions {
  /**
   * The layer (layers model) or node (graph model) whose output is the embedding, e.g. the
   * pooled features before a classifier head; default the model's output.
   */
  output?: string | undefined;
  /** For a feature-map output [n, h, w, c]: global average ('avg', default), 'max', or 'flatten'. */
  pooling?: FeaturePooling | undefined;
  /** Images per forward pass; default {@link defaultBatchSize}. */
  batchSize?: number | undefined;
  /** Registry kind recorded in `info` (default 'tfjs'). */
  kind?: string | undefined;
  /** Name for people (default 'tfjs-model'). */
  name?: string | undefined;
  /** The folder it came from, copied by `saveTo`. */
  sourceDir?: string | undefined;
  /** Weight bytes to fingerprint (default: the model's weights read back from the backend). */
  weightBytes?: readonly Uint8Array[] | undefined;
  /** Layer or node names, for "did you mean" messages (default: read from the model). */
  outputNames?: readonly string[] | undefined;
  /**
   * Layers models: run a compiled plan with batch norms folded into the convolutions before
   * them and activations fused into them (`compileLayersInference`; default true). Same
   * vectors up to float rounding, several times faster on the wasm backend; a model with a
   * layer the compiler does not know runs through tfjs-layers (logged once).
   */
  compileLayers?: boolean | undefined;
}

/**
 * An {@link ImageEmbedder} over a TensorFlow.js layers or graph model: the embedding is the
 * model's output, or the output of a named layer/node, pooled to one vector per image when it
 * is a feature map, then L2-normalised. Runs on whatever backend `@mlsd/core` chose.
 */
export class TfjsImageEmbedder implements ImageEmbedder {
  readonly spec: ImageSpec;
  readonly dim: number;
  readonly info: EmbedderInfo;
  readonly #model: BatchPredictor;
  readonly #run: (input: Tensor) => Tensor;
  readonly #compiled: LayersInference | undefined;
  readonly #batchSize: number;
  readonly #sourceDir: string | undefined;

  /**
   * @param model - the network; called on [batch, height, width, channels] float32 inputs.
   * @param spec - its input; `dim` is found by running one blank image through it.
   * @throws InvalidArgumentError for an unknown output name (naming the nearest), a bad batch
   *   size, or a model with no output.
   */
  constructor(model: BatchPredictor, spec: ImageSpec, options: TfjsEmbedderOptions = {}) {
    if (spec.layout !== 'nhwc') {
      throw new InvalidArgumentError(
        'TensorFlow.js models take NHWC inputs (channels last); the spec says NCHW.',
      );
    }
    this.#model = model;
    this.spec = spec;
    this.#batchSize = options.batchSize ?? defaultBatchSize(spec);
    if (!Number.isInteger(this.#batchSize) || this.#batchSize < 1) {
      throw new InvalidArgumentError(
        `batchSize must be a positive integer, got ${this.#batchSize}.`,
      );
    }
    this.#sourceDir = options.sourceDir;
    const pooling = options.pooling ?? 'avg';
    const runner = layerRunner(model, options.output, options.outputNames, options.compileLayers);
    this.#compiled = runner.compiled;
    this.#run = (input) => poolTensor(runner.run(input), pooling);
    registerBackbone(this, {
      model,
      output: options.output,
      pooling,
      outputNames: options.outputNames,
      compileLayers: options.compileLayers !== false,
    });
    const probe = this.#predict(new Float32Array(spec.width * spec.height * spec.channels), 1);
    this.dim = probe.length;
    if (this.dim === 0) {
      throw new InvalidArgumentError('The embedding model returned an empty output.');
    }
    const settings = {
      spec,
      ...(options.output === undefined ? {} : { output: options.output }),
      pooling,
    };
    const kind = options.kind ?? 'tfjs';
    this.info = {
      kind,
      version: embedderVersion(kind, options.weightBytes ?? readWeights(model), settings),
      name: options.name ?? 'tfjs-model',
      options: { ...settings, ...(options.name === undefined ? {} : { name: options.name }) },
    };
  }

  async embed(
    pixels: Float32Array,
    count: number,
    options: EmbedOptions = {},
  ): Promise<Float32Array> {
    return this.embedSync(pixels, count, options);
  }

  /**
   * {@link embed} without the promise: TF.js runs the batch in this thread anyway, and a caller
   * embedding one image per query saves a microtask hop.
   */
  embedSync(pixels: Float32Array, count: number, options: EmbedOptions = {}): Float32Array {
    checkEmbedInput(pixels, count, this.spec);
    const size = this.spec.width * this.spec.height * this.spec.channels;
    const batchSize = options.batchSize ?? this.#batchSize;
    const out = new Float32Array(count * this.dim);
    for (let start = 0; start < count; start += batchSize) {
      const n = Math.min(batchSize, count - start);
      const rows = this.#predict(pixels.subarray(start * size, (start + n) * size), n);
      if (rows.length !== n * this.dim) {
        throw new InvalidArgumentError(
          `The embedding model returned ${rows.length / n} values per image, expected ${this.dim}.`,
        );
      }
      out.set(rows, start * this.dim);
      options.onBatch?.(start + n);
    }
    normalizeRows(out, this.dim);
    return out;
  }

  async saveTo(dir: string): Promise<void> {
    if (this.#sourceDir === undefined) {
      throw new InvalidArgumentError(
        'This TensorFlow.js embedder was built in memory; save its model with saveImageEmbedder and load it with loadImageEmbedder before saving an index with it.',
      );
    }
    await cp(this.#sourceDir, dir, { recursive: true });
  }

  /** What compiling the layers model folded away; undefined when it runs through tfjs-layers. */
  get compiled(): LayersInferenceSummary | undefined {
    return this.#compiled?.summary;
  }

  dispose(): void {
    this.#compiled?.dispose();
    this.#model.dispose?.();
  }

  #predict(pixels: Float32Array, n: number): Float32Array {
    const tf = getTf();
    const { height, width, channels } = this.spec;
    return tf.tidy(() => {
      const input = tf.tensor4d(pixels, [n, height, width, channels], 'float32');
      return this.#run(input).dataSync() as Float32Array;
    });
  }
}
