import { resolve } from 'node:path';
import { createProgress } from '@mlsd/core';
import { FraudModel, predictFraudScores } from '@mlsd/fraud';
import type { Command } from 'commander';
import { parseNumber } from '../options.js';
import { printJson, printLines } from '../output.js';

interface PredictFlags {
  model: string;
  in: string;
  out: string;
  continue?: boolean;
  allowedLateness?: number;
  quarantine?: string;
  json?: boolean;
}

/** Registers `mlsd fraud predict`: scores for every transaction of a log, streamed to a CSV. */
export function registerFraudPredict(fraud: Command): void {
  fraud
    .command('predict')
    .description(
      "Score every transaction of a log with a model, as a backtest does: rows read in file order through the model's\n" +
        'config, point-in-time features from the rows before each one, one row out per transaction (the id under its\n' +
        'own column name, score, decision). Streams: memory holds the online state, never the whole file.',
    )
    .requiredOption('--model <dir>', 'model folder written by `mlsd fraud train`')
    .requiredOption('--in <file>', 'transaction log (.csv or .jsonl), in time order')
    .requiredOption('--out <file.csv>', 'scores to write')
    .option(
      '--continue',
      "continue from the online state saved with the model (a log that follows the model's training data)",
    )
    .option(
      '--allowed-lateness <seconds>',
      "how far a row may be behind its card's (or merchant's) newest row and still be placed in order",
      parseNumber('--allowed-lateness'),
    )
    .option('--quarantine <file.jsonl>', 'write every refused row there, with line and reason')
    .option('--json', 'print one JSON line')
    .action(async (flags: PredictFlags) => {
      const model = await FraudModel.load(flags.model);
      const progress = createProgress({ label: `scoring ${flags.in}`, unit: 'MB' });
      const summary = await predictFraudScores(model, resolve(flags.in), {
        out: resolve(flags.out),
        ...(flags.continue === true ? { continueFromModel: true } : {}),
        ...(flags.allowedLateness === undefined
          ? {}
          : { allowedLatenessSeconds: flags.allowedLateness }),
        ...(flags.quarantine === undefined ? {} : { quarantinePath: flags.quarantine }),
        onProgress: (bytes) => progress.update(Math.round(bytes / 1e6)),
      });
      progress.finish();
      if (summary.quarantined > 0) {
        const first = summary.quarantine[0];
        process.stderr.write(
          `${flags.in}: ${summary.read} rows read = ${summary.scored} scored + ${summary.quarantined} quarantined; first: line ${first?.line}: ${first?.reason}\n`,
        );
      }
      const { quarantine: _rows, ...figures } = summary;
      if (flags.json) {
        printJson(figures);
        return;
      }
      printLines([
        `wrote ${summary.out}: ${summary.scored.toLocaleString('en-US')} transactions scored, ${summary.alerts.toLocaleString('en-US')} alerts` +
          (summary.frauds > 0
            ? ` (${summary.fraudsAlerted} of the file's ${summary.frauds} frauds)`
            : ''),
        `${summary.rowsPerSecond.toFixed(0)} rows/s, peak memory ${summary.peakRssMiB.toFixed(0)} MiB, state: ${summary.state.entities} entities, ${summary.state.events} events`,
      ]);
    });
}
