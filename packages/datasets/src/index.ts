/**
 * @mlsd/datasets: the data the examples run on.
 * @packageDocumentation
 */

export type { FashionMnist, ImageSplit } from './fashion-mnist.js';
export {
  FASHION_MNIST_LABELS,
  imageAsFloat,
  imagesAsFloat,
  loadFashionMnist,
  locateFashionMnist,
} from './fashion-mnist.js';
export { readIdx, writeIdx } from './idx-file.js';
export type { IdxArray, IdxDtype } from './idx-format.js';
export { encodeIdx, parseIdx } from './idx-format.js';
