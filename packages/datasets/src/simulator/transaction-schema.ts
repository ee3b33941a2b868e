import { z } from 'zod';

const id = z.number().int().min(0).max(0x7fffffff);

/**
 * One transaction as the simulator writes it (and as the handbook's own data is laid out): for
 * reading CSV/JSONL files through @mlsd/ingest (with {@link TRANSACTION_COLUMN_KINDS}) and for
 * validating requests to a scoring service. `TX_DATETIME` is `YYYY-MM-DD HH:MM:SS` text.
 */
export const TransactionRowSchema = z.object({
  TRANSACTION_ID: id,
  TX_DATETIME: z.string().min(10),
  CUSTOMER_ID: id,
  TERMINAL_ID: id,
  TX_AMOUNT: z.number().finite().min(0),
  TX_TIME_SECONDS: id,
  TX_TIME_DAYS: id,
  TX_FRAUD: z.number().int().min(0).max(1),
  TX_FRAUD_SCENARIO: z.number().int().min(0).max(4),
});

/** A transaction row as {@link TransactionRowSchema} accepts it. */
export type TransactionRow = z.infer<typeof TransactionRowSchema>;

/**
 * Column storage for reading transactions with @mlsd/ingest
 * (`readCsv(path, TransactionRowSchema, { columns: TRANSACTION_COLUMN_KINDS })`): the same
 * typed arrays `simulateTransactions` returns, `TX_DATETIME` as seconds since the epoch.
 */
export const TRANSACTION_COLUMN_KINDS = Object.freeze({
  TRANSACTION_ID: 'int32',
  TX_DATETIME: 'datetime',
  CUSTOMER_ID: 'int32',
  TERMINAL_ID: 'int32',
  TX_AMOUNT: 'float64',
  TX_TIME_SECONDS: 'int32',
  TX_TIME_DAYS: 'int32',
  TX_FRAUD: 'uint8',
  TX_FRAUD_SCENARIO: 'uint8',
} as const);
