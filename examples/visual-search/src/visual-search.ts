/**
 * Visual similarity search, the system-design steps in code: requirements → data (real image
 * files, some broken) → model (the embedder trained here) → index → evaluation (against exact
 * search, end-to-end latency) → serving (query a photo, contact sheet) → monitoring (shifted
 * query images show up as drift) — then the same on your own photos with a pretrained model
 * (see your-photos.ts). Every number it prints comes from this run.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { initBackend, Table } from '@mlsd/core';
import { FASHION_MNIST_LABELS, loadFashionMnist } from '@mlsd/datasets';
import { DriftMonitor, type DriftReport } from '@mlsd/drift';
import {
  DEFAULT_EMBEDDER_DIR,
  decodeImageFolder,
  evaluateImageSearch,
  FASHION_MNIST_SPEC,
  fashionMnistCatalogue,
  fashionMnistPng,
  ImageSearch,
  loadImageEmbedder,
  type SearchEvaluation,
  writeContactSheet,
} from '@mlsd/vision';
import sharp from 'sharp';
import { runYourPhotos, type YourPhotosOptions, type YourPhotosSummary } from './your-photos.js';

/** Options of {@link runVisualSearch}; the defaults index the whole training set. */
export interface VisualSearchOptions {
  outDir: string;
  /** Catalogue size (first N training images); default 60,000. */
  catalogue?: number;
  /** Test images queried for the evaluation; default 2,000. */
  queries?: number;
  /** Image files written for the folder demo; default 60. */
  photos?: number;
  /** Embedding model folder; default the one shipped with @mlsd/vision. */
  model?: string;
  /** The "your photos" part (pretrained MobileNetV2 on real photos), or false to leave it out. */
  yourPhotos?: Omit<YourPhotosOptions, 'outDir' | 'log'> | false;
  log?: (line: string) => void;
}

/** What the run found. */
export interface VisualSearchSummary {
  folder: { found: number; decoded: number; skipped: number; skippedFiles: string[] };
  catalogue: number;
  buildSeconds: number;
  evaluation: SearchEvaluation;
  sheetPath: string;
  drift: { clean: DriftReport; shifted: DriftReport };
  /** The "your photos" part, unless it was left out. */
  yourPhotos: YourPhotosSummary | undefined;
}

/** Runs the pipeline and returns its figures; prints a readable account through `log`. */
export async function runVisualSearch(options: VisualSearchOptions): Promise<VisualSearchSummary> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const catalogueSize = options.catalogue ?? 60_000;
  const queries = options.queries ?? 2_000;
  const photos = options.photos ?? 60;
  await mkdir(options.outDir, { recursive: true });
  const backend = await initBackend({ quiet: true });

  log('1. Requirements');
  log('   Given a product photo, return the 10 most similar catalogue items in real time');
  log(
    '   (p50 ≤ 2 ms, p99 ≤ 5 ms from image bytes to ids), and most of them of the same kind (P@10 ≥ 0.9).',
  );

  log(
    `2. Data: Fashion-MNIST (catalogue = ${catalogueSize} training images), and a folder of real files`,
  );
  const dataset = await loadFashionMnist();
  const photoDir = join(options.outDir, 'photos');
  await writePhotoFolder(photoDir, dataset.test.images, dataset.test.labels, photos);
  const folder = await decodeImageFolder(photoDir, FASHION_MNIST_SPEC);
  log(
    `   ${photoDir}: ${folder.counts.found} files = ${folder.counts.decoded} decoded + ${folder.counts.skipped} skipped`,
  );
  for (const bad of folder.skipped) log(`     skipped ${bad.file}: ${bad.reason}`);

  const modelDir = options.model ?? DEFAULT_EMBEDDER_DIR;
  log(`3. Model: the embedder trained here (${modelDir}), on ${backend.name}`);
  const embedder = await loadImageEmbedder(modelDir);
  log(
    `   ${embedder.dim}-dimensional, L2-normalised embeddings of ${embedder.spec.width}×${embedder.spec.height} grayscale images`,
  );

  log('4. Index: embed the catalogue, HNSW (M 16, efConstruction 200, ef 64, cosine)');
  const size = 28 * 28;
  const { ids, pixels, metadata } = fashionMnistCatalogue(dataset, catalogueSize);
  const started = performance.now();
  const catalogueVectors = await embedder.embed(pixels, catalogueSize);
  const search = ImageSearch.create(embedder, { capacity: catalogueSize });
  search.addEmbeddings(ids, catalogueVectors, metadata);
  const buildSeconds = (performance.now() - started) / 1000;
  const indexDir = join(options.outDir, 'index');
  await search.save(indexDir);
  log(
    `   ${catalogueSize} images embedded and indexed in ${buildSeconds.toFixed(1)} s; saved ${indexDir}`,
  );

  log(
    `5. Evaluation: ${queries} test images as PNG bytes → decode → embed → search, one at a time`,
  );
  const encoded: Uint8Array[] = [];
  for (let q = 0; q < queries; q++) {
    encoded.push(await fashionMnistPng(dataset.test.images.subarray(q * size, (q + 1) * size)));
  }
  const evaluation = await evaluateImageSearch(
    search,
    { images: encoded, labels: dataset.test.labels.subarray(0, queries) },
    { exact: { vectors: catalogueVectors, ids } },
  );
  log(
    `   precision@10 ${evaluation.precisionAtK.toFixed(4)}, mAP@10 ${evaluation.mapAtK.toFixed(4)}, HNSW recall@10 vs exact ${evaluation.recallAtK.toFixed(4)}`,
  );
  log(
    `   end to end: p50 ${evaluation.p50Ms.toFixed(2)} ms, p99 ${evaluation.p99Ms.toFixed(2)} ms, ${evaluation.qps.toFixed(0)} queries/s`,
  );

  log(
    '6. Serving: query with photos from the folder; contact sheet (green = same kind, red = not)',
  );
  const sheetRows = [];
  for (const file of folder.ids.slice(0, 6)) {
    const path = join(photoDir, file);
    const hits = await search.query(path, 8);
    const queryLabel = file.split('/')[0];
    sheetRows.push({
      query: path,
      results: hits.map((hit) => {
        const index = Number(hit.metadata?.source?.split(':')[2]);
        const raw = dataset.train.images.subarray(index * size, (index + 1) * size);
        return {
          image: { pixels: Uint8Array.from(raw, (v) => 255 - v), width: 28, height: 28 },
          relevant: labelFolder(Number(hit.metadata?.label)) === queryLabel,
        };
      }),
    });
  }
  const sheetPath = join(options.outDir, 'contact-sheet.png');
  await writeContactSheet(sheetPath, sheetRows);
  log(`   ${sheetPath}`);

  log('7. Monitoring: do brighter, blurred query photos look different from the catalogue?');
  const monitorQueries = Math.min(500, Math.floor(queries / 2));
  const reference = await queryStatistics(search, encoded.slice(0, monitorQueries));
  const monitor = new DriftMonitor(reference);
  const clean = monitor.check(
    await queryStatistics(search, encoded.slice(monitorQueries, 2 * monitorQueries)),
    'clean queries',
  );
  const shiftedImages: Uint8Array[] = [];
  for (const image of encoded.slice(monitorQueries, 2 * monitorQueries)) {
    shiftedImages.push(await sharp(image).modulate({ brightness: 1.4 }).blur(1.2).png().toBuffer());
  }
  const shifted = monitor.check(await queryStatistics(search, shiftedImages), 'brighter + blurred');
  for (const report of [clean, shifted]) {
    log(
      `   ${report.window}: ${report.columns
        .map((c) => `${c.column} KS D ${c.effectSize.toFixed(3)}${c.drifted ? ' DRIFT' : ''}`)
        .join(', ')} → ${report.datasetDrift ? 'drift' : 'no drift'}`,
    );
  }
  const yourPhotos =
    options.yourPhotos === false
      ? undefined
      : await runYourPhotos({ ...options.yourPhotos, outDir: options.outDir, log });
  return {
    folder: { ...folder.counts, skippedFiles: folder.skipped.map((s) => s.file) },
    catalogue: catalogueSize,
    buildSeconds,
    evaluation,
    sheetPath,
    drift: { clean, shifted },
    yourPhotos,
  };
}

