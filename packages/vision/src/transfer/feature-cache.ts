import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { logWarn, writeFileAtomic } from '@mlsd/core';
import { decodeImage } from '../decode-image.js';
import { type DecodeLimitsInput, pickDecodeLimits } from '../decode-limits.js';
import { type SkippedImage, skipCodeOf } from '../image-folder.js';
import { type ImageSpec, imageSize } from '../image-spec.js';

/**
 * What features are computed with: any `ImageEmbedder` (unit rows), or a backbone cut before
 * its last block (the raw feature maps at the cut, see `splitBackbone`).
 */
export interface FeatureSource {
  readonly spec: ImageSpec;
  /** Values per image. */
  readonly dim: number;
  /** Rows cached under one version are reused only by a source of that version. */
  readonly info: { readonly version: string };
  embed(pixels: Float32Array, count: number): Promise<Float32Array>;
}

/** One image to compute backbone features for. */
export interface FeatureEntry {
  /**
   * Identifies the image's content (a file's path, size and modification time; a dataset
   * source): a cached row is reused only for the same key.
   */
  key: string;
  /** The encoded image, or its file path, read only when the row is not cached. */
  image: () => Promise<Uint8Array | string>;
}

/** Options of {@link cachedBackboneFeatures}. */
export interface FeatureCacheOptions extends DecodeLimitsInput {
  /** Images embedded together; default 32. */
  batchSize?: number;
  /** Called with the number of entries done and the total. */
  onProgress?: (done: number, total: number) => void;
}

/** Backbone features of the entries that could be read, in entry order. */
export interface CachedFeatures {
  /** Keys of the rows of `features` (entries that failed are left out). */
  keys: string[];
  /** `keys.length × backbone.dim` values (unit rows for an `ImageEmbedder`). */
  features: Float32Array;
  /** Rows computed now / read from the cache. */
  computed: number;
  reused: number;
  /** Entries whose image could not be read or decoded. */
  skipped: SkippedImage[];
}

interface CacheIndex {
  version: string;
  dim: number;
  keys: string[];
}

/**
 * The backbone's features of every entry, computed once and kept in `cacheDir` (one file pair
 * per backbone version: `<hash>.json` with the keys, `<hash>.f32` with the rows), so training a
 * head for many epochs, or again with other settings, runs the backbone only on new images.
 * A cache of another backbone version is never used.
 */
export async function cachedBackboneFeatures(
  backbone: FeatureSource,
  entries: readonly FeatureEntry[],
  cacheDir: string,
  options: FeatureCacheOptions = {},
): Promise<CachedFeatures> {
  const dim = backbone.dim;
  const name = createHash('sha256').update(backbone.info.version).digest('hex').slice(0, 16);
  const indexPath = join(cacheDir, `${name}.json`);
  const rowsPath = join(cacheDir, `${name}.f32`);
  const cached = await readCache(indexPath, rowsPath, backbone.info.version, dim);
  const size = imageSize(backbone.spec);
  const batchSize = options.batchSize ?? 32;
  const pixels = new Float32Array(batchSize * size);
  const skipped: SkippedImage[] = [];
  const computedRows = new Map<string, Float32Array>();
  const missing = entries.filter((entry) => !cached.has(entry.key));
  let done = entries.length - missing.length;
  for (let start = 0; start < missing.length; start += batchSize) {
    const batch: string[] = [];
    for (const entry of missing.slice(start, start + batchSize)) {
      try {
        await decodeImage(await entry.image(), backbone.spec, {
          out: pixels.subarray(batch.length * size, (batch.length + 1) * size),
          name: entry.key,
          ...pickDecodeLimits(options),
        });
        batch.push(entry.key);
      } catch (error) {
        const code = skipCodeOf(error);
        if (code === undefined) throw error;
        skipped.push({ file: entry.key, code, reason: (error as Error).message });
      }
    }
    if (batch.length > 0) {
      const rows = await backbone.embed(pixels.subarray(0, batch.length * size), batch.length);
      batch.forEach((key, i) => {
        computedRows.set(key, rows.slice(i * dim, (i + 1) * dim));
      });
    }
    done += Math.min(batchSize, missing.length - start);
    options.onProgress?.(done, entries.length);
  }
  const keys: string[] = [];
  const features = new Float32Array(entries.length * dim);
  for (const entry of entries) {
    const row = cached.get(entry.key) ?? computedRows.get(entry.key);
    if (row === undefined) continue;
    features.set(row, keys.length * dim);
    keys.push(entry.key);
  }
  if (computedRows.size > 0) {
    const all = new Map([...cached, ...computedRows]);
    await writeCache(cacheDir, indexPath, rowsPath, backbone.info.version, dim, all);
  }
  return {
    keys,
    features: features.slice(0, keys.length * dim),
    computed: computedRows.size,
    reused: entries.length - missing.length,
    skipped,
  };
}

async function readCache(
  indexPath: string,
  rowsPath: string,
  version: string,
  dim: number,
): Promise<Map<string, Float32Array>> {
  const rows = new Map<string, Float32Array>();
  try {
    const index = JSON.parse(await readFile(indexPath, 'utf8')) as CacheIndex;
    const bytes = await readFile(rowsPath);
    if (
      index.version !== version ||
      index.dim !== dim ||
      bytes.byteLength !== index.keys.length * dim * 4
    ) {
      logWarn('ignoring a feature cache that does not match its backbone', { file: indexPath });
      return rows;
    }
    const values = new Float32Array(index.keys.length * dim);
    new Uint8Array(values.buffer).set(bytes);
    index.keys.forEach((key, i) => {
      rows.set(key, values.subarray(i * dim, (i + 1) * dim));
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      logWarn('ignoring an unreadable feature cache', {
        file: indexPath,
        error: (error as Error).message,
      });
    }
  }
  return rows;
}

async function writeCache(
  cacheDir: string,
  indexPath: string,
  rowsPath: string,
  version: string,
  dim: number,
  rows: Map<string, Float32Array>,
): Promise<void> {
  await mkdir(cacheDir, { recursive: true });
  const keys = [...rows.keys()];
  const values = new Float32Array(keys.length * dim);
  keys.forEach((key, i) => {
    values.set(rows.get(key)!, i * dim);
  });
  // Rows first: an index naming rows that are not written yet fails the size check on read.
  await writeFileAtomic(rowsPath, new Uint8Array(values.buffer));
  await writeFileAtomic(
    indexPath,
    `${JSON.stringify({ version, dim, keys } satisfies CacheIndex)}\n`,
  );
}
