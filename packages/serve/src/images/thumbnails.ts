import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { InvalidDataError, NotFoundError } from '@mlsd/core';
import type { FashionMnist } from '@mlsd/datasets';
import { fashionMnistPng } from '@mlsd/vision';

/** An encoded image ready to send. */
export interface Thumbnail {
  contentType: string;
  body: Buffer;
}

const DATASET_SOURCE = /^fashion-mnist:(train|test):(\d+)$/;
const CONTENT_TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.avif': 'image/avif',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
};
const CACHE_LIMIT = 2_000;

/**
 * Renders the catalogue image an index entry came from: a Fashion-MNIST source
 * (`fashion-mnist:train:<i>`) as the same PNG `mlsd images` writes (the dataset is read once,
 * on the first such request), a file source as the file's own bytes and type. Recent
 * thumbnails are cached.
 */
export class Thumbnails {
  #dataset: Promise<FashionMnist> | undefined;
  readonly #cache = new Map<string, Thumbnail>();

  /**
   * @throws NotFoundError when the source file is gone; InvalidDataError for a source it
   *   cannot render.
   */
  async render(source: string): Promise<Thumbnail> {
    const cached = this.#cache.get(source);
    if (cached !== undefined) return cached;
    const thumbnail = await this.#render(source);
    if (this.#cache.size >= CACHE_LIMIT) {
      this.#cache.delete(this.#cache.keys().next().value as string);
    }
    this.#cache.set(source, thumbnail);
    return thumbnail;
  }

  async #render(source: string): Promise<Thumbnail> {
    const dataset = DATASET_SOURCE.exec(source);
    if (dataset !== null) {
      this.#dataset ??= import('@mlsd/datasets')
        .then((module) => module.loadFashionMnist())
        .catch((error: unknown) => {
          this.#dataset = undefined;
          throw error;
        });
      const split = (await this.#dataset)[dataset[1] as 'train' | 'test'];
      const index = Number(dataset[2]);
      if (index >= split.count) {
        throw new NotFoundError(`${source}: the dataset split has ${split.count} images.`);
      }
      const side = split.rows * split.cols;
      const pixels = split.images.subarray(index * side, (index + 1) * side);
      return { contentType: 'image/png', body: await fashionMnistPng(pixels, split.rows) };
    }
    const contentType = CONTENT_TYPES[extname(source).toLowerCase()];
    if (contentType === undefined) {
      throw new InvalidDataError(`Cannot render the catalogue image source "${source}".`);
    }
    try {
      return { contentType, body: await readFile(source) };
    } catch (error) {
      throw new NotFoundError(
        `The catalogue image file ${source} cannot be read (${(error as Error).message}); it was moved or deleted after indexing.`,
        { source },
        { cause: error },
      );
    }
  }
}
