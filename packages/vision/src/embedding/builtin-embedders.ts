import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { EmbedderLoader } from './embedder-registry.js';
import { TFJS_EMBEDDER_LOADER } from './load-embedder.js';
import { ONNX_MODEL_FILE, OnnxImageEmbedder } from './onnx-embedder.js';
import { PROJECTION_HEAD_LOADER } from './projection-head-embedder.js';
import { SAVED_EMBEDDER_LOADER } from './saved-embedder.js';

/** The `'onnx'` embedder kind: an `.onnx` file, or a folder holding `model.onnx`. */
export const ONNX_EMBEDDER_LOADER: EmbedderLoader = {
  kind: 'onnx',
  description: 'an ONNX model file (.onnx), run by the optional onnxruntime-node',
  async detect(path) {
    if (/\.onnx$/i.test(path)) return true;
    return (await stat(join(path, ONNX_MODEL_FILE)).catch(() => undefined))?.isFile() === true;
  },
  load: (path, options) => OnnxImageEmbedder.open(path, options),
};

/** The kinds registered before any user code runs, in the order they are tried. */
export const BUILTIN_EMBEDDER_LOADERS: readonly EmbedderLoader[] = [
  SAVED_EMBEDDER_LOADER,
  PROJECTION_HEAD_LOADER,
  TFJS_EMBEDDER_LOADER,
  ONNX_EMBEDDER_LOADER,
];
