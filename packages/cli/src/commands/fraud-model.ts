import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { createProgress, InvalidArgumentError, isMlsdError } from '@mlsd/core';
import {
  evaluateFraudModel,
  FRAUD_MODEL_KINDS,
  type FraudColumns,
  type FraudLog,
  FraudModel,
  FraudScorer,
  type LabelRequirement,
  prequentialEvaluation,
  protocolDates,
  readFraudLog,
  trainFraudModel,
  writeFraudReport,
} from '@mlsd/fraud';
import { type Command, Option } from 'commander';
import { parsePositiveInt } from '../options.js';
import { formatTable, printJson, printLines } from '../output.js';
import { type ConfigFlags, loadTrainConfig } from './fraud-config-flags.js';

/**
 * Reads a log through a config's columns with a progress bar; the reader's notes (sorted rows,
 * duplicate ids, columns left out) and the quarantine's count go to stderr.
 */
export async function readLogForCommand(
  path: string,
  columns: FraudColumns,
  labels: LabelRequirement,
  quarantinePath?: string,
): Promise<FraudLog> {
  const progress = createProgress({ label: `reading ${path}`, unit: 'rows' });
  const log = await readFraudLog(resolve(path), columns, {
    labels,
    name: path,
    onProgress: (read) => progress.update(read),
    ...(quarantinePath === undefined ? {} : { quarantinePath }),
  });
  progress.finish();
  for (const note of log.notes) process.stderr.write(`${note}\n`);
  const { stats } = log;
  if (stats.quarantined > 0) {
    const first = log.quarantine[0];
    process.stderr.write(
      `${path}: ${stats.read} rows read = ${stats.accepted} accepted + ${stats.quarantined} quarantined` +
        `${stats.quarantinePath === undefined ? ' (--quarantine <file.jsonl> keeps them all)' : ` (in ${stats.quarantinePath})`}; first: line ${first?.line}: ${first?.reason}\n`,
    );
  }
  return log;
}

interface TrainFlags extends ConfigFlags {
  out: string;
  quarantine?: string;
  json?: boolean;
}

interface EvaluateFlags {
  model: string;
  in: string;
  report?: string;
  prequential?: number;
  quarantine?: string;
  json?: boolean;
}

/** Registers `mlsd fraud train`, `evaluate` and `score`. */
export function registerFraudModelCommands(fraud: Command): void {
  fraud
    .command('train')
    .description(
      'Train a fraud model on a transaction log as a pipeline config says (`mlsd fraud init` drafts one; the\n' +
        "handbook preset is the default for the simulator's columns): periods from the data's span (the last 7 days\n" +
        'are the test, the label delay before, training before that), the alert threshold chosen on the validation\n' +
        'period, the model saved as an artifact that holds its config.',
    )
    .requiredOption('--in <file>', 'transaction log (.csv with a header, or .jsonl)')
    .requiredOption('--out <dir>', 'model folder to write')
    .option('--config <file>', 'pipeline config (JSON; see `mlsd fraud init`)')
    .addOption(
      new Option('--preset <name>', 'start from a preset instead of a config file').choices([
        'handbook',
      ]),
    )
    .addOption(
      new Option('--model <kind>', 'classifier (overrides the config)').choices([
        ...FRAUD_MODEL_KINDS,
      ]),
    )
    .addOption(
      new Option('--class-weight <weighting>', 'class weighting (overrides the config)').choices([
        'none',
        'balanced',
      ]),
    )
    .option('--seed <n>', 'seed (overrides the config)', (value) => Number.parseInt(value, 10))
    .option('--train-start <date>', 'first training day, YYYY-MM-DD or auto (overrides the config)')
    .option('--quarantine <file.jsonl>', 'write every refused row there, with line and reason')
    .option('--json', 'print one JSON line')
    .action(async (flags: TrainFlags) => {
      const config = await loadTrainConfig(flags);
      const log = await readLogForCommand(flags.in, config.columns, 'required', flags.quarantine);
      const trained = await trainFraudModel(log, config, {
        log: (line) => process.stderr.write(`${line}\n`),
      });
      await trained.model.save(flags.out);
      const { model } = trained;
      const v = trained.validation;
      const summary = {
        out: resolve(flags.out),
        model: model.kind,
        classWeight: model.classWeight,
        features: model.features.names.length,
        threshold: model.threshold,
        trainSeconds: trained.trainSeconds,
        periods: protocolDates(model.protocol),
        timezone: model.protocol.timezone,
        rows: {
          read: log.stats.read,
          accepted: log.stats.accepted,
          quarantined: log.stats.quarantined,
        },
        validation: { auc: v.auc, ap: v.ap, cpAt100: v.cpAtK, recallAtBudget: v.recallAtBudget },
      };
      if (flags.json) {
        printJson(summary);
        return;
      }
      printLines([
        `saved ${summary.out}: ${model.kind} on ${summary.features} features, threshold ${summary.threshold.toPrecision(4)}, trained in ${summary.trainSeconds.toFixed(1)} s`,
        `validation ${summary.periods.validationTest.join('…')}: AUC ${v.auc.toFixed(4)}, AP ${v.ap.toFixed(4)}, card precision@${v.k} ${v.cpAtK.toFixed(4)}`,
        `test period (for evaluate): ${summary.periods.test.join('…')}`,
      ]);
    });

  fraud
    .command('evaluate')
    .description(
      "Evaluate a model on its protocol's test period, reading the log through the model's own config: AUC, AP,\n" +
        "card precision@k, recall at the budget, the threshold's cost.",
    )
    .requiredOption('--model <dir>', 'model folder written by `mlsd fraud train`')
    .requiredOption('--in <file>', 'transaction log covering the training and test periods')
    .option(
      '--report <file.html>',
      'write an HTML report (curves, daily card precision, threshold)',
    )
    .option(
      '--prequential <folds>',
      'also retrain the same model on N folds, each a test period earlier, and report mean ± std',
      parsePositiveInt('--prequential'),
    )
    .option('--quarantine <file.jsonl>', 'write every refused row there, with line and reason')
    .option('--json', 'print one JSON line')
    .action(async (flags: EvaluateFlags) => {
      const model = await FraudModel.load(flags.model);
      const log = await readLogForCommand(
        flags.in,
        model.config.columns,
        'required',
        flags.quarantine,
      );
      const evaluation = evaluateFraudModel(model, log);
      const m = evaluation.metrics;
      if (flags.report !== undefined) {
        await writeFraudReport(resolve(flags.report), model, evaluation);
        process.stderr.write(`report: ${resolve(flags.report)}\n`);
      }
      const summary = {
        auc: m.auc,
        ap: m.ap,
        cpAt100: m.cpAtK,
        k: m.k,
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
        testDates: protocolDates(model.protocol).test,
        droppedKnownCompromised: evaluation.droppedKnownCompromised,
        ...(flags.prequential === undefined
          ? {}
          : {
              prequential: await prequentialEvaluation(log, model.config, {
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
          [`card precision@${m.k}`, m.cpAtK],
          [`recall at ${m.k} cards/day`, m.recallAtBudget],
          ['threshold', m.threshold],
          ['frauds missed (FN)', m.falseNegatives],
          ['false alarms (FP)', m.falsePositives],
        ]),
      );
    });

  fraud
    .command('score')
    .description(
      "Score transactions read as JSONL on stdin (the log's own column names, as the model's config reads them),\n" +
        'one JSON line out per transaction (score, decision, features), keeping the online feature state as it goes.\n' +
        'A malformed line is reported on stderr and skipped.',
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
