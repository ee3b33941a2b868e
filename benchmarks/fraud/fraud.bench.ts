/**
 * Which fraud model, with which class weighting, on the handbook's protocol?
 *
 * Data: the default simulated dataset (5,000 customers, 10,000 terminals, 183 days, seed 2018),
 * the 15 point-in-time features, train on 7 days from 2018-07-25, 7-day label delay, test on the
 * next 7 days with known compromised cards removed. Rows of the table: the amount rule (score =
 * amount, the baseline), logistic regression, the MLP and the trees, each with class weights
 * none / balanced; scikit-learn's LogisticRegression and HistGradientBoostingClassifier on the
 * same feature rows (Debian python3-sklearn, same run). For each: ROC AUC and AP with 95 %
 * bootstrap intervals over transactions, card precision@100 and recall at 100 cards a day with
 * 95 % bootstrap intervals over test days, fit time, and for our models the online scoring
 * latency of one transaction (features + model) over the 10 days after the test week.
 *
 * Run: pnpm bench fraud   (node --import tsx --conditions=@mlsd/source benchmarks/fraud/fraud.bench.ts)
 * Writes benchmarks/results/fraud.json; prints a table on stdout, progress on stderr.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  averagePrecision,
  bootstrapInterval,
  type ClassWeight,
  randomOversample,
  randomUndersample,
  rankCardsDaily,
  rocAuc,
  takeResampledRows,
  timeSplit,
} from '@mlsd/classify';
import { Rng } from '@mlsd/core';
import { simulateTransactions } from '@mlsd/datasets';
import { OnlineFeatureState } from '@mlsd/features';
import {
  createClassifier,
  FRAUD_MODEL_KINDS,
  FraudModel,
  FraudScorer,
  prepareFraudLog,
  protocolDay,
  resolveFraudConfig,
  takeRows,
  takeValues,
} from '@mlsd/fraud';
import { describeMachine } from '../machine.js';

const PYTHON = '/usr/bin/python3';
const PEER = fileURLToPath(new URL('fraud_sklearn.py', import.meta.url));
const K = 100;
const log = (message: string) => process.stderr.write(`[fraud] ${message}\n`);

const simulation = simulateTransactions({ seed: 2018, progress: false });
const table = simulation.table;
// The handbook preset: the simulator's columns, its 15 features, train from 2018-07-25.
const { data, features, protocol } = prepareFraudLog(table);
const trainStartDay = protocolDay(protocol, protocol.trainStart);
const split = timeSplit({ day: data.day, card: data.card, label: data.label }, { trainStartDay });
const Xtrain = takeRows(data.X, split.train);
const ytrain = takeValues(data.label, split.train);
const Xtest = takeRows(data.X, split.test);
const test = {
  day: takeValues(data.day, split.test),
  card: takeValues(data.card, split.test),
  label: takeValues(data.label, split.test),
};
log(
  `${table.length} transactions; train ${split.train.length} rows, test ${split.test.length} rows`,
);

interface Row {
  model: string;
  classWeight: string;
  auc: number;
  aucCi: [number, number];
  ap: number;
  apCi: [number, number];
  cpAt100: number;
  cpCi: [number, number];
  recallAtBudget: number;
  recallCi: [number, number];
  fitSeconds: number | null;
  onlineP50Us: number | null;
  onlineP99Us: number | null;
}

/** Card precision@k and recall at the budget, with a bootstrap over test days. */
function dailyMetrics(score: Float64Array): {
  cp: number;
  cpCi: [number, number];
  recall: number;
  recallCi: [number, number];
} {
  const alerts = rankCardsDaily({ ...test, score }, K);
  const days = alerts.days.length;
  const stat = (pick: Int32Array) => {
    let cp = 0;
    let caught = 0;
    let compromised = 0;
    for (const d of pick) {
      cp += alerts.cardPrecision[d]!;
      caught += alerts.caught[d]!;
      compromised += alerts.compromised[d]!;
    }
    return { cp: cp / pick.length, recall: compromised === 0 ? 0 : caught / compromised };
  };
  const all = stat(Int32Array.from({ length: days }, (_, i) => i));
  const rng = new Rng(7);
  const cps: number[] = [];
  const recalls: number[] = [];
  for (let b = 0; b < 1000; b++) {
    const pick = Int32Array.from({ length: days }, () => rng.integer(0, days));
    const s = stat(pick);
    cps.push(s.cp);
    recalls.push(s.recall);
  }
  const ci = (values: number[]): [number, number] => {
    values.sort((a, b) => a - b);
    return [values[Math.floor(0.025 * values.length)]!, values[Math.floor(0.975 * values.length)]!];
  };
  return { cp: all.cp, cpCi: ci(cps), recall: all.recall, recallCi: ci(recalls) };
}

