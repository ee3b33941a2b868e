import { readFile } from 'node:fs/promises';
import {
  CorruptFileError,
  InvalidArgumentError,
  NotFoundError,
  UnsupportedFormatError,
} from '@mlsd/core';
import sharp from 'sharp';
import { type ImageSpec, imageSize } from './image-spec.js';
import { decodeSimplePng } from './png-fast-path.js';

/** Formats sharp decodes here; anything else is refused with {@link UnsupportedFormatError}. */
export const SUPPORTED_IMAGE_FORMATS: readonly string[] = [
  'jpeg',
  'png',
  'webp',
  'gif',
  'tiff',
  'heif',
  'avif',
];

/**
 * Decodes one image (bytes or a file path) into the model's input: a Float32Array of
 * height × width × channels, row-major, normalised as `spec` says. EXIF orientation is
 * applied, alpha is flattened onto `spec.background`, animated images use their first frame.
 * A plain 8-bit PNG already of the spec's size is decoded in this thread (same pixels, no trip
 * through sharp's thread pool; see `decodeSimplePng`).
 * @throws NotFoundError when the file does not exist.
 * @throws CorruptFileError for an empty, truncated or garbled image, naming the file.
 * @throws UnsupportedFormatError for a format other than {@link SUPPORTED_IMAGE_FORMATS}.
 */
export async function decodeImage(
  input: Uint8Array | string,
  spec: ImageSpec,
  out?: Float32Array,
): Promise<Float32Array> {
  const name = typeof input === 'string' ? input : '<image bytes>';
  const bytes = typeof input === 'string' ? await readImageFile(input) : input;
  const size = imageSize(spec);
  if (out !== undefined && out.length !== size) {
    throw new InvalidArgumentError(
      `decodeImage: output buffer holds ${out.length} values, the spec needs ${size}.`,
    );
  }
  if (bytes.length === 0) {
    throw new CorruptFileError(`${name} is empty (0 bytes); it is not an image.`, { file: name });
  }
  const simple = decodeSimplePng(bytes, spec);
  if (simple !== undefined) return normalizePixels(simple, spec, out ?? new Float32Array(size));
  let raw: Buffer;
  try {
    const image = sharp(bytes, { failOn: 'error', animated: false, limitInputPixels: 268_402_689 });
    const metadata = await image.metadata();
    const format =
      metadata.format === 'heif' && metadata.compression === 'av1' ? 'avif' : metadata.format;
    if (format === undefined || !SUPPORTED_IMAGE_FORMATS.includes(format)) {
      throw new UnsupportedFormatError(
        `${name} is ${format ?? 'of an unknown format'}; supported: ${SUPPORTED_IMAGE_FORMATS.join(', ')}.`,
        { file: name, format },
      );
    }
    const background = { r: spec.background, g: spec.background, b: spec.background };
    let pipeline = image
      .rotate()
      .flatten({ background })
      .resize(spec.width, spec.height, { fit: spec.fit, background, kernel: 'lanczos3' });
    pipeline = spec.channels === 1 ? pipeline.grayscale() : pipeline.toColourspace('srgb');
    raw = await pipeline.removeAlpha().raw().toBuffer();
  } catch (error) {
    if (error instanceof UnsupportedFormatError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    if (/unsupported image format/i.test(message)) {
      throw new UnsupportedFormatError(
        `${name} is not an image format sharp can read (${message.trim()}); supported: ${SUPPORTED_IMAGE_FORMATS.join(', ')}.`,
        { file: name },
        { cause: error },
      );
    }
    throw new CorruptFileError(
      `${name} could not be decoded: ${message.trim()} (truncated or corrupt?).`,
      { file: name },
      {
        cause: error,
      },
    );
  }
  if (raw.length !== size) {
    throw new CorruptFileError(`${name} decoded to ${raw.length} values, expected ${size}.`, {
      file: name,
    });
  }
  return normalizePixels(raw, spec, out ?? new Float32Array(size));
}

/** Applies `invert`, then (v/255 − mean[c]) / std[c] per channel. */
export function normalizePixels(
  pixels: Uint8Array,
  spec: ImageSpec,
  out: Float32Array,
): Float32Array {
  const c = spec.channels;
  const mean = Array.from({ length: c }, (_, k) => spec.mean[k] ?? spec.mean[0]!);
  const scale = Array.from({ length: c }, (_, k) => 1 / (255 * (spec.std[k] ?? spec.std[0]!)));
  const shift = mean.map((m, k) => m / (spec.std[k] ?? spec.std[0]!));
  for (let i = 0; i < pixels.length; i++) {
    const k = i % c;
    const v = spec.invert ? 255 - pixels[i]! : pixels[i]!;
    out[i] = v * scale[k]! - shift[k]!;
  }
  return out;
}

async function readImageFile(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw new NotFoundError(`Image file ${path} does not exist.`, { file: path });
    if (code === 'EISDIR')
      throw new InvalidArgumentError(`${path} is a folder, not an image file.`, { file: path });
    throw error;
  }
}
