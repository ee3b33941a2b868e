import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { InvalidDataError, Rng } from '@mlsd/core';
import type { ImageEmbedder } from '../embedding/image-embedder.js';
import { ProjectionHeadEmbedder } from '../embedding/projection-head-embedder.js';
import type { EpochReport } from '../embedding/train-embedder.js';
import { listImageFolder, type SkippedImage } from '../image-folder.js';
import { fileMetadata } from '../pipelines/index-folder.js';
import { exactPrecisionAtK } from '../search/exact-precision.js';
import { splitBackbone } from './backbone-split.js';
import { cachedBackboneFeatures, type FeatureEntry } from './feature-cache.js';
import { type TrainHeadOptions, trainProjectionHead } from './train-projection-head.js';
import { TrainableBlock } from './trainable-block.js';

/** Options of {@link trainTransferEmbedder}. */
export interface TransferOptions
  extends Omit<TrainHeadOptions, 'features' | 'inputDim' | 'labels' | 'onEpoch' | 'block'> {
  /**
   * Also fine-tune the backbone's last block (TF.js layers backbones): features are cached at
   * `cutLayer` and the layers after it train with the head, from their pretrained weights.
   */
  trainLastBlock?: boolean;
  /** Where the last block starts (its input layer); default the input of the last convolution. */
  cutLayer?: string;
  /** Where backbone features are cached between runs; default `<dir>/.mlsd-features`. */
  cacheDir?: string;
  /** Share of each label's images held out to measure precision@10; default 0.2. */
  validation?: number;
  /** Seed of the hold-out split and of the head's training; default 0. */
  seed?: number;
  /** Images run through the backbone together; default 32. */
  batchSize?: number;
  onFeatures?: (done: number, total: number) => void;
  onEpoch?: (report: EpochReport) => void;
}

/** What {@link trainTransferEmbedder} measured. */
export interface TransferMetrics extends Record<string, unknown> {
  /** Held-out images queried against the training images (exact cosine search). */
  validationImages: number;
  trainImages: number;
  labels: number;
  /** precision@10 of the frozen backbone's features. */
  frozenPrecisionAt10: number;
  /** precision@10 of the trained head's embeddings (with the trained last block, if any). */
  headPrecisionAt10: number;
  /** The cut layer the trained last block starts after; absent when only the head trained. */
  lastBlockCut?: string;
  /** Backbone runs now, and rows read from the feature cache. */
  featuresComputed: number;
  featuresReused: number;
  featureSeconds: number;
  headSeconds: number;
}

/** A trained transfer embedder and its figures. */
export interface TransferResult {
  embedder: ProjectionHeadEmbedder;
  metrics: TransferMetrics;
  params: Record<string, unknown>;
  history: EpochReport[];
  skipped: SkippedImage[];
}

/**
 * Transfer learning on the user's labelled folder (one sub-folder per label): the frozen
 * pretrained backbone embeds every image once (cached in `cacheDir`, so reruns and more epochs
 * are cheap), a projection head is trained on the training share with the normalised-softmax
 * loss, and precision@10 on the held-out share is measured for the frozen features and for the
 * head, side by side. The result embeds like any embedder (backbone, then head).
 * @throws InvalidDataError when fewer than two labels have images.
 */
