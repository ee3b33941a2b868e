import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CorruptFileError, NotFoundError } from '@mlsd/core';
import { readIdx } from './idx-file.js';

/** The ten Fashion-MNIST classes, by label. */
export const FASHION_MNIST_LABELS: readonly string[] = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

/** One split of Fashion-MNIST. */
export interface ImageSplit {
  /** count × rows × cols grayscale pixels (0–255), row-major; 0 is background. */
  images: Uint8Array;
  /** Class of each image, 0–9 (see {@link FASHION_MNIST_LABELS}). */
  labels: Uint8Array;
  count: number;
  rows: number;
  cols: number;
}

/** Fashion-MNIST's train (60,000) and test (10,000) splits. */
export interface FashionMnist {
  train: ImageSplit;
  test: ImageSplit;
  /** The folder the files were read from. */
  dir: string;
}

const FILES = {
  train: ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz'],
  test: ['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'],
} as const;

/**
 * Loads Fashion-MNIST (Xiao, Rasul & Vollgraf 2017) from `dir`, else `MLSD_FASHION_MNIST_DIR`,
 * else the repository's `datasets/fashion-mnist/` (found by walking up from this package).
 * @throws NotFoundError saying where it looked when the files are not there.
 * @throws CorruptFileError when a file is damaged or the images and labels disagree.
 */
export async function loadFashionMnist(options: { dir?: string } = {}): Promise<FashionMnist> {
  const dir = locateFashionMnist(options.dir);
  const [train, test] = await Promise.all([
    loadSplit(dir, FILES.train[0], FILES.train[1]),
    loadSplit(dir, FILES.test[0], FILES.test[1]),
  ]);
  return { train, test, dir };
}

/** The pixels of image `index` of a split, scaled to [0, 1], as a new Float32Array. */
export function imageAsFloat(split: ImageSplit, index: number): Float32Array {
  const size = split.rows * split.cols;
  const out = new Float32Array(size);
  const offset = index * size;
  for (let i = 0; i < size; i++) out[i] = split.images[offset + i]! / 255;
  return out;
}

/** A whole split's pixels scaled to [0, 1], count × rows·cols, row-major. */
export function imagesAsFloat(split: ImageSplit): Float32Array {
  const out = new Float32Array(split.images.length);
  for (let i = 0; i < out.length; i++) out[i] = split.images[i]! / 255;
  return out;
}

async function loadSplit(dir: string, imagesFile: string, labelsFile: string): Promise<ImageSplit> {
  const [images, labels] = await Promise.all([
    readIdx(join(dir, imagesFile), { dims: 3 }),
    readIdx(join(dir, labelsFile), { dims: 1 }),
  ]);
  if (images.dtype !== 'uint8' || labels.dtype !== 'uint8') {
    throw new CorruptFileError(`${dir}: Fashion-MNIST files must hold uint8 values.`, { dir });
  }
  const [count, rows, cols] = images.shape as [number, number, number];
  if (labels.shape[0] !== count) {
    throw new CorruptFileError(
      `${join(dir, imagesFile)} has ${count} images but ${labelsFile} has ${labels.shape[0]} labels; they must pair up.`,
      { dir },
    );
  }
  const labelData = labels.data as Uint8Array;
  const bad = labelData.findIndex((label) => label > 9);
  if (bad !== -1) {
    throw new CorruptFileError(
      `${join(dir, labelsFile)}: label ${labelData[bad]} at index ${bad} is not a class 0-9.`,
      { dir },
    );
  }
  return { images: images.data as Uint8Array, labels: labelData, count, rows, cols };
}

/** Finds the folder holding the four files, or throws saying where it looked. */
export function locateFashionMnist(dir?: string): string {
  const candidates: string[] = [];
  if (dir !== undefined) candidates.push(resolve(dir));
  else {
    const fromEnv = process.env.MLSD_FASHION_MNIST_DIR;
    if (fromEnv) candidates.push(resolve(fromEnv));
    let folder = dirname(fileURLToPath(import.meta.url));
    for (let depth = 0; depth < 8; depth++) {
      candidates.push(join(folder, 'datasets', 'fashion-mnist'));
      const parent = dirname(folder);
      if (parent === folder) break;
      folder = parent;
    }
  }
  const found = candidates.find((candidate) => existsSync(join(candidate, FILES.train[0])));
  if (found === undefined) {
    throw new NotFoundError(
      `Fashion-MNIST not found; looked in ${candidates.join(', ')}. Pass { dir } or set MLSD_FASHION_MNIST_DIR ` +
        'to a folder with the four official .gz files (Debian package dataset-fashion-mnist has them).',
      { candidates },
    );
  }
  return found;
}
