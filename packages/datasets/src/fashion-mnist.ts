import { join } from 'node:path';
import { CorruptFileError } from '@mlsd/core';
import { FASHION_MNIST_FILES, locateFashionMnist } from './fashion-mnist-files.js';
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

const [TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS] = FASHION_MNIST_FILES.map(
  (file) => file.name,
) as [string, string, string, string];

/**
 * Loads Fashion-MNIST (Xiao, Rasul & Vollgraf 2017) from `dir`, else from the first folder that
 * holds it: `MLSD_FASHION_MNIST_DIR`, a clone of the mlsd repository, mlsd's data folder (where
 * `fetchFashionMnist` copies it) or Debian's `/usr/share/datasets/fashion-mnist`.
 * @throws NotFoundError saying where it looked and how to get the files when they are not there.
 * @throws CorruptFileError when a file is damaged or the images and labels disagree.
 */
export async function loadFashionMnist(options: { dir?: string } = {}): Promise<FashionMnist> {
  const dir = locateFashionMnist(options.dir);
  const [train, test] = await Promise.all([
    loadSplit(dir, TRAIN_IMAGES, TRAIN_LABELS),
    loadSplit(dir, TEST_IMAGES, TEST_LABELS),
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
