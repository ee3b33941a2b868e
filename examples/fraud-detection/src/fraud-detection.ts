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
import { computeFeatures, defineFraudFeatures } from '@mlsd/features';
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
  const featureSet = defineFraudFeatures();
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

  return {
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
