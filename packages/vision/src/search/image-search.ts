import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { HnswIndex, type HnswIndexOptions, loadIndex, type VectorIndex } from '@mlsd/ann';
import {
  InvalidArgumentError,
  type LoadedArtifact,
  NotFoundError,
  readArtifact,
  writeArtifact,
} from '@mlsd/core';
import { decodeImage } from '../decode-image.js';
import {
  type DecodeLimits,
  type DecodeLimitsInput,
  DecodeLimitsSchema,
  parseDecodeLimits,
} from '../decode-limits.js';
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
 */
export class ImageSearch {
  readonly embedder: ImageEmbedder;
  readonly index: VectorIndex<ImageMetadata>;
  /** Limits every decode for this index uses (saved with it, so the service applies them). */
  readonly decodeLimits: DecodeLimits;
  /** Ids in insertion order (removed ones dropped). */
  readonly #ids: Set<string>;

  /**
   * @param ids - the ids already in `index`, in order (required for a non-empty index, which
   *   cannot list its own ids).
   * @throws InvalidArgumentError when the index and embedder dimensions differ.
   */
  constructor(
    embedder: ImageEmbedder,
    index: VectorIndex<ImageMetadata>,
    options: { ids?: Iterable<string>; decodeLimits?: DecodeLimitsInput } = {},
  ) {
    if (index.dim !== embedder.dim) {
      throw new InvalidArgumentError(
        `The index holds ${index.dim}-dimensional vectors but the embedder makes ${embedder.dim}.`,
      );
    }
    this.embedder = embedder;
    this.index = index;
    this.decodeLimits = parseDecodeLimits(options.decodeLimits ?? {});
    this.#ids = new Set(options.ids ?? []);
    if (this.#ids.size !== index.size) {
      throw new InvalidArgumentError(
        `ImageSearch: ${this.#ids.size} ids given for an index of ${index.size} items.`,
      );
    }
  }

  /** Version of the embedder whose vectors this index holds. */
  get embedderVersion(): string {
    return this.embedder.info.version;
  }

  /** Indexed images. */
  get size(): number {
    return this.index.size;
  }

  /** The indexed ids, in insertion order. */
  ids(): IterableIterator<string> {
    return this.#ids.values();
  }

  /** True when `id` is indexed. */
  has(id: string): boolean {
    return this.#ids.has(id);
  }

  /** An empty search over `embedder` (HNSW, cosine), to fill with {@link add} or {@link addEmbeddings}. */
  static create(
    embedder: ImageEmbedder,
    options: {
      hnsw?: ImageIndexSettings;
      capacity?: number;
      decodeLimits?: DecodeLimitsInput;
    } = {},
  ): ImageSearch {
    const index = new HnswIndex<ImageMetadata>({
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
    const search = ImageSearch.create(embedder, {
      ...(options.hnsw === undefined ? {} : { hnsw: options.hnsw }),
      ...(options.decodeLimits === undefined ? {} : { decodeLimits: options.decodeLimits }),
      capacity: ids.length,
    });
    search.addEmbeddings(ids, vectors, options.metadata);
    return search;
  }

  /**
   * Indexes vectors this index's embedder made (`ids.length × dim`, unit rows).
   * @param embedderVersion - the version of the embedder that made them, when it may differ.
   * @throws EmbedderMismatchError when `embedderVersion` is not this index's embedder.
   * @throws InvalidArgumentError for a duplicate id.
   */
  addEmbeddings(
    ids: readonly string[],
    vectors: Float32Array,
    metadata?: readonly (ImageMetadata | undefined)[],
    embedderVersion?: string,
  ): void {
    this.#checkVersion(embedderVersion, 'add');
    this.index.addBatch(ids, vectors, metadata);
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
    this.addEmbeddings([id], vector, [metadata]);
    return vector;
  }

  /**
   * Removes an indexed image.
   * @throws NotFoundError for an id that is not indexed.
   */
  remove(id: string): void {
    if (!this.#ids.has(id)) {
      throw new NotFoundError(`No image with id "${id}" is indexed.`, { id });
    }
    this.index.delete(id);
    this.#ids.delete(id);
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
  queryEmbedding(
    vector: Float32Array,
    k: number,
    options: ImageQueryOptions = {},
    embedderVersion?: string,
  ): ImageHit[] {
    this.#checkVersion(embedderVersion, 'query');
    const { label } = options;
    const result = this.index.search(
      vector,
      k,
      label === undefined ? {} : { filter: (_id, metadata) => metadata?.label === label },
    );
    return result.ids.map((id, i) => ({
      id,
      distance: result.distances[i]!,
      metadata: this.index.getMetadata(id),
    }));
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
        size: this.index.size,
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
    // Format 1 recorded no embedder info: its embedder folder is loaded by detection.
    const embedder =
      options.embedder ??
      (saved === undefined
        ? await loadImageEmbedder(join(artifact.dir, 'embedder'))
        : await reloadEmbedder(join(artifact.dir, 'embedder'), saved));
    const index = await loadIndex<ImageMetadata>(join(artifact.dir, 'index'), {
      dim: embedder.dim,
      space: 'cosine',
    });
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
