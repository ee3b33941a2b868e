import { describeWithNearest, SchemaMismatchError } from '@mlsd/core';
import { CsvParser } from './csv-parser.js';
import { Quarantine } from './quarantine.js';
import {
  checkQuarantineCount,
  checkQuarantineShare,
  checkReadOptions,
  finishRead,
  type ReadOptions,
  type ReadResult,
} from './read-options.js';
import { RowBuilder } from './row-builder.js';
import { planFields, type RowSchema } from './schema-plan.js';
import { readTextChunks, type TextSource } from './text-source.js';

/** Options of {@link readCsv}. */
export interface ReadCsvOptions extends ReadOptions {
  /** Field delimiter (default ','). */
  delimiter?: string;
  /**
   * Longest record in characters (default 1 Mi): a quote still open past it is a broken quote,
   * a longer line is quarantined and skipped (see `CsvParser`).
   */
  maxRecordChars?: number;
}

/**
 * Reads a CSV file (RFC 4180) with a header row into a Table, validating each row against a
 * zod object schema. Cells are converted to each field's type (a number field parses the
 * cell as a number; empty cells are missing) and then checked against the field's
 * constraints. Refused rows go to the quarantine with their line and reason; the read never
 * drops a row silently. The file is streamed: memory holds the output columns, not the text.
 * @throws SchemaMismatchError at the header when a required column is missing, naming the nearest one.
 * @throws QuarantineLimitError when more rows are refused than the options allow.
 */
export async function readCsv(
  source: TextSource,
  schema: RowSchema,
  options: ReadCsvOptions = {},
): Promise<ReadResult> {
  checkReadOptions(options);
  const name = options.name ?? (typeof source === 'string' ? source : 'input');
  const started = performance.now();
  const builder = new RowBuilder(planFields(schema, options.columns));
  const quarantine = new Quarantine(options.quarantinePath, options.keepQuarantined ?? 100);
  let header: string[] | undefined;
  let cellIndex: Int32Array = new Int32Array(0);
  let ignoredColumns: string[] = [];
  let read = 0;
  let multiLineRecords = 0;
  const parser = new CsvParser(
    (fields, line, problem, raw, lines) => {
      if (header === undefined) {
        header = fields.map((field) => field.trim());
        ({ cellIndex, ignoredColumns } = mapHeader(header, builder, name));
        parser.expectFields(header.length);
        return undefined;
      }
      let refusal = problem === undefined ? undefined : { reason: `malformed CSV: ${problem}` };
      if (refusal === undefined && fields.length !== header.length) {
        refusal = { reason: `expected ${header.length} fields, found ${fields.length}` };
      }
      refusal ??= builder.addTextRow(fields, cellIndex);
      // A refused record spanning lines is taken for a stray quote: the parser sets its first
      // line aside (calling back with it) and reads the lines after it again.
      if (refusal !== undefined && lines > 1)
        return `a record spanning ${lines} lines is refused (${refusal.reason})`;
      read++;
      if (lines > 1) multiLineRecords++;
      if (refusal !== undefined) {
        quarantine.add({ line, raw: raw(), ...refusal });
        checkQuarantineCount(quarantine, options, name);
      }
      if (options.onProgress !== undefined && (read & 0xffff) === 0) options.onProgress(read);
      return undefined;
    },
    {
      ...(options.delimiter === undefined ? {} : { delimiter: options.delimiter }),
      ...(options.maxRecordChars === undefined ? {} : { maxRecordChars: options.maxRecordChars }),
    },
  );
  await quarantine.open();
  try {
    for await (const chunk of readTextChunks(source, name)) parser.push(chunk);
    parser.end();
    if (header === undefined) {
      throw new SchemaMismatchError(`${name} is empty: no header row.`, { file: name });
    }
    checkQuarantineShare(quarantine, read, options, name);
  } finally {
    await quarantine.close();
  }
  return finishRead(
    builder,
    quarantine,
    started,
    { read, blankLines: parser.blankLines, multiLineRecords, ignoredColumns },
    options,
  );
}

function mapHeader(
  header: string[],
  builder: RowBuilder,
  name: string,
): { cellIndex: Int32Array; ignoredColumns: string[] } {
  const position = new Map<string, number>();
  header.forEach((column, i) => {
    if (position.has(column)) {
      throw new SchemaMismatchError(`${name}: column "${column}" appears twice in the header.`, {
        column,
      });
    }
    position.set(column, i);
  });
  const cellIndex = new Int32Array(builder.plans.length);
  const missing: string[] = [];
  builder.plans.forEach((plan, f) => {
    const at = position.get(plan.name);
    cellIndex[f] = at ?? -1;
    if (at === undefined && !plan.optional) missing.push(plan.name);
  });
  if (missing.length > 0) {
    throw new SchemaMismatchError(
      `${name}: missing required column${missing.length > 1 ? 's' : ''} ${missing
        .map((column) => describeWithNearest(column, header))
        .join(', ')}; the header has ${header.join(', ')}.`,
      { missing, header },
    );
  }
  const used = new Set(builder.plans.map((plan) => plan.name));
  return { cellIndex, ignoredColumns: header.filter((column) => !used.has(column)) };
}
