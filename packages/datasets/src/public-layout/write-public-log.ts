import { writeLinesAtomic } from '@mlsd/core';
import { transactionsFileFormat } from '../simulator/write-transactions.js';
import type { PublicTransactionLog } from './public-log.js';

/**
 * Writes a public-layout log as CSV (with a header) or JSON Lines, as the file name says
 * (`.csv`, `.jsonl` / `.ndjson`). Streamed into a temporary file renamed over `path` when
 * complete, so memory stays at one chunk of text whatever the row count.
 * @param onProgress - called now and then with the rows written so far, and once at the end.
 * @throws InvalidArgumentError for a file name of another kind.
 */
export async function writePublicLog(
  log: PublicTransactionLog,
  path: string,
  options: { onProgress?: (rowsWritten: number) => void } = {},
): Promise<void> {
  const csv = transactionsFileFormat(path) === 'csv';
  await writeLinesAtomic(
    path,
    log.length,
    csv ? (row) => log.csvLine(row) : (row) => log.jsonLine(row),
    {
      ...(csv ? { header: log.columns.join(',') } : {}),
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    },
  );
}
