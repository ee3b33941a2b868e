import { DimensionMismatchError } from '@mlsd/core';
import { type ImageSpec, imageSize } from '../image-spec.js';

/**
 * Who an embedder is: enough to load it again from its saved files and to tell whether two
 * embedders make comparable vectors. Saved in every index built with it.
 */
export interface EmbedderInfo {
  /** The registry kind that loads it (`'tfjs'`, `'onnx'`, `'projection-head'`, or yours). */
  kind: string;
  /**
   * Fingerprint of everything that decides the vectors: the weights, the output chosen, the
   * pooling and the preprocessing. Equal versions make identical vectors for identical images.
   */
  version: string;
  /** A short name for people (the model's file or folder name). */
  name: string;
  /** JSON options its loader needs besides the files (the resolved spec, output, pooling...). */
  options: Record<string, unknown>;
}

/** Options of {@link ImageEmbedder.embed}. */
export interface EmbedOptions {
  /** Images per forward pass (default: the embedder's own). */
  batchSize?: number | undefined;
  /** Called with the number of images done after each batch (for progress bars). */
  onBatch?: ((done: number) => void) | undefined;
}

/**
 * Turns preprocessed images into L2-normalised vectors, so that cosine similarity is a dot
 * product and Euclidean distance ranks the same way. The seam for every model family: register
 * a loader for your own with `registerEmbedderKind`.
 */
export interface ImageEmbedder {
  /** The input the model expects; decode images with this spec (see `decodeImage`). */
  readonly spec: ImageSpec;
  /** Length of each embedding. */
  readonly dim: number;
  /** Kind, version and options, recorded in every index built with it. */
  readonly info: EmbedderInfo;
  /**
   * Embeds `count` images laid out back to back in `pixels` (each `imageSize(spec)` values, in
   * the spec's layout). Resolves to `count × dim` values, each row of unit length.
   */
  embed(pixels: Float32Array, count: number, options?: EmbedOptions): Promise<Float32Array>;
  /**
   * Writes what its loader needs to load it again (weights, model files) into the empty
   * folder `dir`; an embedder with no files writes nothing.
   */
  saveTo(dir: string): Promise<void>;
  /** Frees the model's memory. */
  dispose(): void;
}

/** Throws DimensionMismatchError unless `pixels` holds exactly `count` images of `spec`. */
export function checkEmbedInput(pixels: Float32Array, count: number, spec: ImageSpec): void {
  const size = imageSize(spec);
  if (!Number.isInteger(count) || count < 0 || pixels.length !== count * size) {
    throw new DimensionMismatchError(
      `embed: ${count} images of ${spec.height}×${spec.width}×${spec.channels} need ${count * size} values, got ${pixels.length}.`,
      { count, expected: count * size, actual: pixels.length },
    );
  }
}

/** Scales each row of a row-major `rows × dim` array to unit L2 norm (zero rows stay zero). */
export function normalizeRows(values: Float32Array, dim: number): void {
  for (let start = 0; start < values.length; start += dim) {
    let sum = 0;
    for (let j = start; j < start + dim; j++) sum += values[j]! * values[j]!;
    if (sum === 0) continue;
    const scale = 1 / Math.sqrt(sum);
    for (let j = start; j < start + dim; j++) values[j]! *= scale;
  }
}

/**
 * Default images per forward pass for an input of this size: about 1 M input values per
 * batch (256 for 28 × 28 grey, 6 for 224 × 224 colour). MobileNetV2 on the WebAssembly backend
 * measured fastest at batches of 4–8 (benchmarks/results/vision-pretrained.json); larger ones
 * only grow the activations' memory.
 */
export function defaultBatchSize(spec: ImageSpec): number {
  return Math.max(1, Math.min(256, Math.floor(2 ** 20 / imageSize(spec))));
}

/**
 * Global pooling of a feature map to one value per channel. `values` holds `count` maps of
 * `channels × area` (NCHW: `channelsFirst`) or `area × channels` (NHWC).
 */
export function poolFeatureMaps(
  values: Float32Array,
  count: number,
  channels: number,
  area: number,
  channelsFirst: boolean,
  mode: 'avg' | 'max',
): Float32Array {
  const out = new Float32Array(count * channels);
  const init = mode === 'max' ? Number.NEGATIVE_INFINITY : 0;
  out.fill(init);
  for (let n = 0; n < count; n++) {
    const base = n * channels * area;
    const row = n * channels;
    for (let p = 0; p < area; p++) {
      for (let c = 0; c < channels; c++) {
        const v = values[base + (channelsFirst ? c * area + p : p * channels + c)]!;
        if (mode === 'max') {
          if (v > out[row + c]!) out[row + c] = v;
        } else {
          out[row + c]! += v;
        }
      }
    }
    if (mode === 'avg') for (let c = 0; c < channels; c++) out[row + c]! /= area;
  }
  return out;
}
