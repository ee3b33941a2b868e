import { mkdir } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { createProgress, InvalidArgumentError } from '@mlsd/core';
import { FASHION_MNIST_LABELS, loadFashionMnist } from '@mlsd/datasets';
import { currentBackend } from '@mlsd/tf';
import {
  DEFAULT_EMBEDDER_DIR,
  describeImageSpec,
  evaluateFashionMnist,
  evaluateImageFolder,
  FASHION_MNIST_RECIPE,
  fashionMnistCatalogue,
  type ImageMetadata,
  ImageSearch,
  indexImageFolder,
  LiveCatalogue,
  readImageSource,
  type SkippedImage,
  saveEmbedder,
  trainFashionMnistEmbedder,
  trainTransferEmbedder,
  writeContactSheet,
} from '@mlsd/vision';
import type { Command } from 'commander';
import { addGroup } from '../group.js';
import { parsePositiveInt } from '../options.js';
import { formatTable, printJson, printLines } from '../output.js';
import { registerImageCatalogueCommands } from './image-catalogue.js';
import {
  type DecodeFlags,
  decodeFlags,
  decodeOptions,
  loadModel,
  type ModelFlags,
  modelFlags,
  parseNonNegativeInt,
  parseSize,
  progressBar,
  reportSkips,
} from './image-flags.js';

/** Registers `mlsd images ...`. */
export function registerImagesCommands(program: Command): void {
  const images = addGroup(
    program,
    'images',
    'Visual similarity search: index your photos with a pretrained or trained model, query, add and remove live, find duplicates, evaluate.',
  );
  registerTrain(images);
  registerIndex(images);
  registerQuery(images);
  registerEvaluate(images);
  registerImageCatalogueCommands(images);
}

interface TrainFlags extends Partial<ModelFlags> {
  out?: string;
  dir?: string;
  backbone?: string;
  cache?: string;
  trainLastBlock?: boolean;
  cutLayer?: string;
  epochs?: number;
  seed: number;
  workers: number;
  augment?: boolean;
  train?: number;
  evalQueries: number;
  dim?: number;
  hidden?: number;
  json?: boolean;
}

function registerTrain(images: Command): void {
  const command = images
    .command('train')
    .description(
      'Without --dir: train the Fashion-MNIST embedder (normalised-softmax loss; the defaults reproduce the shipped model). ' +
        'With --dir and --backbone: transfer learning on your labelled folder — a projection head on a frozen pretrained backbone, features cached; ' +
        "with --train-last-block, the backbone's last block too (TF.js layers models).",
    )
    .option(
      '--out <dir>',
      'where to save the model (default: the shipped model folder, for Fashion-MNIST)',
    )
    .option('--dir <folder>', 'labelled images, one sub-folder per label (transfer learning)')
    .option('--backbone <folder|file.onnx>', 'pretrained model whose features the head learns from')
    .option('--cache <dir>', 'backbone feature cache (default <dir>/.mlsd-features)')
    .option(
      '--train-last-block',
      'transfer: also fine-tune the backbone layers after --cut-layer, from their pretrained weights (features cached at the cut)',
    )
    .option(
      '--cut-layer <name>',
      'transfer: the layer the trained last block starts after (default: the input of the last convolution, e.g. block_16_project_BN in MobileNetV2)',
    )
    .option('--epochs <n>', 'passes over the data', parsePositiveInt('--epochs'))
    .option(
      '--dim <n>',
      'transfer: embedding length of the head (default 128)',
      parsePositiveInt('--dim'),
    )
    .option(
      '--hidden <n>',
      'transfer: hidden units of the head (default 512; 0 = linear)',
      parseNonNegativeInt('--hidden'),
    )
    .option(
      '--seed <n>',
      'seed of weights, order and dropout',
      parseNonNegativeInt('--seed'),
      FASHION_MNIST_RECIPE.seed,
    )
    .option(
      '--augment',
      'Fashion-MNIST: random 1-pixel shifts and flips (measured no better: 0.8950 vs 0.9035)',
    )
    .option(
      '--workers <n>',
      'Fashion-MNIST: worker threads training data-parallel',
      parsePositiveInt('--workers'),
      FASHION_MNIST_RECIPE.workers,
    )
    .option(
      '--train <n>',
      'Fashion-MNIST: only the first N training images (quick runs)',
      parsePositiveInt('--train'),
    )
    .option(
      '--eval-queries <n>',
      'Fashion-MNIST: test images used to measure precision@10',
      parsePositiveInt('--eval-queries'),
      10_000,
    )
    .option('--preset <name>', 'backbone preprocessing: imagenet, inception, clip, unit')
    .option('--output <name>', 'backbone layer/node/output with the features')
    .option('--size <WxH>', 'backbone input size when dynamic', parseSize)
    .option(
      '--batch-size <n>',
      'images per step (Fashion-MNIST) or per backbone pass (transfer)',
      parsePositiveInt('--batch-size'),
    )
    .option('--json', 'print one JSON line');
  command.action(async (flags: TrainFlags) => {
    if (flags.dir !== undefined || flags.backbone !== undefined) {
      await trainTransfer(flags);
      return;
    }
    const progress = progressBar('training embedder', 'images');
    const out = flags.out ?? DEFAULT_EMBEDDER_DIR;
    const { metrics } = await trainFashionMnistEmbedder({
      out,
      seed: flags.seed,
      workers: flags.workers,
      evalQueries: flags.evalQueries,
      ...(flags.epochs === undefined ? {} : { epochs: flags.epochs }),
      ...(flags.batchSize === undefined ? {} : { batchSize: flags.batchSize }),
      ...(flags.augment ? { augment: true } : {}),
      ...(flags.train === undefined ? {} : { train: flags.train }),
      onStep: (done, total) => progress.update(done, total),
      onEpoch: (report, epochs) =>
        process.stderr.write(
          `epoch ${report.epoch + 1}/${epochs}: loss ${report.loss.toFixed(4)} in ${report.seconds.toFixed(1)} s\n`,
        ),
    });
    progress.finish();
    if (flags.json) {
      printJson({ out: resolve(out), ...metrics });
      return;
    }
    printLines([
      `saved ${resolve(out)}: precision@10 ${metrics.precisionAt10.toFixed(4)} on ${metrics.evalQueries} test queries (exact search), trained in ${metrics.trainSeconds.toFixed(1)} s on ${metrics.backend} × ${metrics.workers} (load ${metrics.loadAverage.before?.toFixed(1)} → ${metrics.loadAverage.after?.toFixed(1)})`,
    ]);
  });
}

