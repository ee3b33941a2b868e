import { readFile, stat } from 'node:fs/promises';
import {
  CorruptFileError,
  InvalidArgumentError,
  isMlsdError,
  NotFoundError,
  UnsupportedFormatError,
} from '@mlsd/core';
import sharp from 'sharp';
import {
  DEFAULT_DECODE_GATE,
  type DecodeGate,
  type DecodeLimitsInput,
  DecodeTimeoutError,
  ImageTooLargeError,
  parseDecodeLimits,
} from './decode-limits.js';
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

/** Options of {@link decodeImage}. */
export interface DecodeImageOptions extends DecodeLimitsInput {
  /** Reuse this buffer for the result (`imageSize(spec)` values). */
  out?: Float32Array | undefined;
  /** Gate bounding concurrent large decodes; default the process-wide one. */
  gate?: DecodeGate | undefined;
  /** Name used in error messages for bytes (default `<image bytes>`). */
  name?: string | undefined;
}

/**
 * Decodes one image (bytes or a file path) into the model's input: a Float32Array of
 * `imageSize(spec)` values in the spec's layout and channel order, normalised as the spec says.
 * EXIF orientation is applied; CMYK and 16-bit images are converted to 8-bit sRGB; alpha is
 * flattened onto `spec.background`; animated GIF/WebP use their first frame. Images larger
 * than `maxPixels` are refused before decoding, and a decode slower than `timeoutSeconds` is
 * stopped. A plain 8-bit PNG already of the spec's size is decoded in this thread (same pixels,
 * no trip through sharp's thread pool; see `decodeSimplePng`).
 * @throws NotFoundError when the file does not exist.
 * @throws InvalidArgumentError when the path is a folder or cannot be read (permissions).
 * @throws CorruptFileError for an empty, truncated or garbled image, naming the file.
 * @throws UnsupportedFormatError for a format other than {@link SUPPORTED_IMAGE_FORMATS}.
 * @throws ImageTooLargeError above `maxPixels`, naming the limit; DecodeTimeoutError past the timeout.
 */
export async function decodeImage(
  input: Uint8Array | string,
  spec: ImageSpec,
  options: DecodeImageOptions | Float32Array = {},
): Promise<Float32Array> {
  const o: DecodeImageOptions = options instanceof Float32Array ? { out: options } : options;
  const name = typeof input === 'string' ? input : (o.name ?? '<image bytes>');
  const limits = parseDecodeLimits({
    maxPixels: o.maxPixels,
    maxBytes: o.maxBytes,
    timeoutSeconds: o.timeoutSeconds,
  });
  const size = imageSize(spec);
  if (o.out !== undefined && o.out.length !== size) {
    throw new InvalidArgumentError(
      `decodeImage: output buffer holds ${o.out.length} values, the spec needs ${size}.`,
    );
  }
  const out = o.out ?? new Float32Array(size);
  const bytes = typeof input === 'string' ? await readImageFile(input, limits.maxBytes) : input;
  if (bytes.length === 0) {
    throw new CorruptFileError(`${name} is empty (0 bytes); it is not an image.`, { file: name });
  }
  const simple = decodeSimplePng(bytes, spec);
  if (simple !== undefined) return normalizePixels(simple, spec, out);
  const raw = await decodeWithSharp(bytes, spec, name, limits, o.gate ?? DEFAULT_DECODE_GATE);
  if (raw.length !== size) {
    throw new CorruptFileError(`${name} decoded to ${raw.length} values, expected ${size}.`, {
      file: name,
    });
  }
  return normalizePixels(raw, spec, out);
}

async function decodeWithSharp(
  bytes: Uint8Array,
  spec: ImageSpec,
  name: string,
  limits: { maxPixels: number; timeoutSeconds: number },
  gate: DecodeGate,
): Promise<Buffer> {
  try {
    // The header is read without sharp's limit so our error can name the size and the limit;
    // the decode below keeps sharp's limit as a second guard.
    const metadata = await sharp(bytes, { animated: false, limitInputPixels: false }).metadata();
    const format =
      metadata.format === 'heif' && metadata.compression === 'av1' ? 'avif' : metadata.format;
    if (format === undefined || !SUPPORTED_IMAGE_FORMATS.includes(format)) {
      throw new UnsupportedFormatError(
        `${name} is ${format ?? 'of an unknown format'}; supported: ${SUPPORTED_IMAGE_FORMATS.join(', ')}.`,
        { file: name, format },
      );
    }
    const width = metadata.width ?? 0;
    // An animated image reports the whole strip; only the first frame is decoded.
    const height = metadata.pageHeight ?? metadata.height ?? 0;
    const pixels = width * height;
    if (pixels > limits.maxPixels) {
      throw new ImageTooLargeError(
        `${name} is ${width}×${height} (${megapixels(pixels)} MP), above the decode limit of ${megapixels(limits.maxPixels)} MP (maxPixels ${limits.maxPixels}); raise maxPixels (--max-pixels) to accept it.`,
        { file: name, width, height, pixels, maxPixels: limits.maxPixels },
      );
    }
    const background = { r: spec.background, g: spec.background, b: spec.background };
    let pipeline = sharp(bytes, {
      failOn: 'error',
      animated: false,
      limitInputPixels: limits.maxPixels,
    })
      .rotate()
      .flatten({ background })
      .resize(spec.width, spec.height, { fit: spec.fit, background, kernel: spec.kernel });
    pipeline = spec.channels === 1 ? pipeline.grayscale() : pipeline.toColourspace('srgb');
    pipeline = pipeline.removeAlpha().timeout({ seconds: limits.timeoutSeconds });
    // 16-bit sources stay 16-bit through the pipeline unless the output depth is set.
    return await gate.run(pixels, () => pipeline.raw({ depth: 'uchar' }).toBuffer());
  } catch (error) {
    throw classifyDecodeError(error, name, limits.timeoutSeconds);
  }
}

