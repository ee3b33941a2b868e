import { describeWithNearest, InvalidArgumentError } from '@mlsd/core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import {
  activationName,
  DROPOUTS,
  namedWeights,
  pair,
  UnsupportedLayerError,
} from '../embedding/layers-inference.js';
import { layersModelOf } from '../embedding/layers-model-of.js';
import type { LayersModelHandle } from '../model-handle.js';

/** What one layer of a backbone's last block computes (weights apart). */
export type BlockStep =
  | {
      op: 'conv';
      /** Square, odd kernel side; stride 1 ('same' padding unless the kernel is 1 × 1). */
      kernel: number;
      activation: string;
    }
  | { op: 'dense'; activation: string }
  /** Inference-mode batch norm: moving statistics frozen, γ and β trained. */
  | { op: 'batch-norm'; epsilon: number }
  | { op: 'activation'; activation: string }
  | { op: 'global-pool'; mode: 'avg' | 'max' }
  | { op: 'flatten' | 'identity' };

/** One weight of a block layer, by its Keras name (`kernel`, `bias`, `gamma`, `moving_mean`...). */
export interface BlockWeight {
  name: string;
  shape: number[];
  values: Float32Array;
  /** Moving statistics stay as the backbone learnt them. */
  trainable: boolean;
}

/** One layer of the block, its settings and weights copied out of the model. */
export interface BlockLayer {
  name: string;
  step: BlockStep;
  weights: BlockWeight[];
}

/**
 * The layers of a backbone after a cut layer, up to its embedding output, as plain data: what
 * `mlsd images train --train-last-block` fine-tunes on features cached at the cut.
 */
export interface LastBlock {
  /** The layer whose output is the block's input (features are cached there). */
  cutLayer: string;
  /** Shape of one image's features at the cut, without the batch axis (e.g. [7, 7, 320]). */
  inputShape: number[];
  layers: BlockLayer[];
}

type Layer = LayersModel['layers'][number];

/**
 * The layers of `model` between `cutLayer` and `output` (default: the model's output) with
 * their pretrained weights. The default cut is the input of the last convolution before the
 * output, e.g. for Keras' MobileNetV2 `block_16_project_BN`: the block is the 1 × 1 convolution
 * 320 → 1,280, its batch norm and ReLU6, then the pooling. The block must be a chain (each layer
 * reads the one before) of layers this module can train: Conv2D (stride 1; 1 × 1, or odd square
 * kernels with 'same' padding), Dense, BatchNormalization, ReLU, Activation, pooling over the
 * whole map, Flatten and dropouts.
 * @throws InvalidArgumentError naming the layer that is unknown, that branches, or that the
 *   block cannot train, and how to choose another cut.
 */
export function describeLastBlock(
  handle: LayersModelHandle,
  output: string | undefined,
  cutLayer?: string,
): LastBlock {
  const model = layersModelOf(handle);
  const names = model.layers.map((layer) => layer.name);
  for (const name of [output, cutLayer]) {
    if (name !== undefined && !names.includes(name)) {
      throw new InvalidArgumentError(
        `The backbone has no layer ${describeWithNearest(name, names)}.`,
        { layer: name },
      );
    }
  }
  const last = output === undefined ? model.outputs[0]?.sourceLayer : model.getLayer(output);
  if (last === undefined) throw new InvalidArgumentError('The backbone has no output.');
  // Walk back from the output along single inputs until the cut (or, by default, until just
  // before the last convolution).
  const chain: Layer[] = [];
  let layer = last as Layer;
  let sawConv = false;
  for (;;) {
    if (layer.name === cutLayer) break;
    if (cutLayer === undefined && sawConv) break;
    const inbound = layer.inboundNodes[0]?.inboundLayers ?? [];
    if (layer.inboundNodes.length !== 1 || inbound.length !== 1) {
      throw new InvalidArgumentError(
        `Layer ${layer.name} ${inbound.length === 0 ? 'is the model input' : `reads ${inbound.length} inputs`}, so the last block cannot start before it; ` +
          `give --cut-layer a layer after it (the block must be a chain of single-input layers).`,
        { layer: layer.name },
      );
    }
    chain.unshift(layer);
    sawConv = sawConv || layer.getClassName() === 'Conv2D';
    layer = inbound[0] as Layer;
  }
  if (chain.length === 0) {
    throw new InvalidArgumentError(
      `The cut layer ${layer.name} is the backbone's output; choose a layer before it.`,
    );
  }
  if (cutLayer === undefined && !sawConv) {
    throw new InvalidArgumentError(
      'The backbone has no convolution before its output; name the cut layer (--cut-layer).',
    );
  }
  const shape = (layer.output as { shape: (number | null)[] }).shape.slice(1);
  if (shape.some((side) => typeof side !== 'number')) {
    throw new InvalidArgumentError(
      `Layer ${layer.name} has a dynamic output shape [${shape.join(', ')}]; give the backbone a fixed input size.`,
    );
  }
  const layers = chain.map((member) => {
    try {
      return blockLayer(member);
    } catch (error) {
      if (!(error instanceof UnsupportedLayerError)) throw error;
      throw new InvalidArgumentError(
        `The last block cannot train layer ${member.name} (${error.message}); choose a later --cut-layer.`,
        { layer: member.name },
      );
    }
  });
  return { cutLayer: layer.name, inputShape: shape as number[], layers };
}