async function trainTransfer(flags: TrainFlags): Promise<void> {
  if (flags.dir === undefined || flags.backbone === undefined || flags.out === undefined) {
    throw new InvalidArgumentError(
      'Transfer learning needs --dir <labelled folder>, --backbone <pretrained model> and --out <dir>.',
    );
  }
  if (flags.cutLayer !== undefined && flags.trainLastBlock !== true) {
    throw new InvalidArgumentError(
      '--cut-layer chooses where the trained last block starts; add --train-last-block.',
    );
  }
  const backbone = await loadModel({ ...flags, model: flags.backbone });
  process.stderr.write(
    `backbone ${backbone.info.name}: ${backbone.dim}-d features of ${describeImageSpec(backbone.spec)}\n`,
  );
  const progress = progressBar('backbone features', 'images');
  const result = await trainTransferEmbedder(flags.dir, backbone, {
    seed: flags.seed,
    ...(flags.cache === undefined ? {} : { cacheDir: flags.cache }),
    ...(flags.trainLastBlock === true ? { trainLastBlock: true } : {}),
    ...(flags.cutLayer === undefined ? {} : { cutLayer: flags.cutLayer }),
    ...(flags.epochs === undefined ? {} : { epochs: flags.epochs }),
    ...(flags.dim === undefined ? {} : { dim: flags.dim }),
    ...(flags.hidden === undefined ? {} : { hidden: flags.hidden }),
    ...(flags.batchSize === undefined ? {} : { batchSize: flags.batchSize }),
    onFeatures: (done, total) => progress.update(done, total),
    onEpoch: (report) => {
      if ((report.epoch + 1) % 10 === 0) {
        process.stderr.write(`head epoch ${report.epoch + 1}: loss ${report.loss.toFixed(4)}\n`);
      }
    },
  });
  progress.finish();
  reportSkips(result.skipped);
  await saveEmbedder(flags.out, result.embedder, {
    params: result.params,
    metrics: result.metrics,
    description: `Projection head${result.metrics.lastBlockCut === undefined ? '' : ` and last block (after ${result.metrics.lastBlockCut})`} on ${backbone.info.name}, trained by \`mlsd images train --dir\`.`,
  });
  const summary = {
    out: resolve(flags.out),
    embedder: result.embedder.info.version,
    ...result.metrics,
  };
  if (flags.json) {
    printJson(summary);
    return;
  }
  printLines([
    `saved ${summary.out}: held-out precision@10 ${result.metrics.frozenPrecisionAt10.toFixed(4)} (frozen backbone) → ${result.metrics.headPrecisionAt10.toFixed(4)} (trained head${result.metrics.lastBlockCut === undefined ? '' : ' and last block'}), ${result.metrics.validationImages} queries against ${result.metrics.trainImages} images; backbone features: ${result.metrics.featuresComputed} computed, ${result.metrics.featuresReused} from the cache`,
  ]);
}

