import zlib from 'node:zlib';
import { Rng } from '@mlsd/core';
import sharp from 'sharp';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { classifyDecodeError, decodeImage } from '../src/decode-image.js';
import { DecodeGate, DecodeTimeoutError, ImageTooLargeError } from '../src/decode-limits.js';
import { parseImageSpec } from '../src/image-spec.js';
import { decodeSimplePng } from '../src/png-fast-path.js';
import { pngFile } from './helpers/png-bytes.js';

const spec28 = parseImageSpec({ width: 28, height: 28, channels: 1, invert: true });

afterEach(() => {
  vi.restoreAllMocks();
});

describe('issue 13 item 1: a PNG decompression bomb through the fast path', () => {
  it('never inflates more than the header implies, then decodes the image through sharp', async () => {
    // 28 × 28 grey needs 28 × 29 = 812 bytes; this IDAT inflates to 32 MB of zero rows.
    const bomb = pngFile(28, 28, 0, zlib.deflateSync(Buffer.alloc(32 * 1024 * 1024), { level: 9 }));
    const inflate = vi.spyOn(zlib, 'inflateSync');
    expect(decodeSimplePng(bomb, spec28)).toBeUndefined();
    expect(inflate).toHaveBeenCalled();
    for (const result of inflate.mock.results) {
      // Before the fix the inflate returned all 32 MB on the main thread.
      if (result.type === 'return')
        expect((result.value as Buffer).length).toBeLessThanOrEqual(813);
      else expect(result.type).toBe('throw');
    }
    inflate.mockRestore();
    // Falls back to sharp, which reads 28 rows and stops: the right (black) pixels.
    const values = await decodeImage(bomb, spec28);
    expect(values).toHaveLength(784);
    expect(Math.min(...values)).toBe(1);
  });

  it('still decodes an honest PNG of the model size on the fast path', async () => {
    const pixels = Buffer.from(Array.from({ length: 784 }, (_, i) => i % 251));
    const png = await sharp(pixels, { raw: { width: 28, height: 28, channels: 1 } })
      .toColourspace('b-w')
      .png()
      .toBuffer();
    expect(decodeSimplePng(png, spec28)).toEqual(new Uint8Array(pixels));
  });
});

describe('issue 13 item 2: slow decodes', () => {
  it('refuses a 16383² PNG from its header, naming the pixel limit (sharp would take seconds)', async () => {
    // The attack: 1 MB of compressed RGBA that declares 268 megapixels.
    const huge = pngFile(16383, 16383, 6, zlib.deflateSync(Buffer.alloc(1 << 20)));
    const result = decodeImage(huge, spec28, { name: 'huge.png' });
    await expect(result).rejects.toThrow(ImageTooLargeError);
    await expect(result).rejects.toThrow(
      /huge\.png is 16383×16383 \(268\.4 MP\).*maxPixels 40000000/,
    );
  });

  it('maps sharp timeouts to a typed error that names the timeout', () => {
    const error = classifyDecodeError(new Error('timeout: 31% complete'), 'slow.png', 3);
    expect(error).toBeInstanceOf(DecodeTimeoutError);
    expect(error.message).toMatch(/slow\.png took longer than the decode timeout of 3 s/);
  });

  it('lets small decodes run while large ones wait for the gate', async () => {
    const gate = new DecodeGate({ concurrency: 1, heavyPixels: 1000 });
    const order: string[] = [];
    const releases: (() => void)[] = [];
    const heavy = (name: string) =>
      gate.run(5000, async () => {
        order.push(`start ${name}`);
        await new Promise<void>((resolve) => releases.push(resolve));
        order.push(`end ${name}`);
      });
    const first = heavy('big-1');
    const second = heavy('big-2');
    await Promise.resolve();
    expect(gate.running).toBe(1);
    expect(gate.waiting).toBe(1);
    await gate.run(10, async () => {
      order.push('small');
    });
    releases.shift()!();
    await first;
    await vi.waitFor(() => expect(releases).toHaveLength(1));
    releases.shift()!();
    await second;
    expect(order).toEqual(['start big-1', 'small', 'end big-1', 'start big-2', 'end big-2']);
    expect(gate.running).toBe(0);
  });

  it('answers a small query while large photos decode (the libuv pool is never all taken)', async () => {
    // Noise does not compress: each 3000 × 3000 PNG takes a decode thread for a while.
    const rng = new Rng(3);
    const noise = Buffer.alloc(3000 * 3000 * 3);
    for (let i = 0; i < noise.length; i += 4) noise.writeUInt32LE(rng.integer(0, 2 ** 32), i);
    const large = await sharp(noise.subarray(0, 3000 * 3000 * 3), {
      raw: { width: 3000, height: 3000, channels: 3 },
    })
      .png({ compressionLevel: 1 })
      .toBuffer();
    const small = await sharp(Buffer.alloc(64 * 64 * 3, 128), {
      raw: { width: 64, height: 64, channels: 3 },
    })
      .jpeg()
      .toBuffer();
    const gate = new DecodeGate({ concurrency: 2, heavyPixels: 4_000_000 });
    const spec = parseImageSpec({ width: 32, height: 32, channels: 3 });
    const done: string[] = [];
    const bigs = Array.from({ length: 4 }, (_, i) =>
      decodeImage(large, spec, { gate }).then(() => done.push(`big-${i}`)),
    );
    await new Promise((resolve) => setTimeout(resolve, 5));
    await decodeImage(small, spec, { gate }).then(() => done.push('small'));
    await Promise.all(bigs);
    // Two large decodes hold the gate, two wait; the small query finds a free thread at once.
    expect(done[0]).toBe('small');
  }, 60_000);
});
