/**
 * Transfer learning on Fashion-MNIST with the MobileNetV2 nsfwjs ships (224 × 224, wasm): does
 * fine-tuning the backbone's last block (1 × 1 convolution 320 → 1,280, batch norm, ReLU6) with
 * the projection head beat the head alone? Four rows on the same catalogue and queries: the
 * frozen backbone's features, a trained head, head + last block, and the model trained here
 * from scratch (28 × 28 grey, on all 60,000 training images).
 *
 * The backbone runs once per image, up to its cut (`block_16_project_BN`, 7 × 7 × 320 maps,
 * cached under out/bench-cache/); the frozen features are the pretrained block run on those
 * maps, so every row reads the same backbone pass. Images are shown as product photos as in
 * pretrained.bench.ts (dark garment on white, JPEG, enlarged to 224 × 224).
 *
 * Run: node --import tsx --conditions=@mlsd/source benchmarks/vision/last-block.bench.ts
 * Sizes: CATALOGUE (2000 training images), QUERIES (500 test images), HEAD_EPOCHS (40; the
 *        head + block run trains as many, the last BLOCK_EPOCHS (10) with the block).
 *        Writes benchmarks/results/vision-last-block.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadFashionMnist } from '@mlsd/datasets';
import { currentBackend, initBackend } from '@mlsd/tf';
import {
  cachedBackboneFeatures,
  DEFAULT_EMBEDDER_DIR,
  datasetSource,
  exactPrecisionAtK,
  fashionMnistCatalogue,
  loadImageEmbedder,
  ProjectionHeadEmbedder,
  splitBackbone,
  TrainableBlock,
  trainProjectionHead,
} from '@mlsd/vision';
import { describeMachine } from '../machine.js';
import { benchLogger, fashionMnistJpeg, loadMobileNetV2Backbone } from './mobilenet-backbone.js';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const CATALOGUE = env('CATALOGUE', 2_000);
const QUERIES = env('QUERIES', 500);
const HEAD_EPOCHS = env('HEAD_EPOCHS', 40);
const BLOCK_EPOCHS = env('BLOCK_EPOCHS', 10);
const root = fileURLToPath(new URL('../../', import.meta.url));
const cacheDir = join(root, 'out', 'bench-cache', 'vision-last-block');
const log = benchLogger('vision-last-block');
const loadAverageAtStart = loadavg();
const started = performance.now();

await initBackend({ quiet: true });
const { backbone } = await loadMobileNetV2Backbone(cacheDir);
const split = splitBackbone(backbone);
const dataset = await loadFashionMnist();
const fashionJpeg = fashionMnistJpeg(dataset);

/** Feature maps at the cut of the first `count` images of a split, cached across runs. */
async function cutFeatures(part: 'train' | 'test', count: number) {
  let lastLog = 0;
  const result = await cachedBackboneFeatures(
    split.features,
    Array.from({ length: count }, (_, i) => ({
      key: datasetSource(part, i),
      image: () => fashionJpeg(part, i),
    })),
    cacheDir,
    {
      batchSize: 16,
      onProgress: (done, total) => {
        if (done - lastLog >= 250 || done === total) {
          lastLog = done;
          log(`${part} features at ${split.block.cutLayer}: ${done}/${total}`);
        }
      },
    },
  );
  if (result.keys.length !== count) throw new Error(`${part}: ${result.keys.length} of ${count}`);
  return result;
}
const featureStart = performance.now();
const train = await cutFeatures('train', CATALOGUE);
const test = await cutFeatures('test', QUERIES);
const featureSeconds = (performance.now() - featureStart) / 1000;
const trainLabels = Int32Array.from(dataset.train.labels.subarray(0, CATALOGUE));
const testLabels = dataset.test.labels.subarray(0, QUERIES);
const precision = (catalogue: Float32Array, queries: Float32Array, dim: number) =>
  exactPrecisionAtK(catalogue, trainLabels, queries, testLabels, dim, 10);

// 1. Frozen backbone: the pretrained block on the cached maps is the backbone's own output.
const pretrained = new TrainableBlock(split.block, split.pooling);
const frozenTrain = pretrained.run(train.features, CATALOGUE);
const frozenTest = pretrained.run(test.features, QUERIES);
const frozen = precision(frozenTrain, frozenTest, pretrained.dim);
log(`frozen backbone P@10 ${frozen.toFixed(4)}`);

