import { mkdir } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { exactKnn, neighbourLists, precisionAtK } from '@mlsd/ann';
import { createProgress, InvalidArgumentError } from '@mlsd/core';
import {
  FASHION_MNIST_LABELS,
  type FashionMnist,
  imagesAsFloat,
  loadFashionMnist,
} from '@mlsd/datasets';
import { currentBackend, initBackend } from '@mlsd/tf';
import {
  DEFAULT_EMBEDDER_DIR,
  decodeImageFolder,
  evaluateImageSearch,
  FASHION_MNIST_RECIPE,
  FASHION_MNIST_SPEC,
  fashionMnistPng,
  type ImageMetadata,
  ImageSearch,
  loadImageEmbedder,
  type SheetImage,
  saveImageEmbedder,
  trainImageEmbedder,
  writeContactSheet,
} from '@mlsd/vision';
import type { Command } from 'commander';
import { addGroup } from '../group.js';
import { parsePositiveInt } from '../options.js';
import { formatTable, printJson, printLines } from '../output.js';

const DATASET_SOURCE = 'fashion-mnist:train:';

/** Registers `mlsd images ...`. */
export function registerImagesCommands(program: Command): void {
  const images = addGroup(
    program,
    'images',
    'Visual similarity search: index image folders or Fashion-MNIST, query, evaluate.',
  );

  images
    .command('train')
    .description(
      'Train the Fashion-MNIST embedding model (normalised-softmax loss) and save it as an artifact; ' +
        'with the defaults this reproduces the shipped model.',
    )
    .option('--out <dir>', 'where to save the model', DEFAULT_EMBEDDER_DIR)
    .option(
      '--epochs <n>',
      'passes over the training images',
      parsePositiveInt('--epochs'),
      FASHION_MNIST_RECIPE.epochs,
    )
    .option(
      '--batch-size <n>',
      'images per step',
      parsePositiveInt('--batch-size'),
      FASHION_MNIST_RECIPE.batchSize,
    )
    .option(
      '--seed <n>',
      'seed of weights, order and dropout',
      parsePositiveIntOrZero,
      FASHION_MNIST_RECIPE.seed,
    )
    .option(
      '--augment',
      'add random 1-pixel shifts and left-right flips (measured no better on Fashion-MNIST: 0.8950 vs 0.9035)',
    )
    .option(
      '--workers <n>',
      'worker threads training data-parallel (1 = this thread)',
      parsePositiveInt('--workers'),
      FASHION_MNIST_RECIPE.workers,
    )
    .option(
      '--train <n>',
      'use only the first N training images (quick runs)',
      parsePositiveInt('--train'),
    )
    .option(
      '--eval-queries <n>',
      'test images used to measure precision@10',
      parsePositiveInt('--eval-queries'),
      10_000,
    )
    .option('--json', 'print one JSON line')
    .action(async (options: TrainOptions) => {
      await initBackend();
      const dataset = await loadFashionMnist();
      const count = Math.min(options.train ?? dataset.train.count, dataset.train.count);
      const size = dataset.train.rows * dataset.train.cols;
      const pixels = imagesAsFloat(dataset.train).subarray(0, count * size);
      const labels = dataset.train.labels.subarray(0, count);
      const loadBefore = loadavg();
      const started = performance.now();
      const progress = createProgress({
        label: 'training embedder',
        total: options.epochs * count,
        unit: 'images',
      });
      let seen = 0;
      const trained = await trainImageEmbedder({
        ...FASHION_MNIST_RECIPE,
        images: pixels,
        labels,
        spec: FASHION_MNIST_SPEC,
        epochs: options.epochs,
        batchSize: options.batchSize,
        seed: options.seed,
        workers: options.workers,
        augment: options.augment
          ? { shift: 1, flip: true, brightness: 0, contrast: 0, noise: 0 }
          : FASHION_MNIST_RECIPE.augment,
        onStep: (done) => progress.update(seen + done),
        onEpoch: (report) => {
          seen += count;
          process.stderr.write(
            `epoch ${report.epoch + 1}/${options.epochs}: loss ${report.loss.toFixed(4)} in ${report.seconds.toFixed(1)} s\n`,
          );
        },
      });
      progress.finish();
      const trainSeconds = (performance.now() - started) / 1000;
      const loadAfter = loadavg();
      const tmpDir = `${resolve(options.out)}.unevaluated`;
      await saveImageEmbedder(tmpDir, {
        model: trained.model,
        spec: FASHION_MNIST_SPEC,
        params: trained.params,
      });
      const embedder = await loadImageEmbedder(tmpDir);
      const queries = Math.min(options.evalQueries, dataset.test.count);
      const catalogue = embedder.embed(pixels, count);
      const testPixels = imagesAsFloat(dataset.test).subarray(0, queries * size);
      const queryVectors = embedder.embed(testPixels, queries);
      const neighbours = neighbourLists(
        exactKnn(catalogue, queryVectors, embedder.dim, 10, { space: 'cosine' }),
      );
      const precisionAt10 = precisionAtK(
        dataset.test.labels.subarray(0, queries),
        neighbours.map((row) => Array.from(row, (index) => labels[index]!)),
        10,
      );
      const metrics = {
        precisionAt10,
        evalQueries: queries,
        catalogue: count,
        trainSeconds,
        backend: currentBackend()?.name,
        workers: options.workers,
        cpus: availableParallelism(),
        // 1-minute load averages of the machine before and after: timings under load are upper bounds.
        loadAverage: { before: loadBefore[0], after: loadAfter[0] },
        finalLoss: trained.history.at(-1)?.loss,
      };
      await saveImageEmbedder(options.out, {
        model: trained.model,
        spec: FASHION_MNIST_SPEC,
        params: trained.params,
        metrics,
        description: 'Fashion-MNIST embedding model trained by `mlsd images train`.',
      });
      await import('node:fs/promises').then((fs) =>
        fs.rm(tmpDir, { recursive: true, force: true }),
      );
      if (options.json) {
        printJson({ out: resolve(options.out), ...metrics });
        return;
      }
      printLines([
        `saved ${resolve(options.out)}: precision@10 ${precisionAt10.toFixed(4)} on ${queries} test queries (exact search), trained in ${trainSeconds.toFixed(1)} s on ${metrics.backend} × ${options.workers} (load ${loadBefore[0]!.toFixed(1)} → ${loadAfter[0]!.toFixed(1)})`,
      ]);
    });

  images
    .command('index')
    .description(
      'Embed a folder of images (or Fashion-MNIST train) and build an HNSW index; bad files are reported and skipped.',
    )
    .option(
      '--dir <folder>',
      "folder of images (PNG, JPEG, WebP, GIF, TIFF, AVIF); a file's parent folder name is its label",
    )
    .option(
      '--dataset <name>',
      'index a dataset instead (fashion-mnist: its 60,000 training images)',
    )
    .requiredOption('--out <dir>', 'where to save the index')
    .option(
      '--model <dir>',
      'embedding model folder (mlsd artifact or TensorFlow.js model)',
      DEFAULT_EMBEDDER_DIR,
    )
    .option(
      '--train <n>',
      'with --dataset: index only the first N images',
      parsePositiveInt('--train'),
    )
    .option('--json', 'print one JSON line')
    .action(async (options: IndexOptions) => {
      if ((options.dir === undefined) === (options.dataset === undefined)) {
        throw new InvalidArgumentError(
          'Give exactly one of --dir <folder> or --dataset fashion-mnist.',
        );
      }
      if (options.dataset !== undefined && options.dataset !== 'fashion-mnist') {
        throw new InvalidArgumentError(
          `Unknown --dataset "${options.dataset}"; known: fashion-mnist.`,
        );
      }
      const embedder = await loadImageEmbedder(options.model);
      let ids: string[];
      let pixels: Float32Array;
      let metadata: ImageMetadata[];
      let report: Record<string, unknown>;
      if (options.dir !== undefined) {
        const root = resolve(options.dir);
        const decodeProgress = createProgress({ label: 'decoding images', unit: 'files' });
        const folder = await decodeImageFolder(root, embedder.spec, {
          onProgress: (done) => decodeProgress.update(done),
        });
        decodeProgress.finish();
        for (const bad of folder.skipped) {
          process.stderr.write(`skipped ${bad.file}: ${bad.reason}\n`);
        }
        ids = folder.ids;
        pixels = folder.images;
        metadata = folder.ids.map((file) => {
          const parent = basename(dirname(join(root, file)));
          return {
            source: join(root, file),
            ...(dirname(file) === '.' ? {} : { label: parent }),
          };
        });
        report = { ...folder.counts, skippedFiles: folder.skipped };
      } else {
        const dataset = await loadFashionMnist();
        const count = Math.min(options.train ?? dataset.train.count, dataset.train.count);
        const size = dataset.train.rows * dataset.train.cols;
        pixels = imagesAsFloat(dataset.train).subarray(0, count * size);
        ids = Array.from({ length: count }, (_, i) => `train-${i}`);
        metadata = Array.from(dataset.train.labels.subarray(0, count), (label, i) => ({
          label,
          source: `${DATASET_SOURCE}${i}`,
        }));
        report = { found: count, decoded: count, skipped: 0, skippedFiles: [] };
      }
      if (ids.length === 0) {
        throw new InvalidArgumentError('No image could be decoded; nothing to index.');
      }
      const started = performance.now();
      const embedProgress = createProgress({
        label: 'embedding + indexing',
        total: ids.length,
        unit: 'images',
      });
      const search = ImageSearch.build({
        embedder,
        ids,
        pixels,
        metadata,
        onProgress: (done) => embedProgress.update(done),
      });
      embedProgress.finish();
      const buildSeconds = (performance.now() - started) / 1000;
      await mkdir(dirname(resolve(options.out)), { recursive: true });
      await search.save(options.out, { ...report, buildSeconds });
      const summary = {
        out: resolve(options.out),
        indexed: search.index.size,
        dim: embedder.dim,
        buildSeconds,
        ...report,
      };
      if (options.json) {
        printJson(summary);
        return;
      }
      printLines([
        `indexed ${summary.indexed} images (${embedder.dim}-d) into ${summary.out} in ${buildSeconds.toFixed(1)} s; found ${String(report.found)}, skipped ${String(report.skipped)}`,
      ]);
    });

  images
    .command('query')
    .description(
      'The k indexed images most similar to an image file; optionally a contact sheet PNG.',
    )
    .requiredOption('--index <dir>', 'index built by `mlsd images index`')
    .requiredOption('--image <file>', 'query image')
    .option('--k <n>', 'results', parsePositiveInt('--k'), 10)
    .option('--label <label>', 'only results with this label')
    .option('--sheet <file.png>', 'write a contact sheet: the query, then its results')
    .option('--json', 'print one JSON line')
    .action(async (options: QueryOptions) => {
      const search = await ImageSearch.load(options.index);
      const label = options.label === undefined ? undefined : parseLabel(options.label);
      const started = performance.now();
      const hits = await search.query(
        resolve(options.image),
        options.k,
        label === undefined ? {} : { label },
      );
      const ms = performance.now() - started;
      if (options.sheet !== undefined) {
        const dataset = hits.some((hit) => hit.metadata?.source?.startsWith(DATASET_SOURCE))
          ? await loadFashionMnist()
          : undefined;
        await writeContactSheet(resolve(options.sheet), [
          {
            query: resolve(options.image),
            results: hits.map((hit) => ({
              image: sheetImage(hit.metadata, dataset),
              ...(hit.metadata?.label === undefined || label !== undefined
                ? {}
                : { relevant: sameLabelAsFile(hit.metadata.label, options.image) }),
            })),
          },
        ]);
        process.stderr.write(`contact sheet: ${resolve(options.sheet)}\n`);
      }
      if (options.json) {
        printJson({ image: resolve(options.image), k: options.k, ms, hits });
        return;
      }
      printLines([
        `${hits.length} most similar to ${options.image} (${ms.toFixed(2)} ms):`,
        ...formatTable([
          ['rank', 'id', 'distance', 'label'],
          ...hits.map((hit, i) => [i + 1, hit.id, hit.distance, String(hit.metadata?.label ?? '')]),
        ]),
      ]);
    });

  images
    .command('evaluate')
    .description(
      'Retrieval quality and end-to-end latency on Fashion-MNIST: catalogue = train, queries = test images as PNG bytes, ' +
        'relevant = same label. Without --index, builds the index with the model first.',
    )
    .option(
      '--index <dir>',
      'an index of Fashion-MNIST train built by `mlsd images index --dataset fashion-mnist`',
    )
    .option('--model <dir>', 'embedding model when building', DEFAULT_EMBEDDER_DIR)
    .option('--queries <n>', 'test images to query', parsePositiveInt('--queries'), 10_000)
    .option(
      '--train <n>',
      'when building: index only the first N training images',
      parsePositiveInt('--train'),
    )
    .option('--k <n>', 'results per query', parsePositiveInt('--k'), 10)
    .option('--json', 'print one JSON line')
    .action(async (options: EvaluateOptions) => {
      const dataset = await loadFashionMnist();
      let search: ImageSearch;
      let exact: { vectors: Float32Array; ids: string[] } | undefined;
      let buildSeconds: number | undefined;
      if (options.index !== undefined) {
        search = await ImageSearch.load(options.index);
      } else {
        const embedder = await loadImageEmbedder(options.model);
        const count = Math.min(options.train ?? dataset.train.count, dataset.train.count);
        const size = dataset.train.rows * dataset.train.cols;
        const pixels = imagesAsFloat(dataset.train).subarray(0, count * size);
        const ids = Array.from({ length: count }, (_, i) => `train-${i}`);
        const started = performance.now();
        const progress = createProgress({
          label: 'embedding catalogue',
          total: count,
          unit: 'images',
        });
        const vectors = embedder.embed(pixels, count, { onBatch: (done) => progress.update(done) });
        progress.finish();
        search = ImageSearch.build({
          embedder,
          ids,
          pixels,
          metadata: Array.from(dataset.train.labels.subarray(0, count), (label) => ({ label })),
        });
        buildSeconds = (performance.now() - started) / 1000;
        exact = { vectors, ids };
      }
      const queries = Math.min(options.queries, dataset.test.count);
      const side = dataset.test.rows;
      const encoded: Uint8Array[] = [];
      for (let q = 0; q < queries; q++) {
        encoded.push(
          await fashionMnistPng(
            dataset.test.images.subarray(q * side * side, (q + 1) * side * side),
            side,
          ),
        );
      }
      const progress = createProgress({ label: 'querying', total: queries, unit: 'queries' });
      const result = await evaluateImageSearch(
        search,
        { images: encoded, labels: dataset.test.labels.subarray(0, queries) },
        {
          k: options.k,
          ...(exact === undefined ? {} : { exact }),
          onProgress: (done) => progress.update(done),
        },
      );
      progress.finish();
      const summary = {
        precisionAt10: result.precisionAtK,
        mapAt10: result.mapAtK,
        recallAt10: Number.isNaN(result.recallAtK) ? null : result.recallAtK,
        qps: result.qps,
        p50Ms: result.p50Ms,
        p99Ms: result.p99Ms,
        k: result.k,
        queries: result.queries,
        catalogue: search.index.size,
        dim: search.embedder.dim,
        backend: currentBackend()?.name,
        ...(buildSeconds === undefined ? {} : { buildSeconds }),
      };
      if (options.json) {
        printJson(summary);
        return;
      }
      printLines(
        formatTable([
          ['metric', 'value'],
          ...Object.entries(summary).map(([key, value]) => [
            key,
            typeof value === 'number' ? value : String(value),
          ]),
        ]),
      );
    });
}

