import { InvalidArgumentError } from '@mlsd/core';
import { getTf } from '@mlsd/tf/tfjs';
import type { Tensor } from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { LayersInferenceSummary } from './layers-inference-summary.js';

export type { LayersInferenceSummary };

/** Activations TensorFlow.js can apply inside a fused convolution or matrix product. */
type FusedActivation = 'linear' | 'relu' | 'relu6' | 'sigmoid' | 'elu';

/** One layer of the model as a step of the plan; `inputs` name earlier steps. */
type Step = { name: string; inputs: string[] } & (
  | { op: 'input' }
  | {
      op: 'conv';
      depthwise: boolean;
      filter: Tensor;
      bias: Tensor | undefined;
      strides: [number, number];
      /** 'same', 'valid', or explicit [[top, bottom], [left, right]] rows and columns. */
      pad: 'same' | 'valid' | [[number, number], [number, number]];
      dilations: [number, number];
      activation: string;
    }
  | { op: 'dense'; kernel: Tensor; bias: Tensor | undefined; activation: string }
  | { op: 'scale-shift'; scale: Tensor; shift: Tensor }
  | { op: 'activation'; activation: string }
  | { op: 'pad'; pads: [[number, number], [number, number]] }
  | { op: 'add' | 'multiply' | 'flatten' | 'identity' }
  | { op: 'concat'; axis: number }
  | {
      op: 'pool';
      mode: 'max' | 'avg';
      size: [number, number];
      strides: [number, number];
      padding: 'same' | 'valid';
    }
  | { op: 'global-pool'; mode: 'max' | 'avg' }
  | { op: 'reshape'; shape: number[] }
);

/** A layers model compiled for inference: NHWC float32 batch in, the chosen layer's output out. */
export interface LayersInference {
  /** Runs the plan; intermediate tensors are freed as soon as their last reader ran. */
  run(input: Tensor): Tensor;
  readonly summary: LayersInferenceSummary;
  /** Frees the folded weights (the model's own weights are untouched). */
  dispose(): void;
}

/** A layer the compiler cannot run; the caller keeps TensorFlow.js's own layers execution. */
export class UnsupportedLayerError extends InvalidArgumentError {}

const FUSABLE: ReadonlySet<string> = new Set(['linear', 'relu', 'relu6', 'sigmoid', 'elu']);
/** Layers that are the identity at inference. */
export const DROPOUTS: ReadonlySet<string> = new Set([
  'Dropout',
  'SpatialDropout1D',
  'SpatialDropout2D',
  'AlphaDropout',
  'GaussianDropout',
  'GaussianNoise',
]);

type Layer = LayersModel['layers'][number];
type Config = Record<string, unknown>;

/**
 * Compiles a TensorFlow.js layers model, up to the layer `output` (default the model's first
 * output), into a plan of TensorFlow.js ops in which every batch normalisation that follows a
 * convolution or dense layer is folded into its weights (W·γ/√(σ²+ε), bias (b−μ)·γ/√(σ²+ε)+β),
 * the activation that follows is applied inside that convolution (`tf.fused.conv2d`:
 * XNNPACK's output clamp on the wasm backend), and a zero padding before a `valid`
 * convolution becomes that convolution's explicit padding. On the wasm backend a Keras
 * MobileNetV2 otherwise spends a third to a half of its time in 52 separate batch-norm
 * kernels, and about twice the CPU time (see the package README).
 * @throws UnsupportedLayerError naming the layers it cannot run (channels-first data, layers
 *   called more than once, layer classes outside the supported set).
 */
