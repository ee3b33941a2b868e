import zlib from 'node:zlib';
import type { ImageSpec } from './image-spec.js';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Ancillary chunks that do not change the pixels sharp would return; any other one declines. */
const IGNORABLE_CHUNKS = new Set(['tEXt', 'zTXt', 'iTXt', 'tIME', 'pHYs']);
/** Text keywords that may carry EXIF or XMP (and so an orientation): decline those. */
const METADATA_KEYWORDS = ['Raw profile', 'XML:com.adobe.xmp'];
const crc32: ((data: Uint8Array, value?: number) => number) | undefined = (
  zlib as { crc32?: (data: Uint8Array, value?: number) => number }
).crc32;

/**
 * Decodes the common simple PNG in the calling thread, without sharp: 8-bit grayscale or RGB
 * (for a grayscale spec only when every pixel is grey, R = G = B), not interlaced, already the spec's width × height, with no colour
 * profile, gamma, transparency or EXIF chunk. For such a file sharp's pipeline in `decodeImage`
 * (rotate, flatten, resize to the same size, grayscale / sRGB) leaves the pixels unchanged,
 * so the result is identical; this skips two round trips through sharp's thread pool, which
 * dominate the latency of a small query image.
 *
 * Returns the raw 8-bit pixels (height × width × spec.channels), or undefined whenever the
 * file is anything else, or is damaged in any way (bad CRC, bad zlib stream, wrong length):
 * the caller then goes through sharp, which reports the problem.
 */
export function decodeSimplePng(bytes: Uint8Array, spec: ImageSpec): Uint8Array | undefined {
  if (crc32 === undefined || bytes.length < 57) return undefined;
  for (let i = 0; i < 8; i++) if (bytes[i] !== SIGNATURE[i]) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 8;
  let colorChannels = 0;
  const idat: Uint8Array[] = [];
  let ended = false;
  while (at + 12 <= bytes.length) {
    const length = view.getUint32(at);
    const dataStart = at + 8;
    const dataEnd = dataStart + length;
    if (dataEnd + 4 > bytes.length) return undefined;
    const type = String.fromCharCode(
      bytes[at + 4]!,
      bytes[at + 5]!,
      bytes[at + 6]!,
      bytes[at + 7]!,
    );
    if (crc32(bytes.subarray(at + 4, dataEnd)) !== view.getUint32(dataEnd)) return undefined;
    if (type === 'IHDR') {
      if (at !== 8 || length !== 13) return undefined;
      const width = view.getUint32(dataStart);
      const height = view.getUint32(dataStart + 4);
      const bitDepth = bytes[dataStart + 8];
      const colorType = bytes[dataStart + 9];
      const interlace = bytes[dataStart + 12];
      if (width !== spec.width || height !== spec.height || bitDepth !== 8 || interlace !== 0) {
        return undefined;
      }
      if (colorType === 0) colorChannels = 1;
      else if (colorType === 2) colorChannels = 3;
      else return undefined;
    } else if (type === 'IDAT') {
      if (colorChannels === 0) return undefined;
      idat.push(bytes.subarray(dataStart, dataEnd));
    } else if (type === 'IEND') {
      ended = true;
      break;
    } else if (!IGNORABLE_CHUNKS.has(type) || carriesMetadata(bytes, dataStart, dataEnd)) {
      return undefined;
    }
    at = dataEnd + 4;
  }
  if (!ended || idat.length === 0) return undefined;
  const stride = spec.width * colorChannels;
  const expected = (stride + 1) * spec.height;
  let filtered: Buffer;
  try {
    // The header fixes the decompressed size; a stream that inflates past it (a decompression
    // bomb: 1 MB of IDAT can expand to 1 GB) stops at one byte over instead of stalling the
    // event loop, and the file goes to sharp, which reads only the rows it needs.
    filtered = zlib.inflateSync(idat.length === 1 ? idat[0]! : Buffer.concat(idat), {
      maxOutputLength: expected + 1,
    });
  } catch {
    return undefined;
  }
  if (filtered.length !== expected) return undefined;
  const pixels = unfilter(filtered, spec.height, stride, colorChannels);
  if (pixels === undefined || colorChannels === spec.channels) return pixels;
  if (colorChannels === 1) {
    // Grayscale file, colour model: sharp's sRGB conversion repeats the grey level.
    const rgb = new Uint8Array(pixels.length * 3);
    for (let i = 0; i < pixels.length; i++) {
      rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = pixels[i]!;
    }
    return rgb;
  }
  // RGB file, grayscale model: only a grey image (R = G = B everywhere, as many encoders write
  // grayscale) converts to its own grey level; real colour needs sharp's colour maths.
  const grey = new Uint8Array(pixels.length / 3);
  for (let i = 0; i < grey.length; i++) {
    const r = pixels[3 * i]!;
    if (pixels[3 * i + 1] !== r || pixels[3 * i + 2] !== r) return undefined;
    grey[i] = r;
  }
  return grey;
}

/** Whether a text chunk's keyword names an EXIF / XMP payload. */
function carriesMetadata(bytes: Uint8Array, start: number, end: number): boolean {
  const head = String.fromCharCode(...bytes.subarray(start, Math.min(end, start + 20)));
  return METADATA_KEYWORDS.some((keyword) => head.startsWith(keyword));
}

/** Reverses PNG's per-line filters (None, Sub, Up, Average, Paeth); undefined on a bad type. */
function unfilter(
  data: Uint8Array,
  height: number,
  stride: number,
  bytesPerPixel: number,
): Uint8Array | undefined {
  const out = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = data[y * (stride + 1)]!;
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    const prior = row - stride;
    for (let x = 0; x < stride; x++) {
      const raw = data[src + x]!;
      const left = x >= bytesPerPixel ? out[row + x - bytesPerPixel]! : 0;
      const up = y > 0 ? out[prior + x]! : 0;
      let value: number;
      switch (filter) {
        case 0:
          value = raw;
          break;
        case 1:
          value = raw + left;
          break;
        case 2:
          value = raw + up;
          break;
        case 3:
          value = raw + ((left + up) >> 1);
          break;
        case 4: {
          const upLeft = x >= bytesPerPixel && y > 0 ? out[prior + x - bytesPerPixel]! : 0;
          const estimate = left + up - upLeft;
          const toLeft = Math.abs(estimate - left);
          const toUp = Math.abs(estimate - up);
          const toUpLeft = Math.abs(estimate - upLeft);
          value =
            raw + (toLeft <= toUp && toLeft <= toUpLeft ? left : toUp <= toUpLeft ? up : upLeft);
          break;
        }
        default:
          return undefined;
      }
      out[row + x] = value & 0xff;
    }
  }
  return out;
}