interface TrainOptions {
  out: string;
  epochs: number;
  batchSize: number;
  seed: number;
  workers: number;
  augment?: boolean;
  train?: number;
  evalQueries: number;
  json?: boolean;
}

interface IndexOptions {
  dir?: string;
  dataset?: string;
  out: string;
  model: string;
  train?: number;
  json?: boolean;
}

interface QueryOptions {
  index: string;
  image: string;
  k: number;
  label?: string;
  sheet?: string;
  json?: boolean;
}

interface EvaluateOptions {
  index?: string;
  model: string;
  queries: number;
  train?: number;
  k: number;
  json?: boolean;
}

function parsePositiveIntOrZero(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) {
    throw new InvalidArgumentError(`--seed must be a non-negative integer, got "${value}".`);
  }
  return parsed;
}

/** Labels are numbers for datasets and folder names for folders: "3" matches label 3. */
function parseLabel(text: string): string | number {
  const asNumber = Number(text);
  return text.trim() !== '' && Number.isInteger(asNumber) ? asNumber : text;
}

/** A query file's label is its parent folder's name, as `images index --dir` labels files. */
function sameLabelAsFile(label: string | number, file: string): boolean {
  const parent = basename(dirname(resolve(file)));
  const named = typeof label === 'number' ? FASHION_MNIST_LABELS[label] : label;
  return parent === String(label) || parent === named;
}

function sheetImage(
  metadata: ImageMetadata | undefined,
  dataset: FashionMnist | undefined,
): SheetImage {
  const source = metadata?.source ?? '';
  if (source.startsWith(DATASET_SOURCE) && dataset !== undefined) {
    const index = Number(source.slice(DATASET_SOURCE.length));
    const side = dataset.train.rows;
    const pixels = dataset.train.images.subarray(index * side * side, (index + 1) * side * side);
    // Shown as the PNGs `fashionMnistPng` writes: dark garment on white.
    return { pixels: Uint8Array.from(pixels, (v) => 255 - v), width: side, height: side };
  }
  return source;
}
