import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError, readArtifact, writeArtifact } from '@mlsd/core';
import { initBackend } from '@mlsd/tf';
import { getTf } from '@mlsd/tf/tfjs';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import type { io } from '@tensorflow/tfjs-core';
import { type LayersModel, loadLayersModel } from '@tensorflow/tfjs-layers';
import {
  type ImageSpec,
  type ImageSpecInput,
  ImageSpecSchema,
  parseImageSpec,
} from '../image-spec.js';
import { TfjsImageEmbedder } from './image-embedder.js';
import { folderSaveHandler, readModelFolder } from './model-folder-io.js';

/** Artifact kind of a saved embedder: a TensorFlow.js model folder plus its input spec. */
export const EMBEDDER_KIND = 'image-embedder';
const EMBEDDER_FORMAT_VERSION = 1;
const MODEL_SUBFOLDER = 'model';

/** Options of {@link loadImageEmbedder}. */
export interface LoadEmbedderOptions {
  /**
   * Input size and normalisation of the model. Required for a plain TensorFlow.js folder (a
   * MobileNet you bring, say); for an mlsd embedder artifact it overrides the saved spec.
   */
  spec?: ImageSpecInput;
  /** Images per forward pass; default 256. */
  batchSize?: number;
}

/**
 * Loads an image embedder from a folder: either an mlsd embedder artifact (manifest.json with
 * the input spec, model/ inside; checksums verified) or any TensorFlow.js layers or graph model
 * folder (model.json + weight shards), whose input spec must then be given. Initialises the
 * TensorFlow.js backend if needed.
 * @throws InvalidArgumentError when a plain model folder comes without `spec`.
 * @throws NotFoundError / CorruptFileError / ChecksumMismatchError for missing or damaged files.
 */
export async function loadImageEmbedder(
  dir: string,
  options: LoadEmbedderOptions = {},
): Promise<TfjsImageEmbedder> {
  await initBackend();
  let modelDir = dir;
  let spec: ImageSpec | undefined =
    options.spec === undefined ? undefined : parseImageSpec(options.spec);
  if (existsSync(join(dir, 'manifest.json'))) {
    const artifact = await readArtifact(dir, {
      kind: EMBEDDER_KIND,
      formatVersion: EMBEDDER_FORMAT_VERSION,
    });
    modelDir = join(artifact.dir, MODEL_SUBFOLDER);
    spec ??= ImageSpecSchema.parse(artifact.manifest.params.spec);
  }
  if (spec === undefined) {
    throw new InvalidArgumentError(
      `${dir} is a plain TensorFlow.js model folder; give its input spec (width, height, channels, mean, std), e.g. { width: 224, height: 224, channels: 3, mean: [0.5], std: [0.5] }.`,
    );
  }
  const { format, artifacts } = await readModelFolder(modelDir);
  const handler: io.IOHandler = { load: async () => artifacts };
  const model =
    format === 'graph-model' ? await loadGraphModel(handler) : await loadLayersModel(handler);
  const embedder = new TfjsImageEmbedder(
    model,
    spec,
    options.batchSize === undefined ? {} : { batchSize: options.batchSize },
  );
  embedder.sourceDir = dir;
  return embedder;
}

/** What {@link saveImageEmbedder} records beside the model. */
export interface SaveEmbedderOptions {
  /** The network (a tfjs-layers model whose output is the embedding before normalisation). */
  model: LayersModel;
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
      await options.model.save(folderSaveHandler(join(staging, MODEL_SUBFOLDER)));
    },
  });
}
