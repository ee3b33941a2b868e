import { rm } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { currentBackend, initBackend } from '@mlsd/core';
import { type FashionMnist, imagesAsFloat, loadFashionMnist } from '@mlsd/datasets';
import { loadImageEmbedder } from '../embedding/embedder-registry.js';
import { FASHION_MNIST_RECIPE } from '../embedding/fashion-mnist-recipe.js';
import type { ImageEmbedder } from '../embedding/image-embedder.js';
import { saveImageEmbedder } from '../embedding/load-embedder.js';
import { type EpochReport, trainImageEmbedder } from '../embedding/train-embedder.js';
import { DEFAULT_EMBEDDER_DIR, fashionMnistPng } from '../fashion-mnist-images.js';
import { datasetSource } from '../image-source.js';
import { FASHION_MNIST_SPEC } from '../image-spec.js';
import { evaluateImageSearch, type SearchEvaluation } from '../search/evaluate-search.js';
import { exactPrecisionAtK } from '../search/exact-precision.js';
import { type ImageMetadata, ImageSearch } from '../search/image-search.js';

/** The first `count` Fashion-MNIST training images as a catalogue: ids, pixels, metadata. */
export interface FashionCatalogue {
  /** `train-<i>`. */
  ids: string[];
  /** `count × 784` values in [0, 1] (FASHION_MNIST_SPEC). */
  pixels: Float32Array;
  /** `{ label, source: 'fashion-mnist:train:<i>' }`. */
  metadata: ImageMetadata[];
  labels: Uint8Array;
}

/** The first `count` (default all 60,000) training images as a catalogue. */
export function fashionMnistCatalogue(dataset: FashionMnist, count?: number): FashionCatalogue {
  const n = Math.min(count ?? dataset.train.count, dataset.train.count);
  const size = dataset.train.rows * dataset.train.cols;
  const labels = dataset.train.labels.subarray(0, n);
  return {
    ids: Array.from({ length: n }, (_, i) => `train-${i}`),
    pixels: imagesAsFloat(dataset.train).subarray(0, n * size),
    metadata: Array.from(labels, (label, i) => ({ label, source: datasetSource('train', i) })),
    labels,
  };
}

/** The first `count` test images encoded as PNG (dark garment on white), with their labels. */
export async function fashionMnistQueries(
  dataset: FashionMnist,
  count: number,
): Promise<{ images: Uint8Array[]; labels: Uint8Array }> {
  const n = Math.min(count, dataset.test.count);
  const side = dataset.test.rows;
  const images: Uint8Array[] = [];
  for (let q = 0; q < n; q++) {
    images.push(
      await fashionMnistPng(
        dataset.test.images.subarray(q * side * side, (q + 1) * side * side),
        side,
      ),
    );
  }
  return { images, labels: dataset.test.labels.subarray(0, n) };
}

/** Options of {@link trainFashionMnistEmbedder}; unset fields follow FASHION_MNIST_RECIPE. */
export interface TrainFashionOptions {
  /** Where to save the model (an embedder artifact). */
  out: string;
  epochs?: number;
  batchSize?: number;
  seed?: number;
  workers?: number;
  /** Random 1-pixel shifts and flips (measured no better: 0.8950 vs 0.9035). */
  augment?: boolean;
  /** Train on the first N training images only (quick runs). */
  train?: number;
  /** Test images used to measure precision@10 (exact search); default 10,000. */
  evalQueries?: number;
  onStep?: (imagesDone: number, total: number) => void;
  onEpoch?: (report: EpochReport, epochs: number) => void;
}

/** What {@link trainFashionMnistEmbedder} measured, saved in the model's manifest. */
export interface FashionTrainingMetrics extends Record<string, unknown> {
  precisionAt10: number;
  evalQueries: number;
  catalogue: number;
  trainSeconds: number;
  backend: string | undefined;
  workers: number;
  cpus: number;
  /** 1-minute load averages before and after: timings under load are upper bounds. */
  loadAverage: { before: number | undefined; after: number | undefined };
  finalLoss: number | undefined;
}

/**
 * Trains the Fashion-MNIST embedder with the shipped recipe (overridable), measures precision@10
 * of exact search on the test images, and saves the model with its metrics (what `mlsd images
 * train` runs; with the defaults it reproduces the shipped model).
 */
