/**
 * How fast is the declarative feature engine on the simulator's default world?
 *
 * - batch: `computeFeatures` of a configured FeatureSpec v2 of 21 features (every family: windows
 *   of counts, sums, means, std, max; distinct counts; time since the previous transaction;
 *   amount relative to the card's history; smoothed and plain label-delayed risk; target
 *   encoding, frequency and one-hot of a category; geo distance; calendar features in a time
 *   zone) over ~1.78 M transactions, median of three after a warm-up;
 * - the handbook preset (15 features) on the same rows beside the frozen v1 implementation
 *   (`baseline/`, the fixed features this engine replaces), both timed in this run: the values
 *   must agree (counts, flags and risks exactly, means within 4 ulps) and the time ratio is
 *   reported;
 * - online: `OnlineFeatureState.update` of the configured spec, each call timed (p50 … max µs),
 *   every value compared with batch; the state's size per entity at the end.
 *
 * Run: pnpm tsx --conditions=@mlsd/source benchmarks/features/features.bench.ts
 * Writes benchmarks/results/features.json; a table on stdout, progress on stderr. The machine is
 * shared: the load average at start and end is recorded, and timings under load are upper
 * bounds.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { CategoryColumn, type Table } from '@mlsd/core';
import { simulateTransactions } from '@mlsd/datasets';
import {
  computeFeatures,
  FeatureSet,
  type FeatureSpecInput,
  fitFeatureSet,
  handbookFeatureSet,
  OnlineFeatureState,
} from '@mlsd/features';
import { describeMachine } from '../machine.js';
import { computeFeatures as v1ComputeFeatures } from './baseline/batch-features.js';
import { defineFraudFeatures as v1Features } from './baseline/fraud-features.js';

const CATEGORIES = [
  'grocery',
  'fuel',
  'restaurant',
  'travel',
  'electronics',
  'pharmacy',
  'clothing',
  'entertainment',
  'online',
  'utilities',
  'home',
  'health',
  'sports',
  'misc',
];

/** Days of the replay before the online steady state: the longest reach of the spec (30 + 7). */
const WARM_UP_DAYS = 37;

