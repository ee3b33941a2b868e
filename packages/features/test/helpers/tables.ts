import { Table } from '@mlsd/core';

/** A hand-written transaction: time in seconds since 2018-04-01 00:00. */
export interface HandTransaction {
  t: number;
  customer?: number;
  terminal?: number;
  amount?: number;
  fraud?: number;
}

export const DAY = 86_400;
export const HOUR = 3_600;

/** A table with the simulator's columns from hand-written rows (ids 0…n−1 in order). */
export function handTable(rows: readonly HandTransaction[]): Table {
  return new Table({
    TRANSACTION_ID: Float64Array.from(rows, (_, i) => i),
    TX_TIME_SECONDS: Float64Array.from(rows, (row) => row.t),
    CUSTOMER_ID: Int32Array.from(rows, (row) => row.customer ?? 0),
    TERMINAL_ID: Int32Array.from(rows, (row) => row.terminal ?? 0),
    TX_AMOUNT: Float64Array.from(rows, (row) => row.amount ?? 1),
    TX_FRAUD: Uint8Array.from(rows, (row) => row.fraud ?? 0),
  });
}

/** Row `i` of a feature matrix as a name → value object, for readable assertions. */
export function namedRow(
  matrix: { names: readonly string[]; values: ArrayLike<number>; columns: number },
  i: number,
): Record<string, number> {
  const out: Record<string, number> = {};
  matrix.names.forEach((name, j) => {
    out[name] = matrix.values[i * matrix.columns + j]!;
  });
  return out;
}