function row(
  model: string,
  classWeight: string,
  score: Float64Array,
  fitSeconds: number | null,
  online?: { p50: number; p99: number },
): Row {
  const auc = bootstrapInterval(test.label, score, rocAuc, { seed: 1 });
  const ap = bootstrapInterval(test.label, score, averagePrecision, { seed: 1 });
  const daily = dailyMetrics(score);
  return {
    model,
    classWeight,
    auc: rocAuc(test.label, score),
    aucCi: [auc.low, auc.high],
    ap: averagePrecision(test.label, score),
    apCi: [ap.low, ap.high],
    cpAt100: daily.cp,
    cpCi: daily.cpCi,
    recallAtBudget: daily.recall,
    recallCi: daily.recallCi,
    fitSeconds,
    onlineP50Us: online?.p50 ?? null,
    onlineP99Us: online?.p99 ?? null,
  };
}

/** Online latency: warm a state on the 37 days before the stream, then score 10 days one by one. */
function onlineLatency(model: FraudModel): { p50: number; p99: number } {
  const times = table.numeric('TX_TIME_SECONDS');
  const days = table.numeric('TX_TIME_DAYS');
  const streamStart = split.testStartDay + 7;
  const state = new OnlineFeatureState(features);
  const reader = new FraudScorer(model, state);
  const names = [
    'TRANSACTION_ID',
    'TX_TIME_SECONDS',
    'TX_AMOUNT',
    'TX_FRAUD',
    'CUSTOMER_ID',
    'TERMINAL_ID',
  ];
  const columns = names.map((name) => table.numeric(name));
  const tx = (i: number) => Object.fromEntries(names.map((name, c) => [name, columns[c]![i]!]));
  let i = 0;
  while (i < times.length && days[i]! < streamStart - 37) i++;
  for (; i < times.length && days[i]! < streamStart; i++) state.update(reader.normalize(tx(i)));
  const scorer = new FraudScorer(model, state);
  const latencies: number[] = [];
  for (; i < times.length && days[i]! < streamStart + 10; i++) {
    const request = tx(i);
    delete request.TX_FRAUD;
    const started = performance.now();
    scorer.score(request);
    latencies.push((performance.now() - started) * 1000);
  }
  latencies.sort((a, b) => a - b);
  return {
    p50: latencies[Math.floor(0.5 * latencies.length)]!,
    p99: latencies[Math.floor(0.99 * latencies.length)]!,
  };
}

const rows: Row[] = [];
rows.push(row('amount rule', 'n/a', takeValues(data.amount, split.test), null));
for (const classWeight of ['none', 'balanced'] as ClassWeight[]) {
  for (const kind of FRAUD_MODEL_KINDS) {
    log(`${kind}, class weight ${String(classWeight)}`);
    const classifier = createClassifier({ kind, classWeight, seed: 0 });
    const started = performance.now();
    await classifier.fit(Xtrain, ytrain);
    const fitSeconds = (performance.now() - started) / 1000;
    const model = new FraudModel({
      classifier,
      config: resolveFraudConfig({ model: { kind, classWeight, seed: 0 } }),
      features,
      protocol,
      threshold: 0.5,
      reference: takeRows(Xtrain, new Int32Array(0)),
      metrics: {},
    });
    rows.push(
      row(
        kind,
        String(classWeight),
        classifier.predictProba(Xtest),
        fitSeconds,
        onlineLatency(model),
      ),
    );
  }
}