function blockLayer(layer: Layer): BlockLayer {
  const type = layer.getClassName();
  const config = layer.getConfig() as Record<string, unknown>;
  if ('dataFormat' in config && config.dataFormat !== 'channelsLast') {
    throw new UnsupportedLayerError(`dataFormat ${String(config.dataFormat)}`);
  }
  const tensors = namedWeights(layer);
  const weight = (name: string, trainable = true): BlockWeight[] => {
    const tensor = tensors.get(name);
    return tensor === undefined
      ? []
      : [
          {
            name,
            shape: tensor.shape.slice(),
            values: (tensor.dataSync() as Float32Array).slice(),
            trainable,
          },
        ];
  };
  const inputShape = (layer.input as { shape: (number | null)[] }).shape;
  const step = ((): BlockStep => {
    switch (type) {
      case 'Conv2D': {
        const [k, k2] = pair(config.kernelSize);
        const strides = pair(config.strides);
        const dilations = pair(config.dilationRate ?? 1);
        if (k !== k2 || k % 2 !== 1) throw new UnsupportedLayerError(`a ${k}×${k2} kernel`);
        if (strides[0] !== 1 || strides[1] !== 1 || dilations[0] !== 1 || dilations[1] !== 1) {
          throw new UnsupportedLayerError('strides or dilations other than 1');
        }
        if (k > 1 && config.padding !== 'same') {
          throw new UnsupportedLayerError(
            `${k}×${k} kernel with ${String(config.padding)} padding`,
          );
        }
        if (config.groups !== undefined && config.groups !== 1) {
          throw new UnsupportedLayerError('grouped convolution');
        }
        return { op: 'conv', kernel: k, activation: activationName(config.activation) };
      }
      case 'Dense':
        if (inputShape.length !== 2) {
          throw new UnsupportedLayerError(`Dense on a rank-${inputShape.length} input`);
        }
        return { op: 'dense', activation: activationName(config.activation) };
      case 'BatchNormalization': {
        const axis = Number(config.axis);
        if (axis !== -1 && axis !== inputShape.length - 1) {
          throw new UnsupportedLayerError(`batch norm over axis ${axis}`);
        }
        return { op: 'batch-norm', epsilon: Number(config.epsilon) };
      }
      case 'ReLU': {
        const max = config.maxValue;
        if (max === null || max === undefined) return { op: 'activation', activation: 'relu' };
        if (max === 6) return { op: 'activation', activation: 'relu6' };
        throw new UnsupportedLayerError(`ReLU with maxValue ${String(max)}`);
      }
      case 'Activation':
        return { op: 'activation', activation: activationName(config.activation) };
      case 'GlobalAveragePooling2D':
      case 'GlobalMaxPooling2D':
        return { op: 'global-pool', mode: type === 'GlobalMaxPooling2D' ? 'max' : 'avg' };
      case 'AveragePooling2D':
      case 'MaxPooling2D': {
        // Only a pool over the whole map (Keras applications end this way) is a global pool.
        const size = pair(config.poolSize);
        if (size[0] !== inputShape[1] || size[1] !== inputShape[2]) {
          throw new UnsupportedLayerError(
            `a ${size.join('×')} pool that is not over the whole map`,
          );
        }
        return { op: 'global-pool', mode: type === 'MaxPooling2D' ? 'max' : 'avg' };
      }
      case 'Flatten':
        return { op: 'flatten' };
      default:
        if (DROPOUTS.has(type)) return { op: 'identity' };
        throw new UnsupportedLayerError(`layer class ${type}`);
    }
  })();
  const weights =
    step.op === 'conv' || step.op === 'dense'
      ? [...weight('kernel'), ...weight('bias')]
      : step.op === 'batch-norm'
        ? [
            ...weight('gamma'),
            ...weight('beta'),
            ...weight('moving_mean', false),
            ...weight('moving_variance', false),
          ]
        : [];
  return { name: layer.name, step, weights };
}
