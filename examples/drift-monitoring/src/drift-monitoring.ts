/**
 * Monitoring that closes the loop. Transactions are simulated with a new fraud pattern switched
 * on from a given day (night-time card testing). Each week the monitor compares the week's
 * features with the training reference, and the delayed labels of the week before tell how
 * well the model still ranks frauds. When both say so, a challenger is trained on the latest
 * labelled week and compared with the champion on the same held-out week; it is promoted only
 * if it is better. Every number printed comes from this run.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { initBackend, Table } from '@mlsd/core';
import { simulateTransactions } from '@mlsd/datasets';
import { DriftMonitor, QualityTracker, writeDriftReport } from '@mlsd/drift';
import {
  type BinaryClassifier,
  createClassifier,
  type FraudData,
  type FraudMetrics,
  fraudMetrics,
  takeRows,
  takeValues,
  trainFraudModel,
} from '@mlsd/fraud';

/** Options of {@link runDriftMonitoring}. */
export interface DriftMonitoringOptions {
  outDir: string;
  customers?: number;
  terminals?: number;
  /** First day of the new fraud pattern; default 143. */
  driftFromDay?: number;
  /** Share of night-time payments turned into card-testing frauds; default 0.3. */
  driftStrength?: number;
  seed?: number;
  log?: (line: string) => void;
}

/** One monitored week. */
export interface MonitoredWeek {
  /** First day of the week whose features are checked. */
  day: number;
  driftedColumns: string[];
  datasetDrift: boolean;
  /** Champion's quality on the previous week, whose labels have arrived. */
  ap: number;
  cpAt100: number;
  degraded: boolean;
  action: 'none' | 'challenger rejected' | 'challenger promoted';
  challengerAp?: number;
}

/** What the run found. */
export interface DriftMonitoringSummary {
  validation: { ap: number; cpAt100: number };
  weeks: MonitoredWeek[];
  promotions: number;
  reportPath: string;
}

const WEEK = 7;

/** Row indices whose day is in [from, to). */
function rowsOfDays(day: Int32Array, from: number, to: number): Int32Array {
  const rows: number[] = [];
  for (let i = 0; i < day.length; i++) if (day[i]! >= from && day[i]! < to) rows.push(i);
  return Int32Array.from(rows);
}

function scoreRows(model: BinaryClassifier, data: FraudData, rows: Int32Array): FraudMetrics {
  return fraudMetrics(
    {
      day: takeValues(data.day, rows),
      card: takeValues(data.card, rows),
      label: takeValues(data.label, rows),
      amount: takeValues(data.amount, rows),
      score: model.predictProba(takeRows(data.X, rows)),
    },
    0.5,
    100,
    0,
  );
}

function featureTable(data: FraudData, rows: Int32Array): Table {
  const columns: Record<string, Float64Array> = {};
  data.names.forEach((name, j) => {
    const values = new Float64Array(rows.length);
    for (let r = 0; r < rows.length; r++) values[r] = data.X.data[rows[r]! * data.X.cols + j]!;
    columns[name] = values;
  });
  return new Table(columns);
}

