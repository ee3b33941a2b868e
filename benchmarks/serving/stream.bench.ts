/**
 * The transaction flow on Redis Streams: how fast do scorer replicas decide, how long from a
 * transaction's XADD to its decision, what one transaction costs in Redis calls — with 1, 2 and
 * 4 consumers, on a standalone Redis and on a 3-master Redis Cluster.
 *
 * World: the simulator's default population (5,000 cards, 10,000 terminals, ~10,000
 * transactions a day); a logistic-regression model trained on the first 37 days (the service
 * tests' builder), its online state after them; the stream holds the days after.
 *
 * Per backend and consumer count, on freshly emptied Redis:
 * - throughput: the consumers (child processes, `startFraudConsumer`, as `mlsd fraud consume`
 *   runs) start and idle; then MLSD_BENCH_STREAM_TRANSACTIONS records are published as fast as
 *   Redis takes them; transactions per second = records / (drained − publish start);
 * - latency: MLSD_BENCH_STREAM_RATE records/s for MLSD_BENCH_STREAM_LATENCY_SECONDS more, paced;
 *   decision latency = the decision's alert entry id − the transaction's entry id (both stamped
 *   by the same Redis node, the partition's: 1 ms resolution), p50/p99;
 * - cost: Lua steps (EVALSHA) and all commands Redis executed (INFO commandstats / stats,
 *   summed over the masters) per transaction; the consumers' own reads and decide steps; Redis
 *   CPU (used_cpu_user + sys) and the consumers' CPU (process_cpu_seconds_total from their
 *   /metrics) per transaction; the bytes Redis keeps per transaction, by what holds them
 *   (MEMORY USAGE of the stream keys and of sampled state keys).
 * Then HTTP scoring at MLSD_BENCH_STREAM_HTTP_RATE (2,000) requests/s, open loop, for
 * MLSD_BENCH_STREAM_HTTP_SECONDS (20): the service (service-child.ts) with its online state in
 * process, in the standalone Redis and on the cluster.
 *
 * Run: node --import tsx --conditions=@mlsd/source benchmarks/serving/stream.bench.ts
 * Knobs (env): MLSD_BENCH_STREAM_TRANSACTIONS (100000), MLSD_BENCH_STREAM_CONSUMERS ("1,2,4"),
 * MLSD_BENCH_STREAM_BACKENDS ("standalone,cluster"), MLSD_BENCH_STREAM_PARTITIONS (16),
 * MLSD_BENCH_STREAM_RATE (2000), MLSD_BENCH_STREAM_LATENCY_SECONDS (20),
 * MLSD_BENCH_STREAM_BATCH (64), MLSD_BENCH_STREAM_HTTP_RATE (2000), MLSD_BENCH_STREAM_HTTP_SECONDS
 * (20; 0 skips the HTTP runs). Writes benchmarks/results/serving-stream.json; a table on
 * stdout, progress on stderr.
 */
import { fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Table, TimeZone } from '@mlsd/core';
import { FraudModel, formatTime } from '@mlsd/fraud';
import {
  openRedisClient,
  publishTransactions,
  type RedisClient,
  readDecisions,
  readGroupProgress,
  type StreamRecord,
} from '@mlsd/serve';
import { Redis } from 'ioredis';
import { describeMachine } from '../machine.js';
import { LatencyRecorder, type LatencySummary } from './latency-summary.js';
import { type PacedRunResult, runPaced } from './paced-run.js';
import { TransactionStream } from './transaction-stream.js';

