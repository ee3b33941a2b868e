/**
 * How fast is the transaction simulator on the handbook's default configuration, and how close
 * are its totals to the handbook's reference run?
 *
 * - ours: `simulateTransactions()` with the defaults (5,000 customers, 10,000 terminals,
 *   183 days, r = 5), three seeds; time, transactions and frauds against the reference
 *   (Le Borgne et al. 2022: 1,754,155 transactions, 14,681 frauds, about three minutes);
 * - writing the result as CSV (`writeTransactionsCsv`): time and size;
 * - terminal lookup: our uniform grid against the straightforward loop of every customer over
 *   every terminal, at the default size and at 10× customers and terminals (the loop on a
 *   subset of customers there, extrapolated), checked equal;
 * - a straightforward end-to-end baseline in the same run: the loop lookup, one object per
 *   transaction, one global sort, and each day's scenario found by scanning every transaction
 *   (as a boolean mask over a data frame would).
 *
 * Run: node --import tsx --conditions=@mlsd/source benchmarks/simulator/simulator.bench.ts
 * Writes benchmarks/results/simulator.json; prints a summary on stdout, progress on stderr.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Rng } from '@mlsd/core';
import {
  findNearbyTerminals,
  generateCustomerProfiles,
  generateTerminalProfiles,
  type Points,
  simulateTransactions,
  writeTransactionsCsv,
} from '@mlsd/datasets';
import { describeMachine } from '../machine.js';

const REFERENCE = { transactions: 1_754_155, frauds: 14_681, minutes: 3 };
const DAY = 86_400;

function log(message: string): void {
  process.stderr.write(`[simulator] ${message}\n`);
}

function timed<T>(run: () => T): { value: T; ms: number } {
  const started = performance.now();
  const value = run();
  return { value, ms: performance.now() - started };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The straightforward lookup: every customer against every terminal. */
function loopLookup(
  customers: Points,
  terminals: Points,
  radius: number,
  limit: number,
): number[][] {
  const out: number[][] = [];
  const r2 = radius * radius;
  for (let c = 0; c < limit; c++) {
    const list: number[] = [];
    for (let t = 0; t < terminals.x.length; t++) {
      const dx = customers.x[c]! - terminals.x[t]!;
      const dy = customers.y[c]! - terminals.y[t]!;
      if (dx * dx + dy * dy < r2) list.push(t);
    }
    out.push(list);
  }
  return out;
}

function sameLists(grid: ReturnType<typeof findNearbyTerminals>, loop: number[][]): boolean {
  return loop.every((list, c) => {
    const found = grid.terminals.subarray(grid.offsets[c], grid.offsets[c + 1]);
    return found.length === list.length && list.every((t, k) => found[k] === t);
  });
}

function lookupComparison(customerCount: number, terminalCount: number, loopCustomers: number) {
  const rng = new Rng(99);
  const customers = generateCustomerProfiles(rng.fork('c'), customerCount);
  const terminals = generateTerminalProfiles(rng.fork('t'), terminalCount);
  const grid = timed(() => findNearbyTerminals(customers, terminals, 5));
  const loop = timed(() => loopLookup(customers, terminals, 5, loopCustomers));
  const loopMs = (loop.ms * customerCount) / loopCustomers;
  return {
    customers: customerCount,
    terminals: terminalCount,
    gridMs: grid.ms,
    loopMs,
    loopMeasuredCustomers: loopCustomers,
    loopExtrapolated: loopCustomers < customerCount,
    speedup: loopMs / grid.ms,
    identical: sameLists(grid.value, loop.value),
    meanTerminalsInReach: grid.value.terminals.length / customerCount,
  };
}

interface NaiveTransaction {
  time: number;
  day: number;
  customer: number;
  terminal: number;
  amount: number;
  fraud: number;
  scenario: number;
}

/**
 * The simulator written the obvious way, from the same specification: arrays of objects, a
 * global sort, scenarios found by scanning all transactions for each day.
 */
