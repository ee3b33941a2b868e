import { readdir } from 'node:fs/promises';
import { extname, join, relative } from 'node:path';
import { isMlsdError, NotFoundError } from '@mlsd/core';
import { decodeImage } from './decode-image.js';
import { type ImageSpec, imageSize } from './image-spec.js';

/** File extensions treated as images when scanning a folder (case-insensitive). */
export const IMAGE_EXTENSIONS: readonly string[] = [
  '.png',
  '.jpg',
  '.jpeg',
  '.webp',
  '.gif',
  '.tif',
  '.tiff',
  '.avif',
  '.heic',
  '.heif',
];

/** A file that could not be used, and why. */
export interface SkippedImage {
  /** Path relative to the folder. */
  file: string;
  /** Error code (CORRUPT_FILE, UNSUPPORTED, …). */
  code: string;
  reason: string;
}

/** The decoded images of a folder and what was skipped; `found = decoded + skipped`. */
export interface DecodedFolder {
  /** decoded × (height × width × channels) values, row-major, in `ids` order. */
  images: Float32Array;
  /** Relative paths of the decoded files (posix separators), sorted. */
  ids: string[];
  skipped: SkippedImage[];
  counts: { found: number; decoded: number; skipped: number };
}

/** Lists image files under `dir` (recursively), as sorted relative posix paths. */
export async function listImageFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  async function walk(folder: string): Promise<void> {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new NotFoundError(`Image folder ${dir} does not exist.`, { folder: dir });
      }
      throw error;
    }
    for (const entry of entries) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile() && IMAGE_EXTENSIONS.includes(extname(entry.name).toLowerCase())) {
        files.push(relative(dir, path).split('\\').join('/'));
      }
    }
  }
  await walk(dir);
  return files.sort();
}

/**
 * Decodes every image under `dir` into one Float32Array. A file that fails (corrupt,
 * truncated, empty, unsupported) is reported in `skipped` with its reason and never stops the
 * run; the counts reconcile. Decoding runs `concurrency` files at a time (sharp works off the
 * main thread).
 */
export async function decodeImageFolder(
  dir: string,
  spec: ImageSpec,
  options: { concurrency?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<DecodedFolder> {
  const files = await listImageFiles(dir);
  const size = imageSize(spec);
  const decoded: (Float32Array | undefined)[] = new Array(files.length);
  const skipped: SkippedImage[] = [];
  const concurrency = Math.max(1, options.concurrency ?? 4);
  let next = 0;
  let done = 0;
  async function worker(): Promise<void> {
    while (next < files.length) {
      const index = next++;
      const file = files[index]!;
      try {
        decoded[index] = await decodeImage(join(dir, file), spec);
      } catch (error) {
        if (!isMlsdError(error)) throw error;
        skipped.push({ file, code: error.code, reason: error.message });
      }
      options.onProgress?.(++done, files.length);
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, worker));
  const ids: string[] = [];
  const images = new Float32Array((files.length - skipped.length) * size);
  files.forEach((file, index) => {
    const image = decoded[index];
    if (image === undefined) return;
    images.set(image, ids.length * size);
    ids.push(file);
  });
  skipped.sort((a, b) => (a.file < b.file ? -1 : 1));
  return {
    images,
    ids,
    skipped,
    counts: { found: files.length, decoded: ids.length, skipped: skipped.length },
  };
}
