/**
 * Does the learned embedding beat raw pixels for similar-image search on Fashion-MNIST, and how
 * fast is the whole path from image bytes to ten ids?
 *
 * Catalogue = the 60,000 training images, queries = the first QUERIES test images, relevant =
 * same label. Both representations are searched the same two ways in the same run: exactly
 * (precision@10 and mAP@10 by label; raw pixels with L2 as ann-benchmarks does, embeddings by
 * cosine) and through an HNSW index (M 16, efConstruction 200, ef 64; recall@10 against exact,
 * queries per second one at a time). For the embedding, the end-to-end latency is measured as a
 * service would see it: PNG bytes decoded (a plain PNG of the model's size in this thread,
 * anything else by sharp), embedded, searched. Embedding throughput (images/s, batches of 256)
 * is measured on the default backend (wasm here; tfjs-node could not be installed on these
 * machines). Training speed of the shipped recipe is measured in this thread and over 2 worker
 * threads; the machine's load average is recorded with every timing (the machines are shared).
 *
 * Run: pnpm bench vision   (node --import tsx --conditions=@mlsd/source benchmarks/vision/vision.bench.ts)
 * Writes benchmarks/results/vision.json; a table on stdout, progress on stderr.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  exactKnn,
  HnswIndex,
  latencyStats,
  mapAtK,
  neighbourLists,
  precisionAtK,
  recallAtK,
} from '@mlsd/ann';
import { currentBackend } from '@mlsd/core';
import { imagesAsFloat, loadFashionMnist } from '@mlsd/datasets';
import {
  DEFAULT_EMBEDDER_DIR,
  evaluateImageSearch,
  FASHION_MNIST_RECIPE,
  FASHION_MNIST_SPEC,
  fashionMnistPng,
  ImageSearch,
  loadImageEmbedder,
  trainImageEmbedder,
} from '@mlsd/vision';
import { describeMachine } from '../machine.js';

const QUERIES = Number(process.env.VISION_QUERIES ?? 2_000);
const loadAverageAtStart = loadavg();
const K = 10;
const log = (message: string) => process.stderr.write(`[vision] ${message}\n`);

const dataset = await loadFashionMnist();
const trainPixels = imagesAsFloat(dataset.train);
const testPixels = imagesAsFloat(dataset.test).subarray(0, QUERIES * 784);
const trainLabels = dataset.train.labels;
const queryLabels = dataset.test.labels.subarray(0, QUERIES);

/** Exact and HNSW search of one representation. */
function searchQuality(
  name: string,
  catalogue: Float32Array,
  queries: Float32Array,
  dim: number,
  space: 'l2' | 'cosine',
) {
  log(`${name}: exact search of ${QUERIES} queries`);
  let started = performance.now();
  const exact = neighbourLists(exactKnn(catalogue, queries, dim, K, { space }));
  const exactSeconds = (performance.now() - started) / 1000;
  const labelsOf = (rows: ArrayLike<number>[]) =>
    rows.map((row) => Array.from(row, (i) => trainLabels[i]!));
  log(`${name}: HNSW build`);
  started = performance.now();
  const index = new HnswIndex({ dim, space, M: 16, efConstruction: 200, ef: 64, capacity: 60_000 });
  index.addBatch(
    Array.from({ length: 60_000 }, (_, i) => String(i)),
    catalogue,
  );
  const buildSeconds = (performance.now() - started) / 1000;
  const found: number[][] = [];
  const times = new Float64Array(QUERIES);
  started = performance.now();
  for (let q = 0; q < QUERIES; q++) {
    const t0 = performance.now();
    const result = index.search(queries.subarray(q * dim, (q + 1) * dim), K);
    times[q] = performance.now() - t0;
    found.push(result.ids.map(Number));
  }
  const speed = latencyStats(times, performance.now() - started);
  return {
    representation: name,
    dim,
    space,
    precisionAt10: precisionAtK(queryLabels, labelsOf(exact), K),
    mapAt10: mapAtK(queryLabels, labelsOf(exact), K),
    exactQps: QUERIES / exactSeconds,
    hnsw: {
      buildSeconds,
      recallAt10: recallAtK(found, exact, K),
      qps: speed.qps,
      p50Ms: speed.p50Ms,
      p99Ms: speed.p99Ms,
      precisionAt10: precisionAtK(queryLabels, labelsOf(found), K),
    },
  };
}

const raw = searchQuality('raw pixels', trainPixels, testPixels, 784, 'l2');

const embedder = await loadImageEmbedder(DEFAULT_EMBEDDER_DIR);
log('embedding the catalogue');
const started = performance.now();
const catalogueVectors = await embedder.embed(trainPixels, 60_000);
const embedSeconds = (performance.now() - started) / 1000;
const queryVectors = await embedder.embed(testPixels, QUERIES);
const learned = searchQuality(
  'learned embedding',
  catalogueVectors,
  queryVectors,
  embedder.dim,
  'cosine',
);

