import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FASHION_MNIST_LABELS, loadFashionMnist } from '@mlsd/datasets';
import { DEFAULT_EMBEDDER_DIR, fashionMnistPng } from '@mlsd/vision';
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
    // Exactly { indexed, skipped, dim, buildSeconds }; each skip with its code and reason.
    expect(Object.keys(summary)).toEqual(['indexed', 'skipped', 'dim', 'buildSeconds']);
    expect(summary).toMatchObject({ indexed: 60, dim: 64 });
    expect(summary.skipped.map((f: { file: string; code: string }) => [f.file, f.code])).toEqual([
      ['empty.png', 'CORRUPT_FILE'],
      ['notes.jpg', 'UNSUPPORTED'],
      ['truncated.png', 'CORRUPT_FILE'],
    ]);
    expect(built.stderr).toMatch(/skipped empty\.png \(CORRUPT_FILE\)/);

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
    const answer = JSON.parse(query.stdout);
    expect(Object.keys(answer)).toEqual(['hits']);
    const hits = answer.hits;
    expect(hits).toHaveLength(5);
    expect(Object.keys(hits[0])).toEqual(['id', 'distance', 'metadata']);
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

describe('mlsd images: your own photos, a pretrained model, a live catalogue', () => {
  it('indexes with a plain TensorFlow.js folder given its preset, then adds, removes, dedups and reindexes', async () => {
    const plain = join(model, 'model');
    const refused = await runCli([
      'images',
      'index',
      '--dir',
      folder,
      '--model',
      plain,
      '--out',
      join(work, 'p'),
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/needs its preprocessing: give --preset/);
    const index = join(work, 'plain-index');
    const built = await runCli([
      'images',
      'index',
      '--dir',
      join(folder, 'Trouser'),
      '--model',
      plain,
      '--preset',
      'unit',
      '--out',
      index,
      '--json',
    ]);
    expect(built.code, built.stderr).toBe(0);
    const indexed = JSON.parse(built.stdout).indexed as number;

    // Add another folder: same ids are refused per file, new ones added.
    const extra = join(work, 'extra');
    await mkdir(join(extra, 'Bag'), { recursive: true });
    const bag = await readFile(join(folder, 'Bag', (await readdir(join(folder, 'Bag')))[0]!));
    await writeFile(join(extra, 'Bag', 'new-bag.png'), await sharp(bag).png().toBuffer());
    await writeFile(join(extra, 'Bag', 'new-bag-copy.png'), await sharp(bag).png().toBuffer());
    const added = await runCli(['images', 'add', '--index', index, '--dir', extra, '--json']);
    expect(added.code, added.stderr).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({ added: 2, total: indexed + 2 });
    const again = await runCli(['images', 'add', '--index', index, '--dir', extra, '--json']);
    expect(JSON.parse(again.stdout).skipped.map((s: { code: string }) => s.code)).toEqual([
      'DUPLICATE_ID',
      'DUPLICATE_ID',
    ]);

    // The two identical bags are one near-duplicate group.
    const dedup = await runCli([
      'images',
      'dedup',
      '--index',
      index,
      '--max-distance',
      '0.0001',
      '--json',
    ]);
    expect(dedup.code, dedup.stderr).toBe(0);
    const { groups } = JSON.parse(dedup.stdout);
    expect(groups[0].members.map((m: { id: string }) => m.id).sort()).toEqual([
      'Bag/new-bag-copy.png',
      'Bag/new-bag.png',
    ]);
    expect(groups[0].members[0].distance).toBe(0);

    const removed = await runCli([
      'images',
      'remove',
      '--index',
      index,
      '--id',
      'Bag/new-bag-copy.png',
      '--json',
    ]);
    expect(JSON.parse(removed.stdout)).toEqual({ removed: 1, total: indexed + 1 });
    const missing = await runCli(['images', 'remove', '--index', index, '--id', 'nope.png']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/Not in the index: nope\.png/);

    // Re-embed for the shipped Fashion-MNIST model: every image read back from its file.
    const reindexed = await runCli([
      'images',
      'reindex',
      '--index',
      index,
      '--model',
      DEFAULT_EMBEDDER_DIR,
      '--out',
      join(work, 'v2'),
      '--json',
    ]);
    expect(reindexed.code, reindexed.stderr).toBe(0);
    const report = JSON.parse(reindexed.stdout);
    expect(report).toMatchObject({ reindexed: indexed + 1, skipped: [], dim: 64 });
    expect(report.from).not.toBe(report.to);
  }, 120_000);

  it('evaluates on a labelled folder and trains a transfer head on a pretrained backbone', async () => {
    const evaluated = await runCli([
      'images',
      'evaluate',
      '--dir',
      folder,
      '--model',
      model,
      '--k',
      '5',
      '--json',
    ]);
    expect(evaluated.code, evaluated.stderr).toBe(0);
    const result = JSON.parse(evaluated.stdout);
    expect(result).toMatchObject({ queries: 60, catalogue: 60, labels: 10, k: 5, skipped: 3 });
    for (const key of ['precisionAtK', 'mapAtK', 'recallAtK', 'p50Ms', 'p99Ms']) {
      expect(typeof result[key], key).toBe('number');
    }
    // Transfer learning on the shipped model as a backbone, then an index with the result.
    const transfer = (out: string, epochs: number, ...extra: string[]) =>
      runCli([
        'images',
        'train',
        '--dir',
        folder,
        '--backbone',
        model,
        ...extra,
        '--out',
        out,
        '--epochs',
        String(epochs),
        '--dim',
        '16',
        '--hidden',
        '32',
        '--cache',
        join(work, 'cache'),
        '--json',
      ]);
    const indexWith = (embedder: string, out: string) =>
      runCli(['images', 'index', '--dir', folder, '--model', embedder, '--out', out, '--json']);
    const out = join(work, 'head');
    const trained = await transfer(out, 20);
    expect(trained.code, trained.stderr).toBe(0);
    const metrics = JSON.parse(trained.stdout);
    expect(metrics).toMatchObject({ labels: 10, featuresComputed: 60, featuresReused: 0 });
    expect(typeof metrics.frozenPrecisionAt10).toBe('number');
    expect(typeof metrics.headPrecisionAt10).toBe('number');
    // The head is an embedder like any other: index with it.
    const index = await indexWith(out, join(work, 'head-index'));
    expect(index.code, index.stderr).toBe(0);
    expect(JSON.parse(index.stdout)).toMatchObject({ indexed: 60, dim: 16 });

    // With the backbone's last block (its two dense layers, after the flatten) trained too.
    const tunedOut = join(work, 'head-and-block');
    const tuned = await transfer(
      tunedOut,
      10,
      '--train-last-block',
      '--cut-layer',
      'flatten_Flatten1',
    );
    expect(tuned.code, tuned.stderr).toBe(0);
    expect(JSON.parse(tuned.stdout)).toMatchObject({
      lastBlockCut: 'flatten_Flatten1',
      featuresComputed: 60,
    });
    const tunedIndex = await indexWith(tunedOut, join(work, 'tuned-index'));
    expect(tunedIndex.code, tunedIndex.stderr).toBe(0);
    expect(JSON.parse(tunedIndex.stdout)).toMatchObject({ indexed: 60, dim: 16 });
  }, 180_000);
});
