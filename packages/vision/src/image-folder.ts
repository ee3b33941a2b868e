import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import { isMlsdError, NotFoundError } from '@mlsd/core';
import { decodeImage } from './decode-image.js';
import {
  type DecodeGate,
  type DecodeLimitsInput,
  DecodeTimeoutError,
  ImageTooLargeError,
  pickDecodeLimits,
} from './decode-limits.js';
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

/** Why a file found in a folder was not used. */
export type SkipCode =
  /** Empty, truncated or garbled. */
  | 'CORRUPT_FILE'
  /** Not a format sharp reads here (or HEIC compressed with HEVC). */
  | 'UNSUPPORTED'
  /** More pixels than the decode limit. */
  | 'TOO_LARGE'
  /** The decode took longer than the decode timeout. */
  | 'TIMEOUT'
  /** No permission to read it (or another read error). */
  | 'UNREADABLE'
  /** A folder, FIFO, socket or device named like an image. */
  | 'NOT_A_FILE'
  /** A symbolic link (not followed unless asked). */
  | 'SYMLINK'
  /** It disappeared between the listing and the read. */
  | 'NOT_FOUND'
  /** Its id is already in the index it was added to. */
  | 'DUPLICATE_ID';

/** A file that could not be used, and why. */
export interface SkippedImage {
  /** Path relative to the folder (posix separators; a `\` in a name is kept). */
  file: string;
  code: SkipCode;
  reason: string;
}

/** Counts of a folder scan: every entry found is in exactly one of decoded, skipped, ignored. */
export interface FolderCounts {
  /** Entries named like images (`IMAGE_EXTENSIONS`): decoded + skipped. */
  found: number;
  decoded: number;
  skipped: number;
  /** Files without an image extension (text, sidecars...), listed in `ignoredFiles`. */
  ignored: number;
}

/** What a folder holds: the image files to decode, and everything else accounted for. */
export interface FolderListing {
  /** Regular image files (relative posix paths), sorted. */
  files: string[];
  /** Entries named like images that are not regular files, and unreadable folders. */
  skipped: SkippedImage[];
  /** Files without an image extension, sorted. */
  ignored: string[];
}

/** Options of {@link listImageFolder}. */
export interface ListFolderOptions {
  /** Follow symbolic links to files (never to folders); default false: they are skipped. */
  followSymlinks?: boolean;
}

/**
 * Walks `dir` recursively and sorts every entry into image files, skipped entries (symlinks,
 * FIFOs, sockets and folders named like images, unreadable subfolders, each with its reason)
 * and ignored files (no image extension). Nothing is opened but folders, so a FIFO cannot hang
 * the scan.
 * @throws NotFoundError when `dir` does not exist.
 */
export async function listImageFolder(
  dir: string,
  options: ListFolderOptions = {},
): Promise<FolderListing> {
  const files: string[] = [];
  const skipped: SkippedImage[] = [];
  const ignored: string[] = [];
  const toId = (path: string) => {
    const rel = relative(dir, path);
    // Only a platform separator becomes '/': on POSIX a backslash is part of the name.
    return sep === '/' ? rel : rel.split(sep).join('/');
  };
  async function walk(folder: string): Promise<void> {
    let entries: Dirent[];
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (folder === dir && (code === 'ENOENT' || code === 'ENOTDIR')) {
        throw new NotFoundError(`Image folder ${dir} does not exist or is not a folder.`, {
          folder: dir,
        });
      }
      if (folder === dir) throw error;
      skipped.push({
        file: toId(folder),
        code: 'UNREADABLE',
        reason: `folder cannot be read (${code ?? (error as Error).message}); its contents were not scanned`,
      });
      return;
    }
    for (const entry of entries) {
      const path = join(folder, entry.name);
      const id = toId(path);
      const looksLikeImage = IMAGE_EXTENSIONS.includes(extname(entry.name).toLowerCase());
      if (entry.isDirectory()) {
        if (looksLikeImage) {
          skipped.push({
            file: id,
            code: 'NOT_A_FILE',
            reason: 'a folder named like an image file; its contents were scanned as a folder',
          });
        }
        await walk(path);
      } else if (!looksLikeImage) {
        ignored.push(id);
      } else if (entry.isFile()) {
        files.push(id);
      } else if (entry.isSymbolicLink()) {
        const target = options.followSymlinks ? await stat(path).catch(() => undefined) : undefined;
        if (target?.isFile()) files.push(id);
        else {
          skipped.push({
            file: id,
            code: 'SYMLINK',
            reason: options.followSymlinks
              ? 'a symbolic link that does not lead to a readable file'
              : 'a symbolic link, not followed (links can lead outside the folder); pass followSymlinks (--follow-symlinks) to read linked files',
          });
        }
      } else {
        skipped.push({
          file: id,
          code: 'NOT_A_FILE',
          reason: `not a regular file (${describeSpecial(entry)}); not opened`,
        });
      }
    }
  }
  await walk(dir);
  const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return {
    files: files.sort(byName),
    skipped: skipped.sort((a, b) => byName(a.file, b.file)),
    ignored: ignored.sort(byName),
  };
}

function describeSpecial(entry: Dirent): string {
  if (entry.isFIFO()) return 'a FIFO';
  if (entry.isSocket()) return 'a socket';
  if (entry.isBlockDevice() || entry.isCharacterDevice()) return 'a device';
  return 'an unknown kind of entry';
}

/** Lists image files under `dir` (recursively), as sorted relative posix paths. */
export async function listImageFiles(dir: string): Promise<string[]> {
  return (await listImageFolder(dir)).files;
}

