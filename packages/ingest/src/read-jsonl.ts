import { InvalidArgumentError } from '@mlsd/core';
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

/** Options of {@link readJsonl}. */
export interface ReadJsonlOptions extends ReadOptions {
  /**
   * Longest line in characters (default 1 Mi): a longer one is quarantined and skipped to its
   * line break, so memory stays bounded whatever the input.
   */
  maxRecordChars?: number;
}

/** Raw text kept of a line too long to keep. */
const RAW_PREVIEW_CHARS = 200;

/**
 * Reads JSON Lines (one JSON object per line) into a Table, validating each object against a
 * zod object schema: values must already have the field's type (a number field refuses
 * "12.5" as a string). Invalid JSON, a non-object line, a line over `maxRecordChars`, a missing
 * required field or a failed constraint sends the line to the quarantine. Blank lines are
 * skipped and counted.
 * @throws QuarantineLimitError when more rows are refused than the options allow.
 */
export async function readJsonl(
  source: TextSource,
  schema: RowSchema,
  options: ReadJsonlOptions = {},
): Promise<ReadResult> {
  const maxRecordChars = options.maxRecordChars ?? 1 << 20;
  if (!Number.isInteger(maxRecordChars) || maxRecordChars < 1) {
    throw new InvalidArgumentError(
      `maxRecordChars must be a positive integer, got ${maxRecordChars}.`,
    );
  }
  checkReadOptions(options);
  const name = options.name ?? (typeof source === 'string' ? source : 'input');
  const started = performance.now();
  const builder = new RowBuilder(planFields(schema, options.columns));
  const quarantine = new Quarantine(options.quarantinePath, options.keepQuarantined ?? 100);
  let read = 0;
  let blankLines = 0;
  let lineNumber = 0;
  const handleLine = (line: string): void => {
    lineNumber++;
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (text.trim() === '') {
      blankLines++;
      return;
    }
    read++;
    if (text.length > maxRecordChars) {
      quarantine.add({
        line: lineNumber,
        raw: `${text.slice(0, RAW_PREVIEW_CHARS)}…`,
        reason: `line longer than ${maxRecordChars} characters (skipped)`,
      });
      checkQuarantineCount(quarantine, options, name);
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      quarantine.add({
        line: lineNumber,
        raw: text,
        reason: `invalid JSON: ${(error as Error).message}`,
      });
      checkQuarantineCount(quarantine, options, name);
      return;
    }
    const problem =
      value === null || typeof value !== 'object' || Array.isArray(value)
        ? { reason: 'expected a JSON object on the line' }
        : builder.addObjectRow(value as Record<string, unknown>);
    if (problem !== undefined) {
      quarantine.add({ line: lineNumber, raw: text, ...problem });
      checkQuarantineCount(quarantine, options, name);
    }
    if (options.onProgress !== undefined && (read & 0xffff) === 0) options.onProgress(read);
  };
  await quarantine.open();
  try {
    let pending = '';
    let first = true;
    let skipping = false;
    for await (let chunk of readTextChunks(source, name)) {
      if (first) {
        first = false;
        if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
      }
      const text = pending + chunk;
      let start = 0;
      let newline = text.indexOf('\n');
      if (skipping) {
        // The rest of an over-long line, already quarantined.
        if (newline === -1) continue;
        skipping = false;
        start = newline + 1;
        newline = text.indexOf('\n', start);
      }
      while (newline !== -1) {
        handleLine(text.slice(start, newline));
        start = newline + 1;
        newline = text.indexOf('\n', start);
      }
      pending = text.slice(start);
      if (pending.length > maxRecordChars) {
        lineNumber++;
        read++;
        quarantine.add({
          line: lineNumber,
          raw: `${pending.slice(0, RAW_PREVIEW_CHARS)}…`,
          reason: `line longer than ${maxRecordChars} characters (skipped)`,
        });
        checkQuarantineCount(quarantine, options, name);
        pending = '';
        skipping = true;
      }
    }
    if (pending.length > 0) handleLine(pending);
    checkQuarantineShare(quarantine, read, options, name);
  } finally {
    await quarantine.close();
  }
  return finishRead(
    builder,
    quarantine,
    started,
    { read, blankLines, ignoredColumns: [] },
    options,
  );
}
