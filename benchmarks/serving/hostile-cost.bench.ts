/**
 * What does each kind of hostile request cost the service? (issue 13, the hostile mix's p99)
 *
 * Good requests wait behind whatever holds the service's event loop, so a hostile request that
 * takes milliseconds of CPU is a direct p99 hit under the mix. This bench starts the service in
 * a child process (as hostile-load.bench.ts does), sends COUNT requests of one kind at a time
 * (hostile-requests.ts's corpus, plus good scoring for comparison), CONCURRENCY in flight, and
 * reads the child's CPU time (`process_cpu_seconds_total`, every thread) before and after each
 * kind: CPU microseconds per request of that kind. Then SLOW_CLIENTS half-sent bodies opened
 * together (the service's request deadline is 3 s here): their CPU per slow client against an
 * idle window, and good requests' latency at 1,000 req/s without and with that burst. CPU time
 * moves far less than latency on a busy machine (by a fifth or so, not tenfold), so the per-kind
 * figures compare across runs.
 *
 * Run: node --import tsx --conditions=@mlsd/source benchmarks/serving/hostile-cost.bench.ts
 * Knobs (env): MLSD_BENCH_COST_COUNT (400 per kind), MLSD_BENCH_COST_CONCURRENCY (4),
 * MLSD_BENCH_SLOW_CLIENTS (200).
 * Writes the `hostileCost` entry of benchmarks/results/serving.json (other entries kept).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { postScore } from '@mlsd/test-utils/http';
import { describeMachine } from '../machine.js';
import { buildHostileArtifacts } from './hostile-artifacts.js';
import { holdSlowClients, hostileCorpus, sendRaw } from './hostile-requests.js';
import { runPaced } from './paced-run.js';
import { envNumber, startServiceProcess } from './service-process.js';
import { TransactionStream } from './transaction-stream.js';

const log = (message: string) => process.stderr.write(`[hostile-cost] ${message}\n`);
const COUNT = envNumber('MLSD_BENCH_COST_COUNT', 400);
const CONCURRENCY = envNumber('MLSD_BENCH_COST_CONCURRENCY', 4);
const SLOW_CLIENTS = envNumber('MLSD_BENCH_SLOW_CLIENTS', 200);
const SLOW_TIMEOUT_MS = 3_000;
const loadAverageAtStart = describeMachine().loadAverage;

const work = mkdtempSync(join(tmpdir(), 'mlsd-hostile-cost-'));
log('building artifacts (the hostile-load bench’s: 6,700-row drift reference, 600-image index)');
const built = await buildHostileArtifacts(work);
const { fraudModelDir, clock } = built;

const child = await startServiceProcess({
  fraudModelDir,
  imageIndexDir: built.imageIndexDir,
  adminToken: 'hostile-bench-admin-token',
  // Drift checks off: their cost is measured by hostile-load.bench.ts (drift off vs on).
  driftCheckEvery: 1_000_000_000,
  // Short, so that the slow clients' deadline passes within the run (no other kind is slow).
  requestTimeoutMs: SLOW_TIMEOUT_MS,
});
const port = Number(new URL(child.url).port);

async function cpuSeconds(): Promise<number> {
  const text = await (await fetch(`${child.url}/metrics`)).text();
  return Number(/^process_cpu_seconds_total\s+(\S+)$/m.exec(text)?.[1] ?? Number.NaN);
}

/** CPU µs per request of `send`, run `COUNT` times with `CONCURRENCY` in flight. */
async function costOf(send: () => Promise<unknown>): Promise<{ cpuUs: number; wallMs: number }> {
  // The /metrics scrape itself costs CPU: measured the same way and subtracted.
  const before = await cpuSeconds();
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < COUNT) await send();
    }),
  );
  const wallMs = performance.now() - started;
  const after = await cpuSeconds();
  return { cpuUs: ((after - before - scrapeSeconds) * 1e6) / COUNT, wallMs: wallMs / COUNT };
}

let scrapeSeconds = 0;
{
  const a = await cpuSeconds();
  for (let i = 0; i < 20; i++) await cpuSeconds();
  scrapeSeconds = ((await cpuSeconds()) - a) / 21;
}

const stream = new TransactionStream({
  startTime: clock + 1,
  firstId: 1_000_000_000,
  customers: 5_000,
  terminals: 10_000,
});
/** Good fraud scoring at 1,000 req/s for `seconds`, open loop. */
const scoreGood = (seconds: number) =>
  runPaced({
    url: child.url,
    path: '/v1/fraud/score',
    contentType: 'application/json',
    nextBody: () => JSON.stringify(stream.next()),
    onAnswered: () => stream.answered(),
    rate: 1_000,
    seconds,
  });
await scoreGood(3);
const scored = stream.next();
await postScore(child.url, scored);
stream.answered();

const kinds: Record<string, { cpuUsPerRequest: number; wallMsPerRequest: number }> = {};
const record = (name: string, cost: { cpuUs: number; wallMs: number }) => {
  kinds[name] = {
    cpuUsPerRequest: Math.round(cost.cpuUs),
    wallMsPerRequest: Math.round(cost.wallMs * 100) / 100,
  };
  log(`${name}: ${Math.round(cost.cpuUs)} µs CPU per request`);
};