function log(message: string): void {
  process.stderr.write(`[features] ${message}\n`);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** The simulator's table plus what a real log has and the simulator lacks: a category, places. */
function buildTable(): Table {
  const { table, customers, terminals } = simulateTransactions({ progress: false });
  const customer = table.numeric('CUSTOMER_ID');
  const terminal = table.numeric('TERMINAL_ID');
  const n = table.length;
  const codes = Int32Array.from(terminal, (t) => t % CATEGORIES.length);
  const place = (xs: Float64Array, ys: Float64Array, ids: ArrayLike<number>) => ({
    lat: Float64Array.from({ length: n }, (_, i) => 35 + ys[ids[i]!]! / 10),
    lon: Float64Array.from({ length: n }, (_, i) => -100 + xs[ids[i]!]! / 10),
  });
  const home = place(customers.x, customers.y, customer);
  const shop = place(terminals.x, terminals.y, terminal);
  return table
    .withColumn('CATEGORY', new CategoryColumn(codes, CATEGORIES))
    .withColumn('LAT', home.lat)
    .withColumn('LON', home.lon)
    .withColumn('MERCH_LAT', shop.lat)
    .withColumn('MERCH_LON', shop.lon);
}

/** 21 definitions (26 outputs) over the simulator's columns, one or more of every family. */
const CONFIGURED: FeatureSpecInput = {
  version: 2,
  columns: {
    transactionId: 'TRANSACTION_ID',
    time: 'TX_TIME_SECONDS',
    amount: 'TX_AMOUNT',
    label: 'TX_FRAUD',
  },
  timezone: 'America/New_York',
  timeOrigin: '2018-04-01',
  labelDelayDays: 7,
  entities: [
    { name: 'card', columns: ['CUSTOMER_ID'] },
    { name: 'terminal', columns: ['TERMINAL_ID'] },
    { name: 'card_terminal', columns: ['CUSTOMER_ID', 'TERMINAL_ID'] },
  ],
  features: [
    { kind: 'numeric', column: 'TX_AMOUNT' },
    { kind: 'hour' },
    { kind: 'day-of-week' },
    { kind: 'night' },
    { kind: 'window', entity: 'card', windowDays: 1, aggregate: 'count' },
    { kind: 'window', entity: 'card', windowDays: 1, aggregate: 'sum' },
    { kind: 'window', entity: 'card', windowDays: 7, aggregate: 'mean' },
    { kind: 'window', entity: 'card', windowDays: 7, aggregate: 'max' },
    { kind: 'window', entity: 'card', windowDays: 30, aggregate: 'std' },
    { kind: 'distinct', entity: 'card', windowDays: 7, of: 'CATEGORY' },
    { kind: 'time-since-previous', entity: 'card' },
    { kind: 'amount-relative', entity: 'card', windowDays: 30, relative: 'z-score' },
    { kind: 'amount-relative', entity: 'card', windowDays: 7, relative: 'ratio-to-mean' },
    { kind: 'window', entity: 'terminal', windowDays: 7, delayDays: 7, aggregate: 'count' },
    { kind: 'risk', entity: 'terminal', windowDays: 7, smoothing: 10 },
    { kind: 'risk', entity: 'terminal', windowDays: 30 },
    { kind: 'window', entity: 'card_terminal', windowDays: 30, aggregate: 'count' },
    { kind: 'target-encoding', column: 'CATEGORY' },
    { kind: 'frequency', column: 'CATEGORY' },
    { kind: 'one-hot', column: 'CATEGORY', maxCategories: 5 },
    { kind: 'geo-distance', from: ['LAT', 'LON'], to: ['MERCH_LAT', 'MERCH_LON'] },
  ],
};

/**
 * Wall-clock and CPU time of `run` (a warm-up, then three); CPU time (this process, all its
 * threads) is what a quiet machine would take, wall clock what it took here.
 */
function timeRuns(
  label: string,
  run: () => void,
): {
  coldMs: number;
  medianMs: number;
  runsMs: number[];
  medianCpuMs: number;
  runsCpuMs: number[];
} {
  const runs: number[] = [];
  const cpu: number[] = [];
  for (let k = 0; k < 4; k++) {
    const started = performance.now();
    const before = process.cpuUsage();
    run();
    const used = process.cpuUsage(before);
    runs.push(performance.now() - started);
    cpu.push((used.user + used.system) / 1000);
    log(`${label} run ${k + 1}: ${runs[k]!.toFixed(0)} ms (cpu ${cpu[k]!.toFixed(0)} ms)`);
  }
  const coldMs = runs.shift()!;
  cpu.shift();
  return { coldMs, medianMs: median(runs), runsMs: runs, medianCpuMs: median(cpu), runsCpuMs: cpu };
}

function main(): void {
  const loadAtStart = describeMachine().loadAverage;
  log('simulating the default world …');
  let started = performance.now();
  const table = buildTable();
  const n = table.length;
  log(`${n} rows in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  // Fitted on the first 120 days only, as a training period would be.
  const days = table.numeric('TX_TIME_DAYS');
  const training = Int32Array.from({ length: days.findIndex((d) => d >= 120) }, (_, i) => i);
  const configured = fitFeatureSet(new FeatureSet(CONFIGURED), table, { rows: training });
  let batch = computeFeatures(table, configured);
  const configuredBatch = timeRuns('configured batch', () => {
    batch = computeFeatures(table, configured);
  });

  const handbook = handbookFeatureSet();
  const v1 = v1Features();
  let preset = computeFeatures(table, handbook);
  let before = v1ComputeFeatures(table, v1);
  const handbookBatch = timeRuns('handbook preset (v2)', () => {
    preset = computeFeatures(table, handbook);
  });
  const v1Batch = timeRuns('frozen v1 handbook features', () => {
    before = v1ComputeFeatures(table, v1);
  });
  let exactCells = 0;
  let lastBitCells = 0;
  let otherCells = 0;
  for (let k = 0; k < preset.values.length; k++) {
    const a = before.values[k]!;
    const b = preset.values[k]!;
    if (a === b) exactCells++;
    else if (
      Math.abs(a - b) <= 4 * 2 ** (Math.floor(Math.log2(Math.abs(a))) - 52) &&
      /AVG_AMOUNT/.test(preset.names[k % 15]!)
    ) {
      lastBitCells++;
    } else otherCells++;
  }
  log(
    `handbook v2 vs v1: ${exactCells} cells equal, ${lastBitCells} means ≤ 4 ulps apart, ${otherCells} other`,
  );

  log('online replay of the configured spec, timing every update …');
  const width = configured.names.length;
  const state = new OnlineFeatureState(configured);
  const category = table.column('CATEGORY') as CategoryColumn;
  const numeric = [
    'TRANSACTION_ID',
    'TX_TIME_SECONDS',
    'CUSTOMER_ID',
    'TERMINAL_ID',
    'TX_AMOUNT',
    'TX_FRAUD',
    'LAT',
    'LON',
    'MERCH_LAT',
    'MERCH_LON',
  ].map((name) => [name, table.numeric(name)] as const);
  const record: Record<string, number | string | null> = {};
  const out = new Float64Array(width);
  const latencies = new Float64Array(n);
  const cpuTimes = new Float64Array(n);
  let mismatches = 0;
  const heapBefore = process.memoryUsage().heapUsed;
  started = performance.now();
  for (let i = 0; i < n; i++) {
    for (const [name, column] of numeric) record[name] = column[i]!;
    record.CATEGORY = category.get(i) ?? null;
    const cpu = process.cpuUsage();
    const t = performance.now();
    state.update(record, out);
    latencies[i] = (performance.now() - t) * 1000;
    const used = process.cpuUsage(cpu);
    cpuTimes[i] = used.user + used.system;
    for (let j = 0; j < width; j++)
      if (!Object.is(out[j], batch.values[i * width + j])) mismatches++;
  }
  const replayMs = performance.now() - started;
  // Steady state: from the day the longest reach (window + delay) is first full. Before it the
  // state is built from nothing (every entity new, the arena growing), which a service, started
  // from a model's saved state, never goes through.
  const warmUntil = days.findIndex((d) => d >= WARM_UP_DAYS);
  const steady = latencies.slice(warmUntil).sort();
  const steadyCpu = cpuTimes.slice(warmUntil).sort();
  latencies.sort();
  cpuTimes.sort();
  // What reading the CPU clock itself costs, to state beside the CPU times.
  const probe = new Float64Array(10_000);
  for (let k = 0; k < probe.length; k++) {
    const cpu = process.cpuUsage();
    const used = process.cpuUsage(cpu);
    probe[k] = used.user + used.system;
  }
  probe.sort();
  const stats = state.stats();
  const heapAfter = process.memoryUsage().heapUsed;
  log(`online replay ${replayMs.toFixed(0)} ms, ${mismatches} values differ from batch`);
  started = performance.now();
  const snapshot = JSON.stringify(state);
  const snapshotMs = performance.now() - started;

  const loadAtEnd = describeMachine().loadAverage;
  const result = {
    benchmark: 'features',
    question:
      'The declarative feature engine (FeatureSpec v2) on the simulator default world: batch time for ~20 configured features, the handbook preset against the fixed v1 features it replaces (same values, time ratio), online update latency and state size.',
    machine: { ...describeMachine(), loadAverageAtStart: loadAtStart, loadAverageAtEnd: loadAtEnd },
    created: new Date().toISOString(),
    command: 'pnpm tsx --conditions=@mlsd/source benchmarks/features/features.bench.ts',
    data: {
      generator:
        '@mlsd/datasets simulateTransactions() defaults + CATEGORY, LAT/LON, MERCH_LAT/MERCH_LON derived in this bench',
      rows: n,
      fittedOnRows: training.length,
    },
    configured: {
      definitions: (CONFIGURED.features as unknown[]).length,
      outputs: width,
      names: configured.names,
      batch: { ...configuredBatch, rowsPerSecond: n / (configuredBatch.medianMs / 1000) },
      goalMs: 5_000,
    },
    handbook: {
      v2: handbookBatch,
      v1Baseline: {
        ...v1Batch,
        source: 'benchmarks/features/baseline (frozen copy of commit da91a1a)',
      },
      timeRatioV2OverV1: handbookBatch.medianMs / v1Batch.medianMs,
      cells: {
        total: preset.values.length,
        equal: exactCells,
        meansWithin4Ulps: lastBitCells,
        other: otherCells,
      },
    },
    online: {
      spec: 'configured',
      updates: n,
      p50Us: quantile(latencies, 0.5),
      p90Us: quantile(latencies, 0.9),
      p99Us: quantile(latencies, 0.99),
      p999Us: quantile(latencies, 0.999),
      maxUs: latencies[n - 1]!,
      cpuTime: {
        note: 'process CPU time per update (getrusage, µs resolution; excludes time the process waited for a core)',
        p50Us: quantile(cpuTimes, 0.5),
        p90Us: quantile(cpuTimes, 0.9),
        p99Us: quantile(cpuTimes, 0.99),
        p999Us: quantile(cpuTimes, 0.999),
        maxUs: cpuTimes[n - 1]!,
        clockReadP50Us: quantile(probe, 0.5),
      },
      steadyState: {
        note: `updates from day ${WARM_UP_DAYS} on (the longest window + delay full); the figures above include the first days, when the state is built from empty`,
        fromDay: WARM_UP_DAYS,
        updates: steady.length,
        p50Us: quantile(steady, 0.5),
        p90Us: quantile(steady, 0.9),
        p99Us: quantile(steady, 0.99),
        p999Us: quantile(steady, 0.999),
        maxUs: steady[steady.length - 1]!,
        cpuTime: {
          p50Us: quantile(steadyCpu, 0.5),
          p90Us: quantile(steadyCpu, 0.9),
          p99Us: quantile(steadyCpu, 0.99),
          p999Us: quantile(steadyCpu, 0.999),
        },
      },
      replayMs,
      valuesDifferingFromBatch: mismatches,
      goalP99Us: 50,
      finalState: stats,
      bytesPerEntity: stats.bytes / Math.max(1, stats.entities),
      eventsPerEntity: stats.events / Math.max(1, stats.entities),
      heapGrowthBytes: heapAfter - heapBefore,
      heapGrowthPerEntity: (heapAfter - heapBefore) / Math.max(1, stats.entities),
      snapshotJsonBytes: snapshot.length,
      snapshotMs,
    },
  };
  const resultsDir = new URL('../results/', import.meta.url);
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(new URL('features.json', resultsDir), `${JSON.stringify(result, null, 2)}\n`);

  const rows: [string, string][] = [
    ['rows', `${n} (fitted on ${training.length})`],
    ['load average at start / end', `${loadAtStart.join(' ')} / ${loadAtEnd.join(' ')}`],
    [
      `configured batch (${(CONFIGURED.features as unknown[]).length} features, ${width} outputs), median of 3`,
      `${configuredBatch.medianMs.toFixed(0)} ms (goal ≤ 5,000)`,
    ],
    ['handbook preset v2, median of 3', `${handbookBatch.medianMs.toFixed(0)} ms`],
    ['frozen v1 handbook features, median of 3', `${v1Batch.medianMs.toFixed(0)} ms`],
    ['time ratio v2 / v1', (handbookBatch.medianMs / v1Batch.medianMs).toFixed(2)],
    [
      'handbook cells equal / means ≤ 4 ulps apart / other',
      `${exactCells} / ${lastBitCells} / ${otherCells}`,
    ],
    [
      'online update p50 / p99 / p99.9 / max',
      `${quantile(latencies, 0.5).toFixed(1)} / ${quantile(latencies, 0.99).toFixed(1)} / ${quantile(latencies, 0.999).toFixed(1)} / ${latencies[n - 1]!.toFixed(0)} µs (goal p99 ≤ 50)`,
    ],
    [
      `online update from day ${WARM_UP_DAYS} p50 / p99 / p99.9 (wall; CPU)`,
      `${quantile(steady, 0.5).toFixed(1)} / ${quantile(steady, 0.99).toFixed(1)} / ${quantile(steady, 0.999).toFixed(1)} µs; ${quantile(steadyCpu, 0.5).toFixed(0)} / ${quantile(steadyCpu, 0.99).toFixed(0)} / ${quantile(steadyCpu, 0.999).toFixed(0)} µs`,
    ],
    [
      'online update CPU time p50 / p99 / p99.9',
      `${quantile(cpuTimes, 0.5).toFixed(0)} / ${quantile(cpuTimes, 0.99).toFixed(0)} / ${quantile(cpuTimes, 0.999).toFixed(0)} µs (reading the clock: ${quantile(probe, 0.5).toFixed(0)} µs)`,
    ],
    [
      'batch CPU time: configured / handbook v2 / v1',
      `${configuredBatch.medianCpuMs.toFixed(0)} / ${handbookBatch.medianCpuMs.toFixed(0)} / ${v1Batch.medianCpuMs.toFixed(0)} ms`,
    ],
    ['online values differing from batch', String(mismatches)],
    [
      'online state at the end',
      `${stats.entities} entities, ${stats.events} events, ${(stats.bytes / 2 ** 20).toFixed(1)} MiB typed arrays (${(stats.bytes / stats.entities).toFixed(0)} B/entity), heap +${((heapAfter - heapBefore) / 2 ** 20).toFixed(0)} MiB`,
    ],
  ];
  const widest = Math.max(...rows.map(([k]) => k.length));
  process.stdout.write(`${rows.map(([k, v]) => `${k.padEnd(widest)}  ${v}`).join('\n')}\n`);
}

main();