interface IndexFlags extends ModelFlags, DecodeFlags {
  dir?: string;
  dataset?: string;
  out: string;
  train?: number;
  json?: boolean;
}

function registerIndex(images: Command): void {
  const command = images
    .command('index')
    .description(
      'Embed a folder of photos (or Fashion-MNIST train) and build an HNSW index; every file is accounted for, bad ones reported with their reason.',
    )
    .option(
      '--dir <folder>',
      "folder of images (JPEG, PNG, WebP, GIF, TIFF, AVIF, HEIC where readable); a file's parent folder name is its label",
    )
    .option(
      '--dataset <name>',
      'index a dataset instead (fashion-mnist: its 60,000 training images)',
    )
    .requiredOption('--out <dir>', 'where to save the index')
    .option(
      '--train <n>',
      'with --dataset: index only the first N images',
      parsePositiveInt('--train'),
    )
    .option('--json', 'print one JSON line: { indexed, skipped, dim, buildSeconds }');
  decodeFlags(modelFlags(command, 'embedding model', DEFAULT_EMBEDDER_DIR)).action(
    async (flags: IndexFlags) => {
      if ((flags.dir === undefined) === (flags.dataset === undefined)) {
        throw new InvalidArgumentError(
          'Give exactly one of --dir <folder> or --dataset fashion-mnist.',
        );
      }
      if (flags.dataset !== undefined && flags.dataset !== 'fashion-mnist') {
        throw new InvalidArgumentError(
          `Unknown --dataset "${flags.dataset}"; known: fashion-mnist.`,
        );
      }
      const embedder = await loadModel(flags);
      let search: ImageSearch;
      let skipped: SkippedImage[] = [];
      let buildSeconds: number;
      if (flags.dir !== undefined) {
        const progress = progressBar('decoding + embedding', 'files');
        const built = await indexImageFolder(flags.dir, embedder, {
          ...decodeOptions(flags),
          onProgress: (done, total) => progress.update(done, total),
        });
        progress.finish();
        reportSkips(built.skipped);
        if (built.ignored.length > 0) {
          process.stderr.write(
            `ignored ${built.ignored.length} files without an image extension\n`,
          );
        }
        ({ search, skipped, buildSeconds } = built);
      } else {
        const catalogue = fashionMnistCatalogue(await loadFashionMnist(), flags.train);
        const progress = createProgress({
          label: 'embedding + indexing',
          total: catalogue.ids.length,
          unit: 'images',
        });
        const started = performance.now();
        search = await ImageSearch.build({
          embedder,
          ids: catalogue.ids,
          pixels: catalogue.pixels,
          metadata: catalogue.metadata,
          onProgress: (done) => progress.update(done),
        });
        progress.finish();
        buildSeconds = (performance.now() - started) / 1000;
      }
      await mkdir(dirname(resolve(flags.out)), { recursive: true });
      await search.save(flags.out, { metrics: { buildSeconds, skipped: skipped.length } });
      if (flags.json) {
        printJson({ indexed: search.size, skipped, dim: embedder.dim, buildSeconds });
        return;
      }
      printLines([
        `indexed ${search.size} images (${embedder.dim}-d, ${embedder.info.version}) into ${resolve(flags.out)} in ${buildSeconds.toFixed(1)} s; skipped ${skipped.length}`,
      ]);
    },
  );
}

interface QueryFlags {
  index: string;
  image: string;
  k: number;
  label?: string;
  sheet?: string;
  json?: boolean;
}

function registerQuery(images: Command): void {
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
    .option('--json', 'print one JSON line: { hits: [{ id, distance, metadata }] }')
    .action(async (flags: QueryFlags) => {
      const search = await LiveCatalogue.read(flags.index);
      const label = flags.label === undefined ? undefined : parseLabel(flags.label);
      const started = performance.now();
      const hits = await search.query(resolve(flags.image), flags.k, { label });
      const ms = performance.now() - started;
      if (flags.sheet !== undefined) {
        const results = [];
        for (const hit of hits) {
          const source = hit.metadata?.source;
          results.push({
            image:
              typeof source === 'string'
                ? (await readImageSource(source, { catalogueDir: resolve(flags.index) })).bytes
                : Buffer.alloc(0),
            ...(hit.metadata?.label === undefined || label !== undefined
              ? {}
              : { relevant: sameLabelAsFile(hit.metadata, flags.image) }),
          });
        }
        await writeContactSheet(resolve(flags.sheet), [{ query: resolve(flags.image), results }]);
        process.stderr.write(`contact sheet: ${resolve(flags.sheet)}\n`);
      }
      if (flags.json) {
        printJson({
          hits: hits.map((hit) => ({
            id: hit.id,
            distance: hit.distance,
            metadata: hit.metadata ?? null,
          })),
        });
        return;
      }
      printLines([
        `${hits.length} most similar to ${flags.image} (${ms.toFixed(2)} ms):`,
        ...formatTable([
          ['rank', 'id', 'distance', 'label'],
          ...hits.map((hit, i) => [i + 1, hit.id, hit.distance, String(hit.metadata?.label ?? '')]),
        ]),
      ]);
    });
}

