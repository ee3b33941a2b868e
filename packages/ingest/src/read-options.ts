import { InvalidArgumentError, QuarantineLimitError, type Table } from '@mlsd/core';
import type { Quarantine, QuarantinedRow } from './quarantine.js';
import type { RowBuilder } from './row-builder.js';
import type { ColumnKind } from './schema-plan.js';

/** Options shared by {@link readCsv} and {@link readJsonl}. */
export interface ReadOptions {
  /** Storage per field, overriding the defaults (numbers float64, strings string, enums category). */
  columns?: Readonly<Record<string, ColumnKind>>;
  /** Write every refused row to this JSONL file (line, raw, reason, column). */
  quarantinePath?: string;
  /** Refused rows kept in memory in the result (default 100). */
  keepQuarantined?: number;
  /** Fail when more than this share of rows is refused (checked at the end), e.g. 0.01. */
  maxQuarantineShare?: number;
  /** Fail as soon as more than this many rows are refused. */
  maxQuarantined?: number;
  /** Called now and then with the rows read so far (for a progress bar). */
  onProgress?: (rowsRead: number) => void;
  /** Name of the input in messages (default: the path, or "input"). */
  name?: string;
}

/** What a read produced; `stats.read === stats.accepted + stats.quarantined` always. */
export interface ReadResult {
  table: Table;
  stats: {
    /** Data records read (header and blank lines excluded). */
    read: number;
    accepted: number;
    quarantined: number;
    /** Empty lines skipped (not records). */
    blankLines: number;
    /**
     * Accepted or quarantined records that span several lines (a quoted field holding a line
     * break; CSV only). Worth a look when unexpected: two stray quotes can enclose good rows
     * in one well-formed field that no reader can tell from a real multi-line value.
     */
    multiLineRecords?: number;
    elapsedMs: number;
    rowsPerSecond: number;
    quarantinePath?: string;
  };
  /** The first `keepQuarantined` refused rows. */
  quarantine: QuarantinedRow[];
  /** Input columns the schema does not use (CSV only). */
  ignoredColumns: string[];
}

/** Checks the numeric options before any reading starts. */
export function checkReadOptions(options: ReadOptions): void {
  const share = options.maxQuarantineShare;
  if (share !== undefined && !(share >= 0 && share <= 1)) {
    throw new InvalidArgumentError(`maxQuarantineShare must be in [0, 1], got ${share}.`);
  }
  const count = options.maxQuarantined;
  if (count !== undefined && !(Number.isInteger(count) && count >= 0)) {
    throw new InvalidArgumentError(`maxQuarantined must be a non-negative integer, got ${count}.`);
  }
}

/** Throws once the refused rows pass `maxQuarantined`. */
export function checkQuarantineCount(
  quarantine: Quarantine,
  options: ReadOptions,
  name: string,
): void {
  if (options.maxQuarantined !== undefined && quarantine.count > options.maxQuarantined) {
    throw new QuarantineLimitError(
      `${name}: more than ${options.maxQuarantined} rows refused; stopped reading.${where(quarantine)}`,
      { quarantined: quarantine.count },
    );
  }
}

/** Throws when the refused share passes `maxQuarantineShare`. */
export function checkQuarantineShare(
  quarantine: Quarantine,
  read: number,
  options: ReadOptions,
  name: string,
): void {
  const limit = options.maxQuarantineShare;
  if (limit !== undefined && read > 0 && quarantine.count / read > limit) {
    throw new QuarantineLimitError(
      `${name}: ${quarantine.count} of ${read} rows refused (${((100 * quarantine.count) / read).toFixed(2)}%), ` +
        `above the limit of ${(100 * limit).toFixed(2)}%.${where(quarantine)}`,
      { quarantined: quarantine.count, read },
    );
  }
}

/** What a reader counted besides its table, for {@link finishRead}. */
export interface ReadCounts {
  read: number;
  blankLines: number;
  /** CSV only. */
  multiLineRecords?: number;
  ignoredColumns: string[];
}

/**
 * The result both readers return once the input is consumed: the built table, the counts,
 * the time since `startedMs` (`performance.now()`), and a last progress call.
 */
export function finishRead(
  builder: RowBuilder,
  quarantine: Quarantine,
  startedMs: number,
  counts: ReadCounts,
  options: ReadOptions,
): ReadResult {
  const { read, blankLines, multiLineRecords, ignoredColumns } = counts;
  const table = builder.finish();
  const elapsedMs = performance.now() - startedMs;
  options.onProgress?.(read);
  return {
    table,
    stats: {
      read,
      accepted: table.length,
      quarantined: quarantine.count,
      blankLines,
      ...(multiLineRecords === undefined ? {} : { multiLineRecords }),
      elapsedMs,
      rowsPerSecond: read / (elapsedMs / 1000),
      ...(quarantine.path === undefined ? {} : { quarantinePath: quarantine.path }),
    },
    quarantine: quarantine.kept,
    ignoredColumns,
  };
}

function where(quarantine: Quarantine): string {
  const first = quarantine.kept[0];
  const example = first === undefined ? '' : ` First: line ${first.line}: ${first.reason}.`;
  return `${example}${quarantine.path === undefined ? '' : ` The refused rows are in ${quarantine.path}.`}`;
}
