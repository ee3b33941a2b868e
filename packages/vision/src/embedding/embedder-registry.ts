import { existsSync } from 'node:fs';
import { InvalidArgumentError, ManifestInvalidError, NotFoundError } from '@mlsd/core';
import { Registry } from '@mlsd/core/internal';
import { BUILTIN_EMBEDDER_LOADERS } from './builtin-embedders.js';
import type { EmbedderInfo, ImageEmbedder } from './image-embedder.js';
import type { ModelInputOptions } from './model-input.js';

/** Options of {@link loadImageEmbedder}: which loader, and how the model's input is prepared. */
export interface LoadEmbedderOptions extends ModelInputOptions {
  /** A registered kind to load with (`'tfjs'`, `'onnx'`...); default the first that detects the path. */
  kind?: string | undefined;
  /** The layer, node or output whose values are the embedding; default the model's output. */
  output?: string | undefined;
  /** For a feature-map output: global 'avg' (default), 'max', or 'flatten'. */
  pooling?: 'avg' | 'max' | 'flatten' | undefined;
  /** Images per forward pass. */
  batchSize?: number | undefined;
  /** Name for people (default: the model's file or folder name); kept when an index is saved. */
  name?: string | undefined;
  /** ONNX: threads onnxruntime uses inside one run (default: its own choice, all cores). */
  threads?: number | undefined;
  /**
   * TensorFlow.js layers models: run them compiled, with batch norms and activations folded
   * into the convolutions (default true; see `compileLayersInference`). Not saved: it changes
   * speed, not the vectors (beyond float rounding).
   */
  compileLayers?: boolean | undefined;
}

/** What a loader may call back into: loading another embedder (a backbone, say). */
export interface EmbedderLoadContext {
  /** Loads a saved embedder from `dir` as `info` describes it, checking its version. */
  reload(dir: string, info: EmbedderInfo): Promise<ImageEmbedder>;
}

/**
 * A kind of embedder mlsd can load. Register your own with {@link registerEmbedderKind}: it is
 * then found by `loadImageEmbedder`, saved in indexes (its `saveTo` files plus `info.options`)
 * and loaded again with them, without editing mlsd.
 */
export interface EmbedderLoader {
  /** Name recorded in `EmbedderInfo.kind`. */
  readonly kind: string;
  /** One line for people (listed when no loader recognises a path). */
  readonly description: string;
  /** Whether `path` holds a model of this kind (checked in registration order). */
  detect(path: string): Promise<boolean>;
  /**
   * Loads the model at `path`. `options` are the user's, or the `info.options` it saved when
   * an index is reloaded.
   */
  load(
    path: string,
    options: LoadEmbedderOptions & Record<string, unknown>,
    context: EmbedderLoadContext,
  ): Promise<ImageEmbedder>;
}

const loaders = new Registry<EmbedderLoader>(
  { noun: 'embedder kind', howToAdd: 'registerEmbedderKind() before loading' },
  BUILTIN_EMBEDDER_LOADERS.map((loader) => [loader.kind, loader]),
);

/**
 * Adds a kind of embedder. Kinds are tried in registration order when none is named.
 * @throws InvalidArgumentError for a kind that is not letters, digits, `.`, `_` or `-`, or one
 *   that exists (pass `replace: true` to swap it).
 */
export function registerEmbedderKind(
  loader: EmbedderLoader,
  options: { replace?: boolean } = {},
): void {
  loaders.register(loader.kind, loader, options);
}

/** Removes a registered kind (true when it was there). */
export function unregisterEmbedderKind(kind: string): boolean {
  return loaders.unregister(kind);
}

/** The registered kinds, in the order they are tried. */
export function embedderKinds(): string[] {
  return loaders.names();
}

const context: EmbedderLoadContext = { reload: reloadEmbedder };

/**
 * Loads an image embedder from a model folder or file with the registered loaders: a
 * TensorFlow.js layers or graph model folder, an mlsd embedder artifact, an `.onnx` file, or a
 * kind you registered. `options` name the preprocessing of a plain pretrained model (preset or
 * mean/std, size, output).
 * @throws InvalidArgumentError when no loader recognises the path (listing the kinds), or the
 *   loader's own errors (missing preprocessing, unknown output...).
 */
export async function loadImageEmbedder(
  path: string,
  options: LoadEmbedderOptions = {},
): Promise<ImageEmbedder> {
  const clean = Object.fromEntries(
    Object.entries(options).filter(([, value]) => value !== undefined),
  ) as LoadEmbedderOptions & Record<string, unknown>;
  if (options.kind !== undefined) return loaders.get(options.kind).load(path, clean, context);
  if (!existsSync(path)) {
    throw new NotFoundError(`Model ${path} does not exist; give a model folder or an .onnx file.`, {
      path,
    });
  }
  for (const loader of loaders.values()) {
    if (await loader.detect(path)) return loader.load(path, clean, context);
  }
  throw new InvalidArgumentError(
    `${path} is not a model any registered embedder kind recognises: ${loaders
      .values()
      .map((loader) => `${loader.kind} (${loader.description})`)
      .join('; ')}.`,
    { path },
  );
}

/**
 * Loads an embedder saved with `saveTo` as its `info` describes, and checks that it is the same
 * model: its version must equal `info.version`.
 * @throws ManifestInvalidError when the loaded embedder's version differs (its files changed).
 */
export async function reloadEmbedder(dir: string, info: EmbedderInfo): Promise<ImageEmbedder> {
  const embedder = await loaders
    .get(info.kind)
    .load(dir, info.options as LoadEmbedderOptions & Record<string, unknown>, context);
  if (embedder.info.version !== info.version) {
    embedder.dispose();
    throw new ManifestInvalidError(
      `The embedder saved in ${dir} is version ${embedder.info.version}, but the index records ${info.version}: its files were changed after the index was built. Rebuild the index (mlsd images reindex).`,
      { dir, expected: info.version, actual: embedder.info.version },
    );
  }
  return embedder;
}