{
  const before = await cpuSeconds();
  const run = await scoreGood(COUNT / 200);
  const after = await cpuSeconds();
  record('good scoring (keep-alive)', {
    cpuUs: ((after - before - scrapeSeconds) * 1e6) / run.responses,
    wallMs: run.latency.p50Ms,
  });
}

const corpus = hostileCorpus(scored as unknown as Record<string, number>, built.sampleImagePng);
for (const request of corpus) {
  const bytes = request.bytes();
  let unexpected = 0;
  const cost = await costOf(async () => {
    const answer = await sendRaw(port, bytes);
    if (!request.status.includes(answer.status)) unexpected++;
  });
  if (unexpected > 0) log(`${request.name}: ${unexpected} unexpected answers`);
  record(request.name, cost);
}

// Slow clients that started together time out together: what the burst costs, and what good
// requests sent meanwhile (1,000 req/s) see of it.
let slowBurst: Record<string, number>;
{
  const windowSeconds = (SLOW_TIMEOUT_MS * 1.5) / 1000;
  const goodAt1000 = () => scoreGood(windowSeconds);
  const idle = () => new Promise((resolve) => setTimeout(resolve, windowSeconds * 1000));
  // CPU: the service idle for one window, then with the slow clients alone (they connect, send
  // half a body, get 408 at the deadline and are replaced): the difference per 408.
  let before = await cpuSeconds();
  await idle();
  const idleCpu = (await cpuSeconds()) - before - scrapeSeconds;
  before = await cpuSeconds();
  let slow = holdSlowClients(port, SLOW_CLIENTS);
  await idle();
  let slowClients = await slow.stop();
  const slowCpu = (await cpuSeconds()) - before - scrapeSeconds;
  // Wait out the replacements opened before stop(), so they do not time out in the next window.
  await new Promise((resolve) => setTimeout(resolve, SLOW_TIMEOUT_MS + 1_500));
  const cpuUsPerSlowClient = Math.round(
    ((slowCpu - idleCpu) * 1e6) / Math.max(1, slowClients.timedOut),
  );
  // Latency: good requests at 1,000 req/s without, then with, a burst of slow clients.
  const quiet = await goodAt1000();
  slow = holdSlowClients(port, SLOW_CLIENTS);
  const during = await goodAt1000();
  slowClients = await slow.stop();
  slowBurst = {
    clients: SLOW_CLIENTS,
    timedOut: slowClients.timedOut,
    cpuUsPerSlowClient,
    goodP99MsWithout: quiet.latency.p99Ms,
    goodMaxMsWithout: quiet.latency.maxMs,
    goodP99MsDuring: during.latency.p99Ms,
    goodMaxMsDuring: during.latency.maxMs,
  };
  log(
    `${SLOW_CLIENTS} slow clients timing out together: ${slowClients.timedOut} got 408, ${cpuUsPerSlowClient} µs of service CPU per slow client (its connect, half body, 408, teardown); good requests at 1,000 req/s p99 ${quiet.latency.p99Ms} → ${during.latency.p99Ms} ms, max ${quiet.latency.maxMs} → ${during.latency.maxMs} ms`,
  );
}

const exited = new Promise((resolve) => child.process.once('exit', resolve));
child.process.kill('SIGTERM');
await exited;
rmSync(work, { recursive: true, force: true });

const corpusShare = corpus.reduce((sum, r) => sum + (kinds[r.name]?.cpuUsPerRequest ?? 0), 0);
const result = {
  date: new Date().toISOString(),
  machine: describeMachine(),
  loadAverageAtStart,
  loadAverageAtEnd: describeMachine().loadAverage,
  command: 'node --import tsx --conditions=@mlsd/source benchmarks/serving/hostile-cost.bench.ts',
  setup: `service child (drift checks off), ${COUNT} requests per kind, ${CONCURRENCY} in flight; hostile requests each on a fresh connection; CPU of every thread of the service`,
  perKind: kinds,
  slowClientBurst: slowBurst,
  /** CPU of one pass over the corpus divided by its size: the average hostile request. */
  meanHostileCpuUs: Math.round(corpusShare / corpus.length),
};
const resultsPath = fileURLToPath(new URL('../results/serving.json', import.meta.url));
const existing = existsSync(resultsPath)
  ? (JSON.parse(readFileSync(resultsPath, 'utf8')) as Record<string, unknown>)
  : {};
writeFileSync(resultsPath, `${JSON.stringify({ ...existing, hostileCost: result }, null, 2)}\n`);
process.stdout.write(
  `${Object.entries(kinds)
    .map(([name, v]) => `${v.cpuUsPerRequest.toString().padStart(7)} µs  ${name}`)
    .join(
      '\n',
    )}\nmean hostile ${result.meanHostileCpuUs} µs; slow-client burst ${JSON.stringify(slowBurst)}; load average ${loadAverageAtStart.join(' ')} → ${result.loadAverageAtEnd.join(' ')}\n`,
);
