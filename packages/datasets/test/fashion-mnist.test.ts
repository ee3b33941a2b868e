import { copyFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CorruptFileError, NotFoundError } from '@mlsd/core';
import { describe, expect, it } from 'vitest';
import { writeIdx } from '../src/idx-file.js';
import {
  FASHION_MNIST_LABELS,
  imageAsFloat,
  loadFashionMnist,
  locateFashionMnist,
} from '../src/index.js';

describe('Fashion-MNIST', () => {
  it('loads the committed files: 60,000 + 10,000 images of 28×28, 10 balanced classes', async () => {
    const data = await loadFashionMnist();
    expect(data.train.count).toBe(60_000);
    expect(data.test.count).toBe(10_000);
    expect([data.train.rows, data.train.cols]).toEqual([28, 28]);
    expect(data.train.images).toHaveLength(60_000 * 784);
    for (const [split, perClass] of [
      [data.train, 6000],
      [data.test, 1000],
    ] as const) {
      const counts = new Array(10).fill(0);
      for (const label of split.labels) counts[label]++;
      expect(counts).toEqual(new Array(10).fill(perClass));
    }
    let max = 0;
    for (const v of data.test.images) max = Math.max(max, v);
    expect(max).toBe(255);
    const first = imageAsFloat(data.train, 0);
    expect(first).toHaveLength(784);
    expect(Math.max(...first)).toBeLessThanOrEqual(1);
    expect(FASHION_MNIST_LABELS[data.train.labels[0]!]).toBe('Ankle boot');
  });

  it('says where it looked when the files are missing', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'mlsd-fm-empty-'));
    expect(() => locateFashionMnist(empty)).toThrow(NotFoundError);
    expect(() => locateFashionMnist(empty)).toThrow(/MLSD_FASHION_MNIST_DIR/);
  });

  it('refuses images and labels that do not pair up', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mlsd-fm-bad-'));
    const real = locateFashionMnist();
    await copyFile(join(real, 't10k-images-idx3-ubyte.gz'), join(dir, 't10k-images-idx3-ubyte.gz'));
    await copyFile(join(real, 't10k-labels-idx1-ubyte.gz'), join(dir, 't10k-labels-idx1-ubyte.gz'));
    await writeIdx(
      join(dir, 'train-images-idx3-ubyte.gz'),
      {
        dtype: 'uint8',
        shape: [3, 28, 28],
        data: new Uint8Array(3 * 784),
      },
      { gzip: true },
    );
    await writeIdx(
      join(dir, 'train-labels-idx1-ubyte.gz'),
      { dtype: 'uint8', shape: [2], data: new Uint8Array(2) },
      {
        gzip: true,
      },
    );
    await expect(loadFashionMnist({ dir })).rejects.toThrow(CorruptFileError);
    await expect(loadFashionMnist({ dir })).rejects.toThrow(
      /has 3 images but train-labels-idx1-ubyte.gz has 2 labels/,
    );
  });
});
