import { resolve } from 'node:path';
import { InvalidArgumentError } from '@mlsd/core';
import {
  FRAUD_CONFIG_PRESETS,
  type FraudConfigPreset,
  type FraudModelKind,
  type FraudPipelineConfigInput,
  type ResolvedFraudConfig,
  readFraudConfig,
  readLogSample,
  resolveFraudConfig,
} from '@mlsd/fraud';
import { type Command, Option } from 'commander';

/** The simulator's columns: a log with them trains with the handbook preset when no config is given. */
const SIMULATOR_COLUMNS = ['TRANSACTION_ID', 'CUSTOMER_ID', 'TERMINAL_ID', 'TX_AMOUNT', 'TX_FRAUD'];

/** The flags of `mlsd fraud train` that choose or override the config. */
export interface ConfigFlags {
  in: string;
  config?: string;
  preset?: FraudConfigPreset;
  model?: FraudModelKind;
  classWeight?: 'none' | 'balanced';
  seed?: number;
  trainStart?: string;
}

/**
 * The config `mlsd fraud train` runs with: `--config` (checked as a file: every problem with its
 * key path), else `--preset`, else the handbook preset when the log has the simulator's columns;
 * then the flags that override it (model, class weight, seed, training start).
 * @throws InvalidArgumentError when neither is given for a log of other columns, saying how to
 *   draft a config.
 */
export async function loadTrainConfig(flags: ConfigFlags): Promise<ResolvedFraudConfig> {
  if (flags.config !== undefined && flags.preset !== undefined) {
    throw new InvalidArgumentError('Give --config or --preset, not both.');
  }
  let input: FraudPipelineConfigInput;
  let source = 'the config';
  if (flags.config !== undefined) {
    input = await readFraudConfig(resolve(flags.config));
    source = flags.config;
  } else if (flags.preset !== undefined) {
    input = { version: 1, preset: flags.preset };
  } else {
    const { header } = await readLogSample(resolve(flags.in), { maxRows: 1, name: flags.in });
    if (!SIMULATOR_COLUMNS.every((column) => header.includes(column))) {
      throw new InvalidArgumentError(
        `${flags.in} does not have the simulator's columns, so there is no default config. Draft one with ` +
          `\`mlsd fraud init --in ${flags.in} --out fraud.config.json\`, check it, then pass --config fraud.config.json.`,
      );
    }
    process.stderr.write(
      `${flags.in} has the simulator's columns: using the handbook preset (pass --config to change it).\n`,
    );
    input = { version: 1, preset: 'handbook' };
  }
  // Another kind than the config's does not take its hyperparameters.
  const keepParams = flags.model === undefined || flags.model === input.model?.kind;
  const { params, ...model } = input.model ?? {};
  const overrides = {
    ...(keepParams && params !== undefined ? { params } : {}),
    ...(flags.model === undefined ? {} : { kind: flags.model }),
    ...(flags.classWeight === undefined ? {} : { classWeight: flags.classWeight }),
    ...(flags.seed === undefined ? {} : { seed: flags.seed }),
  };
  return resolveFraudConfig(
    {
      ...input,
      model: { ...model, ...overrides },
      protocol: {
        ...input.protocol,
        ...(flags.trainStart === undefined ? {} : { trainStart: flags.trainStart }),
      },
    },
    source,
  );
}

/**
 * Adds the flags every command that trains from a log takes: the log (`--in`), the model folder
 * (`--out`) and where the config comes from (`--config` or `--preset`).
 */
export function addLogAndConfigOptions(command: Command): Command {
  return command
    .requiredOption('--in <file>', 'transaction log (.csv with a header, or .jsonl)')
    .requiredOption('--out <dir>', 'model folder to write')
    .option('--config <file>', 'pipeline config (JSON; see `mlsd fraud init`)')
    .addOption(
      new Option(
        '--preset <name>',
        'start from a preset instead of a config file (handbook+: the handbook with the feature groups the ablation kept)',
      ).choices(FRAUD_CONFIG_PRESETS),
    );
}
