import { readFile, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import {
  CorruptFileError,
  describeWithNearest,
  InvalidArgumentError,
  NotFoundError,
} from '@mlsd/core';
import { type ImageSpec, imageSize } from '../image-spec.js';
import { embedderVersion } from './embedder-version.js';
import {
  checkEmbedInput,
  defaultBatchSize,
  type EmbedderInfo,
  type EmbedOptions,
  type ImageEmbedder,
  normalizeRows,
  poolFeatureMaps,
} from './image-embedder.js';
import { type ModelInputOptions, readInputShape, resolveModelSpec } from './model-input.js';
import { loadOnnxRuntime, type OrtModule, type OrtSession } from './onnx-runtime.js';

/** File name of the model inside a saved ONNX embedder folder. */
export const ONNX_MODEL_FILE = 'model.onnx';

/** Options of {@link OnnxImageEmbedder.open}. */
export interface OnnxEmbedderOptions extends ModelInputOptions {
  /** The output whose values are the embedding (e.g. pooled features); default the first. */
  output?: string | undefined;
  /** For a feature-map output: global 'avg' (default), 'max', or 'flatten'. */
  pooling?: 'avg' | 'max' | 'flatten' | undefined;
  /** Images per run; default {@link defaultBatchSize} (1 when the model fixes its batch at 1). */
  batchSize?: number | undefined;
  /** Threads onnxruntime uses inside one run; default its own (all cores). */
  threads?: number | undefined;
  /** Name for people; default the file name. */
  name?: string | undefined;
}

/**
 * An {@link ImageEmbedder} over an ONNX model run by onnxruntime-node (loaded on first use; an
 * optional dependency). The model's input shape gives the size and layout (NCHW for most
 * PyTorch exports); the preprocessing comes from a preset or an explicit mean and std.
 */
export class OnnxImageEmbedder implements ImageEmbedder {
  readonly spec: ImageSpec;
  readonly dim: number;
  readonly info: EmbedderInfo;
  readonly #ort: OrtModule;
  readonly #session: OrtSession;
  readonly #input: string;
  readonly #output: string;
  readonly #pooling: 'avg' | 'max' | 'flatten';
  readonly #batchSize: number;
  /** The batch size the model's input fixes, or 0 when it is dynamic. */
  readonly #fixedBatch: number;
  readonly #bytes: Uint8Array;

  private constructor(
    ort: OrtModule,
    session: OrtSession,
    spec: ImageSpec,
    settings: { input: string; output: string; pooling: 'avg' | 'max' | 'flatten' },
    batch: { size: number; fixed: number },
    bytes: Uint8Array,
    dim: number,
    info: EmbedderInfo,
  ) {
    this.#ort = ort;
    this.#session = session;
    this.spec = spec;
    this.#input = settings.input;
    this.#output = settings.output;
    this.#pooling = settings.pooling;
    this.#batchSize = batch.size;
    this.#fixedBatch = batch.fixed;
    this.#bytes = bytes;
    this.dim = dim;
    this.info = info;
  }

  /**
   * Opens an `.onnx` file (or a folder holding `model.onnx`, as saved in an index).
   * @throws BackendUnavailableError when onnxruntime-node is not installed, saying how to add it.
   * @throws NotFoundError / CorruptFileError for a missing or unreadable model.
   * @throws InvalidArgumentError for an unknown output, a model with several image inputs, or
   *   missing preprocessing (see `resolveModelSpec`).
   */
  static async open(path: string, options: OnnxEmbedderOptions = {}): Promise<OnnxImageEmbedder> {
    const file = (await stat(path).catch(() => undefined))?.isDirectory()
      ? join(path, ONNX_MODEL_FILE)
      : path;
    const bytes = await readFile(file).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') {
        throw new NotFoundError(`ONNX model ${file} does not exist.`, { file });
      }
      throw error;
    });
    const ort = await loadOnnxRuntime();
    let session: OrtSession;
    try {
      session = await ort.InferenceSession.create(bytes, {
        graphOptimizationLevel: 'all',
        ...(options.threads === undefined ? {} : { intraOpNumThreads: options.threads }),
      });
    } catch (error) {
      throw new CorruptFileError(
        `${file} is not an ONNX model onnxruntime can load: ${(error as Error).message}`,
        { file },
        { cause: error },
      );
    }
    const name =
      options.name ?? (basename(file) === ONNX_MODEL_FILE ? basename(path) : basename(file));
    if (session.inputNames.length !== 1) {
      throw new InvalidArgumentError(
        `${name} has ${session.inputNames.length} inputs (${session.inputNames.join(', ')}); an image embedder takes one image tensor.`,
        { file },
      );
    }
    const input = session.inputNames[0]!;
    const shapeInfo = session.inputMetadata?.[0]?.shape ?? [];
    const spec = resolveModelSpec(readInputShape(shapeInfo), options, name);
    const output = options.output ?? session.outputNames[0]!;
    if (!session.outputNames.includes(output)) {
      throw new InvalidArgumentError(
        `${name} has no output ${describeWithNearest(output, session.outputNames)}; its outputs are ${session.outputNames.join(', ')}.`,
        { file, output },
      );
    }
    const fixedBatch = typeof shapeInfo[0] === 'number' && shapeInfo[0] > 0 ? shapeInfo[0] : 0;
    const batchSize = fixedBatch > 0 ? fixedBatch : (options.batchSize ?? defaultBatchSize(spec));
    const pooling = options.pooling ?? 'avg';
    const settings = { spec, output, pooling };
    const probe = await run(
      ort,
      session,
      input,
      output,
      spec,
      pooling,
      new Float32Array(imageSize(spec) * (fixedBatch || 1)),
      fixedBatch || 1,
    );
    const dim = probe.length / (fixedBatch || 1);
    if (dim === 0) throw new InvalidArgumentError(`${name}'s output ${output} is empty.`);
    const info: EmbedderInfo = {
      kind: 'onnx',
      version: embedderVersion('onnx', [bytes], settings),
      name,
      options: { ...settings, name },
    };
    return new OnnxImageEmbedder(
      ort,
      session,
      spec,
      { input, output, pooling },
      { size: batchSize, fixed: fixedBatch },
      bytes,
      dim,
      info,
    );
  }

  async embed(
    pixels: Float32Array,
    count: number,
    options: EmbedOptions = {},
  ): Promise<Float32Array> {
    checkEmbedInput(pixels, count, this.spec);
    const size = imageSize(this.spec);
    const fixed = this.#fixedBatch;
    const batchSize = fixed > 0 ? fixed : (options.batchSize ?? this.#batchSize);
    const out = new Float32Array(count * this.dim);
    for (let start = 0; start < count; start += batchSize) {
      const n = Math.min(batchSize, count - start);
      // A model that fixes its batch size takes exactly that many images: pad the last run.
      const runs = fixed > 0 ? fixed : n;
      const batch = new Float32Array(runs * size);
      batch.set(pixels.subarray(start * size, (start + n) * size));
      const rows = await run(
        this.#ort,
        this.#session,
        this.#input,
        this.#output,
        this.spec,
        this.#pooling,
        batch,
        runs,
      );
      if (rows.length !== runs * this.dim) {
        throw new InvalidArgumentError(
          `${this.info.name} returned ${rows.length / runs} values per image, expected ${this.dim}.`,
        );
      }
      out.set(rows.subarray(0, n * this.dim), start * this.dim);
      options.onBatch?.(start + n);
    }
    normalizeRows(out, this.dim);
    return out;
  }

  async saveTo(dir: string): Promise<void> {
    await writeFile(join(dir, ONNX_MODEL_FILE), this.#bytes);
  }

  dispose(): void {
    void this.#session.release();
  }
}

/** One run: [n, ...input] in, the chosen output out, feature maps pooled to one row per image. */
async function run(
  ort: OrtModule,
  session: OrtSession,
  input: string,
  output: string,
  spec: ImageSpec,
  pooling: 'avg' | 'max' | 'flatten',
  pixels: Float32Array,
  n: number,
): Promise<Float32Array> {
  const dims =
    spec.layout === 'nchw'
      ? [n, spec.channels, spec.height, spec.width]
      : [n, spec.height, spec.width, spec.channels];
  const result = await session.run({ [input]: new ort.Tensor('float32', pixels, dims) }, [output]);
  const tensor = result[output];
  if (tensor === undefined || !(tensor.data instanceof Float32Array)) {
    throw new InvalidArgumentError(`Output ${output} is not a float32 tensor.`, { output });
  }
  const values = tensor.data;
  if (tensor.dims.length === 4 && pooling !== 'flatten') {
    // A feature map is laid out like the input: [n, c, h, w] for NCHW models.
    const channelsFirst = spec.layout === 'nchw';
    const channels = channelsFirst ? tensor.dims[1]! : tensor.dims[3]!;
    const area = channelsFirst
      ? tensor.dims[2]! * tensor.dims[3]!
      : tensor.dims[1]! * tensor.dims[2]!;
    return poolFeatureMaps(values, n, channels, area, channelsFirst, pooling);
  }
  return values;
}
