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

  it('refuses nothing to draw and raw images of the wrong size', async () => {
    await expect(renderContactSheet([])).rejects.toThrow(/no rows/);
    await expect(
      renderContactSheet([
        { query: { pixels: new Uint8Array(10), width: 28, height: 28 }, results: [] },
      ]),
    ).rejects.toThrow(/needs 784 pixels, got 10/);
  });
});
