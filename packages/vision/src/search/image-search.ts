import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { HnswIndex, type HnswIndexOptions, loadIndex, type VectorIndex } from '@mlsd/ann';
import { InvalidArgumentError, readArtifact, writeArtifact } from '@mlsd/core';
import { decodeImage } from '../decode-image.js';
import type { TfjsImageEmbedder } from '../embedding/image-embedder.js';
import { loadImageEmbedder } from '../embedding/load-embedder.js';
import { imageSize } from '../image-spec.js';

/** What is stored with each indexed image. */
export interface ImageMetadata extends Record<string, unknown> {
  /** Class or tag, used by label filters and by precision@k. */
  label?: string | number;
  /** Where the image came from: a file path, or `dataset:split:index`. */
  source?: string;
}

/** One hit of {@link ImageSearch.query}. */
export interface ImageHit {
  id: string;
  /** Cosine distance, 1 − cos(query, image), in [0, 2]. */
  distance: number;
  metadata: ImageMetadata | undefined;
}

/** Options of {@link ImageSearch.build}. */
export interface BuildImageSearchOptions {
  embedder: TfjsImageEmbedder;
  /** One id per image. */
  ids: readonly string[];
  /** Preprocessed images back to back (`ids.length × imageSize(embedder.spec)` values). */
  pixels: Float32Array;
  metadata?: readonly (ImageMetadata | undefined)[];
  /** HNSW settings (cosine space); defaults M 16, efConstruction 200, ef 64. */
  hnsw?: Omit<HnswIndexOptions, 'dim' | 'space' | 'capacity'>;
  /** Called with the number of images embedded so far. */
  onProgress?: (done: number) => void;
}

/** Options of {@link ImageSearch.query}. */
export interface ImageQueryOptions {
  /** Only return images with this label. */
  label?: string | number;
}

const KIND = 'image-search';
const FORMAT_VERSION = 1;

/**
 * Similar-image search: an embedding model in front of a vector index. Images go in as bytes
 * (any format sharp reads), a file path or preprocessed pixels; the most similar indexed
 * images come out with their metadata. Saves and loads as one artifact (embedder + index).
 */
export class ImageSearch {
  readonly embedder: TfjsImageEmbedder;
  readonly index: VectorIndex<ImageMetadata>;
  readonly #input: Float32Array;

  constructor(embedder: TfjsImageEmbedder, index: VectorIndex<ImageMetadata>) {
    if (index.dim !== embedder.dim) {
      throw new InvalidArgumentError(
        `The index holds ${index.dim}-dimensional vectors but the embedder makes ${embedder.dim}.`,
      );
    }
    this.embedder = embedder;
    this.index = index;
    this.#input = new Float32Array(imageSize(embedder.spec));
  }

  /** Embeds the images and indexes them in an HNSW index (cosine). */
  static build(options: BuildImageSearchOptions): ImageSearch {
    const { embedder, ids } = options;
    const vectors = embedder.embed(options.pixels, ids.length, {
      ...(options.onProgress === undefined ? {} : { onBatch: options.onProgress }),
    });
    const index = new HnswIndex<ImageMetadata>({
      M: 16,
      efConstruction: 200,
      ef: 64,
      ...options.hnsw,
      dim: embedder.dim,
      space: 'cosine',
      capacity: Math.max(1, ids.length),
    });
    index.addBatch(ids, vectors, options.metadata);
    return new ImageSearch(embedder, index);
  }

  /** The `k` indexed images most similar to `image` (bytes, a file path, or preprocessed pixels). */
  async query(
    image: Uint8Array | string | Float32Array,
    k: number,
    options: ImageQueryOptions = {},
  ): Promise<ImageHit[]> {
    const pixels = await this.embedderInput(image);
    return this.queryEmbedding(this.embedder.embed(pixels, 1), k, options);
  }

  /**
   * Decodes an image (bytes or a file path) into the embedder's input, reusing one buffer;
   * preprocessed pixels are passed through.
   */
  async embedderInput(image: Uint8Array | string | Float32Array): Promise<Float32Array> {
    if (image instanceof Float32Array) return image;
    return decodeImage(image, this.embedder.spec, this.#input);
  }

  /** The `k` indexed images nearest to an embedding (unit length, `embedder.dim` values). */
  queryEmbedding(vector: Float32Array, k: number, options: ImageQueryOptions = {}): ImageHit[] {
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
  async save(dir: string, metrics: Record<string, unknown> = {}): Promise<void> {
    const embedder = this.embedder;
    await writeArtifact(dir, {
      kind: KIND,
      formatVersion: FORMAT_VERSION,
      params: { dim: embedder.dim, size: this.index.size, spec: embedder.spec },
      metrics,
      write: async (staging) => {
        await this.index.save(join(staging, 'index'));
        if (embedder.sourceDir === undefined) {
          throw new InvalidArgumentError(
            'ImageSearch.save: the embedder was not loaded from a folder; save it with saveImageEmbedder and load it with loadImageEmbedder first.',
          );
        }
        await cp(embedder.sourceDir, join(staging, 'embedder'), { recursive: true });
      },
    });
  }

  /** Loads a saved search; checks the manifest and every file's checksum. */
  static async load(dir: string): Promise<ImageSearch> {
    const artifact = await readArtifact(dir, { kind: KIND, formatVersion: FORMAT_VERSION });
    const embedder = await loadImageEmbedder(join(artifact.dir, 'embedder'));
    const index = await loadIndex<ImageMetadata>(join(artifact.dir, 'index'), {
      dim: embedder.dim,
      space: 'cosine',
    });
    return new ImageSearch(embedder, index);
  }
}
