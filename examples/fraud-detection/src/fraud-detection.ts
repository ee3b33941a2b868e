/**
 * Card-fraud detection, the system-design steps in code: requirements → data → features
 * (→ model → evaluation → serving → monitoring, added as those packages land). Every number it
 * prints comes from this run; the same options give the same numbers.
 */
import { join } from 'node:path';
import {
  simulateTransactions,
  TRANSACTION_COLUMN_KINDS,
  TransactionRowSchema,
  writeTransactionsCsv,
} from '@mlsd/datasets';
import { computeFeatures, handbookFeatureSet } from '@mlsd/features';
import {
  DEFAULT_FRAUD_MODEL,
  evaluateFraudModel,
  type FraudMetrics,
  FraudModel,
  type FraudModelKind,
  FraudScorer,
  trainFraudModel,
  writeFraudReport,
} from '@mlsd/fraud';
import { readCsv } from '@mlsd/ingest';

/** Options of {@link runFraudDetection}; the defaults finish in well under a minute. */
export interface FraudDetectionOptions {
  /** Where the CSV, the quarantine and later the model go. */
  outDir: string;
  /** Simulated population and period (handbook defaults are 5,000 / 10,000 / 183). */
  customers?: number;
  terminals?: number;
  days?: number;
  seed?: number;
  /** Classifier; default the best measured (DEFAULT_FRAUD_MODEL). */
  model?: FraudModelKind;
  /** Days at the end kept back as the stream of new transactions scored online; default 13. */
  streamDays?: number;
  /** Where progress and the summary are written (default: stderr). */
  log?: (line: string) => void;
}

/** Per-feature means for genuine and fraudulent transactions. */
export interface FeatureContrast {
  feature: string;
  genuineMean: number;
  fraudMean: number;
}

/** What the run found, for tests and callers that want numbers rather than text. */
export interface FraudDetectionSummary {
  simulation: {
    transactions: number;
    frauds: number;
    fraudShare: number;
    byScenario: Record<string, number>;
    seconds: number;
  };
  ingest: { read: number; accepted: number; quarantined: number; csvPath: string };
  features: {
    rows: number;
    names: readonly string[];
    seconds: number;
    contrast: FeatureContrast[];
  };
  model: { kind: FraudModelKind; threshold: number; trainSeconds: number; dir: string };
  evaluation: FraudMetrics & { reportPath: string };
  serving: {
    transactions: number;
    alerts: number;
    fraudsCaught: number;
    frauds: number;
    p50Us: number;
    p99Us: number;
  };
}

