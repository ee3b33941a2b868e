/**
 * How fast are the point-in-time fraud features on the full default dataset?
 *
 * - batch: `computeFeatures` over 1.75 M transactions (5,000 customers, 10,000 terminals,
 *   183 days, ~0.8 % fraud) against a straightforward baseline in the same run: per row, scan
 *   the entity's array of past events backwards (arrays of objects in a Map, no two pointers);
 * - online: `OnlineFeatureState.update` latency per transaction (p50/p99 µs) over a replay of the
 *   same data, against the baseline's cost per row; parity with batch checked on every value;
 * - the online state's size and snapshot cost at the end.
 *
 * The data come from a simple deterministic generator below (the real simulator may replace
 * it). Run: pnpm tsx --conditions=@mlsd/source benchmarks/features/features.bench.ts
 * Writes benchmarks/results/features.json; prints a table on stdout, progress on stderr.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Rng, Table } from '@mlsd/core';
import { computeFeatures, handbookFeatureSet, OnlineFeatureState } from '@mlsd/features';
import { describeMachine } from '../machine.js';

const DAY = 86_400;
const CONFIG = { customers: 5_000, terminals: 10_000, days: 183, seed: 2018 };

function log(message: string): void {
  process.stderr.write(`[features] ${message}\n`);
}

/**
 * Transactions in the spirit of the handbook's simulator: customers and terminals on a 100 × 100
 * grid, each customer paying at terminals within radius 5, 0–4 payments a day around noon,
 * amounts around a personal mean; frauds from three scenarios (amount above 220, terminals
 * compromised for 28 days, cards compromised for 14 days with inflated amounts).
 */
function generateTransactions(): Table {
  const rng = new Rng(CONFIG.seed);
  const { customers, days } = CONFIG;
  const rate = new Float64Array(customers);
  const meanAmount = new Float64Array(customers);
  const nearby: Int32Array[] = [];
  for (let c = 0; c < customers; c++) {
    rate[c] = rng.uniform(0, 4);
    meanAmount[c] = rng.uniform(5, 100);
    const x = rng.uniform(0, 100);
    const y = rng.uniform(0, 100);
    const list: number[] = [];
    for (let gx = Math.max(0, Math.ceil(x - 5)); gx <= Math.min(99, Math.floor(x + 5)); gx++) {
      for (let gy = Math.max(0, Math.ceil(y - 5)); gy <= Math.min(99, Math.floor(y + 5)); gy++) {
        if ((gx - x) ** 2 + (gy - y) ** 2 <= 25) list.push(gx * 100 + gy);
      }
    }
    nearby.push(Int32Array.from(list.length > 0 ? list : [Math.floor(x) * 100 + Math.floor(y)]));
  }

  const capacity = Math.ceil(customers * 2 * days * 1.1);
  const time = new Float64Array(capacity);
  const customer = new Int32Array(capacity);
  const terminal = new Int32Array(capacity);
  const amount = new Float64Array(capacity);
  const fraud = new Uint8Array(capacity);
  const terminalCompromisedUntil = new Int32Array(CONFIG.terminals).fill(-1);
  const customerCompromisedUntil = new Int32Array(customers).fill(-1);
  let n = 0;
  const dayTime: number[] = [];
  const dayRows: number[][] = [];
  for (let day = 0; day < days; day++) {
    for (let k = 0; k < 2; k++)
      terminalCompromisedUntil[rng.integer(0, CONFIG.terminals)] = day + 28;
    for (let k = 0; k < 3; k++) customerCompromisedUntil[rng.integer(0, customers)] = day + 14;
    dayTime.length = 0;
    dayRows.length = 0;
    for (let c = 0; c < customers; c++) {
      for (let k = rng.poisson(rate[c]!); k > 0; k--) {
        const second = Math.round(rng.normal(DAY / 2, 20_000));
        if (second < 0 || second >= DAY) continue;
        const t = rng.choice(nearby[c]!);
        let value = Math.max(0.01, rng.normal(meanAmount[c]!, meanAmount[c]! / 2));
        let isFraud = value > 220 || terminalCompromisedUntil[t]! >= day;
        if (customerCompromisedUntil[c]! >= day && rng.next() < 1 / 3) {
          value *= 5;
          isFraud = true;
        }
        dayTime.push(day * DAY + second);
        dayRows.push([c, t, Math.round(value * 100) / 100, isFraud ? 1 : 0]);
      }
    }
    const order = Array.from(dayTime.keys()).sort((a, b) => dayTime[a]! - dayTime[b]! || a - b);
    for (const i of order) {
      const [c, t, value, isFraud] = dayRows[i]!;
      time[n] = dayTime[i]!;
      customer[n] = c!;
      terminal[n] = t!;
      amount[n] = value!;
      fraud[n] = isFraud!;
      n++;
    }
  }
  const ids = new Float64Array(n);
  for (let i = 0; i < n; i++) ids[i] = i;
  const days32 = new Int32Array(n);
  for (let i = 0; i < n; i++) days32[i] = Math.floor(time[i]! / DAY);
  return new Table({
    TRANSACTION_ID: ids,
    CUSTOMER_ID: customer.slice(0, n),
    TERMINAL_ID: terminal.slice(0, n),
    TX_AMOUNT: amount.slice(0, n),
    TX_TIME_SECONDS: time.slice(0, n),
    TX_TIME_DAYS: days32,
    TX_FRAUD: fraud.slice(0, n),
  });
}

