import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type AsyncVectorIndex,
  HnswIndex,
  type HnswIndexOptions,
  isAsyncIndex,
  loadAsyncIndex,
  loadIndex,
  toAsyncIndex,
  type VectorIndex,
} from '@mlsd/ann';
import {
  InvalidArgumentError,
  isMlsdError,
  type LoadedArtifact,
  NotFoundError,
  readArtifact,
  writeArtifact,
} from '@mlsd/core';
import { noteFallback } from '@mlsd/core/internal';
import { decodeImage } from '../decode-image.js';
import {
  type DecodeLimits,
  type DecodeLimitsInput,
  DecodeLimitsSchema,
  parseDecodeLimits,
} from '../decode-limits.js';
import { BUILTIN_EMBEDDER_KINDS } from '../embedding/builtin-embedders.js';
import { EmbedderPool, type EmbedderPoolOptions } from '../embedding/embedder-pool.js';
import { loadImageEmbedder, reloadEmbedder } from '../embedding/embedder-registry.js';
import type { EmbedderInfo, ImageEmbedder } from '../embedding/image-embedder.js';
import { EmbedderMismatchError } from './embedder-mismatch-error.js';

/** What is stored with each indexed image. */
export interface ImageMetadata extends Record<string, unknown> {
  /** Class or tag, used by label filters and by precision@k. */
  label?: string | number;
  /** Where the image came from: a file path, `fashion-mnist:train:<i>` or `upload:<file>`. */
  source?: string;
}

/** One hit of {@link ImageSearch.query}. */
export interface ImageHit {
  id: string;
  /** Cosine distance, 1 − cos(query, image), in [0, 2]. */
  distance: number;
  metadata: ImageMetadata | undefined;
}

/** HNSW settings of an image index (the space is always cosine). */
export type ImageIndexSettings = Omit<HnswIndexOptions, 'dim' | 'space' | 'capacity'>;

/** Options of {@link ImageSearch.build}. */
export interface BuildImageSearchOptions {
  embedder: ImageEmbedder;
  /** One id per image. */
  ids: readonly string[];
  /** Preprocessed images back to back (`ids.length × imageSize(embedder.spec)` values). */
  pixels: Float32Array;
  metadata?: readonly (ImageMetadata | undefined)[];
  /** HNSW settings (cosine space); defaults M 16, efConstruction 200, ef 64. */
  hnsw?: ImageIndexSettings;
  /** Limits applied when images are decoded for this index (saved with it). */
  decodeLimits?: DecodeLimitsInput;
  /** Called with the number of images embedded so far. */
  onProgress?: (done: number) => void;
}

/** Options of {@link ImageSearch.query} and {@link ImageSearch.queryEmbedding}. */
export interface ImageQueryOptions {
  /** Only return images with this label. */
  label?: string | number | undefined;
}

/** Options of {@link ImageSearch.load}. */
export interface LoadImageSearchOptions {
  /**
   * Use this embedder instead of the one saved in the index; it must be the same model
   * (same version), or {@link EmbedderMismatchError} is thrown.
   */
  embedder?: ImageEmbedder | undefined;
  /**
   * Load the saved embedder into worker threads ({@link EmbedderPool}) rather than this
   * thread, so forward passes never hold the caller's event loop (a server's). A kind
   * registered by your own code is loaded in this thread (logged) unless `modules` names the
   * module that registers it. Ignored when `embedder` is given.
   */
  embedderPool?: EmbedderPoolOptions | undefined;
}

/** Saved by {@link ImageSearch.save} beside the index. */
export interface ImageSearchSaveOptions {
  /** Figures to record in the manifest. */
  metrics?: Record<string, unknown>;
  /** Extra manifest params (the live catalogue records its journal position). */
  params?: Record<string, unknown>;
  /** Writes more files into the staging folder (the live catalogue's uploads). */
  write?: (staging: string) => Promise<void>;
}

/** Artifact kind of a saved image search. */
export const IMAGE_SEARCH_KIND = 'image-search';
const FORMAT_VERSION = 2;
const IDS_FILE = 'ids.json';
const DEFAULT_HNSW = { M: 16, efConstruction: 200, ef: 64 } as const;