/** Folder name of a Fashion-MNIST label ("T-shirt/top" → "T-shirt-top"). */
function labelFolder(label: number): string {
  return (FASHION_MNIST_LABELS[label] ?? String(label)).replace(/[^A-Za-z]+/g, '-');
}

/** Writes test images as PNG and JPEG files, one folder per class, plus three broken files. */
async function writePhotoFolder(
  dir: string,
  images: Uint8Array,
  labels: Uint8Array,
  count: number,
): Promise<void> {
  for (let i = 0; i < count; i++) {
    const classDir = join(dir, labelFolder(labels[i]!));
    await mkdir(classDir, { recursive: true });
    const png = await fashionMnistPng(images.subarray(i * 784, (i + 1) * 784));
    if (i % 2 === 0) await writeFile(join(classDir, `photo-${i}.png`), png);
    else
      await writeFile(
        join(classDir, `photo-${i}.jpg`),
        await sharp(png).resize(112, 112).jpeg({ quality: 90 }).toBuffer(),
      );
  }
  await writeFile(join(dir, 'empty.jpg'), new Uint8Array(0));
  await writeFile(
    join(dir, 'truncated.png'),
    (await fashionMnistPng(images.subarray(0, 784))).subarray(0, 50),
  );
  await writeFile(join(dir, 'readme.png'), 'this is text, not a picture');
}

/**
 * What a monitor can watch on query traffic without labels: each query image's mean pixel
 * value and contrast (as the model sees them) and how close its nearest catalogue neighbour is.
 */
async function queryStatistics(search: ImageSearch, images: readonly Uint8Array[]): Promise<Table> {
  const mean = new Float64Array(images.length);
  const contrast = new Float64Array(images.length);
  const nearest = new Float64Array(images.length);
  for (const [i, image] of images.entries()) {
    const pixels = await search.embedderInput(image);
    let sum = 0;
    let squares = 0;
    for (const v of pixels) {
      sum += v;
      squares += v * v;
    }
    mean[i] = sum / pixels.length;
    contrast[i] = Math.sqrt(Math.max(0, squares / pixels.length - mean[i]! ** 2));
    nearest[i] =
      search.queryEmbedding(await search.embedder.embed(pixels, 1), 1)[0]?.distance ?? Number.NaN;
  }
  return new Table({ pixelMean: mean, pixelContrast: contrast, nearestDistance: nearest });
}
