import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { createProgress, InvalidArgumentError, isMlsdError, type Table } from '@mlsd/core';
import { TRANSACTION_COLUMN_KINDS, TransactionRowSchema } from '@mlsd/datasets';
import {
  DEFAULT_FRAUD_MODEL,
  evaluateFraudModel,
  FRAUD_MODEL_KINDS,
  FraudModel,
  type FraudModelKind,
  FraudScorer,
  prequentialEvaluation,
  trainFraudModel,
  writeFraudReport,
} from '@mlsd/fraud';
import { readCsv, readJsonl } from '@mlsd/ingest';
import { type Command, Option } from 'commander';
import { parsePositiveInt } from '../options.js';
import { formatTable, printJson, printLines } from '../output.js';

/** Reads a transactions CSV or JSONL file through the transaction schema; bad rows are reported. */
async function readTransactionsFile(path: string): Promise<Table> {
  const lower = path.toLowerCase();
  const reader = lower.endsWith('.jsonl') || lower.endsWith('.ndjson') ? readJsonl : readCsv;
  if (reader === readCsv && !lower.endsWith('.csv')) {
    throw new InvalidArgumentError(`${path}: expected a .csv or .jsonl transactions file.`);
  }
  const progress = createProgress({ label: `reading ${path}`, unit: 'rows' });
  const { table, stats, quarantine } = await reader(resolve(path), TransactionRowSchema, {
    columns: TRANSACTION_COLUMN_KINDS,
    onProgress: (read: number) => progress.update(read),
  });
  progress.finish();
  if (stats.quarantined > 0) {
    process.stderr.write(
      `${path}: ${stats.read} rows read = ${stats.accepted} accepted + ${stats.quarantined} quarantined; first: line ${quarantine[0]?.line}: ${quarantine[0]?.reason}\n`,
    );
  }
  return table.sortBy('TX_TIME_SECONDS');
}

interface TrainFlags {
  in: string;
  out: string;
  model: FraudModelKind;
  classWeight: 'none' | 'balanced';
  seed: number;
  trainStart?: string;
  json?: boolean;
}

interface EvaluateFlags {
  model: string;
  in: string;
  report?: string;
  prequential?: number;
  json?: boolean;
}