/**
 * The {@link SkipCode} of an error thrown while reading or decoding one image, or undefined
 * for an error that is not about the file (a bug: let it propagate).
 */
export function skipCodeOf(error: unknown): SkipCode | undefined {
  if (error instanceof ImageTooLargeError) return 'TOO_LARGE';
  if (error instanceof DecodeTimeoutError) return 'TIMEOUT';
  if (!isMlsdError(error)) return undefined;
  switch (error.code) {
    case 'CORRUPT_FILE':
    case 'UNSUPPORTED':
    case 'NOT_FOUND':
      return error.code;
    case 'INVALID_ARGUMENT':
      // decodeImage's read errors: a folder path or a permission problem.
      return error.details.file === undefined ? undefined : 'UNREADABLE';
    default:
      return undefined;
  }
}

/** Options of {@link decodeImageBatches} and {@link decodeImageFolder}. */
export interface DecodeFolderOptions extends DecodeLimitsInput, ListFolderOptions {
  /** Files decoded at the same time (sharp works off the main thread); default 4. */
  concurrency?: number;
  /** Gate bounding concurrent large decodes; default the process-wide one. */
  gate?: DecodeGate | undefined;
  /** Called with the number of files done and the total. */
  onProgress?: (done: number, total: number) => void;
}

/** One batch of decoded images from {@link decodeImageBatches}. */
export interface DecodedBatch {
  /** Relative paths of the images, in order. */
  ids: string[];
  /** `ids.length × imageSize(spec)` values; valid until the next batch is requested. */
  pixels: Float32Array;
}

/** The end state of {@link decodeImageBatches}: what was skipped and ignored, and the counts. */
export interface FolderReport {
  skipped: SkippedImage[];
  ignored: string[];
  counts: FolderCounts;
}

/**
 * Decodes the images under `dir` in batches of `batchSize`, reusing one buffer, so memory stays
 * at one batch of model inputs however many or large the photos are. Failed files are reported
 * with their reason and never stop the run. Call `report()` after the iteration for the counts.
 */
export function decodeImageBatches(
  dir: string,
  spec: ImageSpec,
  batchSize: number,
  options: DecodeFolderOptions = {},
): { batches: AsyncIterable<DecodedBatch>; report: () => FolderReport } {
  const size = imageSize(spec);
  const skipped: SkippedImage[] = [];
  let ignored: string[] = [];
  let decoded = 0;
  let finished = false;
  async function* batches(): AsyncGenerator<DecodedBatch> {
    const listing = await listImageFolder(dir, options);
    skipped.push(...listing.skipped);
    ignored = listing.ignored;
    const { files } = listing;
    const buffer = new Float32Array(batchSize * size);
    const concurrency = Math.max(1, options.concurrency ?? 4);
    let done = 0;
    for (let start = 0; start < files.length; start += batchSize) {
      const chunk = files.slice(start, start + batchSize);
      const ok = new Uint8Array(chunk.length);
      let next = 0;
      const worker = async () => {
        while (next < chunk.length) {
          const index = next++;
          const file = chunk[index]!;
          try {
            await decodeImage(join(dir, file), spec, {
              out: buffer.subarray(index * size, (index + 1) * size),
              ...pickDecodeLimits(options),
              gate: options.gate,
            });
            ok[index] = 1;
          } catch (error) {
            const code = skipCodeOf(error);
            if (code === undefined) throw error;
            skipped.push({ file, code, reason: (error as Error).message });
          }
          options.onProgress?.(++done, files.length);
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, chunk.length) }, worker));
      // Close the gaps of skipped files, keeping file order (write <= index, so this is safe).
      const ids: string[] = [];
      for (let index = 0; index < chunk.length; index++) {
        if (ok[index] === 0) continue;
        if (ids.length !== index) {
          buffer.copyWithin(ids.length * size, index * size, (index + 1) * size);
        }
        ids.push(chunk[index]!);
      }
      decoded += ids.length;
      if (ids.length > 0) yield { ids, pixels: buffer.subarray(0, ids.length * size) };
    }
    finished = true;
  }
  return {
    batches: batches(),
    report: () => {
      if (!finished) {
        throw new Error('decodeImageBatches: report() is available after the batches are read.');
      }
      const sorted = [...skipped].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
      return {
        skipped: sorted,
        ignored,
        counts: {
          found: decoded + sorted.length,
          decoded,
          skipped: sorted.length,
          ignored: ignored.length,
        },
      };
    },
  };
}

/** The decoded images of a folder and what was skipped; `found = decoded + skipped`. */
export interface DecodedFolder extends FolderReport {
  /** decoded × imageSize(spec) values, in `ids` order. */
  images: Float32Array;
  /** Relative paths of the decoded files (posix separators), sorted. */
  ids: string[];
}

/**
 * Decodes every image under `dir` into one Float32Array (for small folders; large ones go
 * through {@link decodeImageBatches}). A file that fails is reported in `skipped` with its
 * reason and never stops the run; symlinks, FIFOs, folders named like images and unreadable
 * files are counted too, and files without an image extension are listed as ignored.
 */
export async function decodeImageFolder(
  dir: string,
  spec: ImageSpec,
  options: DecodeFolderOptions = {},
): Promise<DecodedFolder> {
  const size = imageSize(spec);
  const { batches, report } = decodeImageBatches(dir, spec, 64, options);
  const parts: Float32Array[] = [];
  const ids: string[] = [];
  for await (const batch of batches) {
    parts.push(batch.pixels.slice());
    ids.push(...batch.ids);
  }
  const images = new Float32Array(ids.length * size);
  let offset = 0;
  for (const part of parts) {
    images.set(part, offset);
    offset += part.length;
  }
  return { images, ids, ...report() };
}