function naiveSimulation(seed: number): { transactions: number; frauds: number } {
  const rng = new Rng(seed);
  const customers = generateCustomerProfiles(rng.fork('customers'), 5_000);
  const terminals = generateTerminalProfiles(rng.fork('terminals'), 10_000);
  const nearby = loopLookup(customers, terminals, 5, customers.count);
  const draw = rng.fork('transactions');
  const rows: NaiveTransaction[] = [];
  for (let day = 0; day < 183; day++) {
    for (let c = 0; c < customers.count; c++) {
      const n = draw.poisson(customers.meanTransactionsPerDay[c]!);
      for (let k = 0; k < n; k++) {
        const time = draw.normal(DAY / 2, 20_000);
        if (!(time >= 0 && time < DAY)) continue;
        let amount = draw.normal(customers.meanAmount[c]!, customers.stdAmount[c]!);
        if (amount < 0) amount = draw.uniform(0, 2 * customers.meanAmount[c]!);
        const list = nearby[c]!;
        if (list.length === 0) continue;
        const terminal = list[draw.integer(0, list.length)]!;
        rows.push({
          time: day * DAY + Math.floor(time),
          day,
          customer: c,
          terminal,
          amount: Math.round(amount * 100) / 100,
          fraud: 0,
          scenario: 0,
        });
      }
    }
  }
  rows.sort((a, b) => a.time - b.time);
  for (const row of rows) {
    if (row.amount > 220) {
      row.fraud = 1;
      row.scenario = 1;
    }
  }
  const scenarios = rng.fork('naive-scenarios');
  for (let day = 0; day < 183; day++) {
    const compromised = new Set(scenarios.sample(terminals.count, 2));
    for (const row of rows) {
      if (row.day >= day && row.day < day + 28 && compromised.has(row.terminal)) {
        row.fraud = 1;
        row.scenario = 2;
      }
    }
  }
  for (let day = 0; day < 183; day++) {
    const compromised = new Set(scenarios.sample(customers.count, 3));
    const pool = rows.filter(
      (row) => row.day >= day && row.day < day + 14 && compromised.has(row.customer),
    );
    for (const pick of scenarios.sample(pool.length, Math.floor(pool.length / 3))) {
      const row = pool[pick]!;
      row.amount = Math.round(row.amount * 500) / 100;
      row.fraud = 1;
      row.scenario = 3;
    }
  }
  return { transactions: rows.length, frauds: rows.reduce((sum, row) => sum + row.fraud, 0) };
}

async function main(): Promise<void> {
  log('default configuration, three seeds');
  const runs = [0, 1, 2].map((seed) => {
    const { value, ms } = timed(() => simulateTransactions({ seed, progress: false }));
    const { summary } = value;
    log(
      `seed ${seed}: ${summary.transactions} transactions, ${summary.frauds} frauds in ${(ms / 1000).toFixed(2)} s`,
    );
    return { seed, ms, simulation: value };
  });
  const csv = await writeCsv(runs[0]!.simulation, mkdtempSync(join(tmpdir(), 'mlsd-simulator-')));
  finish(runs, csv);
}