export function compileLayersInference(model: LayersModel, output?: string): LayersInference {
  const tf = getTf();
  const outputLayer = output === undefined ? model.outputs[0]?.sourceLayer : model.getLayer(output);
  if (outputLayer === undefined) throw new UnsupportedLayerError('The model has no output.');
  const order = topologicalOrder(outputLayer as Layer);
  const readers = new Map<string, number>();
  for (const layer of order) {
    for (const input of inboundNames(layer)) readers.set(input, (readers.get(input) ?? 0) + 1);
  }
  const unsupported: string[] = [];
  const steps = new Map<string, Step>();
  for (const layer of order) {
    try {
      steps.set(layer.name, stepOf(layer));
    } catch (error) {
      if (!(error instanceof UnsupportedLayerError)) throw error;
      unsupported.push(`${layer.name} (${error.message})`);
    }
  }
  if (unsupported.length > 0) {
    for (const step of steps.values()) disposeStep(step);
    throw new UnsupportedLayerError(
      `cannot compile ${unsupported.slice(0, 3).join('; ')}${unsupported.length > 3 ? ` and ${unsupported.length - 3} more` : ''}`,
    );
  }
  const summary = { steps: 0, foldedBatchNorms: 0, fusedActivations: 0, mergedPaddings: 0 };
  const plan = fuse(order, steps, readers, summary);
  summary.steps = plan.length;
  const outputName = outputLayer.name;
  return {
    summary,
    run(input) {
      const values = new Map<string, Tensor>();
      const left = new Map(readers);
      for (const step of plan) {
        const inputs = step.inputs.map((name) => values.get(name)!);
        const value = step.op === 'input' ? input : tf.tidy(() => runStep(step, inputs));
        values.set(step.name, value);
        for (const name of step.inputs) {
          const count = (left.get(name) ?? 1) - 1;
          left.set(name, count);
          const done = values.get(name);
          if (count === 0 && done !== undefined && done !== input && name !== outputName) {
            done.dispose();
            values.delete(name);
          }
        }
      }
      return values.get(outputName)!;
    },
    dispose() {
      for (const step of plan) disposeStep(step);
    },
  };
}

/** The layers `output` depends on, each after its inputs. */
function topologicalOrder(output: Layer): Layer[] {
  const order: Layer[] = [];
  const state = new Map<Layer, 'open' | 'done'>();
  const visit = (layer: Layer) => {
    if (state.get(layer) === 'done') return;
    if (layer.inboundNodes.length !== 1) {
      throw new UnsupportedLayerError(
        `layer ${layer.name} is called ${layer.inboundNodes.length} times (shared layers are not compiled)`,
      );
    }
    state.set(layer, 'open');
    // Iterative depth-first search would be longer; models are at most a few hundred layers deep.
    for (const input of layer.inboundNodes[0]!.inboundLayers) visit(input as Layer);
    state.set(layer, 'done');
    order.push(layer);
  };
  visit(output);
  return order;
}

function inboundNames(layer: Layer): string[] {
  return layer.inboundNodes[0]!.inboundLayers.map((input) => input.name);
}