const log = (message: string) => process.stderr.write(`[stream] ${message}\n`);
const envNumber = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number.`);
  return value;
};
const envList = (name: string, fallback: string): string[] =>
  (process.env[name] ?? fallback)
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);

const TRANSACTIONS = envNumber('MLSD_BENCH_STREAM_TRANSACTIONS', 100_000);
const CONSUMERS = envList('MLSD_BENCH_STREAM_CONSUMERS', '1,2,4').map(Number);
const BACKENDS = envList('MLSD_BENCH_STREAM_BACKENDS', 'standalone,cluster') as (
  | 'standalone'
  | 'cluster'
)[];
const PARTITIONS = envNumber('MLSD_BENCH_STREAM_PARTITIONS', 16);
const RATE = envNumber('MLSD_BENCH_STREAM_RATE', 2_000);
const LATENCY_SECONDS = envNumber('MLSD_BENCH_STREAM_LATENCY_SECONDS', 20);
const BATCH = envNumber('MLSD_BENCH_STREAM_BATCH', 64);
const HTTP_RATE = envNumber('MLSD_BENCH_STREAM_HTTP_RATE', 2_000);
const HTTP_SECONDS = Number(process.env.MLSD_BENCH_STREAM_HTTP_SECONDS ?? 20);
const HISTORY_DAYS = 37;
const PER_DAY = 10_000;

const root = fileURLToPath(new URL('../../', import.meta.url));
const here = fileURLToPath(new URL('.', import.meta.url));
// The service tests' helpers, imported by path (benchmarks do not type-depend on tests).
const fixtures = (await import(join(root, 'packages/serve/test/fixtures.ts'))) as {
  buildSmallFraudModel(
    dir: string,
    world: {
      customers: number;
      terminals: number;
      laterDays: number;
      seed: number;
      referenceRows: number;
    },
  ): Promise<Table>;
};
const { toRecords } = (await import(join(root, 'packages/serve/test/stream-helpers.ts'))) as {
  toRecords(table: Table, count?: number): StreamRecord[];
};
const { startRedisServer } = (await import(join(root, 'packages/serve/test/redis-server.ts'))) as {
  startRedisServer(): Promise<{ url: string; port: number; stop(): Promise<void> }>;
};
const { startRedisCluster } = (await import(
  join(root, 'packages/serve/test/redis-cluster.ts')
)) as {
  startRedisCluster(options?: {
    masters?: number;
    replicasPerMaster?: number;
  }): Promise<{ url: string; masterPorts(): Promise<number[]>; stop(): Promise<void> }>;
};
type Consumer = {
  name: string;
  metricsUrl: string | undefined;
  stdout(): string;
  kill(signal: NodeJS.Signals): Promise<void>;
  exited: Promise<unknown>;
};
const { spawnConsumer } = (await import(join(root, 'packages/serve/test/consumer-process.ts'))) as {
  spawnConsumer(options: Record<string, unknown>): Promise<Consumer>;
};

// ---------------------------------------------------------------------------------------------
// The world

const loadAverageAtStart = describeMachine().loadAverage;
const perRun = TRANSACTIONS + RATE * LATENCY_SECONDS;
const runs = BACKENDS.length * CONSUMERS.length;
const laterDays = Math.ceil((runs * perRun * 1.05) / PER_DAY) + 1;
const work = mkdtempSync(join(tmpdir(), 'mlsd-stream-bench-'));
const modelDir = join(work, 'fraud-model');
log(
  `world: 5,000 cards, 10,000 terminals, ${HISTORY_DAYS} days of history + ${laterDays} days to stream; training the model`,
);
const later = await fixtures.buildSmallFraudModel(modelDir, {
  customers: 5_000,
  terminals: 10_000,
  laterDays,
  seed: 2018,
  referenceRows: 2_000,
});
const records = toRecords(later);
log(`${records.length.toLocaleString('en-US')} transactions to stream (${runs} runs × ${perRun})`);
if (records.length < runs * perRun) throw new Error('the simulated world is too small');
let cursor = 0;
const take = (n: number): StreamRecord[] => {
  const slice = records.slice(cursor, cursor + n);
  cursor += n;
  return slice;
};

// ---------------------------------------------------------------------------------------------
// One run

interface Backend {
  kind: 'standalone' | 'cluster';
  url: string;
  masterPorts(): Promise<number[]>;
  stop(): Promise<void>;
}

async function startBackend(kind: 'standalone' | 'cluster'): Promise<Backend> {
  if (kind === 'standalone') {
    const server = await startRedisServer();
    return { kind, url: server.url, masterPorts: async () => [server.port], stop: server.stop };
  }
  const cluster = await startRedisCluster({ masters: 3 });
  return { kind, url: cluster.url, masterPorts: cluster.masterPorts, stop: cluster.stop };
}

/** Sums INFO commandstats and total_commands_processed over the masters. */
async function commandCounts(backend: Backend): Promise<Map<string, number>> {
  const totals = new Map<string, number>();
  for (const port of await backend.masterPorts()) {
    const redis = new Redis({ port, host: '127.0.0.1', lazyConnect: true });
    await redis.connect();
    const text = `${await redis.info('commandstats')}\n${await redis.info('stats')}\n${await redis.info('cpu')}\n${await redis.info('memory')}`;
    redis.disconnect();
    for (const match of text.matchAll(/^cmdstat_([a-z|]+):calls=(\d+)/gm)) {
      totals.set(match[1]!, (totals.get(match[1]!) ?? 0) + Number(match[2]));
    }
    const total = /total_commands_processed:(\d+)/.exec(text);
    totals.set('*', (totals.get('*') ?? 0) + Number(total?.[1] ?? 0));
    const cpu =
      Number(/used_cpu_user:([\d.]+)/.exec(text)?.[1] ?? 0) +
      Number(/used_cpu_sys:([\d.]+)/.exec(text)?.[1] ?? 0);
    totals.set('cpu', (totals.get('cpu') ?? 0) + cpu);
    const memory = Number(/used_memory:(\d+)/.exec(text)?.[1] ?? 0);
    totals.set('memory', (totals.get('memory') ?? 0) + memory);
  }
  return totals;
}

/** process_cpu_seconds_total summed over the consumers' /metrics. */
async function consumersCpuSeconds(consumers: Consumer[]): Promise<number> {
  let total = 0;
  for (const consumer of consumers) {
    if (consumer.metricsUrl === undefined) continue;
    const text = await (await fetch(`${consumer.metricsUrl}/metrics`)).text();
    total += Number(/^process_cpu_seconds_total (\S+)$/m.exec(text)?.[1] ?? 0);
  }
  return total;
}

interface MemoryBreakdown {
  /** One transaction entry of an input partition. */
  streamEntry: number;
  /** One decision in an alerts partition. */
  decision: number;
  /** One decided-guard key. */
  guard: number;
  /** One transaction-id claim of the online state. */
  claim: number;
  /** One event of one entity (sorted-set member + id index entry), averaged over entities. */
  entityEvent: number;
  /** Events per transaction (one per entity the features key on). */
  entitiesPerTransaction: number;
  /** All of it, per transaction. */
  perTransaction: number;
}

/** MEMORY USAGE of the stream keys and of sampled state keys, per entry / event. */
async function memoryBreakdown(backend: Backend): Promise<MemoryBreakdown> {
  const sums = { stream: 0, entries: 0, alerts: 0, decisions: 0, entityBytes: 0, events: 0 };
  let guard = 0;
  let claim = 0;
  const entityNames = new Set<string>();
  for (const port of await backend.masterPorts()) {
    const redis = new Redis({ port, host: '127.0.0.1', lazyConnect: true });
    await redis.connect();
    try {
      const usage = async (key: string) => Number(await redis.memory('USAGE', key, 'SAMPLES', 0));
      for (const [pattern, kind] of [
        ['mlsd:{tx:*}:in', 'in'],
        ['mlsd:{tx:*}:alerts', 'alerts'],
      ] as const) {
        for (const key of await redis.keys(pattern)) {
          const length = await redis.xlen(key);
          if (kind === 'in') {
            sums.stream += await usage(key);
            sums.entries += length;
          } else {
            sums.alerts += await usage(key);
            sums.decisions += length;
          }
        }
      }
      const [, guards] = await redis.scan('0', 'MATCH', 'mlsd:{tx:*}:done:*', 'COUNT', 1_000);
      if (guard === 0 && guards[0] !== undefined) guard = await usage(guards[0]);
      const [, claims] = await redis.scan('0', 'MATCH', 'mlsd:fraud-*:t{*', 'COUNT', 1_000);
      if (claim === 0 && claims[0] !== undefined) claim = await usage(claims[0]);
      const [, entities] = await redis.scan('0', 'MATCH', 'mlsd:fraud-*:e{*', 'COUNT', 2_000);
      for (const key of entities.slice(0, 200)) {
        entityNames.add(/e\{([^:]+):/.exec(key)?.[1] ?? '');
        const count = await redis.zcard(key);
        sums.entityBytes += (await usage(key)) + (await usage(key.replace(':e{', ':i{')));
        sums.events += count;
      }
    } finally {
      redis.disconnect();
    }
  }
  const round = (value: number) => Math.round(value);
  const entityEvent = sums.events === 0 ? 0 : sums.entityBytes / sums.events;
  const streamEntry = sums.entries === 0 ? 0 : sums.stream / sums.entries;
  const decision = sums.decisions === 0 ? 0 : sums.alerts / sums.decisions;
  const entities = entityNames.size;
  return {
    streamEntry: round(streamEntry),
    decision: round(decision),
    guard,
    claim,
    entityEvent: round(entityEvent),
    entitiesPerTransaction: entities,
    perTransaction: round(streamEntry + decision + guard + claim + entities * entityEvent),
  };
}

async function flush(backend: Backend): Promise<void> {
  for (const port of await backend.masterPorts()) {
    const redis = new Redis({ port, host: '127.0.0.1', lazyConnect: true });
    await redis.connect();
    await redis.flushall();
    await redis.config('RESETSTAT');
    redis.disconnect();
  }
}

async function waitDrained(client: RedisClient, count: number): Promise<void> {
  for (;;) {
    const progress = await readGroupProgress(client, 'tx', 'scorers');
    if (progress.entries >= count && progress.lag === 0 && progress.pending === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

interface RunResult {
  backend: 'standalone' | 'cluster';
  consumers: number;
  partitions: number;
  transactions: number;
  publishPerSecond: number;
  decidedPerSecond: number;
  drainSeconds: number;
  latencyRun: { rate: number; transactions: number; latencyMs: LatencySummary };
  decisions: { scored: number; rejected: number; rejectedCodes: Record<string, number> };
  perTransaction: {
    luaSteps: number;
    commands: number;
    consumerReads: number;
    decideSteps: number;
    redisCpuMicroseconds: number;
    consumerCpuMicroseconds: number;
  };
  /** Bytes Redis keeps per transaction, by what holds them (MEMORY USAGE of sampled keys). */
  memoryBytes: MemoryBreakdown;
}

async function run(backend: Backend, consumers: number): Promise<RunResult> {
  await flush(backend);
  const client = openRedisClient(backend.url, { commandTimeoutMs: 10_000 });
  await client.connect();
  const started: Consumer[] = [];
  try {
    started.push(
      ...(await Promise.all(
        Array.from({ length: consumers }, (_, i) =>
          spawnConsumer({
            modelDir,
            redisUrl: backend.url,
            stream: 'tx',
            group: 'scorers',
            consumer: `c${i}`,
            partitions: PARTITIONS,
            batchSize: BATCH,
            // A terminal's transactions come from every partition (a little out of order), and
            // each run replays days far past the model's snapshot.
            allowedLatenessSeconds: 2 * 86_400,
            maxFutureSkewSeconds: null,
            metricsPort: 0,
          }),
        ),
      )),
    );
    // Let the replicas share the partitions out (a few lease periods).
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const before = await commandCounts(backend);
    const cpuBefore = await consumersCpuSeconds(started);

    const batch = take(TRANSACTIONS);
    const t0 = performance.now();
    const published = await publishTransactions(batch, {
      client,
      stream: 'tx',
      partitionBy: ['CUSTOMER_ID'],
      partitions: PARTITIONS,
    });
    await waitDrained(client, TRANSACTIONS);
    const drainSeconds = (performance.now() - t0) / 1000;
    const after = await commandCounts(backend);
    const cpuAfter = await consumersCpuSeconds(started);
    const memory = await memoryBreakdown(backend);

    const paced = take(RATE * LATENCY_SECONDS);
    await publishTransactions(paced, {
      client,
      stream: 'tx',
      partitionBy: ['CUSTOMER_ID'],
      rate: RATE,
    });
    await waitDrained(client, TRANSACTIONS + paced.length);

    const latency = new LatencyRecorder();
    const pacedIds = new Set(paced.map((record) => record.TRANSACTION_ID));
    const codes: Record<string, number> = {};
    let scored = 0;
    let rejected = 0;
    for await (const decision of readDecisions(client, 'tx')) {
      if (decision.decision === 'rejected') {
        rejected++;
        codes[decision.code ?? '?'] = (codes[decision.code ?? '?'] ?? 0) + 1;
      } else scored++;
      if (pacedIds.has(decision.transactionId)) {
        const ms = (id: string) => Number(id.slice(0, id.indexOf('-')));
        latency.record(ms(decision.alertId) - ms(decision.entry));
      }
    }
    await Promise.all(started.map((consumer) => consumer.kill('SIGTERM')));
    const stats = started.map((consumer) => {
      const line = consumer
        .stdout()
        .split('\n')
        .find((text) => text.startsWith('stats '));
      return JSON.parse(line?.slice(6) ?? '{"reads":0,"decides":0}') as {
        reads: number;
        decides: number;
      };
    });
    const delta = (name: string) => (after.get(name) ?? 0) - (before.get(name) ?? 0);
    const per = (value: number) => Math.round((value / TRANSACTIONS) * 1000) / 1000;
    const totalReads = stats.reduce((sum, s) => sum + s.reads, 0);
    const totalDecides = stats.reduce((sum, s) => sum + s.decides, 0);
    return {
      backend: backend.kind,
      consumers,
      partitions: PARTITIONS,
      transactions: TRANSACTIONS,
      publishPerSecond: Math.round(published.rate),
      decidedPerSecond: Math.round(TRANSACTIONS / drainSeconds),
      drainSeconds: Math.round(drainSeconds * 100) / 100,
      latencyRun: { rate: RATE, transactions: paced.length, latencyMs: latency.summary() },
      decisions: { scored, rejected, rejectedCodes: codes },
      perTransaction: {
        luaSteps: per(delta('evalsha') + delta('eval')),
        commands: per(delta('*')),
        // Over both phases (throughput and latency), per transaction of both.
        consumerReads: Math.round((totalReads / (TRANSACTIONS + paced.length)) * 1000) / 1000,
        decideSteps: Math.round((totalDecides / (TRANSACTIONS + paced.length)) * 1000) / 1000,
        redisCpuMicroseconds: Math.round((delta('cpu') / TRANSACTIONS) * 1e6 * 10) / 10,
        consumerCpuMicroseconds:
          Math.round(((cpuAfter - cpuBefore) / TRANSACTIONS) * 1e6 * 10) / 10,
      },
      memoryBytes: memory,
    };
  } finally {
    await Promise.all(started.map((consumer) => consumer.kill('SIGKILL')));
    await client.quit().catch(() => client.disconnect());
  }
}

// ---------------------------------------------------------------------------------------------

const results: RunResult[] = [];
const loads: number[][] = [];
try {
  for (const kind of BACKENDS) {
    const backend = await startBackend(kind);
    try {
      for (const consumers of CONSUMERS) {
        log(
          `${kind}, ${consumers} consumer(s): ${TRANSACTIONS} as fast as possible, then ${RATE}/s for ${LATENCY_SECONDS} s`,
        );
        const result = await run(backend, consumers);
        loads.push(describeMachine().loadAverage);
        log(
          `  ${result.decidedPerSecond}/s decided; latency at ${RATE}/s p50 ${result.latencyRun.latencyMs.p50Ms} ms p99 ${result.latencyRun.latencyMs.p99Ms} ms; ${result.perTransaction.luaSteps} Lua steps/tx; load ${loads[loads.length - 1]!.join(' ')}`,
        );
        results.push(result);
      }
    } finally {
      await backend.stop();
    }
  }
} catch (error) {
  rmSync(work, { recursive: true, force: true });
  throw error;
}

// ---------------------------------------------------------------------------------------------
// HTTP scoring at a fixed rate, the state in process, in the standalone Redis, on the cluster

interface HttpResult {
  state: 'memory' | 'standalone' | 'cluster';
  run: PacedRunResult;
  /** The service's CPU per answered request. */
  serviceCpuMicroseconds: number;
  /** Redis' CPU per answered request (0 in process). */
  redisCpuMicroseconds: number;
}
const httpResults: HttpResult[] = [];
if (HTTP_SECONDS > 0) {
  const model = await FraudModel.load(modelDir);
  // The state's clock is epoch seconds; requests carry the log's own time column (seconds since
  // the simulator's origin), written as the model's config reads it.
  const { time, timezone } = model.config.columns;
  const clock = Number(
    formatTime(model.state?.watermark ?? 0, time.format, TimeZone.of(timezone), time.origin),
  );
  let firstId = 2_000_000_000;
  for (const state of ['memory', 'standalone', 'cluster'] as const) {
    const backend = state === 'memory' ? undefined : await startBackend(state);
    const child = fork(join(here, 'service-child.ts'), [], {
      cwd: root,
      execArgv: ['--import', 'tsx', '--conditions=@mlsd/source'],
      env: {
        ...process.env,
        MLSD_SERVE_OPTIONS: JSON.stringify({
          fraudModelDir: modelDir,
          ...(backend === undefined ? {} : { redisUrl: backend.url }),
        }),
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    try {
      const { url } = await new Promise<{ url: string }>((resolve, reject) => {
        child.once('message', (message) => resolve(message as { url: string }));
        child.once('exit', (code) => reject(new Error(`service child exited (${code})`)));
      });
      const stream = new TransactionStream({
        startTime: clock + 1,
        firstId,
        customers: 5_000,
        terminals: 10_000,
        seed: 3,
      });
      firstId += 10_000_000;
      const paced = (seconds: number) =>
        runPaced({
          url,
          path: '/v1/fraud/score',
          contentType: 'application/json',
          nextBody: () => JSON.stringify(stream.next()),
          onAnswered: () => stream.answered(),
          rate: HTTP_RATE,
          seconds,
        });
      await paced(3); // warm-up
      const cpu = async () =>
        Number(
          /^process_cpu_seconds_total (\S+)$/m.exec(
            await (await fetch(`${url}/metrics`)).text(),
          )?.[1] ?? 0,
        );
      const cpuBefore = await cpu();
      const redisBefore = backend === undefined ? undefined : await commandCounts(backend);
      const run = await paced(HTTP_SECONDS);
      const redisAfter = backend === undefined ? undefined : await commandCounts(backend);
      const redisCpuMicroseconds =
        redisBefore === undefined || redisAfter === undefined
          ? 0
          : Math.round(
              (((redisAfter.get('cpu') ?? 0) - (redisBefore.get('cpu') ?? 0)) /
                Math.max(1, run.responses)) *
                1e6 *
                10,
            ) / 10;
      const serviceCpuMicroseconds =
        Math.round((((await cpu()) - cpuBefore) / Math.max(1, run.responses)) * 1e6 * 10) / 10;
      loads.push(describeMachine().loadAverage);
      log(
        `HTTP ${state}: ${Math.round(run.requestsPerSecond)}/s p50 ${run.latency.p50Ms} ms p99 ${run.latency.p99Ms} ms, non-2xx ${run.non2xx}, errors ${run.errors}; load ${loads[loads.length - 1]!.join(' ')}`,
      );
      httpResults.push({ state, run, serviceCpuMicroseconds, redisCpuMicroseconds });
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      await backend?.stop();
    }
  }
}

rmSync(work, { recursive: true, force: true });

const output = {
  benchmark: 'serving-stream',
  date: new Date().toISOString(),
  machine: describeMachine(),
  loadAverageAtStart,
  loadAverageAfterEachRun: loads,
  command: `node --import tsx --conditions=@mlsd/source benchmarks/serving/stream.bench.ts (MLSD_BENCH_STREAM_TRANSACTIONS=${TRANSACTIONS} MLSD_BENCH_STREAM_CONSUMERS=${CONSUMERS.join(',')} MLSD_BENCH_STREAM_BACKENDS=${BACKENDS.join(',')} MLSD_BENCH_STREAM_PARTITIONS=${PARTITIONS} MLSD_BENCH_STREAM_RATE=${RATE} MLSD_BENCH_STREAM_LATENCY_SECONDS=${LATENCY_SECONDS} MLSD_BENCH_STREAM_BATCH=${BATCH})`,
  setup:
    'Everything on 127.0.0.1 on the same cores: redis-server 7.0 (standalone, or a 3-master cluster without replicas), the consumers (child processes, one Node each), the publisher and this script. The online state lives in the same Redis as the stream. Throughput: records published as fast as possible while the consumers run, until the group has acknowledged them all. Latency: the decision alert id minus the transaction entry id (same node, 1 ms resolution) at a fixed published rate.',
  runs: results,
  http: httpResults.map(({ state, run, serviceCpuMicroseconds, redisCpuMicroseconds }) => ({
    state,
    serviceCpuMicroseconds,
    redisCpuMicroseconds,
    rate: HTTP_RATE,
    seconds: HTTP_SECONDS,
    requestsPerSecond: Math.round(run.requestsPerSecond),
    latencyMs: run.latency,
    latencyFromSendMs: run.latencyFromSend,
    non2xx: run.non2xx,
    errors: run.errors,
    statusCodes: run.statusCodes,
  })),
};
mkdirSync(join(root, 'benchmarks/results'), { recursive: true });
writeFileSync(
  join(root, 'benchmarks/results/serving-stream.json'),
  `${JSON.stringify(output, null, 2)}\n`,
);

const rows = [
  [
    'backend',
    'consumers',
    'decided/s',
    `p50 ms @${RATE}/s`,
    `p99 ms @${RATE}/s`,
    'Lua steps/tx',
    'commands/tx',
    'consumer CPU µs/tx',
    'Redis CPU µs/tx',
    'Redis bytes/tx',
    'rejected',
  ],
  ...results.map((r) => [
    r.backend,
    String(r.consumers),
    String(r.decidedPerSecond),
    String(r.latencyRun.latencyMs.p50Ms),
    String(r.latencyRun.latencyMs.p99Ms),
    String(r.perTransaction.luaSteps),
    String(r.perTransaction.commands),
    String(r.perTransaction.consumerCpuMicroseconds),
    String(r.perTransaction.redisCpuMicroseconds),
    String(r.memoryBytes.perTransaction),
    String(r.decisions.rejected),
  ]),
];
process.stdout.write(`${rows.map((row) => `| ${row.join(' | ')} |`).join('\n')}\n`);
if (httpResults.length > 0) {
  const httpRows = [
    [
      'online state',
      'req/s',
      'p50 ms',
      'p99 ms',
      'non-2xx',
      'errors',
      'service CPU µs/req',
      'Redis CPU µs/req',
    ],
    ...httpResults.map(({ state, run, serviceCpuMicroseconds, redisCpuMicroseconds }) => [
      state,
      String(Math.round(run.requestsPerSecond)),
      String(run.latency.p50Ms),
      String(run.latency.p99Ms),
      String(run.non2xx),
      String(run.errors),
      String(serviceCpuMicroseconds),
      String(redisCpuMicroseconds),
    ]),
  ];
  process.stdout.write(`\n${httpRows.map((row) => `| ${row.join(' | ')} |`).join('\n')}\n`);
}