/**
 * Turns what sharp threw into our typed error: too large, timed out, unsupported (HEIC with
 * HEVC among them), or corrupt. Exported for tests.
 */
export function classifyDecodeError(error: unknown, name: string, timeoutSeconds: number): Error {
  if (
    error instanceof UnsupportedFormatError ||
    error instanceof ImageTooLargeError ||
    error instanceof CorruptFileError
  ) {
    return error;
  }
  // libvips reports some failures over many lines (libheif's seek retries): keep the first
  // and the last, which say what and why.
  const lines = (error instanceof Error ? error.message : String(error))
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const message = lines.length <= 2 ? lines.join(' ') : `${lines[0]} … ${lines.at(-1)}`;
  if (/^timeout/i.test(message)) {
    return new DecodeTimeoutError(
      `${name} took longer than the decode timeout of ${timeoutSeconds} s and was stopped (${message}); raise timeoutSeconds to allow slower decodes.`,
      { file: name, timeoutSeconds },
      { cause: error },
    );
  }
  if (/pixel limit/i.test(message)) {
    return new ImageTooLargeError(
      `${name} is above the decode limit (${message}); raise maxPixels (--max-pixels) to accept it.`,
      { file: name },
      { cause: error },
    );
  }
  if (/unsupported image format|no decoder|not a known file format/i.test(message)) {
    return new UnsupportedFormatError(
      `${name} is not an image format sharp can read (${message}); supported: ${SUPPORTED_IMAGE_FORMATS.join(', ')}.`,
      { file: name },
      { cause: error },
    );
  }
  if (/hevc|hvcc|unsupported codec|no decoding plugin|compression format/i.test(message)) {
    return new UnsupportedFormatError(
      `${name} could not be decoded: ${message}. HEIC photos compressed with HEVC need a libvips built with libde265, which sharp's prebuilt binaries leave out; convert them to JPEG or AVIF.`,
      { file: name },
      { cause: error },
    );
  }
  return new CorruptFileError(
    `${name} could not be decoded: ${message} (truncated or corrupt?).`,
    { file: name },
    { cause: error },
  );
}

function megapixels(pixels: number): string {
  return (pixels / 1e6).toFixed(1);
}

/**
 * Applies `invert`, then (v/255 − mean[c]) / std[c] per channel, writing `out` in the spec's
 * layout (NHWC or NCHW) and channel order (RGB or BGR). `pixels` are 8-bit, height × width ×
 * channels, RGB (or grey).
 */
export function normalizePixels(
  pixels: Uint8Array,
  spec: ImageSpec,
  out: Float32Array,
): Float32Array {
  const c = spec.channels;
  const area = spec.width * spec.height;
  const scale = new Float32Array(c);
  const shift = new Float32Array(c);
  const sourceChannel = new Int32Array(c);
  for (let k = 0; k < c; k++) {
    // Output channel k reads RGB channel s; mean and std are given in RGB order.
    const s = spec.channelOrder === 'bgr' ? c - 1 - k : k;
    const mean = spec.mean[s] ?? spec.mean[0]!;
    const std = spec.std[s] ?? spec.std[0]!;
    sourceChannel[k] = s;
    scale[k] = 1 / (255 * std);
    shift[k] = mean / std;
  }
  const planar = spec.layout === 'nchw';
  for (let p = 0; p < area; p++) {
    for (let k = 0; k < c; k++) {
      const raw = pixels[p * c + sourceChannel[k]!]!;
      const v = spec.invert ? 255 - raw : raw;
      out[planar ? k * area + p : p * c + k] = v * scale[k]! - shift[k]!;
    }
  }
  return out;
}

/**
 * Reads an image file, refusing what is not a regular file (a FIFO would block the read
 * forever) and files above `maxBytes`, before reading them.
 */
async function readImageFile(path: string, maxBytes: number): Promise<Buffer> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) {
      throw new InvalidArgumentError(`${path} is a folder, not an image file.`, { file: path });
    }
    if (!info.isFile()) {
      throw new InvalidArgumentError(
        `${path} is not a regular file (a FIFO, socket or device); it is not read.`,
        { file: path },
      );
    }
    if (info.size > maxBytes) {
      throw new ImageTooLargeError(
        `${path} is ${info.size} bytes, above the file limit of ${maxBytes} (maxBytes); raise maxBytes to read it.`,
        { file: path, bytes: info.size, maxBytes },
      );
    }
    return await readFile(path);
  } catch (error) {
    if (isMlsdError(error)) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new NotFoundError(`Image file ${path} does not exist.`, { file: path });
    }
    throw new InvalidArgumentError(
      `Image file ${path} cannot be read (${code ?? (error as Error).message}); check its permissions.`,
      { file: path, errno: code },
      { cause: error },
    );
  }
}
