/**
 * Do our gradient-boosted trees train as fast as scikit-learn's HistGradientBoostingClassifier,
 * and score as well, on fraud features?
 *
 * Data: the default simulated dataset (`simulateTransactions`, 5,000 customers, 10,000
 * terminals, 183 days, seed 2018) turned into the handbook's 15 point-in-time features
 * (`computeFeatures`). Training rows are days [30, 82) (~500 k rows, ~0.8 % fraud), a 7-day gap
 * is skipped, the held-out rows are days [89, 120). Both models get the same arrays (through
 * raw binary files) and the same hyperparameters: 100 iterations, learning rate 0.1, 31 leaves,
 * min 20 rows per leaf, l2 1, 255 bins, no early stopping, once unweighted and once with
 * balanced class weights. (With l2 0 both libraries grow leaves of value ≈ −1000 late in
 * training — pure leaves whose hessian sum is barely above minHessianLeaf — and their
 * held-out AP then depends on where that happens; l2 1 keeps both stable.) scikit-learn runs with OMP_NUM_THREADS=1 and =2; ours is one thread.
 * AUC and AP are computed for both by @mlsd/classify's metrics on the same rows, each with a
 * 95 % bootstrap interval, plus a paired bootstrap interval of the difference (ours − sklearn).
 *
 * Run: node --import tsx --conditions=@mlsd/source benchmarks/classify/gbdt.bench.ts
 * Writes benchmarks/results/classify-gbdt.json; a table on stdout, progress on stderr.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { arch, cpus, platform, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import {
  averagePrecision,
  type ClassWeight,
  GradientBoostingClassifier,
  rocAuc,
} from '@mlsd/classify';
import { Rng, toMatrix } from '@mlsd/core';
import { simulateTransactions } from '@mlsd/datasets';
import { computeFeatures } from '@mlsd/features';

const SIMULATION = { customers: 5_000, terminals: 10_000, days: 183, seed: 2018 };
const TRAIN_DAYS: [number, number] = [30, 82];
const TEST_DAYS: [number, number] = [89, 120];
const RUNS = 2;
/** Extra seeds (ours: `seed`; scikit-learn: `random_state`) fitted once each for the spread. */
const SPREAD_SEEDS = [1, 2, 3];
const BOOTSTRAP_RESAMPLES = 200;
const PYTHON = '/usr/bin/python3';
const PEER_SCRIPT = fileURLToPath(new URL('gbdt_sklearn.py', import.meta.url));

const PARAMS = {
  maxIter: 100,
  learningRate: 0.1,
  maxLeafNodes: 31,
  minSamplesLeaf: 20,
  l2Regularization: 1,
  maxBins: 255,
};

function log(message: string): void {
  process.stderr.write(`[classify-gbdt] ${message}\n`);
}

interface Split {
  X: Float64Array;
  y: Uint8Array;
  rows: number;
}

function buildData(): { cols: number; names: readonly string[]; train: Split; test: Split } {
  let started = performance.now();
  const { table, summary } = simulateTransactions(SIMULATION);
  log(
    `simulated ${summary.transactions} transactions in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  started = performance.now();
  const features = computeFeatures(table);
  log(
    `features ${features.rows} × ${features.columns} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  const days = table.numeric('TX_TIME_DAYS');
  const fraud = table.numeric('TX_FRAUD');
  const cols = features.columns;
  const take = ([from, to]: [number, number]): Split => {
    const rows: number[] = [];
    for (let i = 0; i < days.length; i++) if (days[i]! >= from && days[i]! < to) rows.push(i);
    const X = new Float64Array(rows.length * cols);
    const y = new Uint8Array(rows.length);
    rows.forEach((row, k) => {
      X.set(features.values.subarray(row * cols, (row + 1) * cols), k * cols);
      y[k] = fraud[row]!;
    });
    return { X, y, rows: rows.length };
  };
  return { cols, names: features.names, train: take(TRAIN_DAYS), test: take(TEST_DAYS) };
}

interface ModelResult {
  fitSeconds: number[];
  /** CPU time of the fitting process (user + system), a fairer figure on a busy machine. */
  fitCpuSeconds: number[];
  predictSeconds: number;
  trees: number;
  proba: Float64Array;
}

async function runOurs(
  cols: number,
  train: Split,
  test: Split,
  classWeight: ClassWeight,
  seed = 0,
  runs = RUNS,
): Promise<ModelResult> {
  const Xtrain = toMatrix(train.X, train.rows, cols);
  const Xtest = toMatrix(test.X, test.rows, cols);
  const fitSeconds: number[] = [];
  const fitCpuSeconds: number[] = [];
  let model: GradientBoostingClassifier | undefined;
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    model = await new GradientBoostingClassifier({
      ...PARAMS,
      classWeight,
      seed,
      earlyStopping: false,
    }).fit(Xtrain, train.y);
    fitSeconds.push((performance.now() - started) / 1000);
    const cpu = process.cpuUsage(cpuStarted);
    fitCpuSeconds.push((cpu.user + cpu.system) / 1e6);
    log(`ours (${classWeight}) fit ${fitSeconds[run]!.toFixed(2)} s`);
  }
  const started = performance.now();
  const proba = model!.predictProba(Xtest);
  return {
    fitSeconds,
    fitCpuSeconds,
    predictSeconds: (performance.now() - started) / 1000,
    trees: model!.nIter,
    proba,
  };
}

