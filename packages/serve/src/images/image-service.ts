import { resolve } from 'node:path';
import { isMlsdError } from '@mlsd/core';
import {
  CatalogueClosedError,
  decodeImage,
  EmbedderMismatchError,
  ImageExistsError,
  type ImageMetadata,
  type ImageSearch,
  ImageTooLargeError,
  LiveCatalogue,
} from '@mlsd/vision';
import { loadArtifact } from '../artifact-version.js';
import { HttpError } from '../http/http-error.js';
import { CatalogueLabels, type ImageCatalogue } from './image-catalogue.js';
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
  /** The model whose vectors the index holds; adds and queries must use the same version. */
  embedder: { kind: string; version: string; name: string };
  /** Whether images can be added and removed (the service has an admin token). */
  live: boolean;
}

/** An acknowledged add or remove. */
export interface CatalogueChangeResult {
  id: string;
  /** Position of the change in the catalogue's history. */
  seq: number;
  /** Images in the catalogue after the change. */
  count: number;
}

/** One loaded image-search artifact. */
export interface ImageRuntime {
  search: ImageSearch;
  labels: CatalogueLabels;
  thumbnails: Thumbnails;
  version: string;
  dir: string;
  /** Open for changes (journal + lock) when the service takes adds and removes. */
  live: LiveCatalogue | undefined;
}

/** Options of {@link ImageService.open}. */
export interface ImageServiceOptions {
  /**
   * Take adds and removes (POST/DELETE /v1/images): the index folder is opened as a live
   * catalogue (journal + writer lock). Without, it is read once, journal included.
   */
  live?: boolean;
}

const HINT = 'build one with `mlsd images index --out <dir>` and pass that folder';

/**
 * Similar-image lookup over HTTP: an {@link ImageSearch} artifact (embedder + HNSW index), its
 * label list, and the catalogue thumbnails; with `live`, a catalogue that grows and shrinks
 * while served, every acknowledged change journalled before the answer. Reloading loads the new
 * artifact completely, then swaps it in; queries already running finish on the old one.
 */
export class ImageService {
  #runtime: ImageRuntime;
  readonly #live: boolean;

  private constructor(runtime: ImageRuntime, live: boolean) {
    this.#runtime = runtime;
    this.#live = live;
  }