/** The step one layer runs as, its weights copied out of the model. */
function stepOf(layer: Layer): Step {
  const tf = getTf();
  const type = layer.getClassName();
  const config = layer.getConfig() as Config;
  const name = layer.name;
  const inputs = inboundNames(layer);
  if ('dataFormat' in config && config.dataFormat !== 'channelsLast') {
    throw new UnsupportedLayerError(`${type} with dataFormat ${String(config.dataFormat)}`);
  }
  const weights = namedWeights(layer);
  switch (type) {
    case 'InputLayer':
      return { name, inputs, op: 'input' };
    case 'Conv2D':
    case 'DepthwiseConv2D': {
      const depthwise = type === 'DepthwiseConv2D';
      if (!depthwise && config.groups !== undefined && config.groups !== 1) {
        throw new UnsupportedLayerError('grouped Conv2D');
      }
      const filter = weights.get(depthwise ? 'depthwise_kernel' : 'kernel');
      if (filter === undefined) throw new UnsupportedLayerError(`${type} without a kernel`);
      return {
        name,
        inputs,
        op: 'conv',
        depthwise,
        filter: tf.clone(filter),
        bias: cloneOrUndefined(weights.get('bias')),
        strides: pair(config.strides),
        pad: padding(config.padding),
        dilations: pair(config.dilationRate ?? 1),
        activation: activationName(config.activation),
      };
    }
    case 'Dense': {
      const kernel = weights.get('kernel');
      if (kernel === undefined) throw new UnsupportedLayerError('Dense without a kernel');
      const rank = (layer.input as { shape: unknown[] }).shape.length;
      if (rank !== 2) throw new UnsupportedLayerError(`Dense on a rank-${rank} input`);
      return {
        name,
        inputs,
        op: 'dense',
        kernel: tf.clone(kernel),
        bias: cloneOrUndefined(weights.get('bias')),
        activation: activationName(config.activation),
      };
    }
    case 'BatchNormalization': {
      const rank = (layer.input as { shape: unknown[] }).shape.length;
      const axis = Number(config.axis);
      if (axis !== -1 && axis !== rank - 1) {
        throw new UnsupportedLayerError(`BatchNormalization over axis ${axis}`);
      }
      const { scale, shift } = batchNormAffine(weights, Number(config.epsilon));
      return {
        name,
        inputs,
        op: 'scale-shift',
        scale: tf.tensor1d(scale),
        shift: tf.tensor1d(shift),
      };
    }
    case 'ReLU': {
      const max = config.maxValue;
      if (max === null || max === undefined)
        return { name, inputs, op: 'activation', activation: 'relu' };
      if (max === 6) return { name, inputs, op: 'activation', activation: 'relu6' };
      throw new UnsupportedLayerError(`ReLU with maxValue ${String(max)}`);
    }
    case 'Activation':
      return { name, inputs, op: 'activation', activation: activationName(config.activation) };
    case 'ZeroPadding2D':
      return { name, inputs, op: 'pad', pads: pads(config.padding) };
    case 'Add':
      return { name, inputs, op: 'add' };
    case 'Multiply':
      return { name, inputs, op: 'multiply' };
    case 'Concatenate': {
      const axis = Number(config.axis ?? -1);
      const rank = (layer.output as { shape: unknown[] }).shape.length;
      return { name, inputs, op: 'concat', axis: axis < 0 ? rank + axis : axis };
    }
    case 'MaxPooling2D':
    case 'AveragePooling2D': {
      const size = pair(config.poolSize);
      return {
        name,
        inputs,
        op: 'pool',
        mode: type === 'MaxPooling2D' ? 'max' : 'avg',
        size,
        strides:
          config.strides === null || config.strides === undefined ? size : pair(config.strides),
        padding: config.padding === 'same' ? 'same' : 'valid',
      };
    }
    case 'GlobalAveragePooling2D':
    case 'GlobalMaxPooling2D':
      return {
        name,
        inputs,
        op: 'global-pool',
        mode: type === 'GlobalMaxPooling2D' ? 'max' : 'avg',
      };
    case 'Flatten':
      return { name, inputs, op: 'flatten' };
    case 'Reshape':
      return { name, inputs, op: 'reshape', shape: (config.targetShape as number[]).slice() };
    default:
      if (DROPOUTS.has(type)) return { name, inputs, op: 'identity' };
      throw new UnsupportedLayerError(`layer class ${type}`);
  }
}

/** A layer's weights by their last name part (`kernel`, `bias`, `gamma`, `moving_mean`...). */
export function namedWeights(layer: Layer): Map<string, Tensor> {
  const values = layer.getWeights();
  return new Map(
    layer.weights.map((weight, i) => [
      (weight.originalName ?? weight.name).split('/').pop()!.replace(/:\d+$/, ''),
      values[i]!,
    ]),
  );
}

/** A batch normalisation at inference as y = x·scale + shift, per channel. */
function batchNormAffine(
  weights: Map<string, Tensor>,
  epsilon: number,
): { scale: Float32Array; shift: Float32Array } {
  const read = (key: string) => weights.get(key)?.dataSync() as Float32Array | undefined;
  const mean = read('moving_mean');
  const variance = read('moving_variance');
  if (mean === undefined || variance === undefined) {
    throw new UnsupportedLayerError('BatchNormalization without moving statistics');
  }
  const gamma = read('gamma');
  const beta = read('beta');
  const scale = new Float32Array(mean.length);
  const shift = new Float32Array(mean.length);
  for (let c = 0; c < mean.length; c++) {
    scale[c] = (gamma?.[c] ?? 1) / Math.sqrt(variance[c]! + epsilon);
    shift[c] = (beta?.[c] ?? 0) - mean[c]! * scale[c]!;
  }
  return { scale, shift };
}

/**
 * Folds batch norms, activations and paddings into the convolutions and dense layers next to
 * them. A fold needs the pair to be alone together: the first step read only by the second.
 */