/** Runs the pipeline and returns its figures; prints a readable account through `log`. */
export async function runFraudDetection(
  options: FraudDetectionOptions,
): Promise<FraudDetectionSummary> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const customers = options.customers ?? 5_000;
  const terminals = options.terminals ?? 10_000;
  const days = options.days ?? 183;
  const seed = options.seed ?? 2018;

  log('1. Requirements');
  log('   Score each card payment in real time; alert on the riskiest cards each day within an');
  log("   investigators' budget (card precision@100); miss as few frauds as that budget allows.");

  log(
    `2. Data: ${customers} customers, ${terminals} terminals, ${days} days from 2018-04-01 (seed ${seed})`,
  );
  const simulation = simulateTransactions({ customers, terminals, days, seed, progress: false });
  const s = simulation.summary;
  log(
    `   ${s.transactions} transactions, ${s.frauds} frauds (${(100 * s.fraudShare).toFixed(2)} %) in ${s.seconds.toFixed(2)} s; by scenario ${JSON.stringify(s.byScenario)}`,
  );
  const csvPath = join(options.outDir, 'transactions.csv');
  await writeTransactionsCsv(simulation.table, csvPath);
  const { table, stats } = await readCsv(csvPath, TransactionRowSchema, {
    columns: TRANSACTION_COLUMN_KINDS,
    quarantinePath: join(options.outDir, 'quarantine.jsonl'),
  });
  log(
    `   ${csvPath} read back through the schema: ${stats.read} read = ${stats.accepted} accepted + ${stats.quarantined} quarantined`,
  );

  log(
    "3. Features: the handbook's 15 point-in-time features (terminal windows see labels 7 days late)",
  );
  const started = performance.now();
  const featureSet = handbookFeatureSet();
  const features = computeFeatures(table, featureSet);
  const featureSeconds = (performance.now() - started) / 1000;
  log(`   ${features.rows} × ${features.columns} in ${featureSeconds.toFixed(2)} s`);
  const contrast = contrastByLabel(
    features.values,
    features.columns,
    features.names,
    table.numeric('TX_FRAUD'),
  );
  log('   mean per class (genuine → fraud):');
  for (const row of contrast) {
    log(`     ${row.feature.padEnd(42)} ${format(row.genuineMean)} → ${format(row.fraudMean)}`);
  }

  const streamDays = options.streamDays ?? 13;
  const kind = options.model ?? DEFAULT_FRAUD_MODEL;
  const lastHistoryDay = days - streamDays;
  const dayColumn = table.numeric('TX_TIME_DAYS');
  const history = table.filter(Uint8Array.from(dayColumn, (d) => (d < lastHistoryDay ? 1 : 0)));
  const stream = table.filter(Uint8Array.from(dayColumn, (d) => (d >= lastHistoryDay ? 1 : 0)));

  log(
    `4. Model: ${kind}, trained on 7 days from 2018-07-25; threshold chosen on the week before (validation)`,
  );
  const trained = await trainFraudModel(
    history,
    { preset: 'handbook', model: { kind, seed } },
    { log: (line) => log(`   ${line}`) },
  );
  const modelDir = join(options.outDir, 'model');
  await trained.model.save(modelDir);
  const model = await FraudModel.load(modelDir);
  log(
    `   saved and reloaded ${modelDir} (checksums verified) in ${trained.trainSeconds.toFixed(1)} s of training`,
  );

  log(
    '5. Evaluation on the test week (after the 7-day label delay; known compromised cards left out)',
  );
  const evaluation = evaluateFraudModel(model, history, { data: trained.data });
  const m = evaluation.metrics;
  const reportPath = join(options.outDir, 'report.html');
  await writeFraudReport(reportPath, model, evaluation);
  const ci = (i: { low: number; high: number } | undefined) =>
    i === undefined ? '' : ` [${i.low.toFixed(3)}, ${i.high.toFixed(3)}]`;
  log(
    `   ROC AUC ${m.auc.toFixed(4)}${ci(m.aucInterval)}, AP ${m.ap.toFixed(4)}${ci(m.apInterval)}`,
  );
  log(
    `   card precision@100 ${m.cpAtK.toFixed(4)}, recall at 100 cards/day ${m.recallAtBudget.toFixed(4)}`,
  );
  log(
    `   at threshold ${m.threshold.toPrecision(4)}: ${m.truePositives} frauds caught, ${m.falseNegatives} missed (${m.missedFraudAmount.toFixed(0)} in amount), ${m.falsePositives} false alarms`,
  );
  log(`   report: ${reportPath}`);

  log(
    `6. Serving: score the last ${streamDays} days one transaction at a time, online features from the saved state`,
  );
  const scorer = new FraudScorer(model);
  const columns = ['TRANSACTION_ID', 'TX_TIME_SECONDS', 'CUSTOMER_ID', 'TERMINAL_ID', 'TX_AMOUNT'];
  const arrays = columns.map((name) => stream.numeric(name));
  const labels = stream.numeric('TX_FRAUD');
  const latencies = new Float64Array(stream.length);
  let alerts = 0;
  let fraudsCaught = 0;
  let streamFrauds = 0;
  for (let i = 0; i < stream.length; i++) {
    const transaction: Record<string, number> = {};
    for (let c = 0; c < columns.length; c++) transaction[columns[c]!] = arrays[c]![i]!;
    const started = performance.now();
    const result = scorer.score(transaction);
    latencies[i] = (performance.now() - started) * 1000;
    const fraud = labels[i] === 1;
    if (fraud) streamFrauds++;
    if (result.decision === 'alert') {
      alerts++;
      if (fraud) fraudsCaught++;
    }
    // The label arrives a week later in production; here we record it right away, and the
    // state only lets it into windows that end 7 days before later transactions.
    if (fraud) scorer.recordLabel(transaction.TRANSACTION_ID!, 1);
  }
  latencies.sort();
  const quantile = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  const serving = {
    transactions: stream.length,
    alerts,
    fraudsCaught,
    frauds: streamFrauds,
    p50Us: quantile(0.5),
    p99Us: quantile(0.99),
  };
  log(
    `   ${serving.transactions} transactions: ${alerts} alerts, ${fraudsCaught} of ${streamFrauds} frauds caught; latency p50 ${serving.p50Us.toFixed(0)} µs, p99 ${serving.p99Us.toFixed(0)} µs (features + model)`,
  );

  log('Summary');
  log(`   data        ${s.transactions} transactions, ${(100 * s.fraudShare).toFixed(2)} % fraud`);
  log(`   model       ${kind}, threshold ${m.threshold.toPrecision(4)}`);
  log(
    `   test week   AUC ${m.auc.toFixed(3)}, AP ${m.ap.toFixed(3)}, CP@100 ${m.cpAtK.toFixed(3)}, recall@budget ${m.recallAtBudget.toFixed(3)}`,
  );
  log(
    `   online      p50 ${serving.p50Us.toFixed(0)} µs, p99 ${serving.p99Us.toFixed(0)} µs per transaction`,
  );

  return {
    model: { kind, threshold: model.threshold, trainSeconds: trained.trainSeconds, dir: modelDir },
    evaluation: { ...m, reportPath },
    serving,
    simulation: {
      transactions: s.transactions,
      frauds: s.frauds,
      fraudShare: s.fraudShare,
      byScenario: { ...s.byScenario },
      seconds: s.seconds,
    },
    ingest: { read: stats.read, accepted: stats.accepted, quarantined: stats.quarantined, csvPath },
    features: { rows: features.rows, names: features.names, seconds: featureSeconds, contrast },
  };
}

function contrastByLabel(
  values: Float64Array | Float32Array,
  columns: number,
  names: readonly string[],
  labels: ArrayLike<number>,
): FeatureContrast[] {
  const sums = [new Float64Array(columns), new Float64Array(columns)];
  const counts = [0, 0];
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i] === 1 ? 1 : 0;
    counts[label]!++;
    const sum = sums[label]!;
    for (let j = 0; j < columns; j++) sum[j]! += values[i * columns + j]!;
  }
  return names.map((feature, j) => ({
    feature,
    genuineMean: sums[0]![j]! / Math.max(1, counts[0]!),
    fraudMean: sums[1]![j]! / Math.max(1, counts[1]!),
  }));
}

function format(value: number): string {
  return Math.abs(value) >= 100 ? value.toFixed(1) : value.toPrecision(3);
}