/** Runs the loop week by week and returns what happened. */
export async function runDriftMonitoring(
  options: DriftMonitoringOptions,
): Promise<DriftMonitoringSummary> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const driftFromDay = options.driftFromDay ?? 143;
  const seed = options.seed ?? 11;
  await mkdir(options.outDir, { recursive: true });
  await initBackend({ quiet: true });

  log(
    `1. Data: simulated payments; from day ${driftFromDay} a new fraud pattern (night-time card testing)`,
  );
  const { table, summary } = simulateTransactions({
    customers: options.customers ?? 2_500,
    terminals: options.terminals ?? 5_000,
    days: 183,
    seed,
    drift: {
      kind: 'new-fraud-pattern',
      fromDay: driftFromDay,
      strength: options.driftStrength ?? 0.3,
    },
    progress: false,
  });
  log(
    `   ${summary.transactions} payments, ${summary.frauds} frauds, ${summary.byScenario['4']} of them the new pattern`,
  );

  log(
    '2. Model: logistic regression on the handbook protocol (train from day 115, threshold on validation)',
  );
  const trained = await trainFraudModel(
    table,
    { model: { kind: 'logreg', seed } },
    { warmOnlineState: false },
  );
  const { data } = trained;
  const baseline = { ap: trained.validation.ap, cpAt100: trained.validation.cpAtK };
  log(`   validation week: AP ${baseline.ap.toFixed(3)}, CP@100 ${baseline.cpAt100.toFixed(3)}`);

  log(
    '3. Monitor: KS per feature against the training reference (BH-corrected, KS D ≥ 0.05; drift when ≥ 10 % of features drift), AP and CP@100 on the labelled week',
  );
  const reference = featureTable(
    { ...data, X: trained.model.reference },
    Int32Array.from({ length: trained.model.reference.rows }, (_, i) => i),
  );
  const monitor = new DriftMonitor(reference, { minEffect: { ks: 0.05 }, datasetDriftShare: 0.1 });
  const tracker = new QualityTracker(baseline, 0.2);
  let champion: BinaryClassifier = trained.model.classifier;
  let championName = 'model trained on days 115–121';
  const weeks: MonitoredWeek[] = [];
  let reportPath = '';
  let promotions = 0;
  for (let day = 136; day + WEEK <= 183; day += WEEK) {
    const currentRows = rowsOfDays(data.day, day, day + WEEK);
    const current = featureTable(data, currentRows);
    const drift = monitor.check(current, `days ${day}–${day + WEEK - 1}`);
    // Labels arrive a week late: at the end of this week, last week's are known.
    const labelled = rowsOfDays(data.day, day - WEEK, day);
    const quality = scoreRows(champion, data, labelled);
    const verdict = tracker.record(`days ${day - WEEK}–${day - 1}`, {
      ap: quality.ap,
      cpAt100: quality.cpAtK,
    });
    const week: MonitoredWeek = {
      day,
      driftedColumns: drift.columns.filter((c) => c.drifted).map((c) => c.column),
      datasetDrift: drift.datasetDrift,
      ap: quality.ap,
      cpAt100: quality.cpAtK,
      degraded: verdict.degraded,
      action: 'none',
    };
    if (drift.datasetDrift && reportPath === '') {
      reportPath = join(options.outDir, `drift-day-${day}.html`);
      await writeDriftReport(reportPath, drift, reference, current);
    }
    if (drift.datasetDrift && verdict.degraded) {
      // Challenger: trained on the week before the held-out one; both judged on the held-out week.
      const trainRows = rowsOfDays(data.day, day - 2 * WEEK, day - WEEK);
      const challenger = createClassifier({ kind: 'logreg', classWeight: 'none', seed });
      await challenger.fit(takeRows(data.X, trainRows), takeValues(data.label, trainRows));
      const challengerQuality = scoreRows(challenger, data, labelled);
      week.challengerAp = challengerQuality.ap;
      if (challengerQuality.ap > quality.ap) {
        champion = challenger;
        championName = `model retrained on days ${day - 2 * WEEK}–${day - WEEK - 1}`;
        week.action = 'challenger promoted';
        promotions++;
      } else {
        week.action = 'challenger rejected';
      }
    }
    weeks.push(week);
    log(
      `   week of day ${day}: drifted [${week.driftedColumns.join(', ')}]${week.datasetDrift ? ' → DRIFT' : ''}; labelled week AP ${week.ap.toFixed(3)} (${(100 * verdict.relative.ap!).toFixed(0)} % of validation), CP@100 ${week.cpAt100.toFixed(3)}${week.degraded ? ' → DEGRADED' : ''}${week.action === 'none' ? '' : `; challenger AP ${week.challengerAp!.toFixed(3)} → ${week.action}`}`,
    );
  }
  log(`4. Champion at the end: ${championName}; ${promotions} promotion(s)`);
  if (reportPath !== '') log(`   first drift report: ${reportPath}`);
  return { validation: baseline, weeks, promotions, reportPath };
}