function fuse(
  order: readonly Layer[],
  steps: Map<string, Step>,
  readers: Map<string, number>,
  summary: LayersInferenceSummary,
): Step[] {
  const soleReader = new Map<string, string>();
  for (const layer of order) {
    for (const input of inboundNames(layer)) {
      if (readers.get(input) === 1) soleReader.set(input, layer.name);
    }
  }
  const removed = new Set<string>();
  /** Moves `step` to `into`'s place in the plan (readers of `into` read it). */
  const absorb = (step: Step, into: Step) => {
    removed.add(step.name);
    steps.set(into.name, { ...step, name: into.name });
    disposeStep(into);
  };
  for (const layer of order) {
    let step = steps.get(layer.name)!;
    if (removed.has(step.name)) continue;
    if (step.op === 'pad') {
      const next = steps.get(soleReader.get(step.name) ?? '');
      if (next?.op === 'conv' && next.pad === 'valid') {
        removed.add(step.name);
        steps.set(next.name, { ...next, inputs: step.inputs, pad: step.pads });
        summary.mergedPaddings++;
      }
      continue;
    }
    if ((step.op !== 'conv' && step.op !== 'dense') || step.activation !== 'linear') continue;
    const norm = steps.get(soleReader.get(step.name) ?? '');
    if (norm?.op === 'scale-shift') {
      step = foldAffine(
        step,
        norm.scale.dataSync() as Float32Array,
        norm.shift.dataSync() as Float32Array,
      );
      absorb(step, norm);
      step = steps.get(norm.name)!;
      summary.foldedBatchNorms++;
    }
    const act = steps.get(soleReader.get(step.name) ?? '');
    if (act?.op === 'activation' && FUSABLE.has(act.activation)) {
      absorb({ ...step, activation: act.activation } as Step, act);
      summary.fusedActivations++;
    }
  }
  return order.filter((layer) => !removed.has(layer.name)).map((layer) => steps.get(layer.name)!);
}

/** A convolution or dense step with y·scale + shift folded into its weights and bias. */
function foldAffine(
  step: Extract<Step, { op: 'conv' | 'dense' }>,
  scale: Float32Array,
  shift: Float32Array,
): Step {
  const tf = getTf();
  const weight = step.op === 'conv' ? step.filter : step.kernel;
  const values = Float32Array.from(weight.dataSync() as Float32Array);
  // The output channel is the innermost axis of every kernel layout here ([kh, kw, in, out],
  // depthwise [kh, kw, in, multiplier] with output in·multiplier + m, dense [in, out]).
  const channels = scale.length;
  if (values.length % channels !== 0) {
    throw new UnsupportedLayerError(`batch norm of ${channels} channels after ${step.name}`);
  }
  for (let i = 0; i < values.length; i++) values[i]! *= scale[i % channels]!;
  const bias = new Float32Array(channels);
  const old = step.bias?.dataSync() as Float32Array | undefined;
  for (let c = 0; c < channels; c++) bias[c] = (old?.[c] ?? 0) * scale[c]! + shift[c]!;
  const folded = tf.tensor(values, weight.shape, 'float32');
  weight.dispose();
  step.bias?.dispose();
  return step.op === 'conv'
    ? { ...step, filter: folded, bias: tf.tensor1d(bias) }
    : { ...step, kernel: folded, bias: tf.tensor1d(bias) };
}