export async function trainTransferEmbedder(
  dir: string,
  backbone: ImageEmbedder,
  options: TransferOptions = {},
): Promise<TransferResult> {
  const root = resolve(dir);
  const listing = await listImageFolder(root);
  const labelled = listing.files
    .map((file) => ({ file, label: fileMetadata(root, file).label }))
    .filter((entry): entry is { file: string; label: string } => typeof entry.label === 'string');
  const names = [...new Set(labelled.map((entry) => entry.label))].sort();
  if (names.length < 2) {
    throw new InvalidDataError(
      `${root} needs at least two labelled sub-folders of images to train on; found ${names.length}.`,
      { dir: root },
    );
  }
  const entries: FeatureEntry[] = [];
  for (const { file } of labelled) {
    const path = join(root, file);
    const info = await stat(path).catch(() => undefined);
    entries.push({
      key: `${file}:${info?.size ?? 0}:${Math.round(info?.mtimeMs ?? 0)}`,
      image: async () => path,
    });
  }
  const split =
    options.trainLastBlock === true ? splitBackbone(backbone, options.cutLayer) : undefined;
  const featureStart = performance.now();
  const cached = await cachedBackboneFeatures(
    split?.features ?? backbone,
    entries,
    options.cacheDir ?? join(root, '.mlsd-features'),
    {
      ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
      ...(options.onFeatures === undefined ? {} : { onProgress: options.onFeatures }),
    },
  );
  const featureSeconds = (performance.now() - featureStart) / 1000;
  const labelOfKey = new Map(
    entries.map((entry, i) => [entry.key, names.indexOf(labelled[i]!.label)]),
  );
  const labels = Int32Array.from(cached.keys, (key) => labelOfKey.get(key)!);
  const { train, validation } = splitByLabel(labels, options.validation ?? 0.2, options.seed ?? 0);
  const dim = split?.features.dim ?? backbone.dim;
  const block = split === undefined ? undefined : new TrainableBlock(split.block, split.pooling);
  const pick = (rows: Int32Array) => {
    const out = new Float32Array(rows.length * dim);
    rows.forEach((row, i) => {
      out.set(cached.features.subarray(row * dim, (row + 1) * dim), i * dim);
    });
    return out;
  };
  const trainFeatures = pick(train);
  const trainLabels = Int32Array.from(train, (row) => labels[row]!);
  const validationFeatures = pick(validation);
  const validationLabels = Int32Array.from(validation, (row) => labels[row]!);
  // The frozen backbone's features: with a block, its pretrained weights run on the cut maps.
  const frozen = (rows: Float32Array, count: number) => block?.run(rows, count) ?? rows;
  const frozenTrain = frozen(trainFeatures, train.length);
  const frozenValidation = frozen(validationFeatures, validation.length);
  const headStart = performance.now();
  const trained = await trainProjectionHead({
    ...options,
    features: trainFeatures,
    inputDim: dim,
    labels: trainLabels,
    seed: options.seed ?? 0,
    ...(block === undefined ? {} : { block }),
  });
  const headSeconds = (performance.now() - headStart) / 1000;
  const params = { ...trained.params, labels: names, backbone: backbone.info.version };
  const embedder = new ProjectionHeadEmbedder(
    backbone,
    trained.model,
    params,
    split === undefined || block === undefined ? undefined : { block, features: split.features },
  );
  const k = 10;
  const precision = (catalogue: Float32Array, queries: Float32Array, width: number) =>
    validation.length === 0
      ? Number.NaN
      : exactPrecisionAtK(catalogue, trainLabels, queries, validationLabels, width, k);
  const metrics: TransferMetrics = {
    validationImages: validation.length,
    trainImages: train.length,
    labels: names.length,
    frozenPrecisionAt10: precision(frozenTrain, frozenValidation, backbone.dim),
    headPrecisionAt10: precision(
      embedder.project(trainFeatures, train.length),
      embedder.project(validationFeatures, validation.length),
      embedder.dim,
    ),
    ...(split === undefined ? {} : { lastBlockCut: split.block.cutLayer }),
    featuresComputed: cached.computed,
    featuresReused: cached.reused,
    featureSeconds,
    headSeconds,
  };
  return { embedder, metrics, params, history: trained.history, skipped: cached.skipped };
}

/**
 * A seeded split holding out `share` of each label's rows (at least one when a label has two
 * or more), so every label is both trained on and measured.
 */
export function splitByLabel(
  labels: Int32Array,
  share: number,
  seed: number,
): { train: Int32Array; validation: Int32Array } {
  const rng = new Rng(seed);
  const byLabel = new Map<number, number[]>();
  labels.forEach((label, row) => {
    const rows = byLabel.get(label);
    if (rows === undefined) byLabel.set(label, [row]);
    else rows.push(row);
  });
  const train: number[] = [];
  const validation: number[] = [];
  for (const rows of byLabel.values()) {
    const order = Int32Array.from(rows);
    rng.shuffle(order);
    const held = rows.length < 2 ? 0 : Math.max(1, Math.round(rows.length * share));
    order.forEach((row, i) => {
      (i < held ? validation : train).push(row);
    });
  }
  return {
    train: Int32Array.from(train.sort((a, b) => a - b)),
    validation: Int32Array.from(validation.sort((a, b) => a - b)),
  };
}
