/**
 * Where does MobileNetV2's time go on the WebAssembly backend, and what did compiling the
 * layers model (`compileLayersInference`: batch norms folded into the convolutions, ReLU6
 * fused into them, zero paddings merged) change? For the nsfwjs MobileNetV2 at 224 × 224:
 * - the backend's flags (SIMD, threads);
 * - per-kernel time of one batch (`tf.profile`), through tfjs-layers and compiled;
 * - images/s by batch size, both ways, in the same run, with CPU seconds (images per
 *   CPU-second is steadier than wall time on a shared machine);
 * - that both give the same vectors (least cosine).
 *
 * Run: node --import tsx --conditions=@mlsd/source benchmarks/vision/mobilenet-wasm.bench.ts
 * Knobs (env): BATCHES (1,4,8,16), IMAGES (16 per timing), BACKEND (wasm).
 * Writes benchmarks/results/vision-mobilenet-wasm.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from '@mlsd/tf';
import { getTf } from '@mlsd/tf/tfjs';
import { extractNsfwjsModel, type ImageEmbedder, loadImageEmbedder } from '@mlsd/vision';
import { describeMachine } from '../machine.js';

const BATCHES = (process.env.BATCHES ?? '1,4,8,16').split(',').map(Number);
const IMAGES = Number(process.env.IMAGES ?? 16);
const root = fileURLToPath(new URL('../../', import.meta.url));
const cacheDir = join(root, 'out', 'bench-cache', 'vision-pretrained');
const log = (message: string) =>
  process.stderr.write(`[mobilenet-wasm] ${message} (load ${loadavg()[0]!.toFixed(1)})\n`);
const machineAtStart = describeMachine();

await initBackend({ quiet: true, prefer: (process.env.BACKEND ?? 'wasm') as 'wasm' });
const tf = getTf();
const flags = {
  backend: tf.getBackend(),
  simd: await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'),
  multithread: await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'),
};
log(`backend ${JSON.stringify(flags)}`);
const modelDir = await extractNsfwjsModel('mobilenet_v2', join(cacheDir, 'mobilenet_v2'), {
  from: import.meta.url,
});
const load = (compileLayers: boolean) =>
  loadImageEmbedder(modelDir, { preset: 'unit', output: 'average_pooling2d_1', compileLayers });
const embedders = { layers: await load(false), compiled: await load(true) };
const side = 224 * 224 * 3;
const pixels = Float32Array.from({ length: IMAGES * side }, (_, i) => ((i * 7919) % 255) / 255);

/** Kernel name → calls and milliseconds for one batch of 4. */
async function kernelProfile(embedder: ImageEmbedder) {
  const batch = pixels.subarray(0, 4 * side);
  await embedder.embed(batch, 4, { batchSize: 4 });
  const profile = await tf.profile(async () => {
    await embedder.embed(batch, 4, { batchSize: 4 });
  });
  const byKernel = new Map<string, { calls: number; ms: number }>();
  for (const kernel of profile.kernels) {
    // `<op>__op` entries wrap the kernel entries they call: counting both counts twice.
    if (kernel.name.endsWith('__op')) continue;
    const entry = byKernel.get(kernel.name) ?? { calls: 0, ms: 0 };
    entry.calls++;
    entry.ms += Number(kernel.kernelTimeMs ?? 0);
    byKernel.set(kernel.name, entry);
  }
  const totalMs = [...byKernel.values()].reduce((sum, entry) => sum + entry.ms, 0);
  const kernels = [...byKernel]
    .sort((a, b) => b[1].ms - a[1].ms)
    .map(([name, entry]) => ({
      name,
      calls: entry.calls,
      ms: Math.round(entry.ms * 10) / 10,
      share: Math.round((entry.ms / totalMs) * 1000) / 1000,
    }));
  return { totalMs: Math.round(totalMs * 10) / 10, kernels };
}

const profiles = {
  layers: await kernelProfile(embedders.layers),
  compiled: await kernelProfile(embedders.compiled),
};
log(
  `kernel ms per batch of 4: layers ${profiles.layers.totalMs}, compiled ${profiles.compiled.totalMs}`,
);

const speed: Record<
  string,
  { batch: number; imagesPerSecond: number; imagesPerCpuSecond: number }[]
> = { layers: [], compiled: [] };
for (const batch of BATCHES) {
  // Alternating the two per batch size keeps the machine's load alike for both.
  for (const kind of ['layers', 'compiled'] as const) {
    const embedder = embedders[kind];
    const count = Math.max(batch, IMAGES - (IMAGES % batch));
    const input = pixels.subarray(0, count * side);
    await embedder.embed(input.subarray(0, batch * side), batch, { batchSize: batch });
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await embedder.embed(input, count, { batchSize: batch });
    const wall = (performance.now() - t0) / 1000;
    const used = process.cpuUsage(cpu0);
    const cpu = (used.user + used.system) / 1e6;
    const row = {
      batch,
      imagesPerSecond: Math.round((count / wall) * 100) / 100,
      imagesPerCpuSecond: Math.round((count / cpu) * 100) / 100,
    };
    speed[kind]!.push(row);
    log(
      `${kind} batch ${batch}: ${row.imagesPerSecond} images/s, ${row.imagesPerCpuSecond} per CPU-s`,
    );
  }
}

const a = await embedders.layers.embed(pixels.subarray(0, 8 * side), 8);
const b = await embedders.compiled.embed(pixels.subarray(0, 8 * side), 8);
const dim = embedders.layers.dim;
let leastCosine = 1;
for (let i = 0; i < 8; i++) {
  let dot = 0;
  for (let j = 0; j < dim; j++) dot += a[i * dim + j]! * b[i * dim + j]!;
  leastCosine = Math.min(leastCosine, dot);
}

const results = {
  benchmark: 'vision-mobilenet-wasm',
  date: new Date().toISOString(),
  machine: { ...machineAtStart, loadAverageAtEnd: loadavg().map((v) => Math.round(v * 100) / 100) },
  model: 'nsfwjs 4.4.0 mobilenet_v2, 224×224, output average_pooling2d_1',
  flags,
  compiledSummary: (embedders.compiled as unknown as { compiled?: unknown }).compiled ?? null,
  kernelProfileBatch4: profiles,
  speed,
  leastCosineLayersVsCompiled: Math.round(leastCosine * 1e7) / 1e7,
};
const out = join(root, 'benchmarks', 'results');
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'vision-mobilenet-wasm.json'), `${JSON.stringify(results, null, 2)}\n`);
process.stdout.write(`${JSON.stringify({ speed, leastCosine })}\n`);