/**
 * Similar-image search: an embedding model in front of a vector index. Images go in as bytes
 * (any format sharp reads), a file path or preprocessed pixels; the most similar indexed
 * images come out with their metadata. Images can be added and removed at any time. Saves
 * and loads as one artifact (embedder files + index + ids); the index records the embedder's
 * version and refuses vectors made by another.
 *
 * The index is used through `@mlsd/ann`'s asynchronous interface ({@link AsyncVectorIndex}),
 * so a remote vector database registered as an index backend can take the in-process HNSW's
 * place; the ids are kept here, so `size`, `has` and `ids` stay synchronous.
 */
export class ImageSearch {
  readonly embedder: ImageEmbedder;
  readonly index: AsyncVectorIndex<ImageMetadata>;
  /**
   * The in-process index behind {@link index}, when it is one (HNSW, exact): what needs the
   * stored vectors (near-duplicates) reads them here. Undefined for a remote index.
   */
  readonly localIndex: VectorIndex<ImageMetadata> | undefined;
  /** Limits every decode for this index uses (saved with it, so the service applies them). */
  readonly decodeLimits: DecodeLimits;
  /** Ids in insertion order (removed ones dropped). */
  readonly #ids: Set<string>;

  /**
   * @param index - an in-process index, or any asynchronous one (a remote backend).
   * @param ids - the ids already in `index`, in order (required for a non-empty index, which
   *   cannot list its own ids).
   * @throws InvalidArgumentError when the index and embedder dimensions differ, or (for an
   *   in-process index) the ids do not match its size.
   */
  constructor(
    embedder: ImageEmbedder,
    index: VectorIndex<ImageMetadata> | AsyncVectorIndex<ImageMetadata>,
    options: { ids?: Iterable<string>; decodeLimits?: DecodeLimitsInput } = {},
  ) {
    if (index.dim !== embedder.dim) {
      throw new InvalidArgumentError(
        `The index holds ${index.dim}-dimensional vectors but the embedder makes ${embedder.dim}.`,
      );
    }
    this.embedder = embedder;
    this.localIndex = isAsyncIndex(index) ? undefined : index;
    this.index = toAsyncIndex(index);
    this.decodeLimits = parseDecodeLimits(options.decodeLimits ?? {});
    this.#ids = new Set(options.ids ?? []);
    if (this.localIndex !== undefined && this.#ids.size !== this.localIndex.size) {
      throw new InvalidArgumentError(
        `ImageSearch: ${this.#ids.size} ids given for an index of ${this.localIndex.size} items.`,
      );
    }
  }

  /** Version of the embedder whose vectors this index holds. */
  get embedderVersion(): string {
    return this.embedder.info.version;
  }

  /** Indexed images. */
  get size(): number {
    return this.#ids.size;
  }

  /** The indexed ids, in insertion order. */
  ids(): IterableIterator<string> {
    return this.#ids.values();
  }

  /** True when `id` is indexed. */
  has(id: string): boolean {
    return this.#ids.has(id);
  }

  /**
   * An empty search over `embedder` (HNSW, cosine), to fill with {@link add} or
   * {@link addEmbeddings}. Built with `HnswIndex.create`, so `MLSD_HNSW_ENGINE=hnswlib-node`
   * (or `hnsw.engine`) takes effect.
   */
  static async create(
    embedder: ImageEmbedder,
    options: {
      hnsw?: ImageIndexSettings;
      capacity?: number;
      decodeLimits?: DecodeLimitsInput;
    } = {},
  ): Promise<ImageSearch> {
    const index = await HnswIndex.create<ImageMetadata>({
      ...DEFAULT_HNSW,
      ...options.hnsw,
      dim: embedder.dim,
      space: 'cosine',
      capacity: Math.max(1, options.capacity ?? 1024),
    });
    return new ImageSearch(embedder, index, {
      ...(options.decodeLimits === undefined ? {} : { decodeLimits: options.decodeLimits }),
    });
  }

  /** Embeds the images and indexes them in an HNSW index (cosine). */
  static async build(options: BuildImageSearchOptions): Promise<ImageSearch> {
    const { embedder, ids } = options;
    const vectors = await embedder.embed(options.pixels, ids.length, {
      onBatch: options.onProgress,
    });
    const search = await ImageSearch.create(embedder, {
      ...(options.hnsw === undefined ? {} : { hnsw: options.hnsw }),
      ...(options.decodeLimits === undefined ? {} : { decodeLimits: options.decodeLimits }),
      capacity: ids.length,
    });
    await search.addEmbeddings(ids, vectors, options.metadata);
    return search;
  }

