import { isMlsdError } from '@mlsd/core';
import { decodeImage, type ImageMetadata, ImageSearch } from '@mlsd/vision';
import { loadArtifact } from '../artifact-version.js';
import { HttpError } from '../http/http-error.js';
import { type ImageCatalogue, readImageCatalogue } from './image-catalogue.js';
import { type Thumbnail, Thumbnails } from './thumbnails.js';

/** One hit of a similar-image query as the API returns it. */
export interface SimilarImageHit {
  id: string;
  /** Cosine distance, 1 − cos, in [0, 2]. */
  distance: number;
  label: string | number | null;
  /** Name of the label when the catalogue's labels have names (Fashion-MNIST), else null. */
  labelName: string | null;
  metadata: ImageMetadata | null;
}

/** The answer of {@link ImageService.similar}. */
export interface SimilarImages {
  hits: SimilarImageHit[];
  k: number;
  /** Decode + embed + search time, milliseconds. */
  tookMs: number;
}

/** What `GET /v1/info` says of the image index. */
export interface ImageInfo {
  version: string;
  count: number;
  dim: number;
  labels: (string | number)[];
  /** Label names when known (`{ "9": "Ankle boot" }`), else null. */
  labelNames: Record<string, string> | null;
}

/** One loaded image-search artifact. */
export interface ImageRuntime {
  search: ImageSearch;
  catalogue: ImageCatalogue;
  version: string;
  dir: string;
}

const HINT = 'build one with `mlsd images index --out <dir>` and pass that folder';

/**
 * Similar-image lookup over HTTP: an {@link ImageSearch} artifact (embedder + HNSW index),
 * its label list, and the catalogue thumbnails. Reloading loads the new artifact completely,
 * then swaps it in; queries already running finish on the old one (they hold a reference).
 */
export class ImageService {
  #runtime: ImageRuntime;
  readonly #thumbnails = new Thumbnails();

  private constructor(runtime: ImageRuntime) {
    this.#runtime = runtime;
  }

  /**
   * Loads an image-search artifact (checksums verified).
   * @throws NotFoundError, ManifestInvalidError or ChecksumMismatchError naming the folder.
   */
  static async open(dir: string): Promise<ImageService> {
    return new ImageService(await ImageService.#load(dir));
  }

  static async #load(dir: string): Promise<ImageRuntime> {
    const loaded = await loadArtifact('image index', dir, HINT, (d) => ImageSearch.load(d));
    return {
      search: loaded.value,
      catalogue: await readImageCatalogue(loaded.dir),
      version: loaded.version,
      dir: loaded.dir,
    };
  }

  /** Version of the index serving new queries. */
  get version(): string {
    return this.#runtime.version;
  }

  /** The search serving new queries. */
  get search(): ImageSearch {
    return this.#runtime.search;
  }

  /** Count, dimension and labels, for `/v1/info`. */
  info(): ImageInfo {
    const { search, catalogue, version } = this.#runtime;
    return {
      version,
      count: search.index.size,
      dim: search.embedder.dim,
      labels: catalogue.labels,
      labelNames: catalogue.labelNames,
    };
  }

  /**
   * The `k` catalogue images most similar to an encoded image.
   * @param label - only images with this label (matched as text, so `"3"` finds label 3), or
   *   with this label name (`"Ankle boot"`) when the labels have names.
   * @throws HttpError 400 INVALID_IMAGE for empty, corrupt or non-image bytes; 400
   *   INVALID_QUERY for an unknown label.
   */
  async similar(bytes: Uint8Array, k: number, label?: string): Promise<SimilarImages> {
    const runtime = this.#runtime;
    const started = performance.now();
    let filter: string | number | undefined;
    if (label !== undefined) {
      const { labels, labelNames } = runtime.catalogue;
      filter =
        labels.find((known) => String(known) === label) ??
        labels.find((known) => labelNames?.[String(known)] === label);
      if (filter === undefined) {
        throw new HttpError(
          400,
          'INVALID_QUERY',
          `Unknown label "${label}"; the index has labels ${labels.join(', ')}.`,
        );
      }
    }
    if (bytes.length === 0) {
      throw new HttpError(400, 'INVALID_IMAGE', 'The request body is empty; send the image bytes.');
    }
    let pixels: Float32Array;
    try {
      // A fresh buffer per request: concurrent queries must not share decoded pixels.
      pixels = await decodeImage(bytes, runtime.search.embedder.spec);
    } catch (error) {
      if (isMlsdError(error)) {
        throw new HttpError(
          400,
          'INVALID_IMAGE',
          `The upload is not a readable image: ${error.message}`,
          { cause: error },
        );
      }
      throw error;
    }
    const hits = await runtime.search.query(
      pixels,
      k,
      filter === undefined ? {} : { label: filter },
    );
    const names = runtime.catalogue.labelNames;
    return {
      hits: hits.map((hit) => {
        const label = hit.metadata?.label ?? null;
        return {
          id: hit.id,
          distance: hit.distance,
          label,
          labelName: names === null || label === null ? null : (names[String(label)] ?? null),
          metadata: hit.metadata ?? null,
        };
      }),
      k,
      tookMs: performance.now() - started,
    };
  }

  /**
   * The catalogue image of an indexed id.
   * @throws HttpError 404 UNKNOWN_IMAGE for an id not in the index or whose source is gone.
   */
  async thumbnail(id: string): Promise<Thumbnail> {
    const { search } = this.#runtime;
    if (!search.index.has(id)) {
      throw new HttpError(404, 'UNKNOWN_IMAGE', `No image with id "${id}" in the index.`);
    }
    const source = search.index.getMetadata(id)?.source;
    if (typeof source !== 'string') {
      throw new HttpError(404, 'UNKNOWN_IMAGE', `Image "${id}" has no source to render.`);
    }
    try {
      return await this.#thumbnails.render(source);
    } catch (error) {
      if (isMlsdError(error)) {
        throw new HttpError(404, 'UNKNOWN_IMAGE', `Image "${id}": ${error.message}`, {
          cause: error,
        });
      }
      throw error;
    }
  }

  /**
   * Loads another image-search artifact completely without serving it yet;
   * {@link ImageService.install} swaps it in.
   * @throws the load's typed error; the serving index is untouched.
   */
  prepare(dir: string): Promise<ImageRuntime> {
    return ImageService.#load(dir);
  }

  /** Serves `next` from now on; queries already running keep the index they started with. */
  install(next: ImageRuntime): void {
    this.#runtime = next;
  }

  /** {@link ImageService.prepare} then {@link ImageService.install}; resolves to the new version. */
  async reload(dir: string): Promise<string> {
    this.install(await this.prepare(dir));
    return this.version;
  }
}