function runSklearn(
  folder: string,
  cols: number,
  threads: number,
  classWeight: ClassWeight,
  seed = 0,
  runs = RUNS,
): ModelResult {
  const label = `${threads}-${classWeight}-${seed}`;
  writeFileSync(
    join(folder, 'meta.json'),
    JSON.stringify({ cols, runs, seed, params: { ...PARAMS, classWeight } }),
  );
  const result = spawnSync(PYTHON, [PEER_SCRIPT, folder, label], {
    env: { ...process.env, OMP_NUM_THREADS: String(threads) },
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (result.status !== 0) {
    throw new Error(`sklearn peer failed (exit ${result.status}): ${result.stderr}`);
  }
  const out = JSON.parse(result.stdout.trim().split('\n').pop()!) as {
    fitSeconds: number[];
    fitCpuSeconds: number[];
    predictSeconds: number;
    trees: number;
  };
  log(
    `sklearn ${threads} thread(s) (${classWeight}) fit ${out.fitSeconds.map((s) => s.toFixed(2)).join(', ')} s`,
  );
  const bytes = readFileSync(join(folder, `sklearn-proba-${label}.f64`));
  const proba = new Float64Array(bytes.byteLength / 8);
  new Uint8Array(proba.buffer).set(bytes);
  const { fitSeconds, fitCpuSeconds, predictSeconds, trees } = out;
  return { fitSeconds, fitCpuSeconds, predictSeconds, trees, proba };
}

interface Interval {
  estimate: number;
  low: number;
  high: number;
}

type MetricPair<T> = { auc: T; ap: T };

interface Comparison {
  ours: MetricPair<Interval>;
  sklearn: MetricPair<Interval>;
  /** ours − sklearn on the same resamples (paired). */
  difference: MetricPair<Interval>;
}

/**
 * Seeded percentile bootstrap of AUC and AP for both models and of their paired difference.
 * A resample is drawn as multinomial counts per row and passed to @mlsd/classify's `rocAuc` and
 * `averagePrecision` as sample weights (the same as repeating rows), on rows pre-sorted by each
 * model's score, so each metric call sorts an already-sorted array in linear time.
 */
function compareModels(y: Uint8Array, ours: Float64Array, peer: Float64Array): Comparison {
  const n = y.length;
  const sides = [ours, peer].map((scores) => {
    const order = Int32Array.from({ length: n }, (_, i) => i).sort(
      (a, b) => scores[b]! - scores[a]! || a - b,
    );
    return {
      order,
      labels: Float64Array.from(order, (i) => y[i]!),
      scores: Float64Array.from(order, (i) => scores[i]!),
      weights: new Float64Array(n),
    };
  });
  const metrics: MetricPair<typeof rocAuc> = { auc: rocAuc, ap: averagePrecision };
  const draws = {
    ours: { auc: [] as number[], ap: [] as number[] },
    sklearn: { auc: [] as number[], ap: [] as number[] },
    difference: { auc: [] as number[], ap: [] as number[] },
  };
  const rng = new Rng(11);
  const counts = new Float64Array(n);
  for (let r = 0; r < BOOTSTRAP_RESAMPLES; r++) {
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const j = rng.integer(0, n);
      counts[j] = counts[j]! + 1;
    }
    for (const side of sides) {
      for (let k = 0; k < n; k++) side.weights[k] = counts[side.order[k]!]!;
    }
    for (const name of ['auc', 'ap'] as const) {
      const [a, b] = sides.map((side) => metrics[name](side.labels, side.scores, side.weights)) as [
        number,
        number,
      ];
      draws.ours[name].push(a);
      draws.sklearn[name].push(b);
      draws.difference[name].push(a - b);
    }
  }
  const interval = (values: number[], estimate: number): Interval => {
    const ordered = [...values].sort((a, b) => a - b);
    return {
      estimate,
      low: ordered[Math.floor(0.025 * (ordered.length - 1))]!,
      high: ordered[Math.ceil(0.975 * (ordered.length - 1))]!,
    };
  };
  const a = { auc: rocAuc(y, ours), ap: averagePrecision(y, ours) };
  // The weighted path must agree with the plain one when every row counts once.
  const check = sides[0]!;
  check.weights.fill(1);
  if (Math.abs(rocAuc(check.labels, check.scores, check.weights) - a.auc) > 1e-12) {
    throw new Error(
      'weighted AUC on sorted rows disagrees with rocAuc; the bootstrap would be wrong',
    );
  }
  const b = { auc: rocAuc(y, peer), ap: averagePrecision(y, peer) };
  return {
    ours: { auc: interval(draws.ours.auc, a.auc), ap: interval(draws.ours.ap, a.ap) },
    sklearn: { auc: interval(draws.sklearn.auc, b.auc), ap: interval(draws.sklearn.ap, b.ap) },
    difference: {
      auc: interval(draws.difference.auc, a.auc - b.auc),
      ap: interval(draws.difference.ap, a.ap - b.ap),
    },
  };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

async function main(): Promise<void> {
  const { cols, names, train, test } = buildData();
  const positives = (y: Uint8Array) => y.reduce((s, v) => s + v, 0);
  log(
    `train ${train.rows} rows (${positives(train.y)} fraud), test ${test.rows} rows (${positives(test.y)} fraud)`,
  );

  const folder = mkdtempSync(join(tmpdir(), 'mlsd-gbdt-bench-'));
  const configs: Record<string, unknown>[] = [];
  const seedSpread: { seed: number; ours: MetricPair<number>; sklearn: MetricPair<number> }[] = [];
  try {
    writeFileSync(join(folder, 'x-train.f64'), new Uint8Array(train.X.buffer));
    writeFileSync(join(folder, 'y-train.u8'), train.y);
    writeFileSync(join(folder, 'x-test.f64'), new Uint8Array(test.X.buffer));

    for (const classWeight of ['none', 'balanced'] as const) {
      const ours = await runOurs(cols, train, test, classWeight);
      const peers = [1, 2].map((threads) => ({
        threads,
        ...runSklearn(folder, cols, threads, classWeight),
      }));
      const quality = compareModels(test.y, ours.proba, peers[0]!.proba);
      configs.push({
        classWeight,
        ours: {
          threads: 1,
          fitSeconds: ours.fitSeconds,
          fitSecondsMedian: median(ours.fitSeconds),
          fitCpuSeconds: ours.fitCpuSeconds,
          fitCpuSecondsMedian: median(ours.fitCpuSeconds),
          predictSeconds: ours.predictSeconds,
          trees: ours.trees,
          ...quality.ours,
        },
        sklearn: peers.map((peer) => ({
          threads: peer.threads,
          fitSeconds: peer.fitSeconds,
          fitSecondsMedian: median(peer.fitSeconds),
          fitCpuSeconds: peer.fitCpuSeconds,
          fitCpuSecondsMedian: median(peer.fitCpuSeconds),
          predictSeconds: peer.predictSeconds,
          trees: peer.trees,
        })),
        sklearnQuality: quality.sklearn,
        difference: quality.difference,
        speedupVsSklearn1Thread: median(peers[0]!.fitSeconds) / median(ours.fitSeconds),
        cpuRatioVsSklearn1Thread: median(peers[0]!.fitCpuSeconds) / median(ours.fitCpuSeconds),
        speedupVsSklearn2Threads: median(peers[1]!.fitSeconds) / median(ours.fitSeconds),
      });
    }

    // Training randomness (which rows pick the bin edges) moves AP too; measure its spread.
    for (const seed of SPREAD_SEEDS) {
      const ours = await runOurs(cols, train, test, 'none', seed, 1);
      const peer = runSklearn(folder, cols, 1, 'none', seed, 1);
      seedSpread.push({
        seed,
        ours: { auc: rocAuc(test.y, ours.proba), ap: averagePrecision(test.y, ours.proba) },
        sklearn: { auc: rocAuc(test.y, peer.proba), ap: averagePrecision(test.y, peer.proba) },
      });
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }

  const python = spawnSync(
    PYTHON,
    ['-c', 'import sklearn, numpy; print(sklearn.__version__, numpy.__version__)'],
    { encoding: 'utf8' },
  );
  const result = {
    benchmark: 'classify-gbdt',
    question:
      "Gradient-boosted trees (@mlsd/classify GradientBoostingClassifier) vs scikit-learn's HistGradientBoostingClassifier on the handbook's fraud features: fit time at equal threads, held-out AUC and AP.",
    machine: {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      platform: `${platform()} ${release()} ${arch()}`,
      node: process.version,
      python: PYTHON,
      sklearnNumpy: python.stdout.trim(),
    },
    created: new Date().toISOString(),
    data: {
      generator: 'simulateTransactions(seed 2018) + computeFeatures (15 handbook features)',
      simulation: SIMULATION,
      features: names,
      trainDays: TRAIN_DAYS,
      testDays: TEST_DAYS,
      trainRows: train.rows,
      trainFraud: positives(train.y),
      testRows: test.rows,
      testFraud: positives(test.y),
    },
    params: {
      ...PARAMS,
      earlyStopping: false,
      runs: RUNS,
      bootstrapResamples: BOOTSTRAP_RESAMPLES,
    },
    configs,
    seedSpread: { classWeight: 'none', runs: seedSpread },
  };
  const resultsDir = new URL('../results/', import.meta.url);
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(new URL('classify-gbdt.json', resultsDir), `${JSON.stringify(result, null, 2)}\n`);

  const fmt = (x: { estimate: number; low: number; high: number }) =>
    `${x.estimate.toFixed(4)} [${x.low.toFixed(4)}, ${x.high.toFixed(4)}]`;
  process.stdout.write(
    '| class weight | model | threads | fit s (median) | fit CPU s | AUC [95 % CI] | AP [95 % CI] |\n',
  );
  process.stdout.write('| --- | --- | --- | --- | --- | --- | --- |\n');
  for (const config of configs as {
    classWeight: string;
    ours: {
      fitSecondsMedian: number;
      fitCpuSecondsMedian: number;
      auc: BootstrapLike;
      ap: BootstrapLike;
    };
    sklearn: { threads: number; fitSecondsMedian: number; fitCpuSecondsMedian: number }[];
    sklearnQuality: { auc: BootstrapLike; ap: BootstrapLike };
    difference: { auc: BootstrapLike; ap: BootstrapLike };
  }[]) {
    process.stdout.write(
      `| ${config.classWeight} | mlsd | 1 | ${config.ours.fitSecondsMedian.toFixed(2)} | ${config.ours.fitCpuSecondsMedian.toFixed(2)} | ${fmt(config.ours.auc)} | ${fmt(config.ours.ap)} |\n`,
    );
    for (const peer of config.sklearn) {
      process.stdout.write(
        `| ${config.classWeight} | sklearn | ${peer.threads} | ${peer.fitSecondsMedian.toFixed(2)} | ${peer.fitCpuSecondsMedian.toFixed(2)} | ${fmt(config.sklearnQuality.auc)} | ${fmt(config.sklearnQuality.ap)} |\n`,
      );
    }
    process.stdout.write(
      `| ${config.classWeight} | mlsd − sklearn | | | | ${fmt(config.difference.auc)} | ${fmt(config.difference.ap)} |\n`,
    );
  }
  for (const run of seedSpread) {
    process.stdout.write(
      `seed ${run.seed}: mlsd AUC ${run.ours.auc.toFixed(4)} AP ${run.ours.ap.toFixed(4)} | sklearn AUC ${run.sklearn.auc.toFixed(4)} AP ${run.sklearn.ap.toFixed(4)}\n`,
    );
  }
  log('wrote benchmarks/results/classify-gbdt.json');
}

type BootstrapLike = { estimate: number; low: number; high: number };

await main();
