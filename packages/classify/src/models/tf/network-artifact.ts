import { CorruptFileError, readArtifact, writeArtifact } from '@mlsd/core';
import { z } from 'zod';
import type { NetworkState } from './network-state.js';

/** Format version of the artifact layout written by {@link writeNetworkArtifact}. */
export const NETWORK_ARTIFACT_VERSION = 1;

const MODEL_FILE = 'model.json';

const ModelFileSchema = z.object({
  params: z.record(z.string(), z.unknown()),
  featureCount: z.number().int().positive(),
  standardization: z.object({ means: z.array(z.number()), stds: z.array(z.number()) }),
  layers: z.array(
    z.object({
      inputs: z.number().int().positive(),
      units: z.number().int().positive(),
      kernel: z.string(),
      bias: z.string(),
    }),
  ),
  training: z.object({
    epochs: z.number().int().nonnegative(),
    bestEpoch: z.number().int().nonnegative(),
    stoppedEarly: z.boolean(),
    trainLoss: z.array(z.number()),
    validationLoss: z.array(z.number()),
  }),
});

/**
 * Writes a fitted network as an artifact folder: `model.json` (hyperparameters, layer shapes,
 * input means/stds as JSON numbers, which round-trip float64 exactly, and the loss curves) and
 * one little-endian float32 file per kernel and bias under `weights/`. The manifest's `kind` is
 * the model class, its params the hyperparameters, its metrics where training stopped.
 */
export async function writeNetworkArtifact(
  dir: string,
  kind: string,
  params: Readonly<Record<string, unknown>>,
  state: NetworkState,
): Promise<void> {
  const files: Record<string, Uint8Array> = {};
  const layers = state.layers.map((layer, l) => {
    const kernel = `weights/layer${l}-kernel.f32`;
    const bias = `weights/layer${l}-bias.f32`;
    files[kernel] = float32ToBytes(layer.kernel);
    files[bias] = float32ToBytes(layer.bias);
    return { inputs: layer.inputs, units: layer.units, kernel, bias };
  });
  const { training } = state;
  const model: z.input<typeof ModelFileSchema> = {
    params: { ...params },
    featureCount: state.featureCount,
    standardization: {
      means: Array.from(state.standardization.means),
      stds: Array.from(state.standardization.stds),
    },
    layers,
    training: {
      epochs: training.epochs,
      bestEpoch: training.bestEpoch,
      stoppedEarly: training.stoppedEarly,
      trainLoss: Array.from(training.trainLoss),
      validationLoss: Array.from(training.validationLoss),
    },
  };
  const bestValidationLoss =
    training.bestEpoch > 0 && training.validationLoss.length >= training.bestEpoch
      ? training.validationLoss[training.bestEpoch - 1]
      : undefined;
  await writeArtifact(dir, {
    kind,
    formatVersion: NETWORK_ARTIFACT_VERSION,
    description: `${kind} trained with TensorFlow.js (@mlsd/classify)`,
    params: { ...params },
    metrics: {
      epochs: training.epochs,
      bestEpoch: training.bestEpoch,
      stoppedEarly: training.stoppedEarly,
      ...(bestValidationLoss === undefined ? {} : { bestValidationLoss }),
    },
    files: { ...files, [MODEL_FILE]: `${JSON.stringify(model, null, 2)}\n` },
  });
}

/** Hyperparameters and fitted state read back by {@link readNetworkArtifact}; check both. */
export interface NetworkArtifactContent {
  /** Hyperparameters as saved (validate with the model's options schema). */
  params: Record<string, unknown>;
  /** Fitted state (validate with `NetworkStateSchema`). */
  state: NetworkState;
}

/**
 * Reads an artifact written by {@link writeNetworkArtifact}, checking its kind, format version
 * and every file's checksum.
 * @throws NotFoundError, ManifestInvalidError or ChecksumMismatchError from `readArtifact`;
 * CorruptFileError when `model.json` or a weights file does not have the expected layout.
 */
export async function readNetworkArtifact(
  dir: string,
  kind: string,
): Promise<NetworkArtifactContent> {
  const artifact = await readArtifact(dir, { kind, formatVersion: NETWORK_ARTIFACT_VERSION });
  const parsed = ModelFileSchema.safeParse(await artifact.readJson(MODEL_FILE));
  if (!parsed.success) {
    throw new CorruptFileError(
      `${artifact.path(MODEL_FILE)} does not describe a ${kind}: ${parsed.error.issues
        .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
        .join('; ')}. Re-save the model.`,
      { dir: artifact.dir, file: MODEL_FILE },
    );
  }
  const model = parsed.data;
  const layers = [];
  for (const layer of model.layers) {
    layers.push({
      inputs: layer.inputs,
      units: layer.units,
      kernel: bytesToFloat32(await artifact.readFile(layer.kernel), layer.kernel),
      bias: bytesToFloat32(await artifact.readFile(layer.bias), layer.bias),
    });
  }
  return {
    params: model.params,
    state: {
      featureCount: model.featureCount,
      standardization: {
        means: Float64Array.from(model.standardization.means),
        stds: Float64Array.from(model.standardization.stds),
      },
      layers,
      training: {
        ...model.training,
        trainLoss: Float64Array.from(model.training.trainLoss),
        validationLoss: Float64Array.from(model.training.validationLoss),
      },
    },
  };
}

/** Little-endian bytes of a float32 array, whatever the host's byte order. */
function float32ToBytes(values: Float32Array): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
  return bytes;
}

function bytesToFloat32(bytes: Uint8Array, name: string): Float32Array {
  if (bytes.byteLength % 4 !== 0) {
    throw new CorruptFileError(
      `${name} holds ${bytes.byteLength} bytes, not a whole number of float32 values. Re-save the model.`,
      { file: name },
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values = new Float32Array(bytes.byteLength / 4);
  for (let i = 0; i < values.length; i++) values[i] = view.getFloat32(i * 4, true);
  return values;
}
