/**
 * @mlsd/vision/tfjs: the TensorFlow.js-typed helpers. The main entry's declarations name no
 * TensorFlow.js type, so projects compile it without the DOM lib; this entry needs what
 * TensorFlow.js' own declarations need (the DOM lib, or `skipLibCheck`).
 * @packageDocumentation
 */

export { layersModelOf } from './embedding/layers-model-of.js';
export type { ModelFolder } from './embedding/model-folder-io.js';
export { folderSaveHandler, readModelFolder } from './embedding/model-folder-io.js';
export { sameConv2d } from './embedding/same-conv2d.js';
