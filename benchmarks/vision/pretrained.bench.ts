/**
 * Similar-image search with a pretrained model on the WebAssembly backend: how fast does the
 * MobileNetV2 nsfwjs ships embed at 224 × 224, by batch size; how long does a query take end
 * to end (JPEG bytes → decode → embed → HNSW) on a 10,000-photo catalogue; how much memory does
 * each indexed image cost, and does memory stay flat while indexing a folder of large photos;
 * and does a projection head trained here on the frozen backbone's cached features beat the
 * frozen features on Fashion-MNIST, beside the model trained from scratch?
 *
 * Catalogue photos are made here (no download): 5,000 variants of the ten committed photos
 * (random crops, flips, quarter turns, colour changes) and 5,000 Fashion-MNIST training images
 * shown as product photos (dark garment on white, enlarged to the model's 224 × 224). Backbone
 * features are cached under out/bench-cache/, so a rerun only times what it measures.
 *
 * Run: pnpm bench vision   (this file and vision.bench.ts), or
 *      node --import tsx --conditions=@mlsd/source benchmarks/vision/pretrained.bench.ts
 * Sizes: PHOTO_VARIANTS (5000), FASHION_CATALOGUE (5000), FASHION_QUERIES (1000),
 *        LATENCY_QUERIES (300), LARGE_PHOTOS (40). Writes benchmarks/results/vision-pretrained.json.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import { latencyStats, precisionAtK } from '@mlsd/ann';
import { Rng } from '@mlsd/core';
import { loadFashionMnist } from '@mlsd/datasets';
import { currentBackend, initBackend } from '@mlsd/tf';
import {
  cachedBackboneFeatures,
  DEFAULT_EMBEDDER_DIR,
  datasetSource,
  decodeImage,
  embedImageFolder,
  exactPrecisionAtK,
  type FeatureEntry,
  fashionMnistCatalogue,
  ImageSearch,
  imageSize,
  loadImageEmbedder,
  ProjectionHeadEmbedder,
  parseImageSource,
  trainProjectionHead,
} from '@mlsd/vision';
import sharp from 'sharp';
import { describeMachine } from '../machine.js';
import { benchLogger, fashionMnistJpeg, loadMobileNetV2Backbone } from './mobilenet-backbone.js';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const PHOTO_VARIANTS = env('PHOTO_VARIANTS', 5_000);
const FASHION_CATALOGUE = env('FASHION_CATALOGUE', 5_000);
const FASHION_QUERIES = env('FASHION_QUERIES', 1_000);
const LATENCY_QUERIES = env('LATENCY_QUERIES', 300);
const LARGE_PHOTOS = env('LARGE_PHOTOS', 40);
const root = fileURLToPath(new URL('../../', import.meta.url));
const cacheDir = join(root, 'out', 'bench-cache', 'vision-pretrained');
const photosDir = join(root, 'examples', 'visual-search', 'photos');
const log = benchLogger('vision-pretrained');
const loadAverageAtStart = loadavg();
// A full collection before each memory reading, without a command-line flag.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

await initBackend({ quiet: true });
const { modelDir, backbone } = await loadMobileNetV2Backbone(cacheDir);
const size = imageSize(backbone.spec);
const sources = (await readdir(photosDir)).filter((file) => file.endsWith('.jpg')).sort();

// 1. Memory while indexing a folder of large photos: peak resident memory at two folder sizes.
async function peakWhileIndexing(
  count: number,
): Promise<{ photos: number; peakRssMiB: number; seconds: number }> {
  const dir = join(tmpdir(), `mlsd-bench-large-${process.pid}-${count}`);
  await mkdir(dir, { recursive: true });
  for (let i = 0; i < count; i++) {
    // 4,000 × 3,000 (12 MP) JPEGs, as a phone writes them.
    const photo = join(photosDir, sources[i % sources.length]!);
    await writeFile(
      join(dir, `large-${i}.jpg`),
      await sharp(photo).resize(4000, 3000, { fit: 'fill' }).jpeg({ quality: 92 }).toBuffer(),
    );
  }
  gc();
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const started = performance.now();
  const folder = await embedImageFolder(dir, backbone, { batchSize: 8 });
  clearInterval(timer);
  await rm(dir, { recursive: true, force: true });
  if (folder.counts.decoded !== count)
    throw new Error(`decoded ${folder.counts.decoded} of ${count}`);
  return {
    photos: count,
    peakRssMiB: peak / 2 ** 20,
    seconds: (performance.now() - started) / 1000,
  };
}
log('peak memory indexing large photos');
const largePhotos = [
  await peakWhileIndexing(Math.max(8, LARGE_PHOTOS / 4)),
  await peakWhileIndexing(LARGE_PHOTOS),
];

// 2. Embedding throughput by batch size (decoded inputs; the model alone).
log('embedding throughput by batch size');
const sample = new Float32Array(64 * size);
for (let i = 0; i < 64; i++) {
  await decodeImage(join(photosDir, sources[i % sources.length]!), backbone.spec, {
    out: sample.subarray(i * size, (i + 1) * size),
  });
}
await backbone.embed(sample.subarray(0, 2 * size), 2, { batchSize: 2 }); // warm-up
const throughput = [];
for (const batchSize of [1, 4, 8, 16, 32, 64]) {
  const count = Math.max(batchSize, 16);
  const started = performance.now();
  await backbone.embed(sample.subarray(0, count * size), count, { batchSize });
  const seconds = (performance.now() - started) / 1000;
  throughput.push({
    batchSize,
    images: count,
    seconds,
    imagesPerSecond: count / seconds,
    load: loadavg()[0],
  });
  log(`batch ${batchSize}: ${(count / seconds).toFixed(1)} images/s`);
}

// 2b. The same weights on ONNX Runtime (CPU): converted by tfjs-layers-to-onnx.py with Debian's
// python3-onnx (a peer tool, not a dependency); skipped with the reason when it cannot run.
const onnxPath = join(cacheDir, 'mobilenet_v2.onnx');
let onnxEmbedder: Awaited<ReturnType<typeof loadImageEmbedder>> | undefined;
let onnx: Record<string, unknown>;
if (!existsSync(onnxPath)) {
  const script = fileURLToPath(new URL('./tfjs-layers-to-onnx.py', import.meta.url));
  spawnSync('/usr/bin/python3', [script, modelDir, onnxPath], { stdio: 'inherit' });
}
if (existsSync(onnxPath)) {
  log('ONNX Runtime: agreement with TF.js, then throughput by batch size');
  onnxEmbedder = await loadImageEmbedder(onnxPath, { preset: 'unit', output: 'features' });
  const a = await backbone.embed(sample.subarray(0, 16 * size), 16);
  const b = await onnxEmbedder.embed(sample.subarray(0, 16 * size), 16);
  let minCosine = 1;
  for (let i = 0; i < 16; i++) {
    let dot = 0;
    for (let j = 0; j < backbone.dim; j++)
      dot += a[i * backbone.dim + j]! * b[i * backbone.dim + j]!;
    minCosine = Math.min(minCosine, dot);
  }
  const onnxThroughput = [];
  for (const threads of [1, 0]) {
    const runner =
      threads === 0
        ? onnxEmbedder
        : await loadImageEmbedder(onnxPath, { preset: 'unit', output: 'features', threads });
    for (const batchSize of [1, 8, 32]) {
      const count = Math.max(batchSize, 32);
      const started = performance.now();
      await runner.embed(sample.subarray(0, count * size), count, { batchSize });
      const seconds = (performance.now() - started) / 1000;
      onnxThroughput.push({
        threads: threads === 0 ? 'all cores' : threads,
        batchSize,
        imagesPerSecond: count / seconds,
        load: loadavg()[0],
      });
      log(
        `onnx threads ${threads || 'all'} batch ${batchSize}: ${(count / seconds).toFixed(1)} images/s`,
      );
    }
  }
  onnx = { model: onnxPath, minCosineToTfjs: minCosine, throughput: onnxThroughput };
} else {
  onnx = { skipped: '/usr/bin/python3 with python3-onnx could not convert the model' };
}

/** Photo variant `i`: a random crop, flip, quarter turn and colour change of a committed photo. */
async function photoVariant(i: number): Promise<Buffer> {
  const rng = new Rng(`variant-${i}`);
  const file = join(photosDir, sources[i % sources.length]!);
  const { width = 0, height = 0 } = await sharp(file).metadata();
  const scale = rng.uniform(0.55, 1);
  const w = Math.round(width * scale);
  const h = Math.round(height * scale);
  // Cropped in its own pipeline: sharp applies an extract after a rotation in one pipeline.
  const cropped = await sharp(file)
    .extract({
      left: rng.integer(0, width - w + 1),
      top: rng.integer(0, height - h + 1),
      width: w,
      height: h,
    })
    .toBuffer();
  let image = sharp(cropped)
    .rotate(90 * rng.integer(0, 4))
    .modulate({ brightness: rng.uniform(0.8, 1.2), saturation: rng.uniform(0.7, 1.3) });
  if (rng.uniform() < 0.5) image = image.flop();
  return image
    .resize(rng.integer(240, 640))
    .jpeg({ quality: rng.integer(70, 95) })
    .toBuffer();
}

