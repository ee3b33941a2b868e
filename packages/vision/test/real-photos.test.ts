import { execFileSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import zlib from 'node:zlib';
import { CorruptFileError, UnsupportedFormatError } from '@mlsd/core';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../src/decode-image.js';
import { ImageTooLargeError } from '../src/decode-limits.js';
import { parseImageSpec } from '../src/image-spec.js';
import { pngFile } from './helpers/png-bytes.js';

/** `width × height` RGB, left half `left`, right half `right`. */
function halves(width: number, height: number, left: number[], right: number[]): Buffer {
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < width * height; i++) pixels.set(i % width < width / 2 ? left : right, i * 3);
  return pixels;
}

const rgb = (width: number, height: number) =>
  parseImageSpec({ width, height, channels: 3, fit: 'contain', background: 0 });
const BLACK = [0, 0, 0];
const WHITE = [255, 255, 255];
const RED = [220, 20, 20];

/** Value of channel `c` at (x, y) of an NHWC spec-sized result, back in 0–255. */
function at(values: Float32Array, width: number, x: number, y: number, c: number): number {
  return Math.round(values[(y * width + x) * 3 + c]! * 255);
}

describe('real photos decode to the right pixels, or are refused with a reason', () => {
  it('applies the EXIF orientation (a camera held upright)', async () => {
    // Stored landscape 40×20, left black; orientation 6 = display rotated 90° clockwise, so the
    // photo is 20×40 with the black half on top.
    const jpeg = await sharp(halves(40, 20, BLACK, WHITE), {
      raw: { width: 40, height: 20, channels: 3 },
    })
      .jpeg({ quality: 95 })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const values = await decodeImage(jpeg, rgb(10, 20));
    expect(at(values, 10, 5, 2, 0)).toBeLessThan(30);
    expect(at(values, 10, 5, 17, 0)).toBeGreaterThan(225);
  });

  it('converts a CMYK JPEG to sRGB', async () => {
    const cmyk = await sharp(halves(8, 8, RED, WHITE), {
      raw: { width: 8, height: 8, channels: 3 },
    })
      .toColourspace('cmyk')
      .jpeg({ quality: 95 })
      .toBuffer();
    expect((await sharp(cmyk).metadata()).space).toBe('cmyk');
    const values = await decodeImage(cmyk, rgb(8, 8));
    expect(values).toHaveLength(8 * 8 * 3);
    expect(at(values, 8, 1, 4, 0)).toBeGreaterThan(190);
    expect(at(values, 8, 1, 4, 1)).toBeLessThan(60);
    expect(at(values, 8, 6, 4, 1)).toBeGreaterThan(230);
  });

  it('reduces a 16-bit PNG to 8-bit values, in colour and in grey', async () => {
    const png16 = await sharp(halves(8, 8, RED, WHITE), {
      raw: { width: 8, height: 8, channels: 3 },
    })
      .toColourspace('rgb16')
      .png()
      .toBuffer();
    expect((await sharp(png16).metadata()).depth).toBe('ushort');
    const values = await decodeImage(png16, rgb(8, 8));
    expect(values).toHaveLength(192);
    expect(at(values, 8, 1, 1, 0)).toBeCloseTo(220, -1);
    expect(at(values, 8, 1, 1, 2)).toBeCloseTo(20, -1);
    const grey = await decodeImage(png16, parseImageSpec({ width: 8, height: 8, channels: 1 }));
    expect(grey).toHaveLength(64);
    expect(grey[63]!).toBeCloseTo(1, 2);
  });

  it.each(['gif', 'webp'] as const)('reads the first frame of an animated %s', async (format) => {
    // Two 8×6 frames: black, then white. The spec's 8×6 matches one frame, not the strip.
    const strip = Buffer.alloc(8 * 12 * 3);
    strip.fill(255, 8 * 6 * 3);
    const animated = await sharp(strip, {
      raw: { width: 8, height: 12, channels: 3, pageHeight: 6 } as never,
    })
      .toFormat(format, format === 'webp' ? { lossless: true } : {})
      .toBuffer();
    expect((await sharp(animated, { animated: true }).metadata()).pages).toBe(2);
    const values = await decodeImage(animated, rgb(8, 6));
    expect(Math.max(...values)).toBeLessThan(0.05);
  });

  it('reads AVIF, and refuses HEIC that sharp cannot decode (HEVC) with the reason', async () => {
    const avif = await sharp(halves(16, 16, RED, WHITE), {
      raw: { width: 16, height: 16, channels: 3 },
    })
      .avif({ quality: 90 })
      .toBuffer();
    const values = await decodeImage(avif, rgb(16, 16));
    expect(at(values, 16, 2, 8, 0)).toBeGreaterThan(180);
    // A HEIC container whose image is HEVC-coded: sharp's prebuilt libvips has no HEVC decoder.
    const heic = Buffer.from(avif);
    heic.write('heic', heic.indexOf('avif'));
    for (let p = heic.indexOf('av01'); p >= 0; p = heic.indexOf('av01', p + 1))
      heic.write('hvc1', p);
    const refused = decodeImage(heic, rgb(16, 16), { name: 'photo.heic' });
    await expect(refused).rejects.toThrow(UnsupportedFormatError);
    await expect(refused).rejects.toThrow(/photo\.heic.*HEVC/s);
  });

  it('refuses a 50-megapixel photo above the limit, naming the limit, and accepts it when raised', async () => {
    // A header that declares 8,000 × 6,250 (50 MP): refused from the header alone.
    const header = pngFile(8000, 6250, 2, Buffer.alloc(10));
    const refused = decodeImage(header, rgb(8, 8), { name: 'big.png' });
    await expect(refused).rejects.toThrow(ImageTooLargeError);
    await expect(refused).rejects.toThrow(/big\.png is 8000×6250 \(50\.0 MP\).*limit of 40\.0 MP/);
    // A real 120 × 100 image against a limit set to 10,000 pixels.
    const small = await sharp(halves(120, 100, BLACK, WHITE), {
      raw: { width: 120, height: 100, channels: 3 },
    })
      .png()
      .toBuffer();
    await expect(decodeImage(small, rgb(8, 8), { maxPixels: 10_000 })).rejects.toThrow(
      /maxPixels 10000/,
    );
    expect(await decodeImage(small, rgb(8, 8), { maxPixels: 12_000 })).toHaveLength(192);
  });

  it('never opens a FIFO given as an image (the read would hang), and refuses files above maxBytes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mlsd-fifo-'));
    execFileSync('mkfifo', [join(dir, 'pipe.jpg')]);
    await expect(decodeImage(join(dir, 'pipe.jpg'), rgb(4, 4))).rejects.toThrow(
      /pipe\.jpg is not a regular file/,
    );
    await writeFile(join(dir, 'big.jpg'), Buffer.alloc(5000));
    await expect(decodeImage(join(dir, 'big.jpg'), rgb(4, 4), { maxBytes: 4096 })).rejects.toThrow(
      ImageTooLargeError,
    );
  });

  it('refuses zero-byte and truncated files as corrupt, naming them', async () => {
    await expect(decodeImage(new Uint8Array(0), rgb(4, 4), { name: 'empty.jpg' })).rejects.toThrow(
      /empty\.jpg is empty/,
    );
    const jpeg = await sharp(halves(64, 64, RED, WHITE), {
      raw: { width: 64, height: 64, channels: 3 },
    })
      .jpeg()
      .toBuffer();
    await expect(
      decodeImage(jpeg.subarray(0, jpeg.length / 2), rgb(4, 4), { name: 'cut.jpg' }),
    ).rejects.toThrow(CorruptFileError);
  });

  it('decodes a decompression bomb of another size through sharp, which reads only the rows it needs', async () => {
    // 300 × 200 grey whose IDAT inflates to 64 MB (the image needs 60 kB).
    const bomb = pngFile(
      300,
      200,
      0,
      zlib.deflateSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 }),
    );
    expect(bomb.length).toBeLessThan(200_000);
    const values = await decodeImage(bomb, parseImageSpec({ width: 30, height: 20, channels: 1 }));
    expect(values).toHaveLength(600);
  });
});
