/**
 * What the transformers read: a {@link Table} (columns by name) or a {@link Matrix} (row-major
 * numbers, optionally named). These helpers turn either into per-column views, check them
 * against what `fit` saw, and raise errors that name the transformer, the column and the row.
 */
import {
  type Column,
  DimensionMismatchError,
  InvalidDataError,
  isNumericColumn,
  type Matrix,
  NotFoundError,
  type NumericColumn,
  Table,
  toMatrix,
} from '@mlsd/core';

/** Input of every transformer: a columnar table or a row-major matrix. */
export type FeatureInput = Table | Matrix;

/** Numbers of one column, read without copying where the input allows it. */
export type NumericValues = NumericColumn;

/** True when `input` is a {@link Table} rather than a {@link Matrix}. */
export function isTable(input: FeatureInput): input is Table {
  return input instanceof Table;
}

/** Number of rows of `input`. */
export function rowCount(input: FeatureInput): number {
  return isTable(input) ? input.length : input.rows;
}

/**
 * Column names of `input`: a table's names, a matrix's `columnNames`, or `x0, x1, …` for an
 * unnamed matrix (scikit-learn's default names).
 */
export function inputColumnNames(input: FeatureInput): string[] {
  if (isTable(input)) return input.columnNames;
  if (input.columnNames !== undefined) return [...input.columnNames];
  return Array.from({ length: input.cols }, (_, j) => `x${j}`);
}

/**
 * Throws {@link InvalidDataError} when `input` has no rows or no columns: nothing can be learned
 * from it.
 */
export function assertFittable(input: FeatureInput, where: string): void {
  const rows = rowCount(input);
  const cols = isTable(input) ? input.columnNames.length : input.cols;
  if (rows === 0) {
    throw new InvalidDataError(
      `${where}.fit: the input has 0 rows; fit needs at least one row to learn from.`,
      { rows, columns: cols },
    );
  }
  if (cols === 0) {
    throw new InvalidDataError(
      `${where}.fit: the input has no columns; select at least one column to fit on.`,
      { rows, columns: cols },
    );
  }
}

/**
 * The input's columns, in the order `fit` saw them (`names`): by name for a table or a named
 * matrix (extra columns are ignored), by position for an unnamed matrix.
 * @throws NotFoundError when a fitted column is missing.
 * @throws DimensionMismatchError when an unnamed matrix has another number of columns.
 */
export function columnsByFittedNames(
  input: FeatureInput,
  names: readonly string[],
  where: string,
): Column[] {
  if (isTable(input)) {
    return names.map((name) => {
      if (!input.has(name)) throw missingColumn(name, input.columnNames, where);
      return input.column(name);
    });
  }
  if (input.columnNames === undefined) {
    if (input.cols !== names.length) {
      throw new DimensionMismatchError(
        `${where}: fitted on ${names.length} columns (${names.join(', ')}), got a matrix with ${input.cols}.`,
        { expected: names.length, found: input.cols },
      );
    }
    return names.map((_, j) => matrixColumn(input, j));
  }
  const positions = new Map(input.columnNames.map((name, j) => [name, j]));
  return names.map((name) => {
    const j = positions.get(name);
    if (j === undefined) throw missingColumn(name, input.columnNames ?? [], where);
    return matrixColumn(input, j);
  });
}

function missingColumn(name: string, present: readonly string[], where: string): NotFoundError {
  return new NotFoundError(
    `${where}: column "${name}" was there at fit but is missing now; present: ${present.join(', ') || '(none)'}.`,
    { column: name },
  );
}

/** Column `j` of a row-major matrix, copied into its own array. */
export function matrixColumn(matrix: Matrix, j: number): Float64Array {
  const out = new Float64Array(matrix.rows);
  const { data, cols } = matrix;
  for (let i = 0, k = j; i < out.length; i++, k += cols) out[i] = data[k]!;
  return out;
}

/**
 * The column as numbers (not checked for NaN: callers check as they read).
 * @throws InvalidDataError when it holds strings.
 */
export function numbersOf(column: Column, name: string, where: string): NumericValues {
  if (!isNumericColumn(column)) {
    throw new InvalidDataError(
      `${where}: column "${name}" holds strings; this transformer needs numbers (encode it with OneHotEncoder or OrdinalEncoder instead).`,
      { column: name },
    );
  }
  return column;
}

/**
 * The column as numbers, checked finite.
 * @throws InvalidDataError when it holds strings, or naming the first NaN / ±Infinity row.
 */
export function finiteNumbers(column: Column, name: string, where: string): NumericValues {
  numbersOf(column, name, where);
  const values = column as NumericValues;
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    if (!Number.isFinite(value)) throw nonFinite(where, name, i, value);
  }
  return values;
}

/** The error for a NaN or infinite cell, naming its column and row. */
export function nonFinite(
  where: string,
  column: string,
  row: number,
  value: number,
): InvalidDataError {
  return new InvalidDataError(
    `${where}: column "${column}" has ${value} at row ${row}; impute or drop missing values before this step.`,
    { column, row, value },
  );
}

/** Table of named numeric columns for an input matrix (columns are copied out). */
export function matrixToTable(matrix: Matrix): Table {
  const names = inputColumnNames(matrix);
  const columns = new Map<string, Column>();
  names.forEach((name, j) => {
    columns.set(name, matrixColumn(matrix, j));
  });
  if (columns.size !== names.length) {
    throw new InvalidDataError(`Matrix column names must be distinct; got [${names.join(', ')}].`, {
      columnNames: names,
    });
  }
  return new Table(columns);
}

/** Wraps a row-major result as a named Float64 matrix. */
export function namedMatrix(
  data: Float64Array,
  rows: number,
  names: readonly string[],
): Matrix<Float64Array> {
  return toMatrix(data, rows, names.length, names);
}
