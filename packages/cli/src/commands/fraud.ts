import { createProgress } from '@mlsd/core';
import {
  type SimulatorOptions,
  simulateTransactions,
  toPublicLayout,
  transactionsFileFormat,
  writePublicLog,
  writeTransactions,
} from '@mlsd/datasets';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { addGroup } from '../group.js';
import { parseNumber, parsePositiveInt } from '../options.js';
import { formatTable, printJson, printLines } from '../output.js';
import { registerFraudInit } from './fraud-init.js';
import { registerFraudModelCommands } from './fraud-model.js';
import { registerFraudPredict } from './fraud-predict.js';
import { registerFraudStreamCommands } from './fraud-stream.js';
import { registerFraudTune } from './fraud-tune.js';

/** Registers `mlsd fraud ...`. */
export function registerFraudCommands(program: Command): void {
  const fraud = addGroup(
    program,
    'fraud',
    'Card-fraud detection on your own transaction log or the simulator: init a config, train or tune, evaluate, score, predict.',
  );
  registerSimulate(fraud);
  registerFraudInit(fraud);
  registerFraudModelCommands(fraud);
  registerFraudTune(fraud);
  registerFraudPredict(fraud);
  registerFraudStreamCommands(fraud);
}

/** Flags of `mlsd fraud simulate`, as commander parses them. */
interface SimulateFlags {
  customers: number;
  terminals: number;
  days: number;
  startDate: string;
  radius: number;
  seed: number;
  scenarios: boolean;
  drift?: 'amount-shift' | 'new-fraud-pattern';
  driftFromDay?: number;
  driftStrength?: number;
  out?: string;
  layout: 'handbook' | 'public';
  timezone: string;
  splitDatetime?: boolean;
  json?: boolean;
}

const SCENARIO_NAMES: Readonly<Record<string, string>> = {
  '1': 'amount above 220',
  '2': 'compromised terminal (28 days)',
  '3': 'compromised customer (14 days)',
  '4': 'drift: night card testing',
};

