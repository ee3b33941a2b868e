/**
 * Fraud detection on your own transaction log, the system-design steps in code: requirements →
 * data (a log in the layout public card-fraud data sets use) → `mlsd fraud init` (a config
 * inferred from the file) → edit → train → evaluate → predict (a streamed backtest) → serve
 * (the service takes the log's own columns) → drift monitor. Every number it prints comes from
 * this run; the same options give the same numbers.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { simulateTransactions, toPublicLayout, writePublicLog } from '@mlsd/datasets';
import { DriftMonitor, writeDriftReport } from '@mlsd/drift';
import {
  draftFraudConfig,
  evaluateFraudModel,
  type FraudMetrics,
  FraudModel,
  type FraudPipelineConfigInput,
  fraudFeatureTable,
  predictFraudScores,
  protocolDates,
  protocolDay,
  readFraudConfig,
  readFraudLog,
  rowsInDays,
  trainFraudModel,
  writeFraudReport,
} from '@mlsd/fraud';
import { createService } from '@mlsd/serve';

/** Options of {@link runBringYourOwnData}; the defaults finish in about a minute on 2 cores. */
export interface BringYourOwnDataOptions {
  /** Where the log, the config, the model, the scores and the reports go. */
  outDir: string;
  /** Size of the simulated world behind the log (the handbook's default is 5,000 / 10,000 / 183). */
  customers?: number;
  terminals?: number;
  days?: number;
  seed?: number;
  /** Where progress and the summary are written (default: stderr). */
  log?: (line: string) => void;
}

/** What the run found, for tests and callers that want numbers rather than text. */
export interface BringYourOwnDataSummary {
  log: { path: string; transactions: number; frauds: number; columns: readonly string[] };
  init: { configPath: string; explanations: string[]; leftOut: string[]; features: number };
  edit: { configPath: string; features: number; added: string[] };
  train: {
    modelDir: string;
    features: readonly string[];
    threshold: number;
    trainSeconds: number;
    periods: ReturnType<typeof protocolDates>;
    timezone: string;
  };
  evaluation: FraudMetrics & { reportPath: string };
  predict: {
    scoresPath: string;
    scored: number;
    alerts: number;
    seconds: number;
    peakRssMiB: number;
    stateEvents: number;
  };
  serving: {
    scored: number;
    decisions: string[];
    refused: { status: number; code: string; message: string };
    openApiFields: string[];
  };
  drift: { drifted: string[]; datasetDrift: boolean; reportPath: string };
}

