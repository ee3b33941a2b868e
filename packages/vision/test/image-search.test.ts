import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, sealArtifactManifest } from '@mlsd/core';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type ImageEmbedder,
  ImageSearch,
  loadImageEmbedder,
  parseImageSpec,
  saveImageEmbedder,
  trainImageEmbedder,
} from '../src/index.js';
import { makeShapes } from './helpers/shapes.js';

const spec = parseImageSpec({ width: 12, height: 12, channels: 1 });
let embedder: ImageEmbedder;
let workDir: string;

beforeAll(async () => {
  await initBackend({ quiet: true });
  const train = makeShapes(240, 11);
  const trained = await trainImageEmbedder({
    ...train,
    spec,
    architecture: { filters: [4, 8], hidden: 16, dim: 8 },
    epochs: 4,
    batchSize: 32,
    learningRate: 0.01,
    seed: 5,
  });
  workDir = await mkdtemp(join(tmpdir(), 'mlsd-search-'));
  await saveImageEmbedder(join(workDir, 'embedder'), { model: trained.model, spec });
  embedder = await loadImageEmbedder(join(workDir, 'embedder'));
});

/** A shapes image as PNG bytes, the way a user would send it. */
async function png(pixels: Float32Array): Promise<Buffer> {
  const bytes = Uint8Array.from(pixels, (v) => Math.max(0, Math.min(255, Math.round(v * 255))));
  return sharp(bytes, { raw: { width: 12, height: 12, channels: 1 } })
    .png()
    .toBuffer();
}

describe('ImageSearch', () => {
  it('finds images of the query class from PNG bytes, filters by label, and survives save/load', async () => {
    const catalogue = makeShapes(90, 12);
    const ids = Array.from({ length: 90 }, (_, i) => `img-${i}`);
    const metadata = Array.from(catalogue.labels, (label, i) => ({ label, source: `shapes:${i}` }));
    const search = await ImageSearch.build({ embedder, ids, pixels: catalogue.images, metadata });
    expect(search.index.size).toBe(90);

    const queries = makeShapes(9, 13);
    let sameLabel = 0;
    for (let q = 0; q < 9; q++) {
      const bytes = await png(queries.images.subarray(q * 144, (q + 1) * 144));
      const hits = await search.query(bytes, 5);
      expect(hits).toHaveLength(5);
      for (let i = 1; i < hits.length; i++) {
        expect(hits[i]!.distance).toBeGreaterThanOrEqual(hits[i - 1]!.distance);
      }
      sameLabel += hits.filter((hit) => hit.metadata?.label === queries.labels[q]).length;
    }
    expect(sameLabel / 45).toBeGreaterThan(0.8);

    const query = await png(queries.images.subarray(0, 144));
    const filtered = await search.query(query, 4, { label: 2 });
    expect(filtered.every((hit) => hit.metadata?.label === 2)).toBe(true);

    const dir = join(workDir, 'search');
    await search.save(dir, { metrics: { note: 'test' } });
    const loaded = await ImageSearch.load(dir);
    const [before, after] = [await search.query(query, 5), await loaded.query(query, 5)];
    expect(after.map((hit) => [hit.id, hit.metadata])).toEqual(
      before.map((hit) => [hit.id, hit.metadata]),
    );
    // The index stores vectors as float32 on disk: distances agree to float precision.
    after.forEach((hit, i) => {
      expect(hit.distance).toBeCloseTo(before[i]!.distance, 5);
    });
  });

  it('loads an index saved in the previous format (no embedder version, no ids file)', async () => {
    const catalogue = makeShapes(20, 21);
    const ids = Array.from({ length: 20 }, (_, i) => `old-${i}`);
    const search = await ImageSearch.build({ embedder, ids, pixels: catalogue.images });
    const dir = join(workDir, 'format-1');
    await search.save(dir);
    // What format 1 wrote: the same folder without the embedder info and the ids file.
    const manifestPath = join(dir, 'manifest.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
    manifest.formatVersion = 1;
    delete manifest.params.embedder;
    delete manifest.params.decode;
    manifest.files = manifest.files.filter((file: { path: string }) => file.path !== 'ids.json');
    await writeFile(manifestPath, JSON.stringify(manifest));
    await rm(join(dir, 'ids.json'));
    // A genuine old artifact: its manifest checksum matches what it says (core refuses any other).
    await sealArtifactManifest(dir);
    const loaded = await ImageSearch.load(dir);
    expect([...loaded.ids()]).toEqual(ids);
    expect(loaded.embedderVersion).toBe(embedder.info.version);
    expect((await loaded.query(catalogue.images.subarray(144, 288), 1))[0]!.id).toBe('old-1');
  });

  it('refuses a corrupt query image with a typed error naming it', async () => {
    const search = await ImageSearch.build({
      embedder,
      ids: ['a'],
      pixels: makeShapes(1, 1).images,
    });
    await expect(search.query(new Uint8Array([1, 2, 3, 4]), 1)).rejects.toMatchObject({
      code: expect.stringMatching(/^(CORRUPT_FILE|UNSUPPORTED)$/),
    });
  });
});
