import { draftFraudConfig } from '@mlsd/fraud';
import type { Command } from 'commander';
import { parsePositiveInt } from '../options.js';
import { printJson, printLines } from '../output.js';

interface InitFlags {
  in: string;
  out: string;
  sampleRows: number;
  force?: boolean;
  json?: boolean;
}

/** Registers `mlsd fraud init`: a config draft inferred from a transaction log. */
export function registerFraudInit(fraud: Command): void {
  fraud
    .command('init')
    .description(
      'Read the start of a transaction log (CSV or JSONL) and write a config draft to edit: the time column and its\n' +
        'format, the transaction id, the label, the amount, entity keys (card, merchant, ...), categorical and numeric\n' +
        'columns, and default features. Personal data (names, addresses, birth dates) is left out. Each guess and\n' +
        'everything left out is explained on stderr.',
    )
    .requiredOption('--in <file>', 'transaction log (.csv with a header, or .jsonl)')
    .requiredOption('--out <file>', 'config file to write (e.g. fraud.config.json)')
    .option(
      '--sample-rows <n>',
      'rows read from the start of the log',
      parsePositiveInt('--sample-rows'),
      50_000,
    )
    .option('--force', 'replace --out if it exists')
    .option('--json', 'print one JSON line')
    .action(async (flags: InitFlags) => {
      const draft = await draftFraudConfig(flags.in, {
        out: flags.out,
        sampleRows: flags.sampleRows,
        ...(flags.force === true ? { force: true } : {}),
      });
      process.stderr.write(`${draft.explanations.map((line) => `  ${line}`).join('\n')}\n`);
      const { config } = draft;
      if (flags.json) {
        printJson({
          out: draft.out,
          preset: config.preset ?? null,
          columns: config.columns ?? null,
          features: config.features?.length ?? null,
          leftOut: draft.leftOut,
        });
        return;
      }
      printLines([
        `wrote ${draft.out}${config.preset === undefined ? `: ${config.features?.length ?? 0} features` : `: preset ${config.preset}`}`,
        `next: edit it, then  mlsd fraud train --in ${flags.in} --config ${flags.out} --out model`,
      ]);
    });
}