/** `mlsd fraud simulate`: the handbook's transaction simulator, to a CSV/JSONL file. */
function registerSimulate(fraud: Command): void {
  fraud
    .command('simulate')
    .description(
      'Simulate card transactions with frauds (Le Borgne et al. 2022, §3.2) and print a summary;\n' +
        'with --out, write them as CSV or JSONL (by extension).',
    )
    .option('--customers <n>', 'number of customers', parsePositiveInt('--customers'), 5_000)
    .option('--terminals <n>', 'number of terminals', parsePositiveInt('--terminals'), 10_000)
    .option('--days <n>', 'number of days', parsePositiveInt('--days'), 183)
    .option('--start-date <YYYY-MM-DD>', 'first day', '2018-04-01')
    .option('--radius <r>', 'customers use terminals closer than r', parseNumber('--radius'), 5)
    .option('--seed <s>', 'random seed (same seed, same file)', parseNumber('--seed'), 0)
    .option('--no-scenarios', 'no fraud: every transaction genuine')
    .addOption(
      new Option('--drift <kind>', 'change the data from --drift-from-day on').choices([
        'amount-shift',
        'new-fraud-pattern',
      ]),
    )
    .option('--drift-from-day <day>', 'first drifted day (0-based)', parseDay)
    .option(
      '--drift-strength <x>',
      'amount factor (amount-shift, default 1.5) or share of night transactions made fraud (new-fraud-pattern, default 0.1)',
      parseNumber('--drift-strength'),
    )
    .option('--out <file>', 'write the transactions to this .csv or .jsonl file')
    .addOption(
      new Option(
        '--layout <layout>',
        "columns of the file: the handbook's (TX_AMOUNT, CUSTOMER_ID, ...) or the layout of public card-fraud logs " +
          '(trans_date_trans_time, cc_num, merchant, category, amt, ..., is_fraud)',
      )
        .choices(['handbook', 'public'])
        .default('handbook'),
    )
    .option(
      '--timezone <iana>',
      'public layout: zone of the wall-clock time text',
      'America/New_York',
    )
    .option('--split-datetime', 'public layout: separate trans_date and trans_time columns')
    .option('--json', 'print one JSON line')
    .action(async (flags: SimulateFlags, command: Command) => {
      // Refuse an unknown file type before the simulation, not after it.
      if (flags.out !== undefined) transactionsFileFormat(flags.out);
      const simulation = simulateTransactions(simulatorOptions(flags, command));
      const { summary, table } = simulation;
      const publicLog =
        flags.layout === 'public'
          ? toPublicLayout(simulation, {
              timezone: flags.timezone,
              splitDateTime: flags.splitDatetime === true,
            })
          : undefined;
      let writeSeconds: number | undefined;
      if (flags.out !== undefined) {
        const started = performance.now();
        const progress = createProgress({
          label: `writing ${flags.out}`,
          total: table.length,
          unit: 'rows',
        });
        const onProgress = (rows: number) => progress.update(rows);
        if (publicLog === undefined) await writeTransactions(table, flags.out, { onProgress });
        else await writePublicLog(publicLog, flags.out, { onProgress });
        progress.finish();
        writeSeconds = (performance.now() - started) / 1000;
      }
      const { config } = simulation;
      if (flags.json) {
        printJson({
          customers: config.customers,
          terminals: config.terminals,
          days: config.days,
          startDate: config.startDate,
          radius: config.radius,
          seed: config.seed,
          scenarios: config.scenarios,
          drift: config.drift ?? null,
          layout: flags.layout,
          columns: publicLog?.columns ?? table.columnNames,
          out: flags.out ?? null,
          ...summary,
          writeSeconds: writeSeconds ?? null,
        });
        return;
      }
      const share = (count: number) =>
        `${((100 * count) / Math.max(1, summary.transactions)).toFixed(3)}%`;
      const scenarioRows = Object.entries(summary.byScenario)
        .filter(([scenario, count]) => scenario !== '0' && (count > 0 || scenario !== '4'))
        .map(([scenario, count]) => [scenario, SCENARIO_NAMES[scenario]!, count, share(count)]);
      printLines([
        `Simulated ${summary.transactions.toLocaleString('en-US')} transactions of ${config.customers.toLocaleString('en-US')} customers at ${config.terminals.toLocaleString('en-US')} terminals over ${config.days} days from ${config.startDate} (seed ${config.seed}) in ${summary.seconds.toFixed(2)} s`,
        `frauds: ${summary.frauds.toLocaleString('en-US')} (${share(summary.frauds)})`,
        ...formatTable([['scenario', 'what', 'transactions', 'share'], ...scenarioRows]),
        ...(flags.out === undefined
          ? []
          : [`wrote ${flags.out} in ${(writeSeconds ?? 0).toFixed(2)} s`]),
      ]);
    });
}

/** Turns the flags into simulator options; drift flags without --drift are a usage error. */
function simulatorOptions(flags: SimulateFlags, command: Command): SimulatorOptions {
  const usageError = (message: string): never =>
    command.error(`error: ${message}`, { exitCode: 2, code: 'commander.invalidArgument' });
  const options: SimulatorOptions = {
    customers: flags.customers,
    terminals: flags.terminals,
    days: flags.days,
    startDate: flags.startDate,
    radius: flags.radius,
    seed: flags.seed,
    scenarios: flags.scenarios,
  };
  if (flags.layout !== 'public' && (flags.splitDatetime === true || timezoneGiven(command))) {
    usageError('--timezone and --split-datetime apply to --layout public.');
  }
  if (flags.drift === undefined) {
    if (flags.driftFromDay !== undefined || flags.driftStrength !== undefined) {
      usageError('--drift-from-day and --drift-strength need --drift <kind>.');
    }
    return options;
  }
  if (flags.driftFromDay === undefined) {
    return usageError(`--drift ${flags.drift} needs --drift-from-day <day>.`);
  }
  return {
    ...options,
    drift: {
      kind: flags.drift,
      fromDay: flags.driftFromDay,
      ...(flags.driftStrength === undefined ? {} : { strength: flags.driftStrength }),
    },
  };
}

function timezoneGiven(command: Command): boolean {
  return command.getOptionValueSource('timezone') === 'cli';
}

function parseDay(value: string): number {
  const day = Number(value);
  if (!Number.isInteger(day) || day < 0) {
    throw new InvalidArgumentError(`--drift-from-day must be a whole number ≥ 0, got "${value}".`);
  }
  return day;
}