interface EvaluateFlags extends ModelFlags, DecodeFlags {
  index?: string;
  dir?: string;
  queries?: number;
  train?: number;
  k: number;
  json?: boolean;
}

function registerEvaluate(images: Command): void {
  const command = images
    .command('evaluate')
    .description(
      'With --dir: retrieval quality on your labelled folder (one sub-folder per label; each image queries the others). ' +
        'Without: Fashion-MNIST (catalogue = train, queries = test images as PNG bytes). ' +
        'Reports precision@k, mAP@k, recall against exact search, latency p50/p99.',
    )
    .option('--dir <folder>', 'labelled images, one sub-folder per label')
    .option(
      '--index <dir>',
      'Fashion-MNIST: an index of the training images (`mlsd images index --dataset fashion-mnist`)',
    )
    .option(
      '--queries <n>',
      'images to query (default: all labelled images / 10,000 test images)',
      parsePositiveInt('--queries'),
    )
    .option(
      '--train <n>',
      'Fashion-MNIST, when building: index only the first N training images',
      parsePositiveInt('--train'),
    )
    .option('--k <n>', 'results per query', parsePositiveInt('--k'), 10)
    .option('--json', 'print one JSON line');
  decodeFlags(modelFlags(command, 'embedding model', DEFAULT_EMBEDDER_DIR)).action(
    async (flags: EvaluateFlags) => {
      let summary: Record<string, unknown>;
      if (flags.dir !== undefined) {
        const embedder = await loadModel(flags);
        const progress = progressBar('evaluating', 'images');
        const result = await evaluateImageFolder(flags.dir, embedder, {
          ...decodeOptions(flags),
          k: flags.k,
          ...(flags.queries === undefined ? {} : { queries: flags.queries }),
          onProgress: (done, total) => progress.update(done, total),
          onQuery: (done, total) => progress.update(done, total),
        });
        progress.finish();
        reportSkips(result.skipped);
        summary = {
          precisionAtK: result.precisionAtK,
          mapAtK: result.mapAtK,
          recallAtK: result.recallAtK,
          k: result.k,
          p50Ms: result.p50Ms,
          p99Ms: result.p99Ms,
          qps: result.qps,
          queries: result.queries,
          catalogue: result.catalogue,
          labels: result.labels,
          dim: result.dim,
          embedder: result.embedder,
          skipped: result.counts.skipped,
          backend: currentBackend()?.name,
        };
      } else {
        const progress = progressBar('evaluating', 'images');
        const result = await evaluateFashionMnist({
          search: flags.index === undefined ? undefined : await LiveCatalogue.read(flags.index),
          model: flags.model,
          train: flags.train,
          queries: flags.queries,
          k: flags.k,
          onProgress: (_stage, done, total) => progress.update(done, total),
        });
        progress.finish();
        summary = {
          precisionAt10: result.precisionAtK,
          mapAt10: result.mapAtK,
          recallAt10: Number.isNaN(result.recallAtK) ? null : result.recallAtK,
          qps: result.qps,
          p50Ms: result.p50Ms,
          p99Ms: result.p99Ms,
          k: result.k,
          queries: result.queries,
          catalogue: result.catalogue,
          dim: result.dim,
          backend: result.backend,
          ...(result.buildSeconds === undefined ? {} : { buildSeconds: result.buildSeconds }),
        };
      }
      if (flags.json) {
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
    },
  );
}

/** Labels are numbers for datasets and folder names for folders: "3" matches label 3. */
function parseLabel(text: string): string | number {
  const asNumber = Number(text);
  return text.trim() !== '' && Number.isInteger(asNumber) ? asNumber : text;
}

/**
 * A query file's label is its parent folder's name, as `images index --dir` labels files; a
 * Fashion-MNIST class number also matches its name ("Trouser" for 1).
 */
function sameLabelAsFile(metadata: ImageMetadata, file: string): boolean {
  const parent = basename(dirname(resolve(file)));
  const label = metadata.label;
  const named = typeof label === 'number' ? FASHION_MNIST_LABELS[label] : label;
  return parent === String(label) || parent === named;
}
