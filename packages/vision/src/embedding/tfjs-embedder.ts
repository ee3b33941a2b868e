import { cp } from 'node:fs/promises';
import { describeWithNearest, InvalidArgumentError, noteFallback } from '@mlsd/core';
import { getTf } from '@mlsd/tf/tfjs';
import { GraphModel } from '@tensorflow/tfjs-converter';
import type { Tensor } from '@tensorflow/tfjs-core';
import {
  type LayersModel,
  model as layersModel,
  type SymbolicTensor,
} from '@tensorflow/tfjs-layers';
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
import {
  compileLayersInference,
  type LayersInference,
  UnsupportedLayerError,
} from './layers-inference.js';

/** What a model may run a batch through: a tfjs layers or graph model, or anything with predict. */
export interface BatchPredictor {
  /** A tensor, an array of tensors (the first is used) or a name → tensor map (the first entry). */
  predict(inputs: Tensor): unknown;
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
    BACKBONES.set(this, {
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
  get compiled(): LayersInference['summary'] | undefined {
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

/** What the last-block trainer needs of a TF.js backbone; kept out of the public class. */
export interface BackboneInternals {
  model: BatchPredictor;
  output: string | undefined;
  pooling: FeaturePooling;
  outputNames: readonly string[] | undefined;
  compileLayers: boolean;
}

const BACKBONES = new WeakMap<object, BackboneInternals>();

/** The model behind a {@link TfjsImageEmbedder}, or undefined for any other embedder. */
export function backboneInternals(embedder: object): BackboneInternals | undefined {
  return BACKBONES.get(embedder);
}

/**
 * Runs a model from its input to the layer or node `output` (default its output): the compiled
 * plan of a layers model when it compiles (and `compile` is not false), else tfjs itself.
 */
export function layerRunner(
  model: BatchPredictor,
  output: string | undefined,
  names: readonly string[] | undefined,
  compile: boolean | undefined,
): { run: (input: Tensor) => Tensor; compiled: LayersInference | undefined } {
  const forward = outputFunction(model, output, names);
  const compiled = compile === false ? undefined : compiledLayers(model, output);
  return { run: compiled === undefined ? forward : (input) => compiled.run(input), compiled };
}

/** The function from input to the chosen output tensor. */
function outputFunction(
  model: BatchPredictor,
  output: string | undefined,
  names: readonly string[] | undefined,
): (input: Tensor) => Tensor {
  if (output === undefined) {
    return (input) => {
      const first = firstTensor(model.predict(input));
      if (first === undefined) throw new InvalidArgumentError('The embedding model has no output.');
      return first;
    };
  }
  if (model instanceof GraphModel) {
    const known = names ?? [];
    if (known.length > 0 && !known.includes(output.replace(/:\d+$/, ''))) {
      throw unknownOutput(output, known);
    }
    return (input) => model.execute(input, output) as Tensor;
  }
  const layers = model as Partial<LayersModel>;
  if (typeof layers.getLayer !== 'function' || layers.inputs === undefined) {
    throw new InvalidArgumentError(
      'This model has no named layers to choose an output from; leave the output out.',
    );
  }
  const known = layers.layers?.map((layer) => layer.name) ?? [];
  if (!known.includes(output)) throw unknownOutput(output, known);
  const layer = layers.getLayer(output);
  const sub = layersModel({
    inputs: layers.inputs,
    outputs: layer.output as SymbolicTensor | SymbolicTensor[],
  });
  return (input) => {
    const first = firstTensor(sub.predict(input));
    if (first === undefined) throw new InvalidArgumentError(`Layer ${output} has no output.`);
    return first;
  };
}

/**
 * The compiled plan of a layers model up to `output`, or undefined for a graph model or a
 * layers model with a layer the compiler does not know (a fallback, logged once and counted).
 */
function compiledLayers(
  model: BatchPredictor,
  output: string | undefined,
): LayersInference | undefined {
  const layers = model as Partial<LayersModel>;
  if (model instanceof GraphModel || !Array.isArray(layers.layers)) return undefined;
  try {
    return compileLayersInference(model as LayersModel, output);
  } catch (error) {
    if (!(error instanceof UnsupportedLayerError)) throw error;
    noteFallback(
      'vision.compileLayers',
      `a layers model runs through tfjs-layers, unfused (${error.message})`,
    );
    return undefined;
  }
}

function unknownOutput(output: string, known: readonly string[]): InvalidArgumentError {
  const tail = known.slice(-8).join(', ');
  return new InvalidArgumentError(
    `The model has no layer or node ${describeWithNearest(output, known)}; its last ones are ${tail}.`,
    { output },
  );
}

/** Rank-4 outputs (feature maps, NHWC) pooled to [n, c]; others flattened to [n, d]. */
function poolTensor(tensor: Tensor, pooling: FeaturePooling): Tensor {
  const tf = getTf();
  if (tensor.rank === 4 && pooling !== 'flatten') {
    return pooling === 'max' ? tf.max(tensor, [1, 2]) : tf.mean(tensor, [1, 2]);
  }
  return tf.reshape(tensor, [tensor.shape[0] ?? 1, -1]);
}

function firstTensor(output: unknown): Tensor | undefined {
  if (Array.isArray(output)) return output[0] as Tensor | undefined;
  if (output !== null && typeof output === 'object' && 'dataSync' in output) {
    return output as Tensor;
  }
  if (output !== null && typeof output === 'object') {
    return Object.values(output as Record<string, Tensor>)[0];
  }
  return undefined;
}

/** The weights of an in-memory model as bytes, to fingerprint it. */
function readWeights(model: BatchPredictor): Uint8Array[] {
  const tensors: Tensor[] =
    model instanceof GraphModel
      ? Object.values(model.weights).flat()
      : typeof (model as Partial<LayersModel>).getWeights === 'function'
        ? (model as LayersModel).getWeights()
        : [];
  return tensors.map((tensor) => {
    const data = tensor.dataSync();
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  });
}
