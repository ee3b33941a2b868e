import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { InvalidDataError, NotFoundError } from '@mlsd/core';
import type { FashionMnist } from '@mlsd/datasets';
import { fashionMnistPng } from './fashion-mnist-images.js';

/**
 * Where an indexed image came from, as `metadata.source` records it. This module is the one
 * owner of the schemes: indexing writes them, and the service, the contact sheets and
 * `mlsd images reindex` read them back.
 * - `fashion-mnist:<train|test>:<index>`: an image of the Fashion-MNIST dataset;
 * - `upload:<file>`: bytes sent to a live catalogue, kept in its `uploads/` folder;
 * - anything else: a file path.
 */
export type ImageSource =
  | { kind: 'dataset'; dataset: 'fashion-mnist'; split: 'train' | 'test'; index: number }
  | { kind: 'upload'; file: string }
  | { kind: 'file'; path: string };

const DATASET = /^fashion-mnist:(train|test):(\d+)$/;
const UPLOAD = /^upload:([0-9a-f]{16,64}\.[a-z0-9]{2,5})$/;

/** Folder of a live catalogue that holds uploaded image bytes. */
export const UPLOADS_FOLDER = 'uploads';

/** The source of image `index` of a Fashion-MNIST split. */
export function datasetSource(split: 'train' | 'test', index: number): string {
  return `fashion-mnist:${split}:${index}`;
}

/** The source of an uploaded image stored as `uploads/<file>`. */
export function uploadSource(file: string): string {
  return `upload:${file}`;
}

/** Parses a `metadata.source`. */
export function parseImageSource(source: string): ImageSource {
  const dataset = DATASET.exec(source);
  if (dataset !== null) {
    return {
      kind: 'dataset',
      dataset: 'fashion-mnist',
      split: dataset[1] as 'train' | 'test',
      index: Number(dataset[2]),
    };
  }
  const upload = UPLOAD.exec(source);
  if (upload !== null) return { kind: 'upload', file: upload[1]! };
  return { kind: 'file', path: source };
}

/** The encoded image of a source and its media type. */
export interface SourceImage {
  contentType: string;
  bytes: Buffer;
}

const CONTENT_TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.avif': 'image/avif',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
  '.heic': 'image/heic',
  '.heif': 'image/heif',
};

/** Where {@link readImageSource} finds what a source names. */
export interface SourceContext {
  /** The live catalogue's folder, for `upload:` sources. */
  catalogueDir?: string | undefined;
  /** Loads Fashion-MNIST once, for dataset sources (default: `@mlsd/datasets`, memoised). */
  dataset?: (() => Promise<FashionMnist>) | undefined;
  /** Refuse, before reading, a file whose extension is not an image's (a service serving sources). */
  imagesOnly?: boolean | undefined;
}

let defaultDataset: Promise<FashionMnist> | undefined;

function loadDataset(): Promise<FashionMnist> {
  defaultDataset ??= import('@mlsd/datasets')
    .then((module) => module.loadFashionMnist())
    .catch((error: unknown) => {
      defaultDataset = undefined;
      throw error;
    });
  return defaultDataset;
}

/**
 * The encoded image a source names: a dataset image as the PNG `fashionMnistPng` writes (dark
 * garment on white), an upload or a file as its own bytes and media type.
 * @throws NotFoundError when the file is gone or the index is past the split's end;
 *   InvalidDataError for a source that cannot be read back (an upload without a catalogue).
 */
export async function readImageSource(
  source: string,
  context: SourceContext = {},
): Promise<SourceImage> {
  const parsed = parseImageSource(source);
  if (parsed.kind === 'dataset') {
    const split = (await (context.dataset ?? loadDataset)())[parsed.split];
    if (parsed.index >= split.count) {
      throw new NotFoundError(`${source}: the dataset split has ${split.count} images.`, {
        source,
      });
    }
    const side = split.rows * split.cols;
    const pixels = split.images.subarray(parsed.index * side, (parsed.index + 1) * side);
    return { contentType: 'image/png', bytes: await fashionMnistPng(pixels, split.rows) };
  }
  let path: string;
  if (parsed.kind === 'upload') {
    if (context.catalogueDir === undefined) {
      throw new InvalidDataError(`${source} is an upload, readable only within its catalogue.`, {
        source,
      });
    }
    path = join(context.catalogueDir, UPLOADS_FOLDER, parsed.file);
  } else {
    path = parsed.path;
  }
  const contentType = CONTENT_TYPES[extname(path).toLowerCase()];
  if (contentType === undefined && context.imagesOnly === true) {
    throw new InvalidDataError(`Cannot render the catalogue image source "${source}".`, { source });
  }
  try {
    return { contentType: contentType ?? 'application/octet-stream', bytes: await readFile(path) };
  } catch (error) {
    throw new NotFoundError(
      `The image of source "${source}" cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); it was moved or deleted after indexing.`,
      { source },
      { cause: error },
    );
  }
}

/**
 * Copies the uploads that `sources` name from one catalogue folder into another (a snapshot's
 * or a reindexed catalogue's staging folder); other sources are left alone.
 */
export async function copyUploads(
  sources: Iterable<unknown>,
  fromDir: string,
  toDir: string,
): Promise<void> {
  const files = new Set<string>();
  for (const source of sources) {
    if (typeof source !== 'string') continue;
    const parsed = parseImageSource(source);
    if (parsed.kind === 'upload') files.add(parsed.file);
  }
  if (files.size === 0) return;
  await mkdir(join(toDir, UPLOADS_FOLDER), { recursive: true });
  for (const file of files) {
    await copyFile(join(fromDir, UPLOADS_FOLDER, file), join(toDir, UPLOADS_FOLDER, file));
  }
}
