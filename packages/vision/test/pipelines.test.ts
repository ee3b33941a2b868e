import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, Rng } from '@mlsd/core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  evaluateImageFolder,
  indexImageFolder,
  LiveCatalogue,
  loadImageEmbedder,
  ProjectionHeadEmbedder,
  registerEmbedderKind,
  reindexCatalogue,
  saveEmbedder,
  trainTransferEmbedder,
  unregisterEmbedderKind,
} from '../src/index.js';
import { QUADRANT_LOADER, QuadrantEmbedder } from './helpers/quadrant-embedder.js';

const PALETTE: Record<string, number[][]> = {
  // Each label is a layout of colours; every image varies them a little.
  sunset: [
    [240, 120, 30],
    [240, 120, 30],
    [90, 30, 60],
    [90, 30, 60],
  ],
  sea: [
    [120, 180, 240],
    [120, 180, 240],
    [20, 60, 140],
    [20, 60, 140],
  ],
  forest: [
    [30, 120, 40],
    [200, 220, 200],
    [30, 120, 40],
    [70, 50, 20],
  ],
};

let dir: string;
let work: string;

beforeAll(async () => {
  await initBackend({ quiet: true });
  registerEmbedderKind(QUADRANT_LOADER);
  work = await mkdtemp(join(tmpdir(), 'mlsd-pipelines-'));
  dir = join(work, 'labelled');
  const rng = new Rng(4);
  for (const [label, colours] of Object.entries(PALETTE)) {
    await mkdir(join(dir, label), { recursive: true });
    for (let i = 0; i < 10; i++) {
      const pixels = Buffer.alloc(24 * 24 * 3);
      for (let p = 0; p < 24 * 24; p++) {
        const q = (p < 288 ? 0 : 2) + (p % 24 < 12 ? 0 : 1);
        const jitter = rng.integer(-40, 40);
        pixels.set(
          colours[q]!.map((v) => Math.max(0, Math.min(255, v + jitter))),
          p * 3,
        );
      }
      await writeFile(
        join(dir, label, `${label}-${i}.jpg`),
        await sharp(pixels, { raw: { width: 24, height: 24, channels: 3 } })
          .jpeg()
          .toBuffer(),
      );
    }
  }
  await writeFile(join(dir, 'sea', 'broken.jpg'), 'not a photo');
});

afterAll(() => {
  unregisterEmbedderKind('quadrant-colour');
});

describe('evaluateImageFolder', () => {
  it('scores the embedder on a labelled folder, leaving each query out of its own results', async () => {
    const result = await evaluateImageFolder(dir, new QuadrantEmbedder(), { k: 5 });
    expect(result).toMatchObject({ queries: 30, catalogue: 30, labels: 3, k: 5, dim: 12 });
    expect(result.counts).toEqual({ found: 31, decoded: 30, skipped: 1, ignored: 0 });
    expect(result.precisionAtK).toBeGreaterThan(0.9);
    expect(result.mapAtK).toBeGreaterThan(0.9);
    // A fresh HNSW index of 30 items finds exactly the exact neighbours.
    expect(result.recallAtK).toBe(1);
    expect(result.p99Ms).toBeGreaterThanOrEqual(result.p50Ms);
    const sampled = await evaluateImageFolder(dir, new QuadrantEmbedder(), { k: 5, queries: 7 });
    expect(sampled.queries).toBe(7);
  });
});

describe('trainTransferEmbedder', () => {
  it('trains a head on cached backbone features and reports frozen vs trained precision@10', async () => {
    const cacheDir = join(work, 'features');
    const options = { cacheDir, epochs: 40, hidden: 16, dim: 8, batchSize: 8, validation: 0.3 };
    const first = await trainTransferEmbedder(dir, new QuadrantEmbedder(), options);
    expect(first.metrics).toMatchObject({
      trainImages: 21,
      validationImages: 9,
      labels: 3,
      featuresComputed: 30,
      featuresReused: 0,
    });
    expect(first.skipped.map((s) => s.code)).toEqual(['UNSUPPORTED']);
    for (const key of ['frozenPrecisionAt10', 'headPrecisionAt10'] as const) {
      expect(first.metrics[key]).toBeGreaterThan(0.5);
      expect(first.metrics[key]).toBeLessThanOrEqual(1);
    }
    expect(first.history.at(-1)!.loss).toBeLessThan(first.history[0]!.loss);
    // The second run reads every feature from the cache and trains the same head.
    const second = await trainTransferEmbedder(dir, new QuadrantEmbedder(), options);
    expect(second.metrics).toMatchObject({ featuresComputed: 0, featuresReused: 30 });
    expect(second.metrics.headPrecisionAt10).toBe(first.metrics.headPrecisionAt10);

    // Saved and loaded, it embeds photos exactly as before: backbone, then head.
    const out = join(work, 'head');
    await saveEmbedder(out, first.embedder, { metrics: first.metrics });
    const loaded = await loadImageEmbedder(out);
    expect(loaded).toBeInstanceOf(ProjectionHeadEmbedder);
    expect(loaded.info.version).toBe(first.embedder.info.version);
    const pixels = new Float32Array(192).map((_, i) => (i % 7) / 7);
    expect(await loaded.embed(pixels, 1)).toEqual(await first.embedder.embed(pixels, 1));
  });
});

describe('indexImageFolder and reindexCatalogue', () => {
  it('re-embeds every image from its source for a new model, reporting the ones that are gone', async () => {
    const built = await indexImageFolder(dir, new QuadrantEmbedder(), { batchSize: 4 });
    expect(built.counts).toMatchObject({ decoded: 30, skipped: 1 });
    expect(built.search.index.getMetadata('sea/sea-3.jpg')).toEqual({
      source: join(dir, 'sea/sea-3.jpg'),
      label: 'sea',
    });
    const index = join(work, 'index');
    await built.search.save(index);
    const live = await LiveCatalogue.open(index);
    const upload = await sharp({
      create: { width: 10, height: 10, channels: 3, background: { r: 240, g: 120, b: 30 } },
    })
      .png()
      .toBuffer();
    await live.add('uploaded', upload, { label: 'sunset' });
    await live.close();
    await rm(join(dir, 'forest', 'forest-0.jpg'));
    const next = new QuadrantEmbedder([1, 2, 1]);
    const report = await reindexCatalogue(index, next, join(work, 'index-v2'), { batchSize: 4 });
    expect(report.reindexed).toBe(30);
    expect(report.skipped.map((s) => [s.file, s.code])).toEqual([
      ['forest/forest-0.jpg', 'NOT_FOUND'],
    ]);
    expect(report.from).not.toBe(report.to);
    const reindexed = await LiveCatalogue.read(join(work, 'index-v2'));
    expect(reindexed.embedderVersion).toBe(next.info.version);
    expect((await reindexed.query(upload, 1))[0]!.id).toBe('uploaded');
  });
});