/** Runs the pipeline and returns its figures; prints a readable account through `log`. */
export async function runBringYourOwnData(
  options: BringYourOwnDataOptions,
): Promise<BringYourOwnDataSummary> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const customers = options.customers ?? 1_000;
  const terminals = options.terminals ?? 2_000;
  const days = options.days ?? 90;
  const seed = options.seed ?? 2018;
  const out = (name: string) => join(options.outDir, name);

  log('1. Requirements');
  log('   Your transaction log, your column names: score each payment in real time, alert on the');
  log(
    '   riskiest cards each day within the budget (card precision@100), no personal data as features.',
  );

  log(
    `2. Data: a log in the public card-fraud layout (${customers} cards, ${days} days, seed ${seed})`,
  );
  const simulation = simulateTransactions({ customers, terminals, days, seed, progress: false });
  const publicLog = toPublicLayout(simulation, {
    timezone: 'America/New_York',
    splitDateTime: true,
  });
  const logPath = out('transactions.csv');
  await writePublicLog(publicLog, logPath);
  const s = simulation.summary;
  log(`   ${logPath}: ${s.transactions} transactions, ${s.frauds} frauds; columns:`);
  log(`   ${publicLog.columns.join(',')}`);

  log('3. mlsd fraud init: a config drafted from the file');
  const draftPath = out('fraud.config.draft.json');
  const draft = await draftFraudConfig(logPath, { out: draftPath, force: true });
  for (const line of draft.explanations) log(`   ${line}`);

  log('4. Edit: two features a fraud analyst would add');
  const config = structuredClone(draft.config) as FraudPipelineConfigInput & {
    columns: NonNullable<FraudPipelineConfigInput['columns']>;
    features: NonNullable<FraudPipelineConfigInput['features']>;
  };
  // Card testing hops between merchants: the card's distinct merchants over a week.
  config.features.push({ kind: 'distinct', entity: 'card', windowDays: 7, of: 'merchant' });
  // The distance from the cardholder's home to the merchant, opted in on purpose: init left the
  // home coordinates out as personal data; naming them here is the decision to use them.
  const home = ['lat', 'long'];
  config.columns.ignore = (config.columns.ignore ?? []).filter((name) => !home.includes(name));
  config.columns.numeric = [...(config.columns.numeric ?? []), ...home];
  config.features.push({
    kind: 'geo-distance',
    name: 'home_to_merchant_km',
    from: ['lat', 'long'],
    to: ['merch_lat', 'merch_long'],
  });
  const configPath = out('fraud.config.json');
  await writeFile(configPath, `${JSON.stringify(config, null, 2)}\n`);
  log(
    `   ${configPath}: + card_distinct_merchant_7d, + home_to_merchant_km (lat/long no longer ignored)`,
  );

  log('5. Train (mlsd fraud train --in transactions.csv --config fraud.config.json --out model)');
  const edited = await readFraudConfig(configPath);
  const transactions = await readFraudLog(logPath, edited.columns!);
  for (const note of transactions.notes) log(`   ${note}`);
  const trained = await trainFraudModel(transactions, edited, { log: (line) => log(`   ${line}`) });
  const modelDir = out('model');
  await trained.model.save(modelDir);
  const model = await FraudModel.load(modelDir);
  const periods = protocolDates(model.protocol);
  log(
    `   saved ${modelDir}: ${model.features.names.length} features, threshold ${model.threshold.toPrecision(4)}, ${trained.trainSeconds.toFixed(1)} s`,
  );

  log('6. Evaluate on the test period (mlsd fraud evaluate --model model --in transactions.csv)');
  const evaluation = evaluateFraudModel(model, transactions, { data: trained.data });
  const m = evaluation.metrics;
  const reportPath = out('report.html');
  await writeFraudReport(reportPath, model, evaluation);
  log(
    `   ${periods.test.join(' to ')} (${model.protocol.timezone}): ROC AUC ${m.auc.toFixed(4)}, AP ${m.ap.toFixed(4)}, card precision@${m.k} ${m.cpAtK.toFixed(4)}, recall at ${m.k} cards/day ${m.recallAtBudget.toFixed(4)}`,
  );
  log(
    `   at threshold ${m.threshold.toPrecision(4)}: ${m.truePositives} frauds caught, ${m.falseNegatives} missed, ${m.falsePositives} false alarms; report ${reportPath}`,
  );

  log('7. Predict: the whole log scored as a backtest, streamed (mlsd fraud predict)');
  const scoresPath = out('scores.csv');
  const predicted = await predictFraudScores(model, logPath, { out: scoresPath });
  const firstLines = (await readFile(scoresPath, 'utf8')).split('\n', 3);
  log(
    `   ${scoresPath}: ${predicted.scored} rows (${firstLines.join(' | ')} …), ${predicted.alerts} alerts, ${predicted.rowsPerSecond.toFixed(0)} rows/s, peak memory ${predicted.peakRssMiB.toFixed(0)} MiB, state ${predicted.state.events} events`,
  );

  log("8. Serve: the service takes the log's own columns (mlsd serve --fraud-model model)");
  const serving = await serveAFewRequests(modelDir);
  log(
    `   ${serving.scored} requests scored (${serving.decisions.join(', ')}); a misspelt field is refused: ${serving.refused.status} ${serving.refused.code}: ${serving.refused.message}`,
  );
  log(`   /openapi.json documents the request fields: ${serving.openApiFields.join(', ')}`);

  log("9. Monitor: the test period's features against the training reference (KS, BH-corrected)");
  const reference = fraudFeatureTable({ ...trained.data, X: model.reference });
  const testStart =
    protocolDay(model.protocol, model.protocol.trainStart) +
    model.protocol.trainDays +
    model.protocol.delayDays;
  const current = fraudFeatureTable(
    trained.data,
    rowsInDays(trained.data.day, testStart, model.protocol.testDays),
  );
  const monitor = new DriftMonitor(reference, { minEffect: { ks: 0.05 }, datasetDriftShare: 0.1 });
  const drift = monitor.check(current, `test period ${periods.test.join('–')}`);
  const drifted = drift.columns.filter((column) => column.drifted).map((column) => column.column);
  const driftPath = out('drift.html');
  await writeDriftReport(driftPath, drift, reference, current);
  log(
    `   ${drifted.length} of ${drift.columns.length} features drifted${drifted.length > 0 ? ` (${drifted.join(', ')})` : ''}; report ${driftPath}`,
  );

  log('Summary');
  log(
    `   log       ${s.transactions} transactions, ${publicLog.columns.length} columns, ${draft.leftOut.length} left out by init`,
  );
  log(
    `   model     ${model.kind} on ${model.features.names.length} features, test AUC ${m.auc.toFixed(3)}, AP ${m.ap.toFixed(3)}, CP@${m.k} ${m.cpAtK.toFixed(3)}`,
  );
  log(
    `   predict   ${predicted.rowsPerSecond.toFixed(0)} rows/s streamed, peak ${predicted.peakRssMiB.toFixed(0)} MiB`,
  );

  return {
    log: {
      path: logPath,
      transactions: s.transactions,
      frauds: s.frauds,
      columns: publicLog.columns,
    },
    init: {
      configPath: draftPath,
      explanations: draft.explanations,
      leftOut: draft.leftOut.map((entry) => entry.column),
      features: draft.config.features?.length ?? 0,
    },
    edit: {
      configPath,
      features: config.features.length,
      added: ['card_distinct_merchant_7d', 'home_to_merchant_km'],
    },
    train: {
      modelDir,
      features: model.features.names,
      threshold: model.threshold,
      trainSeconds: trained.trainSeconds,
      periods,
      timezone: model.protocol.timezone,
    },
    evaluation: { ...m, reportPath },
    predict: {
      scoresPath,
      scored: predicted.scored,
      alerts: predicted.alerts,
      seconds: predicted.seconds,
      peakRssMiB: predicted.peakRssMiB,
      stateEvents: predicted.state.events,
    },
    serving,
    drift: { drifted, datasetDrift: drift.datasetDrift, reportPath: driftPath },
  };
}

