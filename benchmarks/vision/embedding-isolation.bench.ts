/**
 * Does an image query stall the service's other routes? The service (in a child process, as in
 * benchmarks/serving) serves a MobileNetV2 image index (the nsfwjs model on the wasm backend,
 * ~50–200 ms a forward pass) beside a small fraud model. Two runs, same artifacts:
 * - `inThread`: the embedder runs in the serving thread (`imageEmbedding: false`, the service
 *   before worker threads);
 * - `workers`: the embedder runs in one worker thread (the default now).
 * In each run, first the fraud route alone (paced, open loop), then the same fraud pace plus a
 * /healthz probe while image queries run back to back on IMAGE_CONNECTIONS connections (the
 * committed photos as JPEG bytes). Recorded: fraud and /healthz p50/p99 with and without the
 * image load, the service's own event-loop delay (p99 and max, from its /metrics: the direct
 * measure, free of the load generator's scheduling), image queries/s and their 503s (queue
 * full), and the load average (figures under
 * load are upper bounds; compare the two runs, made minutes apart on the same machine).
 *
 * Run: node --import tsx --conditions=@mlsd/source benchmarks/vision/embedding-isolation.bench.ts
 * Knobs (env): SECONDS (15 per phase), FRAUD_RATE (50 req/s), HEALTH_RATE (20 req/s),
 * IMAGE_CONNECTIONS (2). Writes benchmarks/results/vision-embedding-isolation.json.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng } from '@mlsd/core';
import { buildSmallFraudModel, toRequests } from '@mlsd/test-utils/serve-artifacts';
import { initBackend } from '@mlsd/tf';
import { extractNsfwjsModel, ImageSearch, loadImageEmbedder, normalizeRows } from '@mlsd/vision';
import { describeMachine } from '../machine.js';
import { LatencyRecorder, type LatencySummary } from '../serving/latency-summary.js';
import { runLoad } from '../serving/load-run.js';
import { runPaced } from '../serving/paced-run.js';
import { envNumber, startServiceProcess } from '../serving/service-process.js';

const SECONDS = envNumber('SECONDS', 15);
const FRAUD_RATE = envNumber('FRAUD_RATE', 50);
const HEALTH_RATE = envNumber('HEALTH_RATE', 20);
const IMAGE_CONNECTIONS = envNumber('IMAGE_CONNECTIONS', 2);
const root = fileURLToPath(new URL('../../', import.meta.url));
const cacheDir = join(root, 'out', 'bench-cache', 'vision-pretrained');
const log = (message: string) =>
  process.stderr.write(`[embedding-isolation] ${message} (load ${loadavg()[0]!.toFixed(1)})\n`);

const machineAtStart = describeMachine();
const work = mkdtempSync(join(tmpdir(), 'mlsd-embed-isolation-'));
log('building a small fraud model and a MobileNetV2 image index (1,000 items)');
await initBackend({ quiet: true });
// The simulated days after the model's history, as score requests in time order; each
// service child starts from the saved state, so each run replays them from the start.
const later = toRequests(
  await buildSmallFraudModel(join(work, 'fraud'), {
    customers: 1_000,
    terminals: 2_000,
    laterDays: 2,
    seed: 11,
    referenceRows: 2_000,
  }),
);
const fraudNeeded = Math.ceil(FRAUD_RATE * SECONDS * 2);
if (later.length < fraudNeeded) {
  throw new Error(
    `${later.length} simulated transactions, ${fraudNeeded} needed: lower FRAUD_RATE or SECONDS.`,
  );
}
const modelDir = await extractNsfwjsModel('mobilenet_v2', join(cacheDir, 'mobilenet_v2'), {
  from: import.meta.url,
});
const backbone = await loadImageEmbedder(modelDir, {
  preset: 'unit',
  output: 'average_pooling2d_1',
});
// The catalogue's vectors do not change what a query costs (decode + forward pass + HNSW).
const items = 1_000;
const rng = new Rng(5);
const vectors = Float32Array.from({ length: items * backbone.dim }, () => rng.normal(0, 1));
normalizeRows(vectors, backbone.dim);
const search = await ImageSearch.create(backbone, { capacity: items });
await search.addEmbeddings(
  Array.from({ length: items }, (_, i) => `item-${i}`),
  vectors,
);
await search.save(join(work, 'images'));
backbone.dispose();
const photosDir = join(root, 'examples', 'visual-search', 'photos');
const photos = readdirSync(photosDir)
  .filter((file) => file.endsWith('.jpg'))
  .sort()
  .map((file) => readFileSync(join(photosDir, file)));

/** GETs `path` every 1/rate s for `seconds` (open loop: latency from the scheduled time). */
async function pacedGet(url: string, path: string, rate: number, seconds: number) {
  const latencies = new LatencyRecorder();
  const start = performance.now();
  const total = Math.floor(rate * seconds);
  let failures = 0;
  const requests: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    requests.push(
      fetch(url + path).then(
        async (response) => {
          await response.arrayBuffer();
          if (response.ok) latencies.record(performance.now() - due);
          else failures++;
        },
        () => {
          failures++;
        },
      ),
    );
  }
  await Promise.all(requests);
  return { latency: latencies.summary(), failures };
}

/**
 * The service's own event-loop delay since the last scrape (prom-client resets its histogram
 * on every collect): the direct measure of a forward pass holding the serving thread, free of
 * the load generator's own scheduling on a busy machine.
 */
async function eventLoopLag(url: string): Promise<{ p99Ms: number; maxMs: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const read = (name: string) =>
    Math.round(Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? Number.NaN) * 1e4) / 10;
  return {
    p99Ms: read('nodejs_eventloop_lag_p99_seconds'),
    maxMs: read('nodejs_eventloop_lag_max_seconds'),
  };
}

