import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CorruptFileError, NotFoundError, Rng, UnsupportedFormatError } from '@mlsd/core';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { augmentBatch } from '../src/augment.js';
import { decodeImage } from '../src/decode-image.js';
import { decodeImageFolder, listImageFiles } from '../src/image-folder.js';
import { FASHION_MNIST_SPEC, parseImageSpec } from '../src/image-spec.js';

/** 64 × 48 RGB: left half black, right half white. */
async function halfImage(): Promise<ReturnType<typeof sharp>> {
  const width = 64;
  const height = 48;
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = width / 2; x < width; x++)
      pixels.fill(255, (y * width + x) * 3, (y * width + x) * 3 + 3);
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } });
}

let dir: string;
const formats = ['png', 'jpeg', 'webp', 'gif', 'tiff', 'avif'] as const;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlsd-vision-'));
  for (const format of formats) {
    const image = await halfImage();
    await image.toFormat(format).toFile(join(dir, `half.${format === 'jpeg' ? 'jpg' : format}`));
  }
  // RGBA with a fully transparent left half: flattened onto the white background.
  const rgba = Buffer.alloc(8 * 8 * 4);
  for (let i = 0; i < 64; i++) rgba.set(i % 8 < 4 ? [0, 0, 0, 0] : [0, 0, 0, 255], i * 4);
  await sharp(rgba, { raw: { width: 8, height: 8, channels: 4 } })
    .png()
    .toFile(join(dir, 'alpha.png'));
  const png = await (await halfImage()).png().toBuffer();
  await writeFile(join(dir, 'bad-truncated.png'), png.subarray(0, Math.floor(png.length / 2)));
  await writeFile(join(dir, 'bad-empty.jpg'), Buffer.alloc(0));
  await writeFile(join(dir, 'bad-text.jpg'), 'this is not an image\n');
  await writeFile(join(dir, 'notes.txt'), 'ignored: not an image extension');
});

describe('decodeImage', () => {
  const spec = parseImageSpec({ width: 16, height: 12, channels: 1, fit: 'contain' });

  it.each(formats)('reads %s into grayscale [0, 1] at the spec size', async (format) => {
    const values = await decodeImage(join(dir, `half.${format === 'jpeg' ? 'jpg' : format}`), spec);
    expect(values).toHaveLength(16 * 12);
    // left quarter dark, right quarter light (lossy formats blur the edge, not the sides)
    expect(values[12 * 0 + 1]!).toBeLessThan(0.1);
    expect(values[16 * 6 + 14]!).toBeGreaterThan(0.9);
  });

  it('normalises with mean/std per channel and inverts when asked', async () => {
    const rgb = parseImageSpec({
      width: 4,
      height: 4,
      channels: 3,
      mean: [0.5, 0.5, 0.5],
      std: [0.5, 0.5, 0.5],
    });
    const values = await decodeImage(join(dir, 'half.png'), rgb);
    expect(values).toHaveLength(48);
    expect(values[0]).toBeCloseTo(-1, 5);
    expect(values[47]).toBeCloseTo(1, 5);
    const inverted = await decodeImage(join(dir, 'half.png'), { ...spec, invert: true });
    expect(inverted[1]!).toBeGreaterThan(0.9);
  });

  it('flattens transparency onto the background', async () => {
    const values = await decodeImage(join(dir, 'alpha.png'), { ...spec, width: 8, height: 8 });
    expect(values[0]).toBeCloseTo(1, 5); // transparent -> white background
    expect(values[7]).toBeCloseTo(0, 5); // opaque black
  });

  it('gives typed errors naming the file', async () => {
    await expect(decodeImage(join(dir, 'bad-truncated.png'), spec)).rejects.toThrow(
      CorruptFileError,
    );
    await expect(decodeImage(join(dir, 'bad-truncated.png'), spec)).rejects.toThrow(
      /bad-truncated\.png/,
    );
    await expect(decodeImage(join(dir, 'bad-empty.jpg'), spec)).rejects.toThrow(
      /is empty \(0 bytes\)/,
    );
    await expect(decodeImage(join(dir, 'bad-text.jpg'), spec)).rejects.toThrow(
      UnsupportedFormatError,
    );
    await expect(decodeImage(join(dir, 'missing.png'), spec)).rejects.toThrow(NotFoundError);
    await expect(decodeImage(Buffer.from([1, 2, 3]), spec)).rejects.toThrow(/<image bytes>/);
  });
});

describe('decodeImageFolder', () => {
  it('decodes the good files, reports the bad ones and reconciles the counts', async () => {
    const result = await decodeImageFolder(dir, FASHION_MNIST_SPEC);
    expect(result.counts).toEqual({ found: 10, decoded: 7, skipped: 3, ignored: 1 });
    expect(result.counts.found).toBe(result.counts.decoded + result.counts.skipped);
    expect(result.ids).toContain('half.avif');
    expect(result.skipped.map((s) => [s.file, s.code])).toEqual([
      ['bad-empty.jpg', 'CORRUPT_FILE'],
      ['bad-text.jpg', 'UNSUPPORTED'],
      ['bad-truncated.png', 'CORRUPT_FILE'],
    ]);
    expect(result.images).toHaveLength(7 * 28 * 28);
    expect(await listImageFiles(dir)).not.toContain('notes.txt');
  });

  it('fails clearly on a missing folder', async () => {
    await expect(decodeImageFolder(join(dir, 'nope'), FASHION_MNIST_SPEC)).rejects.toThrow(
      NotFoundError,
    );
  });
});

describe('augmentBatch', () => {
  const spec = parseImageSpec({ width: 4, height: 4, channels: 1 });
  const base = Float32Array.from({ length: 32 }, (_, i) => (i % 16) / 16);

  it('is repeatable for a seed and changes the images', () => {
    const a = augmentBatch(base.slice(), spec, new Rng(1));
    const b = augmentBatch(base.slice(), spec, new Rng(1));
    const c = augmentBatch(base.slice(), spec, new Rng(2));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a).not.toEqual(base);
  });

  it('shifts by whole pixels, filling from outside', () => {
    const one = Float32Array.from({ length: 16 }, (_, i) => i);
    const out = augmentBatch(one.slice(), spec, new Rng(5), {
      shift: 0,
      flip: true,
      brightness: 0,
      contrast: 0,
      noise: 0,
    });
    // either unchanged or mirrored left-right
    const mirrored = Float32Array.from(
      { length: 16 },
      (_, i) => Math.floor(i / 4) * 4 + (3 - (i % 4)),
    );
    expect([one, mirrored].some((expected) => expected.every((v, i) => v === out[i]))).toBe(true);
    expect(() => augmentBatch(new Float32Array(5), spec, new Rng(1))).toThrow(/whole number/);
  });
});
