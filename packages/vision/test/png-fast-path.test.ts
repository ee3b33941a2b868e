import zlib from 'node:zlib';
import { CorruptFileError, Rng } from '@mlsd/core';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../src/decode-image.js';
import { type ImageSpec, parseImageSpec } from '../src/image-spec.js';
import { decodeSimplePng } from '../src/png-fast-path.js';

const grey = parseImageSpec({ width: 20, height: 14, channels: 1, invert: true });
const colour = parseImageSpec({ width: 20, height: 14, channels: 3 });

/** Noise with smooth parts, so the encoder's adaptive filtering uses every filter type. */
function testPixels(channels: number, seed: number, greyOnly = false): Buffer {
  const rng = new Rng(seed);
  const pixels = Buffer.alloc(20 * 14 * channels);
  for (let i = 0; i < 20 * 14; i++) {
    const base = i % 20 < 10 ? (i * 7) % 256 : rng.integer(0, 256);
    for (let c = 0; c < channels; c++) {
      pixels[i * channels + c] = greyOnly || c === 0 ? base : rng.integer(0, 256);
    }
  }
  return pixels;
}

function png(pixels: Buffer, channels: 1 | 3, width = 20, height = 14): Promise<Buffer> {
  const image = sharp(pixels, { raw: { width, height, channels } });
  return (channels === 1 ? image.toColourspace('b-w') : image)
    .png({ adaptiveFiltering: true, compressionLevel: 9 })
    .toBuffer();
}

/** sharp's own decode with the pipeline `decodeImage` uses for other files. */
async function viaSharp(bytes: Buffer, spec: ImageSpec): Promise<Uint8Array> {
  const background = { r: spec.background, g: spec.background, b: spec.background };
  const image = sharp(bytes)
    .rotate()
    .flatten({ background })
    .resize(spec.width, spec.height, { fit: spec.fit, background, kernel: 'lanczos3' });
  const raw = await (spec.channels === 1 ? image.grayscale() : image.toColourspace('srgb'))
    .removeAlpha()
    .raw()
    .toBuffer();
  return new Uint8Array(raw);
}

/** Inserts a chunk (with a correct CRC) right after IHDR. */
function withChunk(bytes: Buffer, type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const chunk = Buffer.alloc(body.length + 8);
  chunk.writeUInt32BE(data.length, 0);
  body.copy(chunk, 4);
  chunk.writeUInt32BE(zlib.crc32(body), body.length + 4);
  return Buffer.concat([bytes.subarray(0, 33), chunk, bytes.subarray(33)]);
}

const colourType = (bytes: Buffer) => bytes[25];

describe('decodeSimplePng', () => {
  it('gives exactly the pixels sharp gives, for grey, grey-as-RGB and RGB files', async () => {
    const greyFile = await png(testPixels(1, 1), 1);
    expect(colourType(greyFile)).toBe(0);
    const greyRgbFile = await png(testPixels(3, 2, true), 3);
    expect(colourType(greyRgbFile)).toBe(2);
    const rgbFile = await png(testPixels(3, 3), 3);
    for (const [file, spec] of [
      [greyFile, grey],
      [greyRgbFile, grey],
      [greyFile, colour],
      [rgbFile, colour],
    ] as const) {
      const fast = decodeSimplePng(file, spec);
      expect(fast).toBeDefined();
      expect(Buffer.from(fast!).equals(Buffer.from(await viaSharp(file, spec)))).toBe(true);
    }
  });

  it('declines what it cannot reproduce exactly, and damaged files', async () => {
    const rgbFile = await png(testPixels(3, 3), 3);
    const greyFile = await png(testPixels(1, 1), 1);
    // Real colour into a grayscale model needs sharp's colour maths.
    expect(decodeSimplePng(rgbFile, grey)).toBeUndefined();
    // Another size needs resizing.
    expect(decodeSimplePng(await png(Buffer.alloc(21 * 14), 1, 21, 14), grey)).toBeUndefined();
    // An XMP packet may rotate the image; a plain comment may not.
    expect(
      decodeSimplePng(withChunk(greyFile, 'iTXt', Buffer.from('XML:com.adobe.xmp\0...')), grey),
    ).toBeUndefined();
    expect(decodeSimplePng(withChunk(greyFile, 'tEXt', Buffer.from('Comment\0hi')), grey)).toEqual(
      decodeSimplePng(greyFile, grey),
    );
    expect(decodeSimplePng(withChunk(greyFile, 'gAMA', Buffer.alloc(4)), grey)).toBeUndefined();
    // Not a PNG, truncated, one flipped byte (CRC).
    expect(
      decodeSimplePng(
        Buffer.from('GIF89a........................................................'),
        grey,
      ),
    ).toBeUndefined();
    expect(decodeSimplePng(greyFile.subarray(0, greyFile.length - 20), grey)).toBeUndefined();
    const flipped = Buffer.from(greyFile);
    flipped[45] = flipped[45]! ^ 0xff;
    expect(decodeSimplePng(flipped, grey)).toBeUndefined();
  });

  it('is what decodeImage uses, and damaged files still get the typed error from sharp', async () => {
    const greyFile = await png(testPixels(1, 1), 1);
    const values = await decodeImage(greyFile, grey);
    const expected = await viaSharp(greyFile, grey);
    expect(values[7]).toBeCloseTo((255 - expected[7]!) / 255, 6);
    await expect(
      decodeImage(greyFile.subarray(0, greyFile.length - 30), grey),
    ).rejects.toBeInstanceOf(CorruptFileError);
  });
});