const dataset = await loadFashionMnist();
const fashionJpeg = fashionMnistJpeg(dataset);

// 3. The 10,000-photo catalogue: backbone features computed once (cached), then indexed.
log(
  `catalogue features: ${PHOTO_VARIANTS} photo variants + ${FASHION_CATALOGUE} Fashion-MNIST images`,
);
const entries: FeatureEntry[] = [
  ...Array.from({ length: PHOTO_VARIANTS }, (_, i) => ({
    key: `photo-variant:${i}`,
    image: () => photoVariant(i),
  })),
  ...Array.from({ length: FASHION_CATALOGUE }, (_, i) => ({
    key: datasetSource('train', i),
    image: () => fashionJpeg('train', i),
  })),
];
let lastLog = 0;
const featureStart = performance.now();
const catalogue = await cachedBackboneFeatures(backbone, entries, cacheDir, {
  batchSize: 16,
  onProgress: (done, total) => {
    if (done - lastLog >= 500 || done === total) {
      lastLog = done;
      log(`features ${done}/${total}`);
    }
  },
});
const featureSeconds = (performance.now() - featureStart) / 1000;
const labelOf = (key: string) =>
  key.startsWith('photo-variant:')
    ? `photo:${sources[Number(key.split(':')[1]) % sources.length]}`
    : `fashion:${dataset.train.labels[datasetIndex(key)]}`;

