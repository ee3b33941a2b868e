import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InvalidArgumentError, type Table } from '@mlsd/core';
import { DriftMonitor, writeDriftReport } from '@mlsd/drift';
import { readCsv } from '@mlsd/ingest';
import type { Command } from 'commander';
import { z } from 'zod';
import { parseNumber } from '../options.js';
import { formatTable, printJson, printLines } from '../output.js';

interface MonitorFlags {
  reference: string;
  current: string;
  columns?: string;
  categorical?: string;
  alpha: number;
  minEffect: number;
  report?: string;
  json?: boolean;
}

/** Column names from a CSV header line (plain or double-quoted names). */
async function csvHeader(path: string): Promise<string[]> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const text = buffer
      .subarray(0, bytesRead)
      .toString('utf8')
      .replace(/^\uFEFF/, '');
    const line = text.split(/\r?\n/, 1)[0] ?? '';
    return line.split(',').map((name) =>
      name
        .trim()
        .replace(/^"(.*)"$/, '$1')
        .replace(/""/g, '"'),
    );
  } finally {
    await handle.close();
  }
}

async function readMonitored(
  path: string,
  numeric: string[],
  categorical: string[],
): Promise<Table> {
  const shape: Record<string, z.ZodType> = {};
  const columns: Record<string, 'float64' | 'category'> = {};
  for (const name of numeric) {
    shape[name] = z.number();
    columns[name] = 'float64';
  }
  for (const name of categorical) {
    shape[name] = z.string();
    columns[name] = 'category';
  }
  const { table, stats, quarantine } = await readCsv(resolve(path), z.object(shape), { columns });
  if (stats.quarantined > 0) {
    process.stderr.write(
      `${path}: ${stats.read} rows = ${stats.accepted} accepted + ${stats.quarantined} quarantined; first: line ${quarantine[0]?.line}: ${quarantine[0]?.reason}\n`,
    );
  }
  return table;
}

/** Registers `mlsd drift monitor`. */
export function registerDriftMonitorCommand(drift: Command): void {
  drift
    .command('monitor')
    .description(
      'Compare a current CSV with a reference CSV column by column: KS for numeric columns, chi-square for ' +
        'categorical ones, Benjamini–Hochberg across columns, drift only above an effect size.',
    )
    .requiredOption('--reference <file.csv>', 'reference data (e.g. the training features)')
    .requiredOption('--current <file.csv>', 'current data with the same columns')
    .option('--columns <a,b,...>', 'columns to monitor (default: every column of the reference)')
    .option('--categorical <a,b,...>', 'columns to treat as categories (chi-square)')
    .option(
      '--alpha <p>',
      'significance level of the corrected p-values',
      parseNumber('--alpha'),
      0.05,
    )
    .option(
      '--min-effect <d>',
      "smallest KS D / Cramér's V that counts as drift",
      parseNumber('--min-effect'),
      0.1,
    )
    .option('--report <file.html>', 'write an HTML report with the ECDFs of drifted columns')
    .option('--json', 'print one JSON line')
    .action(async (flags: MonitorFlags) => {
      const header = await csvHeader(flags.reference);
      const list = (text: string | undefined) =>
        text === undefined
          ? []
          : text
              .split(',')
              .map((s) => s.trim())
              .filter((s) => s !== '');
      const monitored = flags.columns === undefined ? header : list(flags.columns);
      const categorical = list(flags.categorical);
      for (const name of [...monitored, ...categorical]) {
        if (!header.includes(name)) {
          throw new InvalidArgumentError(
            `${flags.reference} has no column "${name}"; columns: ${header.join(', ')}.`,
          );
        }
      }
      const numeric = monitored.filter((name) => !categorical.includes(name));
      const categories = monitored.filter((name) => categorical.includes(name));
      const reference = await readMonitored(flags.reference, numeric, categories);
      const current = await readMonitored(flags.current, numeric, categories);
      const monitor = new DriftMonitor(reference, {
        columns: monitored,
        alpha: flags.alpha,
        minEffect: { ks: flags.minEffect, chiSquare: flags.minEffect },
      });
      const report = monitor.check(current, flags.current);
      if (flags.report !== undefined) {
        await writeDriftReport(resolve(flags.report), report, reference, current);
        process.stderr.write(`report: ${resolve(flags.report)}\n`);
      }
      if (flags.json) {
        printJson(report);
        return;
      }
      printLines([
        `${report.rows} rows: ${(100 * report.driftedShare).toFixed(0)} % of columns drifted → ${report.datasetDrift ? 'DATASET DRIFT' : 'no dataset drift'}`,
        ...formatTable([
          ['column', 'test', 'statistic', 'corrected p', 'effect', 'verdict'],
          ...report.columns.map((c) => [
            c.column,
            c.test,
            Number.isNaN(c.statistic) ? '–' : c.statistic.toPrecision(4),
            Number.isNaN(c.correctedPValue) ? '–' : c.correctedPValue.toExponential(2),
            Number.isNaN(c.effectSize) ? '–' : c.effectSize.toFixed(3),
            c.skipped ? `not tested (${c.skipped})` : c.drifted ? 'DRIFT' : 'ok',
          ]),
        ]),
      ]);
    });
}
