import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '@mlsd/tf';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  loadImageEmbedder,
  parseImageSpec,
  saveImageEmbedder,
  trainImageEmbedder,
} from '../src/index.js';
import { layersModelOf } from '../src/tfjs.js';
import { makeShapes } from './helpers/shapes.js';

const spec = parseImageSpec({ width: 12, height: 12, channels: 1 });

/** Share of each query's nearest catalogue vector (by dot product) that has its label. */
function nearestNeighbourAccuracy(
  queries: Float32Array,
  queryLabels: Uint8Array,
  catalogue: Float32Array,
  catalogueLabels: Uint8Array,
  dim: number,
): number {
  let hits = 0;
  for (let q = 0; q < queryLabels.length; q++) {
    let best = -Infinity;
    let bestLabel = -1;
    for (let c = 0; c < catalogueLabels.length; c++) {
      let dot = 0;
      for (let j = 0; j < dim; j++) dot += queries[q * dim + j]! * catalogue[c * dim + j]!;
      if (dot > best) {
        best = dot;
        bestLabel = catalogueLabels[c]!;
      }
    }
    if (bestLabel === queryLabels[q]) hits++;
  }
  return hits / queryLabels.length;
}

describe('trainImageEmbedder', () => {
  beforeAll(async () => {
    await initBackend({ quiet: true });
  });

  it('learns unit-length embeddings that separate classes, on the default backend', async () => {
    const train = makeShapes(384, 1);
    const test = makeShapes(60, 2);
    const epochs: number[] = [];
    const trained = await trainImageEmbedder({
      ...train,
      spec,
      architecture: { filters: [4, 8], hidden: 16, dim: 8 },
      epochs: 4,
      batchSize: 32,
      learningRate: 0.01,
      seed: 3,
      onEpoch: (report) => epochs.push(report.loss),
    });
    expect(epochs).toHaveLength(4);
    expect(epochs[3]!).toBeLessThan(epochs[0]!);

    const dir = join(await mkdtemp(join(tmpdir(), 'mlsd-embedder-')), 'embedder');
    await saveImageEmbedder(dir, { model: trained.model, spec, params: trained.params });
    const embedder = await loadImageEmbedder(dir);
    expect(embedder.dim).toBe(8);
    const catalogue = await embedder.embed(train.images, 384);
    const queries = await embedder.embed(test.images, 60);
    for (let j = 0; j < 5; j++) {
      const norm = Math.hypot(...queries.subarray(j * 8, j * 8 + 8));
      expect(norm).toBeCloseTo(1, 5);
    }
    expect(
      nearestNeighbourAccuracy(queries, test.labels, catalogue, train.labels, 8),
    ).toBeGreaterThan(0.9);

    // The saved model is a plain TensorFlow.js layers folder: loadable without our manifest.
    // A plain folder takes its size from the model, but its preprocessing must be stated.
    await expect(loadImageEmbedder(join(dir, 'model'))).rejects.toThrow(/needs its preprocessing/);
    const plain = await loadImageEmbedder(join(dir, 'model'), { spec });
    expect([...(await plain.embed(test.images.subarray(0, 144), 1))]).toEqual([
      ...queries.subarray(0, 8),
    ]);
    const modelJson = JSON.parse(await readFile(join(dir, 'model', 'model.json'), 'utf8'));
    expect(modelJson.format).toBe('layers-model');
  });

  it('trains the same weights data-parallel over worker threads as in this thread', async () => {
    const train = makeShapes(128, 4);
    const run = (workers: number) =>
      trainImageEmbedder({
        ...train,
        spec,
        architecture: { filters: [4, 8], hidden: 16, dim: 8 },
        epochs: 1,
        batchSize: 32,
        learningRate: 0.001,
        dropout: 0,
        seed: 5,
        workers,
      });
    const [alone, parallel] = [await run(1), await run(2)];
    expect(parallel.params.workers).toBe(2);
    const a = layersModelOf(alone.model)
      .getWeights()
      .map((w) => w.dataSync());
    const b = layersModelOf(parallel.model)
      .getWeights()
      .map((w) => w.dataSync());
    expect(b).toHaveLength(a.length);
    let largest = 0;
    a.forEach((values, i) => {
      values.forEach((v, j) => {
        largest = Math.max(largest, Math.abs(v - b[i]![j]!));
      });
    });
    // Four Adam steps of at most 0.001 each: the same up to float rounding of the mean gradient.
    expect(largest).toBeLessThan(1e-4);
    // The mean loss of a split batch is the mean over its shares.
    expect(Math.abs(alone.history[0]!.loss - parallel.history[0]!.loss)).toBeLessThan(1e-4);
  }, 60_000);

  it('rejects mismatched images and labels, and plain folders without a spec', async () => {
    await expect(
      trainImageEmbedder({ images: new Float32Array(10), labels: [0, 1], spec }),
    ).rejects.toThrow(/need 288 image values, got 10/);
    await expect(
      trainImageEmbedder({ images: new Float32Array(288), labels: [0, 0], spec }),
    ).rejects.toThrow(/at least two classes/);
    const dir = await mkdtemp(join(tmpdir(), 'mlsd-plain-'));
    await writeFile(join(dir, 'model.json'), '{not json');
    await expect(loadImageEmbedder(dir, { spec })).rejects.toThrow(/not valid JSON/);
    await expect(loadImageEmbedder(join(dir, 'missing'), { spec })).rejects.toThrow(
      /does not exist/,
    );
  });
});