async function writeCsv(
  simulation: ReturnType<typeof simulateTransactions>,
  dir: string,
): Promise<{ ms: number; bytes: number }> {
  const path = join(dir, 'transactions.csv');
  try {
    const started = performance.now();
    await writeTransactionsCsv(simulation.table, path);
    const ms = performance.now() - started;
    return { ms, bytes: statSync(path).size };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function finish(
  runs: { seed: number; ms: number; simulation: ReturnType<typeof simulateTransactions> }[],
  csv: { ms: number; bytes: number },
): void {
  log(`CSV written in ${(csv.ms / 1000).toFixed(2)} s (${(csv.bytes / 1e6).toFixed(1)} MB)`);
  log('terminal lookup: grid vs loop');
  const lookups = [
    lookupComparison(5_000, 10_000, 5_000),
    lookupComparison(50_000, 100_000, 2_000),
  ];
  for (const l of lookups) {
    log(
      `${l.customers} × ${l.terminals}: grid ${l.gridMs.toFixed(1)} ms, loop ${l.loopMs.toFixed(0)} ms${l.loopExtrapolated ? ' (extrapolated)' : ''}, identical ${l.identical}`,
    );
  }
  log('straightforward end-to-end baseline (objects, global sort, per-day scans)');
  const naive = timed(() => naiveSimulation(0));
  log(`baseline: ${(naive.ms / 1000).toFixed(2)} s`);

  const medianMs = median(runs.map((run) => run.ms));
  const result = {
    benchmark: 'simulator',
    question:
      'Transaction simulator (Le Borgne et al. 2022, §3.2) on the default configuration: time and totals vs the handbook reference; grid terminal lookup vs a loop over all terminals; vs a straightforward implementation in the same run.',
    // Other processes share these cores; a high load average makes every time here longer.
    machine: describeMachine(),
    created: new Date().toISOString(),
    config: { customers: 5_000, terminals: 10_000, days: 183, startDate: '2018-04-01', radius: 5 },
    reference: {
      source: 'Le Borgne et al. (2022), Fraud Detection Handbook, section 3.2 (their run)',
      ...REFERENCE,
    },
    runs: runs.map(({ seed, ms, simulation }) => ({
      seed,
      ms,
      transactions: simulation.summary.transactions,
      frauds: simulation.summary.frauds,
      fraudShare: simulation.summary.fraudShare,
      byScenario: simulation.summary.byScenario,
      transactionsVsReference: simulation.summary.transactions / REFERENCE.transactions - 1,
      fraudsVsReference: simulation.summary.frauds / REFERENCE.frauds - 1,
    })),
    medianMs,
    rowsPerSecond: runs[0]!.simulation.summary.transactions / (medianMs / 1000),
    csv: { ...csv, rows: runs[0]!.simulation.summary.transactions },
    terminalLookup: lookups,
    baseline: {
      method:
        'same specification written the obvious way: loop lookup over all terminals, one object per transaction, one global sort, each day of scenarios 2 and 3 found by scanning every transaction',
      ms: naive.ms,
      transactions: naive.value.transactions,
      frauds: naive.value.frauds,
    },
    speedupOverBaseline: naive.ms / medianMs,
    rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
  };
  const resultsDir = new URL('../results/', import.meta.url);
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(new URL('simulator.json', resultsDir), `${JSON.stringify(result, null, 2)}\n`);

  const lines = [
    `simulator, default configuration (${result.machine.cpu}, ${result.machine.cores} cores, Node ${process.version})`,
    ...result.runs.map(
      (run) =>
        `  seed ${run.seed}: ${(run.ms / 1000).toFixed(2)} s, ${run.transactions.toLocaleString('en-US')} tx (${(100 * run.transactionsVsReference).toFixed(2)} % vs ref), ${run.frauds.toLocaleString('en-US')} frauds (${(100 * run.fraudsVsReference).toFixed(2)} % vs ref)`,
    ),
    `  reference: ${REFERENCE.transactions.toLocaleString('en-US')} tx, ${REFERENCE.frauds.toLocaleString('en-US')} frauds, ~${REFERENCE.minutes} min`,
    `  CSV: ${(csv.ms / 1000).toFixed(2)} s, ${(csv.bytes / 1e6).toFixed(1)} MB`,
    ...lookups.map(
      (l) =>
        `  lookup ${l.customers.toLocaleString('en-US')} × ${l.terminals.toLocaleString('en-US')}: grid ${l.gridMs.toFixed(1)} ms vs loop ${l.loopMs.toFixed(0)} ms${l.loopExtrapolated ? ' (extrapolated)' : ''} → ${l.speedup.toFixed(0)}×, identical: ${l.identical}`,
    ),
    `  straightforward baseline: ${(naive.ms / 1000).toFixed(2)} s → ours ${result.speedupOverBaseline.toFixed(1)}× faster`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  log('wrote benchmarks/results/simulator.json');
}

main().catch((error: unknown) => {
  process.stderr.write(
    `[simulator] failed: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