// Resampling instead of class weights, for comparison (rows of the training set drawn again).
for (const [name, resample] of [
  ['undersample 1:1', randomUndersample],
  ['oversample 1:1', randomOversample],
] as const) {
  for (const kind of ['logreg', 'gbdt'] as const) {
    log(`${kind}, ${name}`);
    const sample = takeResampledRows(resample(ytrain, { seed: 0 }), Xtrain, ytrain);
    const classifier = createClassifier({ kind, classWeight: 'none', seed: 0 });
    const started = performance.now();
    await classifier.fit(sample.X, sample.y);
    const fitSeconds = (performance.now() - started) / 1000;
    rows.push(row(`${kind} + ${name}`, 'none', classifier.predictProba(Xtest), fitSeconds));
  }
}

log('scikit-learn peers');
const folder = mkdtempSync(join(tmpdir(), 'mlsd-fraud-bench-'));
writeFileSync(join(folder, 'meta.json'), JSON.stringify({ cols: Xtrain.cols }));
writeFileSync(
  join(folder, 'train_X.f32'),
  Buffer.from(Xtrain.data.buffer, Xtrain.data.byteOffset, Xtrain.data.byteLength),
);
writeFileSync(join(folder, 'train_y.u8'), ytrain);
writeFileSync(
  join(folder, 'test_X.f32'),
  Buffer.from(Xtest.data.buffer, Xtest.data.byteOffset, Xtest.data.byteLength),
);
const peer = spawnSync(PYTHON, [PEER, folder], {
  encoding: 'utf8',
  env: { ...process.env, OMP_NUM_THREADS: '1' },
});
let sklearnVersion: string | null = null;
if (peer.status === 0) {
  const info = JSON.parse(readFileSync(join(folder, 'peer.json'), 'utf8')) as {
    fitSeconds: Record<string, number>;
    sklearn: string;
  };
  sklearnVersion = info.sklearn;
  for (const [key, seconds] of Object.entries(info.fitSeconds)) {
    const bytes = readFileSync(join(folder, `${key}.f64`));
    const score = new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8).slice();
    const [, model, weight] = key.match(/^(sklearn-\w+)-(\w+)$/)!;
    rows.push(row(model!, weight!, score, seconds));
  }
} else {
  log(`scikit-learn peer failed (${peer.status}): ${peer.stderr.slice(0, 500)}`);
}
rmSync(folder, { recursive: true, force: true });

const f = (x: number) => x.toFixed(3);
const ci = (c: [number, number]) => `[${f(c[0])}, ${f(c[1])}]`;
process.stdout.write(
  '| model | class weight | ROC AUC | AP | CP@100 | recall@100/day | fit s | online p50/p99 µs |\n|---|---|---|---|---|---|---|---|\n',
);
for (const r of rows) {
  process.stdout.write(
    `| ${r.model} | ${r.classWeight} | ${f(r.auc)} ${ci(r.aucCi)} | ${f(r.ap)} ${ci(r.apCi)} | ${f(r.cpAt100)} ${ci(r.cpCi)} | ${f(r.recallAtBudget)} ${ci(r.recallCi)} | ${r.fitSeconds === null ? '–' : r.fitSeconds.toFixed(2)} | ${r.onlineP50Us === null ? '–' : `${r.onlineP50Us.toFixed(1)} / ${r.onlineP99Us!.toFixed(1)}`} |\n`,
  );
}
const results = fileURLToPath(new URL('../results/', import.meta.url));
mkdirSync(results, { recursive: true });
writeFileSync(
  join(results, 'fraud.json'),
  `${JSON.stringify(
    {
      benchmark: 'fraud',
      date: new Date().toISOString(),
      machine: describeMachine(),
      data: {
        transactions: table.length,
        trainRows: split.train.length,
        testRows: split.test.length,
        trainStartDay,
        testStartDay: split.testStartDay,
      },
      sklearn: sklearnVersion,
      rows,
    },
    null,
    2,
  )}\n`,
);