interface PastEvent {
  time: number;
  amount: number;
  fraud: number;
}

/**
 * The obvious implementation: per row, push onto the entity's event array and scan it backwards
 * for every window (customer: 1/7/30 days up to now; terminal: 1/7/30 days ending 7 days back).
 * Cost per row grows with the events in the longest window; no two pointers, no running sums.
 */
function baselineFeatures(table: Table): Float64Array {
  const n = table.length;
  const t = table.numeric('TX_TIME_SECONDS');
  const customer = table.numeric('CUSTOMER_ID');
  const terminal = table.numeric('TERMINAL_ID');
  const amount = table.numeric('TX_AMOUNT');
  const fraud = table.numeric('TX_FRAUD');
  const windows = [1 * DAY, 7 * DAY, 30 * DAY];
  const delay = 7 * DAY;
  const byCustomer = new Map<number, PastEvent[]>();
  const byTerminal = new Map<number, PastEvent[]>();
  const out = new Float64Array(n * 15);
  for (let i = 0; i < n; i++) {
    const now = t[i]!;
    const event: PastEvent = { time: now, amount: amount[i]!, fraud: fraud[i]! };
    const o = i * 15;
    out[o] = amount[i]!;
    const day = Math.floor(now / DAY);
    out[o + 1] = (day + 6) % 7 >= 5 ? 1 : 0;
    out[o + 2] = Math.floor((now - day * DAY) / 3600) <= 6 ? 1 : 0;

    let own = byCustomer.get(customer[i]!);
    if (own === undefined) byCustomer.set(customer[i]!, (own = []));
    own.push(event);
    for (let w = 0; w < 3; w++) {
      let count = 0;
      let sum = 0;
      for (let j = own.length - 1; j >= 0 && own[j]!.time > now - windows[w]!; j--) {
        count++;
        sum += own[j]!.amount;
      }
      out[o + 3 + 2 * w] = count;
      out[o + 4 + 2 * w] = count > 0 ? sum / count : 0;
    }

    let seen = byTerminal.get(terminal[i]!);
    if (seen === undefined) byTerminal.set(terminal[i]!, (seen = []));
    seen.push(event);
    for (let w = 0; w < 3; w++) {
      let count = 0;
      let frauds = 0;
      for (let j = seen.length - 1; j >= 0 && seen[j]!.time > now - delay - windows[w]!; j--) {
        if (seen[j]!.time > now - delay) continue;
        count++;
        frauds += seen[j]!.fraud;
      }
      out[o + 9 + 2 * w] = count;
      out[o + 10 + 2 * w] = count > 0 ? frauds / count : 0;
    }
  }
  return out;
}

