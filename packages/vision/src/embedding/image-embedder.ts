import { DimensionMismatchError, InvalidArgumentError } from '@mlsd/core';
import { getTf } from '@mlsd/tf/tfjs';
import type { Tensor } from '@tensorflow/tfjs-core';
import { type ImageSpec, imageSize } from '../image-spec.js';

/** Something that runs a batch of preprocessed images to one output tensor per batch. */
export interface BatchPredictor {
  /** A tensor, an array of tensors (the first is used) or a name → tensor map (the first entry). */
  predict(inputs: Tensor): unknown;
}

/**
 * Turns preprocessed images into L2-normalised vectors, so that cosine similarity is a dot
 * product and Euclidean distance ranks the same way.
 */
export interface ImageEmbedder {
  /** The input the model expects; decode images with this spec (see `decodeImage`). */
  readonly spec: ImageSpec;
  /** Length of each embedding. */
  readonly dim: number;
  /**
   * Embeds `count` images laid out back to back in `pixels` (each `imageSize(spec)` values,
   * height × width × channels). Returns `count × dim` values, each row of unit length.
   */
  embed(pixels: Float32Array, count: number): Float32Array;
  /** Frees the model's tensors. */
  dispose(): void;
}

/** Options of {@link TfjsImageEmbedder}. */
export interface TfjsEmbedderOptions {
  /** Images per forward pass; default 256. */
  batchSize?: number;
  /** Called with the number of images done after each batch (for progress bars). */
  onBatch?: (done: number) => void;
}

/**
 * An {@link ImageEmbedder} over any TensorFlow.js model (layers or graph) whose output, flattened
 * per image, is the embedding.
 */
export class TfjsImageEmbedder implements ImageEmbedder {
  readonly spec: ImageSpec;
  readonly dim: number;
  /** The folder the model was loaded from (set by `loadImageEmbedder`), for copying it along. */
  sourceDir: string | undefined;
  readonly #model: BatchPredictor & { dispose?: () => void };
  readonly #batchSize: number;

  /**
   * @param model the network; called on [batch, height, width, channels] float32 inputs.
   * @param spec its input; `dim` is found by running one blank image through it.
   */
  constructor(
    model: BatchPredictor & { dispose?: () => void },
    spec: ImageSpec,
    options: { batchSize?: number } = {},
  ) {
    this.#model = model;
    this.spec = spec;
    this.sourceDir = undefined;
    this.#batchSize = options.batchSize ?? 256;
    if (!Number.isInteger(this.#batchSize) || this.#batchSize < 1) {
      throw new InvalidArgumentError(
        `batchSize must be a positive integer, got ${this.#batchSize}.`,
      );
    }
    const probe = this.#run(new Float32Array(imageSize(spec)), 1);
    this.dim = probe.length;
    if (this.dim === 0) {
      throw new InvalidArgumentError('The embedding model returned an empty output.');
    }
  }

  embed(pixels: Float32Array, count: number, options: TfjsEmbedderOptions = {}): Float32Array {
    const size = imageSize(this.spec);
    if (!Number.isInteger(count) || count < 0 || pixels.length !== count * size) {
      throw new DimensionMismatchError(
        `embed: ${count} images of ${this.spec.height}×${this.spec.width}×${this.spec.channels} need ${count * size} values, got ${pixels.length}.`,
        { count, expected: count * size, actual: pixels.length },
      );
    }
    const batchSize = options.batchSize ?? this.#batchSize;
    const out = new Float32Array(count * this.dim);
    for (let start = 0; start < count; start += batchSize) {
      const n = Math.min(batchSize, count - start);
      const rows = this.#run(pixels.subarray(start * size, (start + n) * size), n);
      if (rows.length !== n * this.dim) {
        throw new DimensionMismatchError(
          `The embedding model returned ${rows.length / n} values per image, expected ${this.dim}.`,
        );
      }
      out.set(rows, start * this.dim);
      options.onBatch?.(start + n);
    }
    normalizeRows(out, this.dim);
    return out;
  }

  dispose(): void {
    this.#model.dispose?.();
  }

  #run(pixels: Float32Array, n: number): Float32Array {
    const tf = getTf();
    const { height, width, channels } = this.spec;
    return tf.tidy(() => {
      const input = tf.tensor4d(pixels, [n, height, width, channels], 'float32');
      const first = firstTensor(this.#model.predict(input));
      if (first === undefined) throw new InvalidArgumentError('The embedding model has no output.');
      return first.dataSync() as Float32Array;
    });
  }
}

function firstTensor(output: unknown): Tensor | undefined {
  if (Array.isArray(output)) return output[0] as Tensor | undefined;
  if (output !== null && typeof output === 'object' && 'dataSync' in output)
    return output as Tensor;
  if (output !== null && typeof output === 'object') {
    return Object.values(output as Record<string, Tensor>)[0];
  }
  return undefined;
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
