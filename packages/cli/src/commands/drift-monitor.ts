import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InvalidArgumentError, InvalidDataError, type Table } from '@mlsd/core';
import { DriftMonitor, findOrderingColumns, planDriftColumns, writeDriftReport } from '@mlsd/drift';
import { CsvParser, readCsv } from '@mlsd/ingest';
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

/** Bytes of the reference read to decide which columns are numbers (a few thousand rows). */
const SAMPLE_BYTES = 1 << 20;

/**
 * The first rows of a CSV (up to {@link SAMPLE_BYTES}, cut at a line end) with every column as
 * text, for {@link planDriftColumns} to look at.
 */
async function readCsvSample(path: string): Promise<Table> {
  const handle = await open(path, 'r');
  let text: string;
  try {
    const buffer = Buffer.alloc(SAMPLE_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    text = buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
  if (text.length === SAMPLE_BYTES) text = text.slice(0, text.lastIndexOf('\n') + 1);
  const header = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const names: string[] = [];
  new CsvParser((fields) => {
    names.push(...fields);
  }).push(`${header}\n`);
  const shape = Object.fromEntries(names.map((name) => [name, z.string().optional()]));
  const { table } = await readCsv([text], z.object(shape), { name: path });
  return table;
}

async function readMonitored(
  path: string,
  numeric: readonly string[],
  categorical: readonly string[],
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
  const first = quarantine[0];
  if (stats.read > 0 && stats.accepted === 0 && first !== undefined) {
    const fix =
      first.column === undefined
        ? ''
        : ` Column "${first.column}" is the cause: leave it out of --columns, or compare it as ` +
          `categories with --categorical ${first.column}.`;
    throw new InvalidDataError(
      `${path}: every one of its ${stats.read} rows was quarantined; first: line ${first.line}: ${first.reason}.${fix}`,
      { path, column: first.column },
    );
  }
  if (first !== undefined) {
    process.stderr.write(
      `${path}: ${stats.read} rows = ${stats.accepted} accepted + ${stats.quarantined} quarantined; first: line ${first.line}: ${first.reason}\n`,
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
    .option(
      '--columns <a,b,...>',
      'columns to monitor (default: every column of the reference but id-like, non-numeric and clock-like ones, each noted)',
    )
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
      const list = (text: string) =>
        text
          .split(',')
          .map((name) => name.trim())
          .filter((name) => name !== '');
      const plan = planDriftColumns(await readCsvSample(flags.reference), {
        ...(flags.columns === undefined ? {} : { columns: list(flags.columns) }),
        categorical: flags.categorical === undefined ? [] : list(flags.categorical),
      });
      const reference = await readMonitored(flags.reference, plan.numeric, plan.categorical);
      const current = await readMonitored(flags.current, plan.numeric, plan.categorical);
      // Columns the user named are compared as asked, clock-like or not.
      const ordering =
        flags.columns === undefined ? findOrderingColumns(reference, current, plan.numeric) : [];
      const skipped = [...plan.skipped, ...ordering];
      const monitored = [...plan.numeric, ...plan.categorical].filter(
        (name) => !ordering.some((column) => column.column === name),
      );
      if (monitored.length === 0) {
        const why = skipped.map((c) => `${c.column}: ${c.reason}`).join('; ');
        throw new InvalidArgumentError(
          `${flags.reference}: no column left to monitor (${why}); name the columns to compare ` +
            'with --columns.',
        );
      }
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
        for (const column of skipped) {
          process.stderr.write(`note: ${column.column} is not monitored: ${column.reason}\n`);
        }
        printJson({ ...report, skippedColumns: skipped });
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
        ...skipped.map((c) => `not monitored: ${c.column}: ${c.reason}`),
      ]);
    });
}