export async function trainFashionMnistEmbedder(
  options: TrainFashionOptions,
): Promise<{ out: string; metrics: FashionTrainingMetrics }> {
  await initBackend();
  const dataset = await loadFashionMnist();
  const catalogue = fashionMnistCatalogue(dataset, options.train);
  const count = catalogue.ids.length;
  const epochs = options.epochs ?? FASHION_MNIST_RECIPE.epochs;
  const workers = options.workers ?? FASHION_MNIST_RECIPE.workers;
  const loadBefore = loadavg()[0];
  const started = performance.now();
  let seen = 0;
  const trained = await trainImageEmbedder({
    ...FASHION_MNIST_RECIPE,
    images: catalogue.pixels,
    labels: catalogue.labels,
    spec: FASHION_MNIST_SPEC,
    epochs,
    batchSize: options.batchSize ?? FASHION_MNIST_RECIPE.batchSize,
    seed: options.seed ?? FASHION_MNIST_RECIPE.seed,
    workers,
    augment: options.augment
      ? { shift: 1, flip: true, brightness: 0, contrast: 0, noise: 0 }
      : FASHION_MNIST_RECIPE.augment,
    onStep: (done) => options.onStep?.(seen + done, epochs * count),
    onEpoch: (report) => {
      seen += count;
      options.onEpoch?.(report, epochs);
    },
  });
  const trainSeconds = (performance.now() - started) / 1000;
  const loadAfter = loadavg()[0];
  // Evaluate the saved model as users will load it.
  const staging = `${resolve(options.out)}.unevaluated`;
  await saveImageEmbedder(staging, {
    model: trained.model,
    spec: FASHION_MNIST_SPEC,
    params: trained.params,
  });
  const embedder = await loadImageEmbedder(staging);
  const queries = Math.min(options.evalQueries ?? 10_000, dataset.test.count);
  const precisionAt10 = await exactPrecisionAt10(embedder, dataset, catalogue, queries);
  embedder.dispose();
  await rm(staging, { recursive: true, force: true });
  const metrics: FashionTrainingMetrics = {
    precisionAt10,
    evalQueries: queries,
    catalogue: count,
    trainSeconds,
    backend: currentBackend()?.name,
    workers,
    cpus: availableParallelism(),
    loadAverage: { before: loadBefore, after: loadAfter },
    finalLoss: trained.history.at(-1)?.loss,
  };
  await saveImageEmbedder(options.out, {
    model: trained.model,
    spec: FASHION_MNIST_SPEC,
    params: trained.params,
    metrics,
    description: 'Fashion-MNIST embedding model trained by `mlsd images train`.',
  });
  return { out: resolve(options.out), metrics };
}

/** Precision@10 of exact cosine search: test queries against the catalogue, by label. */
async function exactPrecisionAt10(
  embedder: ImageEmbedder,
  dataset: FashionMnist,
  catalogue: FashionCatalogue,
  queries: number,
): Promise<number> {
  const size = dataset.test.rows * dataset.test.cols;
  const vectors = await embedder.embed(catalogue.pixels, catalogue.ids.length);
  const queryVectors = await embedder.embed(
    imagesAsFloat(dataset.test).subarray(0, queries * size),
    queries,
  );
  return exactPrecisionAtK(
    vectors,
    catalogue.labels,
    queryVectors,
    dataset.test.labels.subarray(0, queries),
    embedder.dim,
    10,
  );
}

/** Options of {@link evaluateFashionMnist}. */
export interface EvaluateFashionOptions {
  /** An index of Fashion-MNIST train to query; without it one is built with `model`. */
  search?: ImageSearch | undefined;
  /** Embedder folder used when building (default: the shipped one). */
  model?: string | undefined;
  /** When building: index only the first N training images. */
  train?: number | undefined;
  /** Test images to query; default 10,000. */
  queries?: number | undefined;
  /** Results per query; default 10. */
  k?: number | undefined;
  onProgress?: ((stage: 'embedding' | 'querying', done: number, total: number) => void) | undefined;
}

/** Retrieval quality and latency on Fashion-MNIST, as `mlsd images evaluate` reports it. */
export interface FashionEvaluation extends SearchEvaluation {
  catalogue: number;
  dim: number;
  backend: string | undefined;
  /** Seconds to embed and index the catalogue (when it was built here). */
  buildSeconds: number | undefined;
}

/**
 * Evaluates a similar-image search on Fashion-MNIST: catalogue = training images, queries = test
 * images as PNG bytes through the whole path (decode → embed → search), relevant = same label;
 * recall against exact search when the index was built here.
 */
export async function evaluateFashionMnist(
  options: EvaluateFashionOptions,
): Promise<FashionEvaluation> {
  const dataset = await loadFashionMnist();
  let search = options.search;
  let exact: { vectors: Float32Array; ids: string[] } | undefined;
  let buildSeconds: number | undefined;
  if (search === undefined) {
    const embedder = await loadImageEmbedder(options.model ?? DEFAULT_EMBEDDER_DIR);
    const catalogue = fashionMnistCatalogue(dataset, options.train);
    const started = performance.now();
    const vectors = await embedder.embed(catalogue.pixels, catalogue.ids.length, {
      onBatch: (done) => options.onProgress?.('embedding', done, catalogue.ids.length),
    });
    search = ImageSearch.create(embedder, { capacity: catalogue.ids.length });
    search.addEmbeddings(catalogue.ids, vectors, catalogue.metadata);
    buildSeconds = (performance.now() - started) / 1000;
    exact = { vectors, ids: catalogue.ids };
  }
  const queries = await fashionMnistQueries(dataset, options.queries ?? 10_000);
  const result = await evaluateImageSearch(search, queries, {
    k: options.k ?? 10,
    ...(exact === undefined ? {} : { exact }),
    onProgress: (done) => options.onProgress?.('querying', done, queries.images.length),
  });
  return {
    ...result,
    catalogue: search.size,
    dim: search.embedder.dim,
    backend: currentBackend()?.name,
    buildSeconds,
  };
}
