import { readImageSource } from '@mlsd/vision';

/** An encoded image ready to send. */
export interface Thumbnail {
  contentType: string;
  body: Buffer;
}

const CACHE_LIMIT = 2_000;

/**
 * Renders the catalogue image an index entry came from, as @mlsd/vision reads sources back: a
 * Fashion-MNIST image as PNG, an upload or a file as its own bytes and type. Recent thumbnails
 * are cached.
 */
export class Thumbnails {
  readonly #cache = new Map<string, Thumbnail>();
  readonly #catalogueDir: string;

  /** @param catalogueDir - the index folder, where a live catalogue keeps its uploads. */
  constructor(catalogueDir: string) {
    this.#catalogueDir = catalogueDir;
  }

  /**
   * @throws NotFoundError when the source file is gone; InvalidDataError for a source it
   *   cannot render.
   */
  async render(source: string): Promise<Thumbnail> {
    const cached = this.#cache.get(source);
    if (cached !== undefined) return cached;
    // Only image files are served: a source is a path, and not every path is a picture.
    const image = await readImageSource(source, {
      catalogueDir: this.#catalogueDir,
      imagesOnly: true,
    });
    const thumbnail = { contentType: image.contentType, body: image.bytes };
    if (this.#cache.size >= CACHE_LIMIT) {
      this.#cache.delete(this.#cache.keys().next().value as string);
    }
    this.#cache.set(source, thumbnail);
    return thumbnail;
  }

  /** Forgets a source (its image was removed). */
  forget(source: string): void {
    this.#cache.delete(source);
  }
}