const memoryBefore = settledMemory();
const search = await ImageSearch.create(backbone, { capacity: catalogue.keys.length });
const buildStart = performance.now();
await search.addEmbeddings(
  catalogue.keys,
  catalogue.features,
  catalogue.keys.map((key) => ({ label: labelOf(key), source: key })),
);
const buildSeconds = (performance.now() - buildStart) / 1000;
const memoryAfter = settledMemory();
const indexDir = join(tmpdir(), `mlsd-bench-index-${process.pid}`);
await search.save(indexDir);
const { stdout: du } = spawnSync(
  'du',
  ['-sb', join(indexDir, 'index'), join(indexDir, 'ids.json')],
  {
    encoding: 'utf8',
  },
);
// The index and the ids; the embedder's own files are the same whatever the catalogue's size.
const indexBytes = du
  .trim()
  .split('\n')
  .reduce((sum, line) => sum + Number(line.split('\t')[0]), 0);
await rm(indexDir, { recursive: true, force: true });
const n = catalogue.keys.length;
const memory = {
  images: n,
  dim: backbone.dim,
  rssBytesPerImage: (memoryAfter.rss - memoryBefore.rss) / n,
  heapBytesPerImage: (memoryAfter.heapUsed - memoryBefore.heapUsed) / n,
  externalBytesPerImage: (memoryAfter.external - memoryBefore.external) / n,
  vectorBytesPerImage: backbone.dim * 4,
  savedIndexBytesPerImage: indexBytes / n,
};
log(`memory: ${(memory.rssBytesPerImage / 1024).toFixed(1)} KiB resident per indexed image`);