/** Registers `mlsd fraud train`, `evaluate` and `score`. */
export function registerFraudModelCommands(fraud: Command): void {
  fraud
    .command('train')
    .description(
      "Train a fraud model with the handbook's protocol (train 7 days from 2018-07-25, 7-day label delay), " +
        'choose its alert threshold on the validation week, save it as an artifact.',
    )
    .requiredOption('--in <file>', 'transactions (.csv or .jsonl, the simulator columns)')
    .requiredOption('--out <dir>', 'model folder to write')
    .addOption(
      new Option('--model <kind>', 'classifier')
        .choices([...FRAUD_MODEL_KINDS])
        .default(DEFAULT_FRAUD_MODEL),
    )
    .addOption(
      new Option('--class-weight <weighting>', 'class weighting')
        .choices(['none', 'balanced'])
        .default('none'),
    )
    .option('--seed <n>', 'seed', (value) => Number.parseInt(value, 10), 0)
    .option('--train-start <date>', 'first training day (YYYY-MM-DD)')
    .option('--json', 'print one JSON line')
    .action(async (flags: TrainFlags) => {
      const table = await readTransactionsFile(flags.in);
      const trained = await trainFraudModel(table, {
        model: flags.model,
        classWeight: flags.classWeight,
        seed: flags.seed,
        ...(flags.trainStart === undefined ? {} : { protocol: { trainStart: flags.trainStart } }),
        log: (line) => process.stderr.write(`${line}\n`),
      });
      await trained.model.save(flags.out);
      const v = trained.validation;
      const summary = {
        out: resolve(flags.out),
        model: flags.model,
        classWeight: flags.classWeight,
        threshold: trained.model.threshold,
        trainSeconds: trained.trainSeconds,
        validation: { auc: v.auc, ap: v.ap, cpAt100: v.cpAtK, recallAtBudget: v.recallAtBudget },
      };
      if (flags.json) {
        printJson(summary);
        return;
      }
      printLines([
        `saved ${summary.out}: ${flags.model}, threshold ${summary.threshold.toPrecision(4)}, trained in ${summary.trainSeconds.toFixed(1)} s`,
        `validation week: AUC ${v.auc.toFixed(4)}, AP ${v.ap.toFixed(4)}, card precision@100 ${v.cpAtK.toFixed(4)}`,
      ]);
    });

  fraud
    .command('evaluate')
    .description(
      "Evaluate a model on its protocol's test week: AUC, AP, card precision@100, recall at the budget, the threshold's cost.",
    )
    .requiredOption('--model <dir>', 'model folder written by `mlsd fraud train`')
    .requiredOption('--in <file>', 'transactions (.csv or .jsonl) covering the test week')
    .option(
      '--report <file.html>',
      'write an HTML report (curves, daily card precision, threshold)',
    )
    .option(
      '--prequential <folds>',
      'also retrain the same model on N folds, each a week earlier, and report mean ± std',
      parsePositiveInt('--prequential'),
    )
    .option('--json', 'print one JSON line')
    .action(async (flags: EvaluateFlags) => {
      const model = await FraudModel.load(flags.model);
      const table = await readTransactionsFile(flags.in);
      const evaluation = evaluateFraudModel(model, table);
      const m = evaluation.metrics;
      if (flags.report !== undefined) {
        await writeFraudReport(resolve(flags.report), model, evaluation);
        process.stderr.write(`report: ${resolve(flags.report)}\n`);
      }
      const summary = {
        auc: m.auc,
        ap: m.ap,
        cpAt100: m.cpAtK,
        recallAtBudget: m.recallAtBudget,
        threshold: m.threshold,
        falseNegatives: m.falseNegatives,
        truePositives: m.truePositives,
        falsePositives: m.falsePositives,
        transactions: m.transactions,
        frauds: m.frauds,
        aucInterval: m.aucInterval === undefined ? null : [m.aucInterval.low, m.aucInterval.high],
        apInterval: m.apInterval === undefined ? null : [m.apInterval.low, m.apInterval.high],
        testDays: evaluation.testDays,
        ...(flags.prequential === undefined
          ? {}
          : {
              prequential: await prequentialEvaluation(table, {
                model: model.kind,
                classWeight: model.classWeight,
                seed: model.seed,
                protocol: model.protocol,
                folds: flags.prequential,
              }),
            }),
      };
      if (flags.json) {
        printJson(summary);
        return;
      }
      printLines(
        formatTable([
          ['metric', 'value'],
          ['ROC AUC', m.auc],
          ['average precision', m.ap],
          ['card precision@100', m.cpAtK],
          ['recall at 100 cards/day', m.recallAtBudget],
          ['threshold', m.threshold],
          ['frauds missed (FN)', m.falseNegatives],
          ['false alarms (FP)', m.falsePositives],
        ]),
      );
    });

  fraud
    .command('score')
    .description(
      'Score transactions read as JSONL on stdin, one JSON line out per transaction (score, decision, features), ' +
        'keeping the online feature state as it goes. A malformed line is reported on stderr and skipped.',
    )
    .requiredOption('--model <dir>', 'model folder written by `mlsd fraud train`')
    .action(async (flags: { model: string }) => {
      const model = await FraudModel.load(flags.model);
      const scorer = new FraudScorer(model);
      const lines = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
      let lineNumber = 0;
      let scored = 0;
      let rejected = 0;
      for await (const line of lines) {
        lineNumber++;
        if (line.trim() === '') continue;
        try {
          let transaction: unknown;
          try {
            transaction = JSON.parse(line);
          } catch (error) {
            throw new InvalidArgumentError(`not JSON (${(error as Error).message})`);
          }
          printJson(scorer.score(transaction));
          scored++;
        } catch (error) {
          if (!isMlsdError(error)) throw error;
          rejected++;
          process.stderr.write(`line ${lineNumber}: ${error.message}\n`);
        }
      }
      process.stderr.write(`scored ${scored} transactions, rejected ${rejected}\n`);
    });
}
