import v8 from 'node:v8';
import vm from 'node:vm';
import { type Table, toMatrix } from '@mlsd/core';
import { OnlineFeatureState } from '@mlsd/features';
import { FraudModel, FraudScorer } from '@mlsd/fraud';

const COLUMNS = [
  'TRANSACTION_ID',
  'TX_TIME_SECONDS',
  'TX_AMOUNT',
  'TX_FRAUD',
  'CUSTOMER_ID',
  'TERMINAL_ID',
] as const;

/** Days of history before the streamed ones: the longest window plus the label delay. */
const WARM_DAYS = 37;
/** Days streamed one transaction at a time. */
const STREAM_DAYS = 10;

/**
 * The simulator's table as an online scorer meets it: a feature state warmed on the 37 days
 * before `streamStartDay`, and the next 10 days' requests (raw records without their labels),
 * `request(k)` building the k-th when asked, as a service parses each when it arrives.
 */
function onlineStream(table: Table, model: FraudModel, streamStartDay: number) {
  const days = table.numeric('TX_TIME_DAYS');
  const columns = COLUMNS.map((name) => table.numeric(name));
  const tx = (i: number) => Object.fromEntries(COLUMNS.map((name, c) => [name, columns[c]![i]!]));
  const state = new OnlineFeatureState(model.features);
  const reader = new FraudScorer(model, state);
  let i = 0;
  while (i < days.length && days[i]! < streamStartDay - WARM_DAYS) i++;
  for (; i < days.length && days[i]! < streamStartDay; i++) state.update(reader.normalize(tx(i)));
  const first = i;
  while (i < days.length && days[i]! < streamStartDay + STREAM_DAYS) i++;
  const request = (k: number): Record<string, number> => {
    const raw = tx(first + k);
    delete raw.TX_FRAUD;
    return raw;
  };
  return { state, count: i - first, request };
}

// A full collection before each timed stream, without a command-line flag.
v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

/** CPU time (user + system) of `run`, in µs. */
function cpuMicros(run: () => void): number {
  const started = process.cpuUsage();
  run();
  const used = process.cpuUsage(started);
  return used.user + used.system;
}

/**
 * Online scoring latency of one transaction of the simulator's table (raw record → normalized
 * → features → model), in µs: warms a feature state on the 37 days before `streamStartDay` (the
 * longest window plus the delay), then scores the next 10 days one transaction at a time,
 * without their labels. Each score's wall time (`p50`, `p99`) and, read outside it, the
 * process's CPU time (`cpuP50`, `cpuP99`: getrusage, µs resolution; time spent waiting for a
 * core is not in it, so it says what a score costs on a busy machine; `cpuClockUs` is what one
 * reading of that clock costs, included once in each); `cpuPerScoreUs` is the CPU time of the
 * whole stream per score, building the requests included.
 */
export function onlineLatency(
  table: Table,
  model: FraudModel,
  streamStartDay: number,
): {
  p50: number;
  p99: number;
  cpuP50: number;
  cpuP99: number;
  cpuClockUs: number;
  transactions: number;
  cpuPerScoreUs: number;
} {
  const { state, count, request } = onlineStream(table, model, streamStartDay);
  const scorer = new FraudScorer(model, state);
  // The warm-up's garbage (and a previous stream's state) collected now, so that collecting it
  // does not land in this stream's latencies.
  collectGarbage();
  const latencies = new Float64Array(count);
  const cpuTimes = new Float64Array(count);
  const cpu = cpuMicros(() => {
    for (let k = 0; k < count; k++) {
      const transaction = request(k);
      const cpuStarted = process.cpuUsage();
      const started = performance.now();
      scorer.score(transaction);
      latencies[k] = (performance.now() - started) * 1000;
      const used = process.cpuUsage(cpuStarted);
      cpuTimes[k] = used.user + used.system;
    }
  });
  const clock = cpuMicros(() => {
    for (let k = 0; k < 10_000; k++) process.cpuUsage(process.cpuUsage());
  });
  latencies.sort();
  cpuTimes.sort();
  const at = (sorted: Float64Array, q: number) => sorted[Math.floor(q * sorted.length)]!;
  return {
    p50: at(latencies, 0.5),
    p99: at(latencies, 0.99),
    cpuP50: at(cpuTimes, 0.5),
    cpuP99: at(cpuTimes, 0.99),
    cpuClockUs: clock / 10_000 / 2,
    transactions: count,
    cpuPerScoreUs: cpu / count,
  };
}

/**
 * The model alone on the streamed transactions' feature vectors, in CPU µs per row: through a
 * one-row matrix (`FraudModel.score`, the batch path; what the online scorer called before the
 * one-row path) and through the classifier's `predictProbaRow` when it has one, alternated
 * `rounds` times in one process; and how many of the rows' scores differ between the two (0:
 * the one-row path changes no score).
 */
export function modelRowCost(
  table: Table,
  model: FraudModel,
  streamStartDay: number,
  rounds = 3,
): { rows: number; matrixUs: number; rowUs: number | null; scoresThatDiffer: number } {
  const { state, count, request } = onlineStream(table, model, streamStartDay);
  const width = model.features.names.length;
  const reader = new FraudScorer(model, state);
  const vectors = Array.from({ length: count }, (_, k) =>
    state.update(reader.normalize(request(k)), new Float32Array(width)),
  );
  const { classifier } = model;
  const byMatrix = new Float64Array(vectors.length);
  const byRow = new Float64Array(vectors.length);
  let matrixUs = Number.POSITIVE_INFINITY;
  let rowUs = Number.POSITIVE_INFINITY;
  for (let round = 0; round < rounds; round++) {
    const matrix = cpuMicros(() => {
      for (let k = 0; k < vectors.length; k++) {
        byMatrix[k] = model.score(toMatrix(vectors[k]!, 1, width))[0]!;
      }
    });
    matrixUs = Math.min(matrixUs, matrix / vectors.length);
    if (classifier.predictProbaRow === undefined) continue;
    const row = cpuMicros(() => {
      for (let k = 0; k < vectors.length; k++) byRow[k] = classifier.predictProbaRow!(vectors[k]!);
    });
    rowUs = Math.min(rowUs, row / vectors.length);
  }
  let scoresThatDiffer = 0;
  if (classifier.predictProbaRow !== undefined) {
    for (let k = 0; k < vectors.length; k++)
      if (!Object.is(byMatrix[k], byRow[k])) scoresThatDiffer++;
  }
  return {
    rows: vectors.length,
    matrixUs,
    rowUs: classifier.predictProbaRow === undefined ? null : rowUs,
    scoresThatDiffer,
  };
}

/**
 * The same model with a classifier that has no one-row path (`predictProbaRow`): its scorer
 * then scores each transaction through a one-row matrix, the path before the one-row one.
 */
export function withoutRowPath(model: FraudModel): FraudModel {
  const { classifier } = model;
  return new FraudModel({
    classifier: {
      fit: (X, y, options) => classifier.fit(X, y, options),
      predictProba: (X) => classifier.predictProba(X),
      save: (dir) => classifier.save(dir),
    },
    config: model.config,
    features: model.features,
    protocol: model.protocol,
    threshold: model.threshold,
    reference: model.reference,
    state: model.state,
    example: model.example,
    metrics: model.metrics,
  });
}
