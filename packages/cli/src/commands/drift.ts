import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InvalidArgumentError, InvalidDataError, NotFoundError } from '@mlsd/core';
import { type KsAlternative, type KsMethod, ksTwoSample, numericColumnSchema } from '@mlsd/drift';
import { readCsv } from '@mlsd/ingest';
import { type Command, Option } from 'commander';
import { addGroup } from '../group.js';
import { printJson, printLines } from '../output.js';
import { registerDriftMonitorCommand } from './drift-monitor.js';

interface KsFlags {
  a: string;
  b: string;
  alternative: KsAlternative;
  method: KsMethod;
  column?: string;
  json?: boolean;
}

/** Registers `mlsd drift ...`. */
export function registerDriftCommands(program: Command): void {
  const drift = addGroup(
    program,
    'drift',
    'Drift monitoring: two-sample KS and companion tests, windowed monitors.',
  );
  registerDriftMonitorCommand(drift);

  drift
    .command('ks')
    .description(
      'Two-sample Kolmogorov–Smirnov test, as scipy.stats.ks_2samp computes it. Each file holds one number per line, or is a CSV read through --column.',
    )
    .requiredOption('--a <file>', 'first sample (reference)')
    .requiredOption('--b <file>', 'second sample (current)')
    .addOption(
      new Option('--alternative <kind>', 'alternative hypothesis')
        .choices(['two-sided', 'less', 'greater'])
        .default('two-sided'),
    )
    .addOption(
      new Option('--method <method>', 'p-value method (auto: exact up to 10,000 per side)')
        .choices(['auto', 'exact', 'asymp'])
        .default('auto'),
    )
    .option('--column <name>', 'read both files as CSV with a header and use this column')
    .option('--json', 'print one JSON line')
    .action(async (flags: KsFlags) => {
      const [a, b] = await Promise.all([
        readSample(flags.a, flags.column),
        readSample(flags.b, flags.column),
      ]);
      const result = ksTwoSample(a, b, { alternative: flags.alternative, method: flags.method });
      if (flags.json) {
        printJson(result);
        return;
      }
      printLines([
        `KS ${result.alternative}: D = ${result.statistic.toPrecision(6)} at ${result.statisticLocation} (${result.statisticSign > 0 ? 'F_a above F_b' : 'F_a below F_b'}), p = ${result.pvalue.toPrecision(6)}`,
        `n_a = ${result.n1}, n_b = ${result.n2}, method ${result.method}${result.fallbackReason === undefined ? '' : ` (exact not possible: ${result.fallbackReason})`}${result.tiesAcrossSamples ? '; values shared by both samples make the p-value conservative' : ''}`,
      ]);
    });
}

/**
 * The text of a sample file; a folder, a missing or an unreadable path is a typed error that
 * names it (fs errors such as EISDIR do not).
 */
async function readSampleText(path: string): Promise<string> {
  try {
    return await readFile(resolve(path), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EISDIR') {
      throw new InvalidArgumentError(
        `${path} is a folder, not a file: pass a file with one number per line (or a CSV with --column).`,
        { file: path },
      );
    }
    if (code === 'ENOENT') {
      throw new NotFoundError(`${path} does not exist.`, { file: path });
    }
    throw new InvalidArgumentError(`Cannot read ${path} (${code ?? 'read error'}).`, {
      file: path,
    });
  }
}

/** A sample from a one-number-per-line file, or from a CSV column when `column` is given. */
async function readSample(path: string, column: string | undefined): Promise<Float64Array> {
  if (column === undefined) return parseNumberLines(await readSampleText(path), path);
  const { table } = await readCsv(resolve(path), numericColumnSchema(column), {
    columns: { [column]: 'float64' },
    maxQuarantined: 0,
    name: path,
  });
  return Float64Array.from(table.numeric(column));
}

/**
 * Parses one number per line (blank lines skipped, surrounding spaces allowed).
 * @throws InvalidDataError naming the file and line of the first value that is not a finite number.
 */
export function parseNumberLines(text: string, name: string): Float64Array {
  const lines = text.split(/\r?\n/);
  const values = new Float64Array(lines.length);
  let count = 0;
  for (let i = 0; i < lines.length; i++) {
    const cell = lines[i]!.trim();
    if (cell === '') continue;
    const value = Number(cell);
    if (!Number.isFinite(value)) {
      throw new InvalidDataError(
        `${name}:${i + 1}: "${cell.slice(0, 40)}" is not a finite number (one number per line expected; use --column for CSV).`,
        { file: name, line: i + 1 },
      );
    }
    values[count++] = value;
  }
  return values.subarray(0, count);
}