const brief = (summary: LatencySummary) => ({
  count: summary.count,
  p50Ms: Math.round(summary.p50Ms * 10) / 10,
  p99Ms: Math.round(summary.p99Ms * 10) / 10,
  maxMs: Math.round(summary.maxMs * 10) / 10,
});

async function measure(mode: 'inThread' | 'workers') {
  log(`${mode}: starting the service`);
  const child = await startServiceProcess({
    fraudModelDir: join(work, 'fraud'),
    imageIndexDir: join(work, 'images'),
    imageEmbedding: mode === 'inThread' ? false : { workers: 1, queue: 16 },
  });
  try {
    let next = 0;
    const fraud = () =>
      runPaced({
        url: child.url,
        path: '/v1/fraud/score',
        contentType: 'application/json',
        nextBody: () => JSON.stringify(later[next++]),
        seconds: SECONDS,
        rate: FRAUD_RATE,
      });
    let photo = 0;
    const images = () =>
      runLoad({
        url: child.url,
        path: '/v1/images/similar?k=10',
        contentType: 'image/jpeg',
        nextBody: () => photos[photo++ % photos.length]!,
        seconds: SECONDS,
        connections: IMAGE_CONNECTIONS,
      });
    log(`${mode}: warm-up`);
    for (let i = 0; i < 3; i++) {
      await fetch(`${child.url}/v1/images/similar?k=10`, {
        method: 'POST',
        headers: { 'content-type': 'image/jpeg' },
        body: photos[i % photos.length]!,
      }).then((response) => response.arrayBuffer());
    }
    log(`${mode}: fraud and /healthz alone, ${SECONDS} s`);
    await eventLoopLag(child.url);
    const [fraudAlone, healthAlone] = await Promise.all([
      fraud(),
      pacedGet(child.url, '/healthz', HEALTH_RATE, SECONDS),
    ]);
    const lagAlone = await eventLoopLag(child.url);
    log(`${mode}: fraud and /healthz while image queries run, ${SECONDS} s`);
    const loadBefore = loadavg()[0]!;
    const [fraudLoaded, healthLoaded, imageRun] = await Promise.all([
      fraud(),
      pacedGet(child.url, '/healthz', HEALTH_RATE, SECONDS),
      images(),
    ]);
    const lagLoaded = await eventLoopLag(child.url);
    const result = {
      alone: {
        fraud: { ...brief(fraudAlone.latency), non2xx: fraudAlone.non2xx },
        healthz: { ...brief(healthAlone.latency), failures: healthAlone.failures },
        serviceEventLoopLag: lagAlone,
      },
      whileImageQueries: {
        fraud: { ...brief(fraudLoaded.latency), non2xx: fraudLoaded.non2xx },
        healthz: { ...brief(healthLoaded.latency), failures: healthLoaded.failures },
        images: {
          queriesPerSecond: imageRun.requestsPerSecond,
          ...brief(imageRun.latency),
          statusCodes: imageRun.statusCodes,
        },
        serviceEventLoopLag: lagLoaded,
      },
      loadAverage: [loadBefore, loadavg()[0]!].map((v) => Math.round(v * 100) / 100),
    };
    log(`${mode}: ${JSON.stringify(result)}`);
    return result;
  } finally {
    child.process.kill('SIGTERM');
    await new Promise((resolve) => child.process.once('exit', resolve));
  }
}

const inThread = await measure('inThread');
const workers = await measure('workers');
rmSync(work, { recursive: true, force: true });
const ratio = (before: number, after: number) =>
  Math.round((before / Math.max(after, 1e-3)) * 10) / 10;
type Measured = Awaited<ReturnType<typeof measure>>;
const added = (run: Measured) => ({
  fraud: Math.round(run.whileImageQueries.fraud.p99Ms - run.alone.fraud.p99Ms),
  healthz: Math.round(run.whileImageQueries.healthz.p99Ms - run.alone.healthz.p99Ms),
});
const results = {
  benchmark: 'vision-embedding-isolation',
  date: new Date().toISOString(),
  machine: { ...machineAtStart, loadAverageAtEnd: loadavg().map((v) => Math.round(v * 100) / 100) },
  settings: {
    seconds: SECONDS,
    fraudRate: FRAUD_RATE,
    healthRate: HEALTH_RATE,
    imageConnections: IMAGE_CONNECTIONS,
    catalogue: items,
    model: 'nsfwjs 4.4.0 mobilenet_v2 (wasm), 224×224',
  },
  inThread,
  workers,
  /**
   * What image queries add to the other routes' p99 (under image load minus alone, same run):
   * the figure to compare, as the machine's own load moves both phases alike.
   */
  p99AddedByImageQueriesMs: {
    inThread: added(inThread),
    workers: added(workers),
  },
  /** The service's event-loop delay while image queries run (p99 / max, ms). */
  serviceEventLoopLagWhileImageQueries: {
    inThread: inThread.whileImageQueries.serviceEventLoopLag,
    workers: workers.whileImageQueries.serviceEventLoopLag,
  },
  /** p99 while image queries run, in the serving thread over in a worker. */
  p99WhileImageQueriesRatio: {
    fraud: ratio(inThread.whileImageQueries.fraud.p99Ms, workers.whileImageQueries.fraud.p99Ms),
    healthz: ratio(
      inThread.whileImageQueries.healthz.p99Ms,
      workers.whileImageQueries.healthz.p99Ms,
    ),
  },
};
const out = join(root, 'benchmarks', 'results');
mkdirSync(out, { recursive: true });
writeFileSync(
  join(out, 'vision-embedding-isolation.json'),
  `${JSON.stringify(results, null, 2)}\n`,
);
process.stdout.write(`${JSON.stringify(results.p99AddedByImageQueriesMs)}\n`);