// 2. The projection head alone, on the frozen features.
let t = performance.now();
const head = await trainProjectionHead({
  features: frozenTrain,
  inputDim: pretrained.dim,
  labels: trainLabels,
  epochs: HEAD_EPOCHS,
  seed: 0,
});
const headSeconds = (performance.now() - t) / 1000;
const headOnly = new ProjectionHeadEmbedder(backbone, head.model, head.params);
const trainedHead = precision(
  headOnly.project(frozenTrain, CATALOGUE),
  headOnly.project(frozenTest, QUERIES),
  headOnly.dim,
);
log(`trained head P@10 ${trainedHead.toFixed(4)} (${headSeconds.toFixed(0)} s)`);

// 3. Head + last block, from the pretrained block, on the cut maps: the head warms up on the
// block's pretrained output, then the last BLOCK_EPOCHS train both.
const block = new TrainableBlock(split.block, split.pooling);
t = performance.now();
const withBlock = await trainProjectionHead({
  features: train.features,
  inputDim: block.inputDim,
  labels: trainLabels,
  block,
  epochs: HEAD_EPOCHS,
  blockWarmupEpochs: HEAD_EPOCHS - BLOCK_EPOCHS,
  seed: 0,
  onEpoch: (report) =>
    log(
      `head + block epoch ${report.epoch + 1}/${HEAD_EPOCHS}: loss ${report.loss.toFixed(4)}, ${report.seconds.toFixed(0)} s`,
    ),
});
const blockSeconds = (performance.now() - t) / 1000;
const tuned = new ProjectionHeadEmbedder(backbone, withBlock.model, withBlock.params, {
  block,
  features: split.features,
});
const headAndBlock = precision(
  tuned.project(train.features, CATALOGUE),
  tuned.project(test.features, QUERIES),
  tuned.dim,
);
log(`head + last block P@10 ${headAndBlock.toFixed(4)} (${blockSeconds.toFixed(0)} s)`);

// 4. The model trained here from scratch, on the same catalogue and queries.
const scratch = await loadImageEmbedder(DEFAULT_EMBEDDER_DIR);
const fashion = fashionMnistCatalogue(dataset, CATALOGUE);
const testPixels = new Float32Array(QUERIES * 784);
for (let i = 0; i < testPixels.length; i++) testPixels[i] = dataset.test.images[i]! / 255;
const fromScratch = exactPrecisionAtK(
  await scratch.embed(fashion.pixels, CATALOGUE),
  fashion.labels,
  await scratch.embed(testPixels, QUERIES),
  testLabels,
  scratch.dim,
  10,
);

const results = {
  benchmark: 'vision-last-block',
  date: new Date().toISOString(),
  machine: describeMachine(),
  backend: currentBackend()?.name,
  model: {
    name: 'MobileNetV2 (nsfwjs 4.4.0 mobilenet_v2, layers model)',
    output: 'average_pooling2d_1',
    cutLayer: split.block.cutLayer,
    cutShape: split.block.inputShape,
    block: split.block.layers.map((layer) => `${layer.name} (${layer.step.op})`),
  },
  catalogue: CATALOGUE,
  queries: QUERIES,
  precisionAt10: {
    frozenBackbone: frozen,
    trainedHead,
    headAndLastBlock: headAndBlock,
    fromScratch,
  },
  training: {
    features: { computed: train.computed + test.computed, seconds: featureSeconds },
    head: { epochs: HEAD_EPOCHS, seconds: headSeconds, finalLoss: head.history.at(-1)?.loss },
    headAndLastBlock: {
      epochs: HEAD_EPOCHS,
      blockEpochs: BLOCK_EPOCHS,
      seconds: blockSeconds,
      params: withBlock.params,
      losses: withBlock.history.map((report) => report.loss),
    },
  },
  note: 'Fashion-MNIST test images queried against the first training images (exact cosine search, P@10); the head and the block train on that catalogue, the scratch model was trained on all 60,000 training images. Figures under load are upper bounds on time.',
  seconds: (performance.now() - started) / 1000,
  loadAverageAtStart,
  loadAverageAtEnd: loadavg(),
};
const out = fileURLToPath(new URL('../results/', import.meta.url));
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'vision-last-block.json'), `${JSON.stringify(results, null, 2)}\n`);
process.stdout.write(
  `Fashion-MNIST P@10 (${CATALOGUE} catalogue, ${QUERIES} queries): frozen MobileNetV2 ${frozen.toFixed(4)}, ` +
    `trained head ${trainedHead.toFixed(4)}, head + last block ${headAndBlock.toFixed(4)}, from scratch ${fromScratch.toFixed(4)} ` +
    `(load ${loadAverageAtStart.map((x) => x.toFixed(1)).join(' ')} → ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')})\n`,
);