log('end to end: PNG bytes → decode → embed → HNSW → 10 ids');
const search = ImageSearch.create(embedder, { capacity: 60_000 });
search.addEmbeddings(
  Array.from({ length: 60_000 }, (_, i) => `train-${i}`),
  catalogueVectors,
  Array.from(trainLabels, (label) => ({ label })),
);
const encoded: Uint8Array[] = [];
for (let q = 0; q < QUERIES; q++)
  encoded.push(await fashionMnistPng(dataset.test.images.subarray(q * 784, (q + 1) * 784)));
const endToEnd = await evaluateImageSearch(
  search,
  { images: encoded, labels: queryLabels },
  {
    k: K,
    exact: {
      vectors: catalogueVectors,
      ids: Array.from({ length: 60_000 }, (_, i) => `train-${i}`),
    },
  },
);

/** What the shipped model's manifest says about its training (time, backend, load). */
function shippedModelMetrics(): unknown {
  const manifest = JSON.parse(readFileSync(join(DEFAULT_EMBEDDER_DIR, 'manifest.json'), 'utf8'));
  return { params: manifest.params, metrics: manifest.metrics };
}

/**
 * Training speed of the shipped recipe, in this thread and data-parallel over 2 worker threads:
 * TRAIN_STEPS steps of 256 real images each (the first two, warm-up, not timed).
 */
async function trainingSpeed(workers: number) {
  const steps = Number(process.env.TRAIN_STEPS ?? 12);
  const images = 256 * steps;
  const stamps: number[] = [];
  const loadBefore = loadavg()[0]!;
  await trainImageEmbedder({
    ...FASHION_MNIST_RECIPE,
    images: trainPixels.subarray(0, images * 784),
    labels: trainLabels.subarray(0, images),
    spec: FASHION_MNIST_SPEC,
    epochs: 1,
    workers,
    onStep: () => stamps.push(performance.now()),
  });
  const timed = stamps.length - 2;
  const msPerStep = (stamps.at(-1)! - stamps[1]!) / timed;
  return {
    workers,
    msPerStep,
    imagesPerSecond: (256 * 1000) / msPerStep,
    // 234 steps of 256 make one pass over the 60,000 training images.
    secondsPerEpoch: (Math.floor(60_000 / 256) * msPerStep) / 1000,
    loadAverage: { before: loadBefore, after: loadavg()[0]! },
  };
}
log('training speed: 1 worker, then 2');
const training = [await trainingSpeed(1), await trainingSpeed(2)];

const results = {
  benchmark: 'vision',
  date: new Date().toISOString(),
  machine: describeMachine(),
  backend: currentBackend()?.name,
  queries: QUERIES,
  catalogue: 60_000,
  representations: [raw, learned],
  embeddingThroughput: {
    images: 60_000,
    seconds: embedSeconds,
    imagesPerSecond: 60_000 / embedSeconds,
    batchSize: 256,
  },
  endToEnd,
  training: {
    recipe: FASHION_MNIST_RECIPE,
    speed: training,
    shippedModel: shippedModelMetrics(),
  },
  loadAverageAtStart,
  loadAverageAtEnd: loadavg(),
};
const out = fileURLToPath(new URL('../results/', import.meta.url));
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'vision.json'), `${JSON.stringify(results, null, 2)}\n`);
const f = (x: number, d = 3) => x.toFixed(d);
process.stdout.write(
  '| representation | dim | P@10 (exact) | mAP@10 | HNSW recall@10 | HNSW qps | HNSW p50/p99 ms |\n|---|---|---|---|---|---|---|\n',
);
for (const r of [raw, learned]) {
  process.stdout.write(
    `| ${r.representation} | ${r.dim} | ${f(r.precisionAt10)} | ${f(r.mapAt10)} | ${f(r.hnsw.recallAt10)} | ${f(r.hnsw.qps, 0)} | ${f(r.hnsw.p50Ms)} / ${f(r.hnsw.p99Ms)} |\n`,
  );
}
process.stdout.write(
  `\nembedding: ${f(results.embeddingThroughput.imagesPerSecond, 0)} images/s on ${results.backend}\n`,
);
for (const t of training) {
  process.stdout.write(
    `training (${t.workers} worker${t.workers > 1 ? 's' : ''}): ${f(t.msPerStep, 0)} ms per step of 256, ${f(t.imagesPerSecond, 0)} images/s, ≈ ${f(t.secondsPerEpoch, 0)} s per epoch (load ${t.loadAverage.before} → ${t.loadAverage.after})\n`,
  );
}
process.stdout.write(
  `end to end (PNG bytes → 10 ids): P@10 ${f(endToEnd.precisionAtK)}, p50 ${f(endToEnd.p50Ms)} ms, p99 ${f(endToEnd.p99Ms)} ms, ${f(endToEnd.qps, 0)} qps\n`,
);
