import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { readArtifact, writeArtifact } from '@mlsd/core';
import { initBackend } from '@mlsd/tf';
import { getTf } from '@mlsd/tf/tfjs';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import type { io } from '@tensorflow/tfjs-core';
import { loadLayersModel } from '@tensorflow/tfjs-layers';
import { type ImageSpec, ImageSpecSchema, parseImageSpec } from '../image-spec.js';
import type { LayersModelHandle } from '../model-handle.js';
import type { EmbedderLoader, LoadEmbedderOptions } from './embedder-registry.js';
import { layersModelOf } from './layers-model-of.js';
import { folderSaveHandler, MODEL_JSON, readModelFolder } from './model-folder-io.js';
import { readInputShape, resolveModelSpec } from './model-input.js';
import { type BatchPredictor, TfjsImageEmbedder } from './tfjs-embedder.js';

/** Artifact kind of a saved embedder: a TensorFlow.js model folder plus its input spec. */
export const EMBEDDER_KIND = 'image-embedder';
const EMBEDDER_FORMAT_VERSION = 1;
const MODEL_SUBFOLDER = 'model';

/**
 * Loads a TensorFlow.js embedder: an mlsd embedder artifact (manifest.json with the input spec,
 * model/ inside; checksums verified) or any TensorFlow.js layers or graph model folder (model.json
 * plus weight shards), whose preprocessing must then be given (preset or mean/std; the size and
 * channels come from the model's input shape). Initialises the TensorFlow.js backend if needed.
 */
export async function loadTfjsEmbedder(
  dir: string,
  options: LoadEmbedderOptions = {},
): Promise<TfjsImageEmbedder> {
  await initBackend();
  let modelDir = dir;
  let savedSpec: ImageSpec | undefined;
  if (existsSync(join(dir, 'manifest.json'))) {
    const artifact = await readArtifact(dir, {
      kind: EMBEDDER_KIND,
      formatVersion: EMBEDDER_FORMAT_VERSION,
    });
    modelDir = join(artifact.dir, MODEL_SUBFOLDER);
    savedSpec = ImageSpecSchema.parse(artifact.manifest.params.spec);
  }
  const { format, artifacts } = await readModelFolder(modelDir);
  const handler: io.IOHandler = { load: async () => artifacts };
  const model =
    format === 'graph-model' ? await loadGraphModel(handler) : await loadLayersModel(handler);
  const name = options.name ?? basename(dir);
  const spec =
    options.spec !== undefined
      ? parseImageSpec(options.spec)
      : (savedSpec ??
        resolveModelSpec(
          readInputShape(model.inputs[0]?.shape ?? []),
          { ...options, layout: 'nhwc' },
          name,
        ));
  const topology = artifacts.modelTopology as Record<string, unknown>;
  return new TfjsImageEmbedder(model as BatchPredictor, spec, {
    output: options.output,
    pooling: options.pooling,
    batchSize: options.batchSize,
    compileLayers: options.compileLayers,
    name,
    sourceDir: dir,
    weightBytes: [
      new TextEncoder().encode(JSON.stringify(topology)),
      ...weightParts(artifacts.weightData),
    ],
    outputNames: outputNamesOf(topology),
  });
}

/** The `'tfjs'` embedder kind: TensorFlow.js folders and mlsd embedder artifacts. */
export const TFJS_EMBEDDER_LOADER: EmbedderLoader = {
  kind: 'tfjs',
  description: 'a TensorFlow.js layers or graph model folder (model.json), or an mlsd embedder',
  async detect(path) {
    if (existsSync(join(path, MODEL_JSON))) return true;
    const manifest = await readFile(join(path, 'manifest.json'), 'utf8').catch(() => undefined);
    return manifest?.includes(`"${EMBEDDER_KIND}"`) === true;
  },
  load: (path, options) => loadTfjsEmbedder(path, options),
};

/** Layer names (layers model) or node names (graph model) of a TF.js topology. */
function outputNamesOf(topology: Record<string, unknown>): string[] {
  if (Array.isArray(topology.node)) {
    return (topology.node as { name?: unknown }[])
      .map((node) => node.name)
      .filter((name): name is string => typeof name === 'string');
  }
  const config = (topology.model_config ?? topology) as { config?: { layers?: unknown } };
  const layers = config.config?.layers;
  if (!Array.isArray(layers)) return [];
  return (layers as { config?: { name?: unknown }; name?: unknown }[])
    .map((layer) => layer.config?.name ?? layer.name)
    .filter((name): name is string => typeof name === 'string');
}

function weightParts(data: io.ModelArtifacts['weightData']): Uint8Array[] {
  if (data === undefined) return [];
  return (Array.isArray(data) ? data : [data]).map((part) => new Uint8Array(part));
}

/** What {@link saveImageEmbedder} records beside the model. */
export interface SaveEmbedderOptions {
  /** The network (a tfjs-layers model whose output is the embedding before normalisation). */
  model: LayersModelHandle;
  /** Its input spec. */
  spec: ImageSpec;
  /** How it was trained (epochs, seed, loss...). */
  params?: Record<string, unknown>;
  /** What it achieved (precision@10, training seconds...). */
  metrics?: Record<string, unknown>;
  description?: string;
}

/**
 * Saves an embedder as an mlsd artifact: the model as a standard TensorFlow.js layers folder
 * under model/ (loadable by any tfjs program) plus the input spec in the manifest; atomic.
 */
export async function saveImageEmbedder(dir: string, options: SaveEmbedderOptions): Promise<void> {
  getTf();
  await writeArtifact(dir, {
    kind: EMBEDDER_KIND,
    formatVersion: EMBEDDER_FORMAT_VERSION,
    params: { ...(options.params ?? {}), spec: options.spec },
    metrics: options.metrics ?? {},
    ...(options.description === undefined ? {} : { description: options.description }),
    write: async (staging) => {
      await layersModelOf(options.model).save(folderSaveHandler(join(staging, MODEL_SUBFOLDER)));
    },
  });
}