function runStep(step: Step, inputs: Tensor[]): Tensor {
  const tf = getTf();
  const x = inputs[0]!;
  switch (step.op) {
    case 'input':
    case 'identity':
      return tf.clone(x);
    case 'conv': {
      const args = {
        x: x as Parameters<typeof tf.fused.conv2d>[0]['x'],
        strides: step.strides,
        pad: explicitPad(step.pad),
        dilations: step.dilations,
        activation: fusedActivation(step.activation),
        ...(step.bias === undefined ? {} : { bias: step.bias }),
      };
      const out = step.depthwise
        ? tf.fused.depthwiseConv2d({
            ...args,
            // Its typings omit explicit padding, which the kernel takes like conv2d's (the
            // MobileNetV2 test covers the merged stride-2 paddings).
            pad: args.pad as Parameters<typeof tf.fused.depthwiseConv2d>[0]['pad'],
            filter: step.filter as Parameters<typeof tf.fused.depthwiseConv2d>[0]['filter'],
          })
        : tf.fused.conv2d({
            ...args,
            filter: step.filter as Parameters<typeof tf.fused.conv2d>[0]['filter'],
          });
      return FUSABLE.has(step.activation) ? out : activate(out, step.activation);
    }
    case 'dense': {
      const out = tf.fused.matMul({
        a: x as Parameters<typeof tf.fused.matMul>[0]['a'],
        b: step.kernel as Parameters<typeof tf.fused.matMul>[0]['b'],
        activation: fusedActivation(step.activation),
        ...(step.bias === undefined ? {} : { bias: step.bias }),
      });
      return FUSABLE.has(step.activation) ? out : activate(out, step.activation);
    }
    case 'scale-shift':
      return tf.add(tf.mul(x, step.scale), step.shift);
    case 'activation':
      return activate(x, step.activation);
    case 'pad':
      return tf.pad(x, [[0, 0], ...step.pads, [0, 0]]);
    case 'add':
      return inputs.length === 2 ? tf.add(x, inputs[1]!) : tf.addN(inputs);
    case 'multiply':
      return inputs.slice(1).reduce((product, next) => tf.mul(product, next), x);
    case 'concat':
      return tf.concat(inputs, step.axis);
    case 'pool':
      return step.mode === 'max'
        ? tf.maxPool(x as Parameters<typeof tf.maxPool>[0], step.size, step.strides, step.padding)
        : tf.avgPool(x as Parameters<typeof tf.avgPool>[0], step.size, step.strides, step.padding);
    case 'global-pool':
      return step.mode === 'max' ? tf.max(x, [1, 2]) : tf.mean(x, [1, 2]);
    case 'flatten':
      return tf.reshape(x, [x.shape[0] ?? -1, -1]);
    case 'reshape':
      return tf.reshape(x, [x.shape[0] ?? -1, ...step.shape]);
  }
}

/** The activation `tf.fused` applies (linear when it cannot apply this one). */
function fusedActivation(name: string): FusedActivation {
  return FUSABLE.has(name) ? (name as FusedActivation) : 'linear';
}

/** Applies a Keras activation by name (the ones {@link activationName} accepts). */
export function activate(x: Tensor, name: string): Tensor {
  const tf = getTf();
  switch (name) {
    case 'linear':
      return x;
    case 'relu':
      return tf.relu(x);
    case 'relu6':
      return tf.relu6(x);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'elu':
      return tf.elu(x);
    case 'selu':
      return tf.selu(x);
    case 'tanh':
      return tf.tanh(x);
    case 'softmax':
      return tf.softmax(x);
    case 'softplus':
      return tf.softplus(x);
    case 'swish':
      return tf.mul(x, tf.sigmoid(x));
    default:
      throw new UnsupportedLayerError(`activation ${name}`);
  }
}

const STANDALONE = new Set([...FUSABLE, 'selu', 'tanh', 'softmax', 'softplus', 'swish']);

/** A layer's activation setting as a name `activate` runs, or UnsupportedLayerError. */
export function activationName(value: unknown): string {
  const name = typeof value === 'string' ? value : 'linear';
  if (!STANDALONE.has(name)) throw new UnsupportedLayerError(`activation ${name}`);
  return name;
}

function explicitPad(
  pad: 'same' | 'valid' | [[number, number], [number, number]],
): 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]] {
  return typeof pad === 'string' ? pad : [[0, 0], pad[0], pad[1], [0, 0]];
}

/** A Keras size setting (`3` or `[3, 3]`) as a pair. */
export function pair(value: unknown): [number, number] {
  if (typeof value === 'number') return [value, value];
  const [a, b] = value as number[];
  return [a!, b ?? a!];
}

function padding(value: unknown): 'same' | 'valid' {
  if (value === 'same' || value === 'valid') return value;
  throw new UnsupportedLayerError(`padding ${String(value)}`);
}

function pads(value: unknown): [[number, number], [number, number]] {
  if (typeof value === 'number')
    return [
      [value, value],
      [value, value],
    ];
  const [rows, cols] = value as (number | number[])[];
  const side = (v: number | number[] | undefined): [number, number] =>
    typeof v === 'number' ? [v, v] : [v![0]!, v![1]!];
  return [side(rows), side(cols)];
}

function cloneOrUndefined(tensor: Tensor | undefined): Tensor | undefined {
  return tensor === undefined ? undefined : getTf().clone(tensor);
}

function disposeStep(step: Step): void {
  if (step.op === 'conv') {
    step.filter.dispose();
    step.bias?.dispose();
  } else if (step.op === 'dense') {
    step.kernel.dispose();
    step.bias?.dispose();
  } else if (step.op === 'scale-shift') {
    step.scale.dispose();
    step.shift.dispose();
  }
}