/** Amounts of the requests sent: the example's own, then small to large. */
const AMOUNTS = [undefined, 12.5, 80, 450, 1_800] as const;

/**
 * Starts the service on a free port, scores a few transactions (each the service's own example:
 * a new id, a minute after the newest transaction it holds, with amounts from small to large),
 * then one with a misspelt field, and reads the request fields from /openapi.json.
 */
async function serveAFewRequests(modelDir: string): Promise<BringYourOwnDataSummary['serving']> {
  const service = await createService({ fraudModelDir: modelDir, logger: false });
  try {
    const url = await service.listen({ port: 0 });
    const post = (body: unknown) =>
      fetch(`${url}/v1/fraud/score`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const decisions: string[] = [];
    let example: Record<string, unknown> = {};
    for (const amount of AMOUNTS) {
      const got = (await (await fetch(`${url}/v1/fraud/example`)).json()) as {
        transaction: Record<string, unknown>;
      };
      example = amount === undefined ? got.transaction : { ...got.transaction, amt: amount };
      const answer = (await (await post(example)).json()) as { decision: string; score: number };
      decisions.push(`${example.amt}: ${answer.decision} ${answer.score.toFixed(3)}`);
    }
    const { amt, ...rest } = example;
    const refusal = await post({ ...rest, amount: amt });
    const refused = (await refusal.json()) as { error: { code: string; message: string } };
    const document = (await (await fetch(`${url}/openapi.json`)).json()) as {
      paths: Record<
        string,
        {
          post: {
            requestBody: {
              content: Record<string, { schema: { anyOf: { properties?: object }[] } }>;
            };
          };
        }
      >;
    };
    const schema =
      document.paths['/v1/fraud/score']!.post.requestBody.content['application/json']!.schema;
    return {
      scored: decisions.length,
      decisions,
      refused: { status: refusal.status, ...refused.error },
      openApiFields: Object.keys(schema.anyOf[0]?.properties ?? {}),
    };
  } finally {
    await service.close();
  }
}