function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function main(): void {
  log('generating transactions …');
  let started = performance.now();
  const table = generateTransactions();
  const n = table.length;
  let frauds = 0;
  for (const label of table.numeric('TX_FRAUD')) frauds += label;
  log(
    `${n} rows, ${(100 * frauds) / n}% fraud, in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );

  const features = handbookFeatureSet();

  // Batch: the first run includes JIT warm-up; then three more.
  const batchRuns: number[] = [];
  let batch = computeFeatures(table, features);
  for (let run = 0; run < 4; run++) {
    started = performance.now();
    batch = computeFeatures(table, features);
    batchRuns.push(performance.now() - started);
    log(`batch run ${run + 1}: ${batchRuns[run]!.toFixed(0)} ms`);
  }
  const batchColdMs = batchRuns.shift()!;
  const batchMs = median(batchRuns);
  started = performance.now();
  const batch32 = computeFeatures(table, features, { dtype: 'float32' });
  const batch32Ms = performance.now() - started;

  log('online replay, timing every update …');
  const state = new OnlineFeatureState(features);
  const columns = table.columnNames.map((name) => [name, table.numeric(name)] as const);
  const row: Record<string, number> = {};
  const out = new Float64Array(15);
  const latencies = new Float64Array(n);
  let mismatches = 0;
  started = performance.now();
  for (let i = 0; i < n; i++) {
    for (const [name, column] of columns) row[name] = column[i]!;
    const before = performance.now();
    state.update(row, out);
    latencies[i] = (performance.now() - before) * 1000;
    for (let j = 0; j < 15; j++) if (out[j] !== batch.values[i * 15 + j]) mismatches++;
  }
  const replayMs = performance.now() - started;
  latencies.sort();
  const stats = state.stats();
  log(`online replay ${replayMs.toFixed(0)} ms, ${mismatches} values differ from batch`);

  // The same replay without per-call timers, for throughput.
  const untimed = new OnlineFeatureState(features);
  started = performance.now();
  for (let i = 0; i < n; i++) {
    for (const [name, column] of columns) row[name] = column[i]!;
    untimed.update(row, out);
  }
  const untimedMs = performance.now() - started;

  // The baseline runs last: its garbage (millions of small objects) must not land in the
  // online replay's latencies.
  log('baseline (per-row backward scan) …');
  started = performance.now();
  const baseline = baselineFeatures(table);
  const baselineMs = performance.now() - started;
  let baselineWorst = 0;
  for (let k = 0; k < baseline.length; k++) {
    const b = batch.values[k]!;
    baselineWorst = Math.max(baselineWorst, Math.abs(baseline[k]! - b) / Math.max(1, Math.abs(b)));
  }
  log(`baseline ${baselineMs.toFixed(0)} ms, max relative difference to batch ${baselineWorst}`);

  started = performance.now();
  const text = JSON.stringify(state);
  const snapshotMs = performance.now() - started;
  started = performance.now();
  OnlineFeatureState.fromJSON(JSON.parse(text));
  const restoreMs = performance.now() - started;

  const perRowBaselineUs = (baselineMs * 1000) / n;
  const result = {
    benchmark: 'features',
    question:
      'Point-in-time fraud features (Le Borgne et al. 2022, §3.3) on the full default dataset: batch time vs a per-row backward-scan baseline, online latency per transaction.',
    machine: describeMachine(),
    created: new Date().toISOString(),
    data: {
      generator: 'benchmarks/features/features.bench.ts (deterministic, seed 2018)',
      rows: n,
      customers: CONFIG.customers,
      terminals: CONFIG.terminals,
      days: CONFIG.days,
      fraudRate: frauds / n,
    },
    batch: {
      coldMs: batchColdMs,
      medianMs: batchMs,
      runsMs: batchRuns,
      float32Ms: batch32Ms,
      rowsPerSecond: n / (batchMs / 1000),
      float32Elements: batch32.values.length,
    },
    baseline: {
      method:
        'per row: push onto the entity event array (objects in a Map), scan it backwards for each of the 6 windows; no two pointers, no running sums',
      ms: baselineMs,
      perRowUs: perRowBaselineUs,
      maxRelativeDifferenceToBatch: baselineWorst,
    },
    speedupBatchOverBaseline: baselineMs / batchMs,
    online: {
      updates: n,
      p50Us: quantile(latencies, 0.5),
      p90Us: quantile(latencies, 0.9),
      p99Us: quantile(latencies, 0.99),
      p999Us: quantile(latencies, 0.999),
      maxUs: latencies[n - 1]!,
      meanUs: (untimedMs * 1000) / n,
      replayMs: untimedMs,
      updatesPerSecond: n / (untimedMs / 1000),
      valuesDifferingFromBatch: mismatches,
      finalState: stats,
      snapshotJsonBytes: text.length,
      snapshotMs,
      restoreMs,
    },
  };
  const resultsDir = new URL('../results/', import.meta.url);
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(new URL('features.json', resultsDir), `${JSON.stringify(result, null, 2)}\n`);

  const rows: [string, string][] = [
    [
      'rows (customers / terminals / days)',
      `${n} (${CONFIG.customers} / ${CONFIG.terminals} / ${CONFIG.days})`,
    ],
    ['fraud rate', `${((100 * frauds) / n).toFixed(2)} %`],
    [
      'batch computeFeatures, median of 3',
      `${batchMs.toFixed(0)} ms (${(n / batchMs / 1000).toFixed(2)} M rows/s)`,
    ],
    ['batch, first run (JIT warm-up)', `${batchColdMs.toFixed(0)} ms`],
    ['batch, float32 output', `${batch32Ms.toFixed(0)} ms`],
    [
      'baseline per-row backward scan',
      `${baselineMs.toFixed(0)} ms (${perRowBaselineUs.toFixed(2)} µs/row)`,
    ],
    ['batch speed-up over baseline', `${(baselineMs / batchMs).toFixed(1)} ×`],
    [
      'online update p50 / p99',
      `${result.online.p50Us.toFixed(2)} / ${result.online.p99Us.toFixed(2)} µs`,
    ],
    [
      'online update p99.9 / max',
      `${result.online.p999Us.toFixed(1)} / ${result.online.maxUs.toFixed(0)} µs`,
    ],
    [
      'online replay (untimed)',
      `${untimedMs.toFixed(0)} ms (${result.online.meanUs.toFixed(2)} µs/update)`,
    ],
    ['online values ≠ batch', `${mismatches} of ${n * 15}`],
    [
      'final state: entities / events',
      `${stats.entities} / ${stats.events} (~${(stats.bytes / 2 ** 20).toFixed(1)} MiB)`,
    ],
    [
      'snapshot JSON / toJSON / fromJSON',
      `${(text.length / 2 ** 20).toFixed(1)} MiB / ${snapshotMs.toFixed(0)} ms / ${restoreMs.toFixed(0)} ms`,
    ],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  process.stdout.write(
    `${rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n')}\n`,
  );
  log('wrote benchmarks/results/features.json');
}

main();
