import { InvalidArgumentError } from '@mlsd/core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { LayersModelHandle } from '../model-handle.js';

/**
 * A {@link LayersModelHandle} with its full TensorFlow.js type back, for code that calls tfjs
 * on it (`predict`, `save`, `getWeights`...).
 * @throws InvalidArgumentError when the handle is not a tfjs-layers model.
 */
export function layersModelOf(handle: LayersModelHandle): LayersModel {
  const model = handle as Partial<LayersModel>;
  if (typeof model.predict !== 'function' || typeof model.getWeights !== 'function') {
    throw new InvalidArgumentError(`${handle.name} is not a TensorFlow.js layers model.`);
  }
  return handle as LayersModel;
}
