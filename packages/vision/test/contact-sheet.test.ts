import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { renderContactSheet, writeContactSheet } from '../src/index.js';

function square(value: number): { pixels: Uint8Array; width: number; height: number } {
  return { pixels: new Uint8Array(28 * 28).fill(value), width: 28, height: 28 };
}

describe('renderContactSheet', () => {
  it('lays out a query and its results with frames saying which are relevant', async () => {
    const png = await renderContactSheet(
      [
        {
          query: square(0),
          results: [
            { image: square(50), relevant: true },
            { image: square(100), relevant: false },
          ],
        },
        { query: square(200), results: [{ image: square(255), relevant: true }] },
      ],
      { cellSize: 40, gap: 4 },
    );
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    const pitch = 40 + 8;
    expect(info.width).toBe(3 * pitch + 4);
    expect(info.height).toBe(2 * pitch);
    const pixel = (x: number, y: number) => {
      const at = (y * info.width + x) * info.channels;
      return [data[at], data[at + 1], data[at + 2]];
    };
    // Frames: blue around the query, green for the relevant result, red for the other.
    expect(pixel(2, 20)).toEqual([40, 90, 220]);
    expect(pixel(pitch + 4 + 2, 20)).toEqual([30, 170, 60]);
    expect(pixel(2 * pitch + 4 + 2, 20)).toEqual([210, 40, 40]);
    // Inside the cells: the pixel values of the images.
    expect(pixel(pitch / 2, pitch / 2)).toEqual([0, 0, 0]);
    expect(pixel(2 * pitch + 4 + pitch / 2, pitch / 2)).toEqual([100, 100, 100]);
    expect(pixel(pitch / 2, pitch + pitch / 2)).toEqual([200, 200, 200]);
  });

  it('reads encoded images and writes the sheet atomically', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mlsd-sheet-'));
    const encoded = await sharp({
      create: { width: 60, height: 30, channels: 3, background: { r: 255, g: 0, b: 0 } },
    })
      .jpeg()
      .toBuffer();
    const path = join(dir, 'sheet.png');
    await writeContactSheet(path, [{ query: encoded, results: [{ image: encoded }] }]);
    const meta = await sharp(await readFile(path)).metadata();
    expect(meta.format).toBe('png');
    expect(meta.width).toBe(2 * (84 + 12) + 6);
  });

  it('shows photos upright (EXIF orientation) and an unreadable result as a grey cell', async () => {
    // Stored 60 × 30, top half black; orientation 6 displays it turned a quarter clockwise,
    // so the black half is on the right.
    const pixels = Buffer.alloc(60 * 30 * 3, 255);
    pixels.fill(0, 0, 60 * 15 * 3);
    const rotated = await sharp(pixels, { raw: { width: 60, height: 30, channels: 3 } })
      .jpeg({ quality: 95 })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const png = await renderContactSheet(
      [{ query: rotated, results: [{ image: '/no/such/photo.jpg' }] }],
      { cellSize: 60, gap: 4 },
    );
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    const pixel = (x: number, y: number) => data[(y * info.width + x) * info.channels]!;
    const pitch = 60 + 8;
    // Upright: 30 wide and 60 tall, centred in the cell; its right half black.
    expect(pixel(4 + 30 + 10, 4 + 30)).toBeLessThan(40);
    expect(pixel(4 + 30 - 10, 4 + 30)).toBeGreaterThan(215);
    // The missing photo: grey, not a failed sheet.
    expect(pixel(pitch + 4 + 30, 30)).toBe(200);
  });

  it('refuses nothing to draw and raw images of the wrong size', async () => {
    await expect(renderContactSheet([])).rejects.toThrow(/no rows/);
    await expect(
      renderContactSheet([
        { query: { pixels: new Uint8Array(10), width: 28, height: 28 }, results: [] },
      ]),
    ).rejects.toThrow(/needs 784 pixels, got 10/);
  });
});
