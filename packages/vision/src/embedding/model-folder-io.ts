import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CorruptFileError, NotFoundError, writeFileAtomic } from '@mlsd/core';
import type { io } from '@tensorflow/tfjs-core';
import { MODEL_JSON } from './model-json.js';

export { MODEL_JSON };

/** model.json as TensorFlow.js writes it (the fields we read). */
interface ModelJson {
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  modelTopology?: unknown;
  trainingConfig?: unknown;
  weightsManifest?: { paths: string[]; weights: io.WeightsManifestEntry[] }[];
  signature?: unknown;
  userDefinedMetadata?: Record<string, unknown>;
  modelInitializer?: unknown;
}

/** A TensorFlow.js model read from a folder: whether it is a layers or a graph model, and its artifacts. */
export interface ModelFolder {
  /** `'layers-model'` or `'graph-model'`, from model.json's `format` or its topology's shape. */
  format: 'layers-model' | 'graph-model';
  artifacts: io.ModelArtifacts;
}

/**
 * Reads a TensorFlow.js model folder (model.json + weight shards, as `model.save()` or the
 * tensorflowjs converter write them) without @tensorflow/tfjs-node, whose `file://` handler is
 * unavailable on machines that cannot install it.
 * @throws NotFoundError when model.json or a shard is missing, naming the file.
 * @throws CorruptFileError when model.json is not JSON or a shard is shorter than its manifest says.
 */
export async function readModelFolder(dir: string): Promise<ModelFolder> {
  const jsonPath = join(dir, MODEL_JSON);
  const text = await readFile(jsonPath, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') {
      throw new NotFoundError(
        `${jsonPath} does not exist; a TensorFlow.js model folder holds model.json and its weight shards.`,
        { file: jsonPath },
      );
    }
    throw error;
  });
  let model: ModelJson;
  try {
    model = JSON.parse(text) as ModelJson;
  } catch (error) {
    throw new CorruptFileError(`${jsonPath} is not valid JSON: ${(error as Error).message}`, {
      file: jsonPath,
    });
  }
  if (model === null || typeof model !== 'object' || model.modelTopology === undefined) {
    throw new CorruptFileError(
      `${jsonPath} has no modelTopology; it is not a TensorFlow.js model.`,
      {
        file: jsonPath,
      },
    );
  }
  const weightSpecs: io.WeightsManifestEntry[] = [];
  const buffers: Uint8Array[] = [];
  for (const group of model.weightsManifest ?? []) {
    weightSpecs.push(...group.weights);
    for (const path of group.paths) {
      const shardPath = join(dir, path);
      const shard = await readFile(shardPath).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') {
          throw new NotFoundError(`Weight shard ${shardPath} named in ${MODEL_JSON} is missing.`, {
            file: shardPath,
          });
        }
        throw error;
      });
      buffers.push(shard);
    }
  }
  const total = buffers.reduce((sum, buffer) => sum + buffer.byteLength, 0);
  const expected = weightSpecs.reduce((sum, spec) => sum + weightByteLength(spec), 0);
  if (total < expected) {
    throw new CorruptFileError(
      `${dir}: the weight shards hold ${total} bytes but ${MODEL_JSON} describes ${expected}; a shard is truncated.`,
      { dir, bytes: total, expected },
    );
  }
  const weightData = new Uint8Array(total);
  let offset = 0;
  for (const buffer of buffers) {
    weightData.set(buffer, offset);
    offset += buffer.byteLength;
  }
  const topology = model.modelTopology as Record<string, unknown>;
  const format =
    model.format === 'graph-model' || (model.format === undefined && 'node' in topology)
      ? 'graph-model'
      : 'layers-model';
  const artifacts: io.ModelArtifacts = {
    modelTopology: topology as NonNullable<io.ModelArtifacts['modelTopology']>,
    weightSpecs,
    weightData: weightData.buffer,
    format: model.format ?? format,
  };
  if (model.generatedBy !== undefined) artifacts.generatedBy = model.generatedBy;
  if (model.convertedBy !== undefined) artifacts.convertedBy = model.convertedBy;
  if (model.trainingConfig !== undefined) {
    artifacts.trainingConfig = model.trainingConfig as NonNullable<
      io.ModelArtifacts['trainingConfig']
    >;
  }
  if (model.signature !== undefined) artifacts.signature = model.signature as object;
  if (model.userDefinedMetadata !== undefined) {
    artifacts.userDefinedMetadata = model.userDefinedMetadata as NonNullable<
      io.ModelArtifacts['userDefinedMetadata']
    >;
  }
  if (model.modelInitializer !== undefined)
    artifacts.modelInitializer = model.modelInitializer as object;
  return { format, artifacts };
}

/**
 * An IOHandler that saves a model as TensorFlow.js does on disk: model.json plus one
 * weights.bin shard, each written atomically. Use with `model.save(folderSaveHandler(dir))`.
 */
export function folderSaveHandler(dir: string): io.IOHandler {
  return {
    async save(artifacts: io.ModelArtifacts): Promise<io.SaveResult> {
      const weights = toBytes(artifacts.weightData);
      const modelJson: ModelJson = {
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy ?? 'mlsd',
        convertedBy: artifacts.convertedBy ?? null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
      };
      if (artifacts.userDefinedMetadata !== undefined) {
        modelJson.userDefinedMetadata = artifacts.userDefinedMetadata as Record<string, unknown>;
      }
      await writeFileAtomic(join(dir, 'weights.bin'), weights);
      await writeFileAtomic(join(dir, MODEL_JSON), `${JSON.stringify(modelJson)}\n`);
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          modelTopologyBytes: JSON.stringify(artifacts.modelTopology).length,
          weightSpecsBytes: JSON.stringify(artifacts.weightSpecs ?? []).length,
          weightDataBytes: weights.byteLength,
        },
      };
    },
  };
}

function toBytes(data: io.ModelArtifacts['weightData']): Uint8Array {
  if (data === undefined) return new Uint8Array(0);
  const parts = Array.isArray(data) ? data : [data];
  const total = parts.reduce((sum, part) => sum + part.byteLength, 0);
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    bytes.set(new Uint8Array(part), offset);
    offset += part.byteLength;
  }
  return bytes;
}

const BYTES_PER_DTYPE: Record<string, number> = {
  float32: 4,
  int32: 4,
  bool: 1,
  uint8: 1,
  float16: 2,
};

function weightByteLength(spec: io.WeightsManifestEntry): number {
  const count = spec.shape.reduce((product, size) => product * size, 1);
  if (spec.quantization !== undefined) {
    return count * (BYTES_PER_DTYPE[spec.quantization.dtype] ?? 4);
  }
  return count * (BYTES_PER_DTYPE[spec.dtype] ?? 4);
}