  /**
   * Indexes vectors this index's embedder made (`ids.length × dim`, unit rows).
   * @param embedderVersion - the version of the embedder that made them, when it may differ.
   * @throws EmbedderMismatchError when `embedderVersion` is not this index's embedder.
   * @throws InvalidArgumentError for a duplicate id.
   */
  async addEmbeddings(
    ids: readonly string[],
    vectors: Float32Array,
    metadata?: readonly (ImageMetadata | undefined)[],
    embedderVersion?: string,
  ): Promise<void> {
    this.#checkVersion(embedderVersion, 'add');
    await this.index.addBatch(ids, vectors, metadata);
    for (const id of ids) this.#ids.add(id);
  }

  /**
   * Decodes, embeds and indexes one image under a new id; resolves to its embedding.
   * @throws InvalidArgumentError when the id is already indexed; the decode's typed errors.
   */
  async add(
    id: string,
    image: Uint8Array | string | Float32Array,
    metadata?: ImageMetadata,
  ): Promise<Float32Array> {
    if (this.#ids.has(id)) {
      throw new InvalidArgumentError(
        `An image with id "${id}" is already indexed; remove it first or choose another id.`,
        { id },
      );
    }
    const vector = await this.embedImage(image);
    await this.addEmbeddings([id], vector, [metadata]);
    return vector;
  }

  /**
   * Removes an indexed image.
   * @throws NotFoundError for an id that is not indexed.
   */
  async remove(id: string): Promise<void> {
    if (!this.#ids.has(id)) {
      throw new NotFoundError(`No image with id "${id}" is indexed.`, { id });
    }
    await this.index.delete(id);
    this.#ids.delete(id);
  }

  /** The metadata stored with an indexed image (undefined for an unknown id or none stored). */
  async getMetadata(id: string): Promise<ImageMetadata | undefined> {
    return this.#ids.has(id) ? this.index.getMetadata(id) : undefined;
  }

  /** The embedding of one image (bytes, a file path, or preprocessed pixels). */
  async embedImage(image: Uint8Array | string | Float32Array): Promise<Float32Array> {
    return this.embedder.embed(await this.embedderInput(image), 1);
  }

  /** The `k` indexed images most similar to `image` (bytes, a file path, or preprocessed pixels). */
  async query(
    image: Uint8Array | string | Float32Array,
    k: number,
    options: ImageQueryOptions = {},
  ): Promise<ImageHit[]> {
    return this.queryEmbedding(await this.embedImage(image), k, options);
  }

  /**
   * Decodes an image (bytes or a file path) into the embedder's input with this index's decode
   * limits; preprocessed pixels are passed through.
   */
  async embedderInput(image: Uint8Array | string | Float32Array): Promise<Float32Array> {
    if (image instanceof Float32Array) return image;
    return decodeImage(image, this.embedder.spec, this.decodeLimits);
  }

  /**
   * The `k` indexed images nearest to an embedding (unit length, `embedder.dim` values).
   * @param embedderVersion - the version of the embedder that made `vector`, when it may differ.
   * @throws EmbedderMismatchError when `embedderVersion` is not this index's embedder.
   */
  async queryEmbedding(
    vector: Float32Array,
    k: number,
    options: ImageQueryOptions = {},
    embedderVersion?: string,
  ): Promise<ImageHit[]> {
    this.#checkVersion(embedderVersion, 'query');
    const { label } = options;
    const result = await this.index.search(
      vector,
      k,
      label === undefined ? {} : { filter: (_id, metadata) => metadata?.label === label },
    );
    const metadata = await Promise.all(result.ids.map((id) => this.index.getMetadata(id)));
    return result.ids.map((id, i) => ({
      id,
      distance: result.distances[i]!,
      metadata: metadata[i],
    }));
  }

