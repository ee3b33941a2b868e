import { resolve } from 'node:path';
import { classifierRegistry, formatParams } from '@mlsd/classify';
import { createProgress, InvalidArgumentError } from '@mlsd/core';
import {
  DEFAULT_TUNING_KINDS,
  type FraudConfigPreset,
  protocolDates,
  type TuneFraudModelOptions,
  tuneFraudModel,
  writeTuningReport,
} from '@mlsd/fraud';
import { type Command, Option } from 'commander';
import { parseNumber, parsePositiveInt } from '../options.js';
import { formatTable, printJson, printLines } from '../output.js';
import { addLogAndConfigOptions, loadTrainConfig } from './fraud-config-flags.js';
import { readLogForCommand } from './fraud-model.js';

interface TuneFlags {
  in: string;
  out: string;
  config?: string;
  preset?: FraudConfigPreset;
  seed?: number;
  trainStart?: string;
  budget: number;
  folds: number;
  strategy: 'random' | 'halving' | 'grid';
  metric: 'average-precision' | 'card-precision' | 'net-savings';
  kinds?: string;
  workers?: number;
  calibration: 'auto' | 'platt' | 'isotonic' | 'none';
  thresholdPolicy: 'daily-budget' | 'cost';
  costPerAlert?: number;
  report?: string;
  quarantine?: string;
  json?: boolean;
}

/** Rows of the candidates table printed: the best ones (the JSON output has them all). */
const SHOWN_CANDIDATES = 15;

/** The kinds to search: `--kinds a,b`, each registered (refused with the nearest name). */
function kindsOf(list: string | undefined): NonNullable<TuneFraudModelOptions['kinds']> {
  if (list === undefined) return DEFAULT_TUNING_KINDS;
  const kinds = list
    .split(',')
    .map((kind) => kind.trim())
    .filter((kind) => kind !== '');
  if (kinds.length === 0) throw new InvalidArgumentError('--kinds names no kind.');
  // get() throws NotFoundError naming the nearest registered kind.
  for (const kind of kinds) classifierRegistry.get(kind);
  return kinds;
}

