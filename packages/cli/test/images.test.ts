import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FASHION_MNIST_LABELS, loadFashionMnist } from '@mlsd/datasets';
import { fashionMnistPng } from '@mlsd/vision';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

let work: string;
let model: string;
let folder: string;

/** A folder of real image files made from Fashion-MNIST test images, one subfolder per class, plus bad files. */
async function makeImageFolder(dir: string): Promise<void> {
  const dataset = await loadFashionMnist();
  for (let i = 0; i < 60; i++) {
    const label = dataset.test.labels[i]!;
    const classDir = join(dir, FASHION_MNIST_LABELS[label]!.replace(/[^A-Za-z]+/g, '-'));
    await mkdir(classDir, { recursive: true });
    const png = await fashionMnistPng(dataset.test.images.subarray(i * 784, (i + 1) * 784));
    if (i % 2 === 0) {
      await writeFile(join(classDir, `item-${i}.png`), png);
    } else {
      // JPEG at another size: the decoder resizes to 28 × 28.
      await writeFile(
        join(classDir, `item-${i}.jpg`),
        await sharp(png).resize(56, 56).jpeg().toBuffer(),
      );
    }
  }
  await writeFile(join(dir, 'empty.png'), new Uint8Array(0));
  await writeFile(
    join(dir, 'truncated.png'),
    (await fashionMnistPng(new Uint8Array(784))).subarray(0, 40),
  );
  await writeFile(join(dir, 'notes.jpg'), 'not an image at all');
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mlsd-images-cli-'));
  model = join(work, 'model');
  folder = join(work, 'photos');
  await makeImageFolder(folder);
  const trained = await runCli([
    'images',
    'train',
    '--out',
    model,
    '--train',
    '1024',
    '--epochs',
    '1',
    '--batch-size',
    '128',
    '--eval-queries',
    '100',
    '--json',
  ]);
  expect(trained.code, trained.stderr).toBe(0);
}, 120_000);

describe('mlsd images', () => {
  it('train saves a model and reports its precision@10', async () => {
    const { stdout } = await runCli([
      'images',
      'evaluate',
      '--model',
      model,
      '--train',
      '2000',
      '--queries',
      '50',
      '--json',
    ]);
    const result = JSON.parse(stdout);
    for (const key of ['precisionAt10', 'mapAt10', 'recallAt10', 'qps', 'p50Ms', 'p99Ms']) {
      expect(typeof result[key], key).toBe('number');
    }
    expect(result.precisionAt10).toBeGreaterThan(0.3);
    expect(result.recallAt10).toBeGreaterThan(0.9);
    expect(result.queries).toBe(50);
  });

  it('indexes a real folder, reports the bad files, queries it and draws a contact sheet', async () => {
    const index = join(work, 'index');
    const built = await runCli([
      'images',
      'index',
      '--dir',
      folder,
      '--out',
      index,
      '--model',
      model,
      '--json',
    ]);
    expect(built.code, built.stderr).toBe(0);
    const summary = JSON.parse(built.stdout);
    expect(summary).toMatchObject({ found: 63, decoded: 60, skipped: 3, indexed: 60 });
    expect(summary.skippedFiles.map((f: { file: string }) => f.file).sort()).toEqual([
      'empty.png',
      'notes.jpg',
      'truncated.png',
    ]);
    expect(built.stderr).toMatch(/skipped empty\.png/);

    const queryFile = join(folder, 'Trouser', 'item-2.png');
    const sheet = join(work, 'sheet.png');
    const query = await runCli([
      'images',
      'query',
      '--index',
      index,
      '--image',
      queryFile,
      '--k',
      '5',
      '--sheet',
      sheet,
      '--json',
    ]);
    expect(query.code, query.stderr).toBe(0);
    const hits = JSON.parse(query.stdout).hits;
    expect(hits).toHaveLength(5);
    // The query image itself is in the folder: it is its own nearest neighbour.
    expect(hits[0].id).toBe(join('Trouser', 'item-2.png'));
    expect(hits[0].distance).toBeLessThan(1e-4);
    const meta = await sharp(sheet).metadata();
    expect(meta.format).toBe('png');
    expect(meta.width).toBeGreaterThan(5 * 84);

    const filtered = await runCli([
      'images',
      'query',
      '--index',
      index,
      '--image',
      queryFile,
      '--k',
      '3',
      '--label',
      'Bag',
      '--json',
    ]);
    expect(
      JSON.parse(filtered.stdout).hits.every(
        (h: { metadata: { label: string } }) => h.metadata.label === 'Bag',
      ),
    ).toBe(true);
  });

  it('fails with a one-line reason for a missing index or both --dir and --dataset', async () => {
    const missing = await runCli([
      'images',
      'query',
      '--index',
      join(work, 'nope'),
      '--image',
      'x.png',
    ]);
    expect(missing.code).toBe(1);
    const both = await runCli([
      'images',
      'index',
      '--dir',
      folder,
      '--dataset',
      'fashion-mnist',
      '--out',
      join(work, 'x'),
    ]);
    expect(both.code).not.toBe(0);
    expect(both.stderr).toMatch(/exactly one of --dir/);
  });
});