// End-to-end query latency from JPEG bytes: new photo variants and Fashion-MNIST test images.
log(`latency: ${LATENCY_QUERIES} queries from JPEG bytes`);
const queries: Buffer[] = [];
const queryLabels: string[] = [];
for (let q = 0; q < LATENCY_QUERIES; q++) {
  if (q % 2 === 0) {
    const i = PHOTO_VARIANTS + 1_000_000 + q;
    queries.push(await photoVariant(i));
    queryLabels.push(`photo:${sources[i % sources.length]}`);
  } else {
    queries.push(await fashionJpeg('test', q));
    queryLabels.push(`fashion:${dataset.test.labels[q]}`);
  }
}
/** End-to-end latency of `target`, one query at a time, with the time of each stage. */
async function queryLatency(target: ImageSearch) {
  await target.query(queries[0]!, 10); // warm-up
  const times = new Float64Array(LATENCY_QUERIES);
  const stages = {
    decodeMs: new Float64Array(LATENCY_QUERIES),
    embedMs: new Float64Array(LATENCY_QUERIES),
    searchMs: new Float64Array(LATENCY_QUERIES),
  };
  const found: string[][] = [];
  const started = performance.now();
  for (let q = 0; q < LATENCY_QUERIES; q++) {
    const t0 = performance.now();
    const pixels = await target.embedderInput(queries[q]!);
    const t1 = performance.now();
    const vector = await target.embedder.embed(pixels, 1);
    const t2 = performance.now();
    const hits = await target.queryEmbedding(vector, 10);
    const t3 = performance.now();
    times[q] = t3 - t0;
    stages.decodeMs[q] = t1 - t0;
    stages.embedMs[q] = t2 - t1;
    stages.searchMs[q] = t3 - t2;
    found.push(hits.map((hit) => String(hit.metadata?.label)));
  }
  return {
    catalogue: target.size,
    embedder: target.embedder.info.kind,
    ...latencyStats(times, performance.now() - started),
    stagesP50Ms: Object.fromEntries(
      Object.entries(stages).map(([name, values]) => [name, latencyStats(values, 1).p50Ms]),
    ),
    precisionAt10: precisionAtK(queryLabels, found, 10),
    loadAverage: loadavg()[0],
  };
}
const latency = await queryLatency(search);
log(`latency p50 ${latency.p50Ms.toFixed(1)} ms, p99 ${latency.p99Ms.toFixed(1)} ms`);
// The same catalogue vectors queried through ONNX Runtime: its vectors agree with TF.js's (the
// minimum cosine above), so they may share one index for this measurement.
let onnxLatency: Awaited<ReturnType<typeof queryLatency>> | undefined;
if (onnxEmbedder !== undefined) {
  const onnxSearch = await ImageSearch.create(onnxEmbedder, { capacity: n });
  await onnxSearch.addEmbeddings(
    catalogue.keys,
    catalogue.features,
    catalogue.keys.map((key) => ({ label: labelOf(key) })),
  );
  onnxLatency = await queryLatency(onnxSearch);
  log(
    `onnx latency p50 ${onnxLatency.p50Ms.toFixed(1)} ms, p99 ${onnxLatency.p99Ms.toFixed(1)} ms`,
  );
}

// 4. Transfer learning on Fashion-MNIST at 224 × 224: frozen features, trained head, from scratch.
log(`transfer: ${FASHION_CATALOGUE} training images (catalogue), ${FASHION_QUERIES} test queries`);
const testFeatures = await cachedBackboneFeatures(
  backbone,
  Array.from({ length: FASHION_QUERIES }, (_, i) => ({
    key: datasetSource('test', i),
    image: () => fashionJpeg('test', i),
  })),
  cacheDir,
  { batchSize: 16 },
);
const fashionRows = catalogue.keys
  .map((key, row) => ({ key, row }))
  .filter(({ key }) => parseImageSource(key).kind === 'dataset');
const trainFeatures = new Float32Array(fashionRows.length * backbone.dim);
const trainLabels = new Int32Array(fashionRows.length);
fashionRows.forEach(({ key, row }, i) => {
  trainFeatures.set(
    catalogue.features.subarray(row * backbone.dim, (row + 1) * backbone.dim),
    i * backbone.dim,
  );
  trainLabels[i] = dataset.train.labels[datasetIndex(key)]!;
});
const testLabels = dataset.test.labels.subarray(0, FASHION_QUERIES);
const frozen = exactPrecisionAtK(
  trainFeatures,
  trainLabels,
  testFeatures.features,
  testLabels,
  backbone.dim,
  10,
);
const headStart = performance.now();
const head = await trainProjectionHead({
  features: trainFeatures,
  inputDim: backbone.dim,
  labels: trainLabels,
  epochs: 40,
  seed: 0,
});
const headSeconds = (performance.now() - headStart) / 1000;
const projected = new ProjectionHeadEmbedder(backbone, head.model, head.params);
const trained = exactPrecisionAtK(
  projected.project(trainFeatures, trainLabels.length),
  trainLabels,
  projected.project(testFeatures.features, FASHION_QUERIES),
  testLabels,
  projected.dim,
  10,
);
// The model trained here from scratch (28 × 28 grey), on the same catalogue and queries.
const scratch = await loadImageEmbedder(DEFAULT_EMBEDDER_DIR);
const fashion = fashionMnistCatalogue(dataset, FASHION_CATALOGUE);
const scratchCatalogue = await scratch.embed(fashion.pixels, FASHION_CATALOGUE);
const testPixels = new Float32Array(FASHION_QUERIES * 784);
for (let i = 0; i < testPixels.length; i++) testPixels[i] = dataset.test.images[i]! / 255;
const scratchQueries = await scratch.embed(testPixels, FASHION_QUERIES);
const fromScratch = exactPrecisionAtK(
  scratchCatalogue,
  fashion.labels,
  scratchQueries,
  testLabels,
  scratch.dim,
  10,
);
log(
  `P@10: frozen ${frozen.toFixed(4)}, head ${trained.toFixed(4)}, from scratch ${fromScratch.toFixed(4)}`,
);