/** Registers `mlsd fraud tune`. */
export function registerFraudTune(fraud: Command): void {
  addLogAndConfigOptions(
    fraud
      .command('tune')
      .description(
        "Choose the model by prequential validation, the handbook's way: several validation periods before the\n" +
          "test period (each keeping the label delay), a search over the model kinds' hyperparameters fitted on them\n" +
          '(spread over worker threads), the best by mean validation score trained on the training window, calibrated\n' +
          'on its validation scores, saved as a normal model (`mlsd fraud evaluate` reads it). The test period is never read.',
      ),
  )
    .option('--seed <n>', 'seed (overrides the config)', (value) => Number.parseInt(value, 10))
    .option('--train-start <date>', 'first training day, YYYY-MM-DD or auto (overrides the config)')
    .option('--budget <n>', 'candidates to fit', parsePositiveInt('--budget'), 30)
    .option('--folds <n>', 'prequential validation folds', parsePositiveInt('--folds'), 3)
    .addOption(
      new Option('--strategy <name>', 'search strategy')
        .choices(['random', 'halving', 'grid'])
        .default('random'),
    )
    .addOption(
      new Option('--metric <name>', 'what selection maximises on the validation folds')
        .choices(['average-precision', 'card-precision', 'net-savings'])
        .default('average-precision'),
    )
    .option(
      '--kinds <list>',
      `registered classifier kinds to search, comma-separated (default ${DEFAULT_TUNING_KINDS.map((k) => k.kind).join(',')})`,
    )
    .option('--workers <n>', 'worker threads (default one per core; 0 = this thread)', (value) =>
      Number.parseInt(value, 10),
    )
    .addOption(
      new Option('--calibration <method>', 'score calibration (auto: lowest cross-fold Brier)')
        .choices(['auto', 'platt', 'isotonic', 'none'])
        .default('auto'),
    )
    .addOption(
      new Option(
        '--threshold-policy <policy>',
        'alert threshold: the daily card budget or the cost optimum',
      )
        .choices(['daily-budget', 'cost'])
        .default('daily-budget'),
    )
    .option(
      '--cost-per-alert <x>',
      "an investigator's cost per alert, in amount units (cost threshold and net-savings; default 5)",
      parseNumber('--cost-per-alert'),
    )
    .option(
      '--report <file.html>',
      'write the tuning report (results table and chart, calibration)',
    )
    .option('--quarantine <file.jsonl>', 'write every refused row there, with line and reason')
    .option('--json', 'print one JSON line (every candidate included)')
    .action(async (flags: TuneFlags) => {
      if (flags.workers !== undefined && !(Number.isInteger(flags.workers) && flags.workers >= 0)) {
        throw new InvalidArgumentError(`--workers must be 0 or more, got ${flags.workers}.`);
      }
      const kinds = kindsOf(flags.kinds);
      const config = await loadTrainConfig(flags);
      const log = await readLogForCommand(flags.in, config.columns, 'required', flags.quarantine);
      const progress = createProgress({ label: 'tuning', unit: 'fits' });
      const tuned = await tuneFraudModel(log, config, {
        budget: { candidates: flags.budget, folds: flags.folds },
        strategy: flags.strategy,
        metric: flags.metric,
        kinds,
        calibration: flags.calibration,
        thresholdPolicy: flags.thresholdPolicy,
        ...(flags.costPerAlert === undefined ? {} : { cost: { costPerAlert: flags.costPerAlert } }),
        ...(flags.workers === undefined ? {} : { workers: flags.workers }),
        log: (line) => process.stderr.write(`${line}\n`),
        onProgress: () => progress.tick(),
      });
      progress.finish();
      await tuned.model.save(flags.out);
      if (flags.report !== undefined) {
        await writeTuningReport(resolve(flags.report), tuned);
        process.stderr.write(`report: ${resolve(flags.report)}\n`);
      }
      const { model, search, validation: v } = tuned;
      const summary = {
        out: resolve(flags.out),
        model: model.kind,
        params: tuned.best.params,
        calibration: tuned.calibration.method,
        threshold: model.threshold,
        thresholdPolicy: flags.thresholdPolicy,
        features: model.features.names.length,
        periods: protocolDates(model.protocol),
        folds: tuned.folds,
        seconds: tuned.seconds,
        validation: { auc: v.auc, ap: v.ap, cpAt100: v.cpAtK, recallAtBudget: v.recallAtBudget },
        search,
      };
      if (flags.json) {
        printJson(summary);
        return;
      }
      const shown = search.candidates.slice(0, SHOWN_CANDIDATES);
      printLines([
        ...formatTable([
          ['rank', 'kind', `${search.metric} mean`, 'std', 'fit s', 'hyperparameters'],
          ...shown.map((c) => [
            c.rank,
            c.kind,
            c.error === undefined ? c.mean : Number.NaN,
            c.std,
            c.fitSeconds,
            c.error === undefined ? formatParams(c.params) : `failed: ${c.error}`,
          ]),
        ]),
        ...(search.candidates.length > shown.length
          ? [`… ${search.candidates.length - shown.length} more (--json or --report lists them)`]
          : []),
        `saved ${summary.out}: ${model.kind} (${tuned.calibration.method === 'none' ? 'uncalibrated' : `${tuned.calibration.method} calibration`}), threshold ${model.threshold.toPrecision(4)}; ${search.fits} fits over ${tuned.folds.length} folds in ${tuned.seconds.toFixed(1)} s`,
        `most recent validation fold: AUC ${v.auc.toFixed(4)}, AP ${v.ap.toFixed(4)}, card precision@${v.k} ${v.cpAtK.toFixed(4)}`,
        `test period (for evaluate): ${summary.periods.test.join('…')}`,
      ]);
    });
}