  /** Every indexed image's stored `source`, in id order (what a saved catalogue copies). */
  async sources(): Promise<(string | undefined)[]> {
    const metadata = await Promise.all([...this.#ids].map((id) => this.index.getMetadata(id)));
    return metadata.map((m) => (typeof m?.source === 'string' ? m.source : undefined));
  }

  /** Saves the embedder and the index as one artifact folder (atomic). */
  async save(dir: string, options: ImageSearchSaveOptions = {}): Promise<void> {
    const embedder = this.embedder;
    await writeArtifact(dir, {
      kind: IMAGE_SEARCH_KIND,
      formatVersion: FORMAT_VERSION,
      params: {
        ...options.params,
        dim: embedder.dim,
        size: this.size,
        spec: embedder.spec,
        embedder: embedder.info,
        decode: this.decodeLimits,
      },
      metrics: options.metrics ?? {},
      files: { [IDS_FILE]: `${JSON.stringify([...this.#ids])}\n` },
      write: async (staging) => {
        await this.index.save(join(staging, 'index'));
        await mkdir(join(staging, 'embedder'));
        await embedder.saveTo(join(staging, 'embedder'));
        await options.write?.(staging);
      },
    });
  }

  /**
   * Loads a saved search; checks the manifest and every file's checksum, and that the saved
   * embedder (or the one given) is the one the index was built with.
   * @throws EmbedderMismatchError when `options.embedder` is another model than the index's.
   */
  static async load(dir: string, options: LoadImageSearchOptions = {}): Promise<ImageSearch> {
    return (await ImageSearch.open(dir, options)).search;
  }

  /** {@link load}, also returning the artifact (manifest params, file access). */
  static async open(
    dir: string,
    options: LoadImageSearchOptions = {},
  ): Promise<{ search: ImageSearch; artifact: LoadedArtifact }> {
    const artifact = await readArtifact(dir, {
      kind: IMAGE_SEARCH_KIND,
      formatVersion: FORMAT_VERSION,
    });
    const params = artifact.manifest.params;
    const saved = params.embedder as EmbedderInfo | undefined;
    if (options.embedder !== undefined && saved !== undefined) {
      if (options.embedder.info.version !== saved.version) {
        throw new EmbedderMismatchError(artifact.dir, saved, options.embedder.info, 'open');
      }
    }
    const embedder =
      options.embedder ?? (await loadSavedEmbedder(artifact.dir, saved, options.embedderPool));
    let index: VectorIndex<ImageMetadata> | AsyncVectorIndex<ImageMetadata>;
    try {
      index = await loadAnyIndex(join(artifact.dir, 'index'), embedder.dim);
    } catch (error) {
      if (options.embedder === undefined) embedder.dispose();
      throw error;
    }
    const ids = artifact.manifest.files.some((file) => file.path === IDS_FILE)
      ? await artifact.readJson<string[]>(IDS_FILE)
      : (await artifact.readJson<{ ids: string[] }>('index/items.json')).ids;
    const decode = DecodeLimitsSchema.safeParse(params.decode ?? {});
    const search = new ImageSearch(embedder, index, {
      ids,
      ...(decode.success ? { decodeLimits: decode.data } : {}),
    });
    return { search, artifact };
  }

  #checkVersion(version: string | undefined, action: 'add' | 'query'): void {
    if (version !== undefined && version !== this.embedder.info.version) {
      throw new EmbedderMismatchError(undefined, this.embedder.info, { version }, action);
    }
  }
}

/**
 * The embedder saved in an index folder: in this thread, or in worker threads when `pool` is
 * given and the workers can load its kind (a built-in one, or one `pool.modules` registers).
 */
async function loadSavedEmbedder(
  dir: string,
  saved: EmbedderInfo | undefined,
  pool: EmbedderPoolOptions | undefined,
): Promise<ImageEmbedder> {
  const embedderDir = join(dir, 'embedder');
  if (pool !== undefined) {
    const builtin = saved === undefined || BUILTIN_EMBEDDER_KINDS.has(saved.kind);
    if (builtin || (pool.modules?.length ?? 0) > 0) {
      return EmbedderPool.start(
        saved === undefined ? { path: embedderDir } : { dir: embedderDir, info: saved },
        pool,
      );
    }
    noteFallback(
      'vision.embedderPool',
      `embedder kind "${saved?.kind}" is registered in this thread only, so it runs here; pass the module that registers it as embedderPool.modules to run it in workers`,
    );
  }
  // Format 1 recorded no embedder info: its embedder folder is loaded by detection.
  return saved === undefined ? loadImageEmbedder(embedderDir) : reloadEmbedder(embedderDir, saved);
}

/**
 * A saved index: in-process when its backend gives one (kept as such, so its vectors stay
 * reachable), else the asynchronous index a remote backend gives.
 */
async function loadAnyIndex(
  dir: string,
  dim: number,
): Promise<VectorIndex<ImageMetadata> | AsyncVectorIndex<ImageMetadata>> {
  try {
    return await loadIndex<ImageMetadata>(dir, { dim, space: 'cosine' });
  } catch (error) {
    // loadIndex refuses an asynchronous (remote) backend's index; loadAsyncIndex takes it.
    if (!isMlsdError(error, 'INVALID_ARGUMENT')) throw error;
    return loadAsyncIndex<ImageMetadata>(dir, { dim, space: 'cosine' });
  }
}
