import { describeWithNearest, InvalidArgumentError } from '@mlsd/core';
import { noteFallback } from '@mlsd/core/internal';
import { getTf } from '@mlsd/tf/tfjs';
import { GraphModel } from '@tensorflow/tfjs-converter';
import type { Tensor } from '@tensorflow/tfjs-core';
import {
  type LayersModel,
  model as layersModel,
  type SymbolicTensor,
} from '@tensorflow/tfjs-layers';
import {
  compileLayersInference,
  type LayersInference,
  UnsupportedLayerError,
} from './layers-inference.js';
import type { BatchPredictor, FeaturePooling } from './tfjs-embedder.js';

// TensorFlow.js-typed internals of TfjsImageEmbedder, kept out of its module so that the
// package's declarations name no tfjs type.

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

/** Records the model behind an embedder, for {@link backboneInternals}. */
export function registerBackbone(embedder: object, internals: BackboneInternals): void {
  BACKBONES.set(embedder, internals);
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
      const first = firstTensor(model.predict(input as never));
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
export function poolTensor(tensor: Tensor, pooling: FeaturePooling): Tensor {
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
export function readWeights(model: BatchPredictor): Uint8Array[] {
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