const results = {
  benchmark: 'vision-pretrained',
  date: new Date().toISOString(),
  machine: describeMachine(),
  backend: currentBackend()?.name,
  model: {
    name: 'MobileNetV2 (nsfwjs 4.4.0 mobilenet_v2, layers model)',
    output: 'average_pooling2d_1',
    dim: backbone.dim,
    spec: backbone.spec,
    version: backbone.info.version,
  },
  embeddingThroughput: throughput,
  catalogueFeatures: {
    images: n,
    computed: catalogue.computed,
    reused: catalogue.reused,
    seconds: featureSeconds,
  },
  index: { images: n, buildSeconds },
  queryLatency: { tfjsWasm: latency, onnxRuntime: onnxLatency ?? null },
  onnxRuntime: onnx,
  memoryPerImage: memory,
  indexingLargePhotos: largePhotos,
  transfer: {
    catalogue: fashionRows.length,
    queries: FASHION_QUERIES,
    precisionAt10: { frozenBackbone: frozen, trainedHead: trained, fromScratch },
    head: { params: head.params, seconds: headSeconds, finalLoss: head.history.at(-1)?.loss },
    note: 'Fashion-MNIST images enlarged to 224×224 RGB (dark garment on white); exact cosine search; the head is trained on the catalogue images, the scratch model on all 60,000 training images',
  },
  loadAverageAtStart,
  loadAverageAtEnd: loadavg(),
};
const out = fileURLToPath(new URL('../results/', import.meta.url));
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'vision-pretrained.json'), `${JSON.stringify(results, null, 2)}\n`);
const f = (x: number, d = 1) => x.toFixed(d);
process.stdout.write(
  `MobileNetV2 224×224 on ${results.backend}: ${throughput.map((t) => `batch ${t.batchSize} ${f(t.imagesPerSecond)} img/s`).join(', ')}\n` +
    `query from JPEG bytes, ${n} images: p50 ${f(latency.p50Ms)} ms, p99 ${f(latency.p99Ms)} ms (decode ${f(latency.stagesP50Ms.decodeMs!)} / embed ${f(latency.stagesP50Ms.embedMs!)} / search ${f(latency.stagesP50Ms.searchMs!, 2)} ms at p50)\n` +
    (onnxLatency === undefined
      ? 'ONNX Runtime: skipped\n'
      : `ONNX Runtime (same weights, min cosine to TF.js ${f(onnx.minCosineToTfjs as number, 6)}): query p50 ${f(onnxLatency.p50Ms)} ms, p99 ${f(onnxLatency.p99Ms)} ms\n`) +
    `memory per indexed image: ${f(memory.rssBytesPerImage / 1024)} KiB resident (vector ${memory.vectorBytesPerImage} B), ${f(memory.savedIndexBytesPerImage / 1024)} KiB on disk\n` +
    `peak RSS indexing large photos: ${largePhotos.map((l) => `${l.photos} photos ${f(l.peakRssMiB, 0)} MiB`).join(', ')}\n` +
    `Fashion-MNIST P@10: frozen MobileNetV2 ${f(frozen, 4)}, trained head ${f(trained, 4)}, from scratch ${f(fromScratch, 4)}\n`,
);

/** The image index of a `fashion-mnist:<split>:<i>` source. */
function datasetIndex(key: string): number {
  const source = parseImageSource(key);
  if (source.kind !== 'dataset') throw new Error(`${key} is not a dataset source`);
  return source.index;
}

function settledMemory(): NodeJS.MemoryUsage {
  gc();
  gc();
  return process.memoryUsage();
}
