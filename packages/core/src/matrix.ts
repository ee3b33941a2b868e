import { DimensionMismatchError, InvalidArgumentError, InvalidDataError } from './errors.js';
import type { Table } from './table.js';

/**
 * A dense row-major matrix of numbers: row i, column j is `data[i * cols + j]`. The shape
 * feature matrices, embeddings and model inputs take between packages.
 */
export interface Matrix<T extends Float32Array | Float64Array = Float32Array | Float64Array> {
  readonly data: T;
  readonly rows: number;
  readonly cols: number;
  /** Names of the columns, when they have names (features). */
  readonly columnNames?: readonly string[];
}

/** Wraps `data` as a rows × cols matrix, checking that the sizes agree. */
export function toMatrix<T extends Float32Array | Float64Array>(
  data: T,
  rows: number,
  cols: number,
  columnNames?: readonly string[],
): Matrix<T> {
  if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(cols) || cols < 0) {
    throw new InvalidArgumentError(
      `Matrix: rows and cols must be non-negative integers, got ${rows} × ${cols}.`,
    );
  }
  if (data.length !== rows * cols) {
    throw new DimensionMismatchError(
      `Matrix: ${data.length} values cannot be ${rows} rows × ${cols} columns (${rows * cols} values).`,
    );
  }
  if (columnNames !== undefined && columnNames.length !== cols) {
    throw new DimensionMismatchError(
      `Matrix: ${columnNames.length} column names for ${cols} columns.`,
    );
  }
  return columnNames === undefined ? { data, rows, cols } : { data, rows, cols, columnNames };
}

/** Copies numeric columns of a table into a row-major Float64 (default) or Float32 matrix. */
export function tableToMatrix(
  table: Table,
  columns: readonly string[],
  type: 'float64' | 'float32' = 'float64',
): Matrix {
  const rows = table.length;
  const cols = columns.length;
  const data = type === 'float32' ? new Float32Array(rows * cols) : new Float64Array(rows * cols);
  columns.forEach((name, j) => {
    const column = table.numeric(name);
    for (let i = 0; i < rows; i++) data[i * cols + j] = column[i]!;
  });
  return toMatrix(data, rows, cols, columns);
}

/** Throws {@link InvalidDataError} naming the first non-finite cell (row, column name). */
export function assertFiniteMatrix(matrix: Matrix, where: string): void {
  const { data, cols } = matrix;
  for (let k = 0; k < data.length; k++) {
    if (!Number.isFinite(data[k]!)) {
      const row = Math.floor(k / cols);
      const col = k % cols;
      const name = matrix.columnNames?.[col] ?? `column ${col}`;
      throw new InvalidDataError(
        `${where}: value at row ${row}, ${name} is ${data[k]}; expected a finite number.`,
        {
          row,
          column: name,
        },
      );
    }
  }
}
