import { basename, dirname, join, resolve } from 'node:path';
import { InvalidArgumentError } from '@mlsd/core';
import { pickDecodeLimits } from '../decode-limits.js';
import type { ImageEmbedder } from '../embedding/image-embedder.js';
import {
  type DecodeFolderOptions,
  decodeImageBatches,
  type FolderReport,
  type SkippedImage,
} from '../image-folder.js';
import {
  type ImageIndexSettings,
  type ImageMetadata,
  ImageSearch,
} from '../search/image-search.js';

/** Options of {@link embedImageFolder} and {@link indexImageFolder}. */
export interface EmbedFolderOptions extends DecodeFolderOptions {
  /** Images decoded and embedded together; default 32. Memory holds one batch of inputs. */
  batchSize?: number;
  /** Called after each batch with the images embedded so far. */
  onEmbedded?: (done: number) => void;
}

/** The embeddings of a folder's images and the full account of its files. */
export interface EmbeddedFolder extends FolderReport {
  /** Relative paths of the embedded images (posix), sorted. */
  ids: string[];
  /** `ids.length × dim` unit rows. */
  vectors: Float32Array;
  /** Per image: its absolute path, and its parent folder's name as label when it has one. */
  metadata: ImageMetadata[];
  /** Seconds spent decoding and embedding. */
  seconds: number;
}

/**
 * Decodes and embeds every image under `dir` batch by batch (memory stays at one batch of model
 * inputs plus the vectors, however many or large the photos). Files that cannot be used are
 * reported with their reason; every entry is accounted for (see `decodeImageBatches`).
 */
export async function embedImageFolder(
  dir: string,
  embedder: ImageEmbedder,
  options: EmbedFolderOptions = {},
): Promise<EmbeddedFolder> {
  const root = resolve(dir);
  const started = performance.now();
  const batchSize = options.batchSize ?? 32;
  const { batches, report } = decodeImageBatches(root, embedder.spec, batchSize, options);
  const ids: string[] = [];
  const metadata: ImageMetadata[] = [];
  let vectors = new Float32Array(1024 * embedder.dim);
  for await (const batch of batches) {
    const rows = await embedder.embed(batch.pixels, batch.ids.length);
    const needed = (ids.length + batch.ids.length) * embedder.dim;
    if (needed > vectors.length) {
      const grown = new Float32Array(Math.max(needed, vectors.length * 2));
      grown.set(vectors);
      vectors = grown;
    }
    vectors.set(rows, ids.length * embedder.dim);
    for (const id of batch.ids) {
      ids.push(id);
      metadata.push(fileMetadata(root, id));
    }
    options.onEmbedded?.(ids.length);
  }
  return {
    ids,
    vectors: vectors.slice(0, ids.length * embedder.dim),
    metadata,
    seconds: (performance.now() - started) / 1000,
    ...report(),
  };
}

/** What an indexed image of a folder records: its path, and its folder's name as label. */
export function fileMetadata(root: string, id: string): ImageMetadata {
  const folder = dirname(id);
  return {
    source: join(root, id),
    ...(folder === '.' ? {} : { label: basename(folder) }),
  };
}

/** Options of {@link indexImageFolder}. */
export interface IndexFolderOptions extends EmbedFolderOptions {
  /** HNSW settings (cosine). */
  hnsw?: ImageIndexSettings;
}

/** What {@link indexImageFolder} built. */
export interface IndexedFolder extends FolderReport {
  search: ImageSearch;
  /** Seconds from the first decode to the finished index. */
  buildSeconds: number;
}

/**
 * Builds a similar-image index of a folder: every image decoded (bounded memory), embedded and
 * indexed; ids are relative paths, labels the parent folder names.
 * @throws InvalidArgumentError when no image could be used (the report says why).
 */
export async function indexImageFolder(
  dir: string,
  embedder: ImageEmbedder,
  options: IndexFolderOptions = {},
): Promise<IndexedFolder> {
  const started = performance.now();
  const folder = await embedImageFolder(dir, embedder, options);
  if (folder.ids.length === 0) {
    throw new InvalidArgumentError(
      `No image under ${resolve(dir)} could be used (${folder.counts.found} found, ${folder.counts.skipped} skipped${describeSkips(folder.skipped)}); nothing to index.`,
      { dir, counts: folder.counts },
    );
  }
  const search = ImageSearch.create(embedder, {
    capacity: folder.ids.length,
    ...(options.hnsw === undefined ? {} : { hnsw: options.hnsw }),
    decodeLimits: pickDecodeLimits(options),
  });
  search.addEmbeddings(folder.ids, folder.vectors, folder.metadata);
  return {
    search,
    skipped: folder.skipped,
    ignored: folder.ignored,
    counts: folder.counts,
    buildSeconds: (performance.now() - started) / 1000,
  };
}

function describeSkips(skipped: readonly SkippedImage[]): string {
  if (skipped.length === 0) return '';
  const first = skipped[0]!;
  return `; e.g. ${first.file}: ${first.reason}`;
}