  /**
   * Loads an image-search artifact (checksums verified; journal replayed).
   * @throws NotFoundError, ManifestInvalidError or ChecksumMismatchError naming the folder.
   */
  static async open(dir: string, options: ImageServiceOptions = {}): Promise<ImageService> {
    const live = options.live === true;
    return new ImageService(await ImageService.#load(dir, live), live);
  }

  static async #load(dir: string, live: boolean): Promise<ImageRuntime> {
    const loaded = await loadArtifact('image index', dir, HINT, async (d) => {
      if (!live) return { search: await LiveCatalogue.read(d), catalogue: undefined };
      const catalogue = await LiveCatalogue.open(d);
      return { search: catalogue.search, catalogue };
    });
    const { search, catalogue } = loaded.value;
    return {
      search,
      labels: new CatalogueLabels(search),
      thumbnails: new Thumbnails(loaded.dir),
      version: loaded.version,
      dir: loaded.dir,
      live: catalogue,
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

  /** Count, dimension, labels and embedder, for `/v1/info`. */
  info(): ImageInfo {
    const { search, labels, version, live } = this.#runtime;
    const catalogue = labels.snapshot();
    const { kind, version: embedderVersion, name } = search.embedder.info;
    return {
      version,
      count: search.size,
      dim: search.embedder.dim,
      labels: catalogue.labels,
      labelNames: catalogue.labelNames,
      embedder: { kind, version: embedderVersion, name },
      live: live !== undefined,
    };
  }

  /** The labels and their names, for label filters. */
  catalogue(): ImageCatalogue {
    return this.#runtime.labels.snapshot();
  }

  /**
   * The `k` catalogue images most similar to an encoded image.
   * @param label - only images with this label (matched as text, so `"3"` finds label 3), or
   *   with this label name (`"Ankle boot"`) when the labels have names.
   * @throws HttpError 400 INVALID_IMAGE for empty, corrupt or non-image bytes; 422
   *   IMAGE_TOO_LARGE above the index's pixel limit; 400 INVALID_QUERY for an unknown label.
   */
  async similar(bytes: Uint8Array, k: number, label?: string): Promise<SimilarImages> {
    const runtime = this.#runtime;
    const started = performance.now();
    let filter: string | number | undefined;
    if (label !== undefined) {
      const { labels, labelNames } = runtime.labels.snapshot();
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
    const pixels = await decodeUpload(bytes, runtime.search);
    const hits = await runtime.search.query(pixels, k, { label: filter });
    const names = runtime.labels.snapshot().labelNames;
    return {
      hits: hits.map((hit) => {
        const hitLabel = hit.metadata?.label ?? null;
        return {
          id: hit.id,
          distance: hit.distance,
          label: hitLabel,
          labelName: names === null || hitLabel === null ? null : (names[String(hitLabel)] ?? null),
          metadata: hit.metadata ?? null,
        };
      }),
      k,
      tookMs: performance.now() - started,
    };
  }

  /**
   * Adds an image to the live catalogue; resolves once the add is on disk.
   * @param embedderVersion - the embedder version the client expects, refused when it differs.
   * @throws HttpError 404 when the catalogue is not live; 409 IMAGE_EXISTS; 409
   *   EMBEDDER_MISMATCH; 400 INVALID_IMAGE / 422 IMAGE_TOO_LARGE for the bytes.
   */
  async add(
    id: string,
    bytes: Uint8Array,
    metadata: ImageMetadata,
    embedderVersion?: string,
  ): Promise<CatalogueChangeResult> {
    const runtime = this.#runtime;
    const live = this.#requireLive(runtime);
    if (embedderVersion !== undefined && embedderVersion !== runtime.search.embedderVersion) {
      throw new HttpError(
        409,
        'EMBEDDER_MISMATCH',
        new EmbedderMismatchError(
          undefined,
          runtime.search.embedder.info,
          { version: embedderVersion },
          'add',
        ).message,
      );
    }
    if (runtime.search.has(id)) throw exists(id);
    try {
      const change = await live.add(id, bytes, metadata);
      runtime.labels.add(runtime.search.index.getMetadata(id));
      return { ...change, count: runtime.search.size };
    } catch (error) {
      // Two adds of one id at once: the second finds it taken.
      if (error instanceof ImageExistsError) throw exists(id);
      throw mapImageError(error);
    }
  }

  /**
   * Removes an image from the live catalogue; resolves once the removal is on disk.
   * @throws HttpError 404 when the catalogue is not live or the id is unknown.
   */
  async remove(id: string): Promise<CatalogueChangeResult> {
    const runtime = this.#runtime;
    const live = this.#requireLive(runtime);
    const metadata = runtime.search.has(id) ? runtime.search.index.getMetadata(id) : undefined;
    try {
      const change = await live.remove(id);
      runtime.labels.remove(metadata);
      if (typeof metadata?.source === 'string') runtime.thumbnails.forget(metadata.source);
      return { ...change, count: runtime.search.size };
    } catch (error) {
      if (isMlsdError(error, 'NOT_FOUND')) {
        throw new HttpError(404, 'UNKNOWN_IMAGE', `No image with id "${id}" in the catalogue.`);
      }
      throw mapImageError(error);
    }
  }

  /**
   * The catalogue image of an indexed id.
   * @throws HttpError 404 UNKNOWN_IMAGE for an id not in the index or whose source is gone.
   */
  async thumbnail(id: string): Promise<Thumbnail> {
    const { search, thumbnails } = this.#runtime;
    if (!search.has(id)) {
      throw new HttpError(404, 'UNKNOWN_IMAGE', `No image with id "${id}" in the index.`);
    }
    const source = search.index.getMetadata(id)?.source;
    if (typeof source !== 'string') {
      throw new HttpError(404, 'UNKNOWN_IMAGE', `Image "${id}" has no source to render.`);
    }
    try {
      return await thumbnails.render(source);
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
   * {@link ImageService.install} swaps it in. Reloading the folder being served live first
   * closes its journal (changes wait for the swap), so no acknowledged change is missed.
   * @throws the load's typed error; the serving index is untouched.
   */
  async prepare(dir: string): Promise<ImageRuntime> {
    const current = this.#runtime;
    if (current.live !== undefined && resolve(dir) === current.dir) await current.live.close();
    return ImageService.#load(dir, this.#live);
  }

  /** Serves `next` from now on; queries already running keep the index they started with. */
  install(next: ImageRuntime): void {
    const previous = this.#runtime;
    this.#runtime = next;
    if (previous.live !== undefined && previous.live !== next.live) void previous.live.close();
  }

  /** {@link ImageService.prepare} then {@link ImageService.install}; resolves to the new version. */
  async reload(dir: string): Promise<string> {
    this.install(await this.prepare(dir));
    return this.version;
  }

  /** Closes the live catalogue (its journal and lock); changes made stay in the journal. */
  async close(): Promise<void> {
    await this.#runtime.live?.close();
  }

  #requireLive(runtime: ImageRuntime): LiveCatalogue {
    if (runtime.live === undefined) {
      throw new HttpError(
        404,
        'NOT_FOUND',
        'The image catalogue is read-only: start the service with an admin token (mlsd serve --admin-token-env <VAR>) to add and remove images.',
      );
    }
    return runtime.live;
  }
}

function exists(id: string): HttpError {
  return new HttpError(
    409,
    'IMAGE_EXISTS',
    `An image with id "${id}" is already in the catalogue; DELETE /v1/images/${encodeURIComponent(id)} first or choose another id.`,
  );
}

/** Decodes uploaded bytes with the index's limits; typed errors become 4xx answers. */
async function decodeUpload(bytes: Uint8Array, search: ImageSearch): Promise<Float32Array> {
  if (bytes.length === 0) {
    throw new HttpError(400, 'INVALID_IMAGE', 'The request body is empty; send the image bytes.');
  }
  try {
    // A fresh buffer per request: concurrent queries must not share decoded pixels.
    return await decodeImage(bytes, search.embedder.spec, search.decodeLimits);
  } catch (error) {
    throw mapImageError(error);
  }
}

function mapImageError(error: unknown): unknown {
  if (error instanceof CatalogueClosedError) {
    return new HttpError(
      503,
      'NOT_READY',
      `The catalogue is being reloaded; retry. (${error.message})`,
      {
        cause: error,
      },
    );
  }
  if (error instanceof ImageTooLargeError) {
    return new HttpError(422, 'IMAGE_TOO_LARGE', error.message, { cause: error });
  }
  if (isMlsdError(error) && !(error instanceof HttpError)) {
    return new HttpError(
      400,
      'INVALID_IMAGE',
      `The upload is not a readable image: ${error.message}`,
      { cause: error },
    );
  }
  return error;
}
