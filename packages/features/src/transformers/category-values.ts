/**
 * The categories of one column as an encoder learns and looks them up: distinct values sorted
 * as scikit-learn sorts them (numbers by value, strings by Unicode code point), from a string
 * array, a {@link CategoryColumn} or a numeric column.
 */
import {
  CategoryColumn,
  type Column,
  InvalidArgumentError,
  InvalidDataError,
  isNumericColumn,
} from '@mlsd/core';
import { z } from 'zod';
import {
  assertFittable,
  columnsByFittedNames,
  type FeatureInput,
  inputColumnNames,
  nonFinite,
} from './feature-input.js';
import { UnknownCategoryTally } from './unknown-categories.js';

/** Sorted distinct values of one column, all strings or all numbers. */
export type ColumnCategories =
  | { kind: 'string'; values: string[] }
  | { kind: 'number'; values: number[] };

/** zod schema of {@link ColumnCategories}, for encoders' `fromJSON`. */
export const ColumnCategoriesSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('string'), values: z.array(z.string()) }),
  z.object({ kind: z.literal('number'), values: z.array(z.number()) }),
]);

/** Row codes of one column plus the unknown values met, by value. */
export interface EncodedColumn {
  /** Index into the categories for each row; -1 where the value is unknown. */
  codes: Int32Array;
  /** Unknown values with their row count and first row, in order of first appearance. */
  unknown: Map<string | number, { count: number; firstRow: number }>;
}

/** Compares strings by Unicode code point, as NumPy sorts them (UTF-16 order differs above U+FFFF). */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

function missingValue(where: string, column: string, row: number): InvalidDataError {
  return new InvalidDataError(
    `${where}: column "${column}" has a missing value at row ${row}; fill it with a category of its own (e.g. "missing") before encoding.`,
    { column, row },
  );
}

/**
 * Distinct values of `column`, sorted.
 * @throws InvalidDataError naming the row of a missing category or a NaN / ±Infinity number.
 */
export function learnCategories(column: Column, name: string, where: string): ColumnCategories {
  if (isNumericColumn(column)) {
    const seen = new Set<number>();
    for (let i = 0; i < column.length; i++) {
      const value = column[i]!;
      if (!Number.isFinite(value)) throw nonFinite(where, name, i, value);
      seen.add(value === 0 ? 0 : value); // -0 and 0 are one category
    }
    return { kind: 'number', values: [...seen].sort((a, b) => a - b) };
  }
  const seen = new Set<string>();
  if (column instanceof CategoryColumn) {
    const used = new Uint8Array(column.levels.length);
    const { codes } = column;
    for (let i = 0; i < codes.length; i++) {
      const code = codes[i]!;
      if (code < 0) throw missingValue(where, name, i);
      used[code] = 1;
    }
    column.levels.forEach((level, code) => {
      if (used[code]) seen.add(level);
    });
  } else {
    for (let i = 0; i < column.length; i++) {
      const value = column[i];
      if (typeof value !== 'string') throw missingValue(where, name, i);
      seen.add(value);
    }
  }
  return { kind: 'string', values: [...seen].sort(compareCodePoints) };
}

/**
 * Codes of `column`'s values in `categories` (-1 for values not among them, tallied in
 * `unknown`).
 * @throws InvalidDataError when the column's kind (numbers / strings) differs from the fitted
 * one, or naming the row of a missing or non-finite value.
 */
export function encodeCategories(
  column: Column,
  categories: ColumnCategories,
  name: string,
  where: string,
): EncodedColumn {
  const codes = new Int32Array(column.length);
  const unknown: EncodedColumn['unknown'] = new Map();
  const noteUnknown = (value: string | number, row: number): void => {
    const entry = unknown.get(value);
    if (entry === undefined) unknown.set(value, { count: 1, firstRow: row });
    else entry.count++;
  };
  const numeric = isNumericColumn(column);
  if (numeric !== (categories.kind === 'number')) {
    throw new InvalidDataError(
      `${where}: column "${name}" holds ${numeric ? 'numbers' : 'strings'}, but its categories are ${categories.kind === 'number' ? 'numbers' : 'strings'}; convert the column to that kind.`,
      { column: name, fitted: categories.kind },
    );
  }
  if (categories.kind === 'number') {
    const index = new Map<number, number>();
    categories.values.forEach((value, code) => {
      index.set(value, code);
    });
    const values = column as ArrayLike<number>;
    for (let i = 0; i < codes.length; i++) {
      const value = values[i]!;
      if (!Number.isFinite(value)) throw nonFinite(where, name, i, value);
      const code = index.get(value);
      if (code === undefined) {
        codes[i] = -1;
        noteUnknown(value, i);
      } else codes[i] = code;
    }
    return { codes, unknown };
  }
  const index = new Map<string, number>();
  categories.values.forEach((value, code) => {
    index.set(value, code);
  });
  if (column instanceof CategoryColumn) {
    // Look each level up once, then map rows by their level code.
    const levelCodes = Int32Array.from(column.levels, (level) => index.get(level) ?? -1);
    const source = column.codes;
    for (let i = 0; i < codes.length; i++) {
      const level = source[i]!;
      if (level < 0) throw missingValue(where, name, i);
      const code = levelCodes[level]!;
      codes[i] = code;
      if (code < 0) noteUnknown(column.levels[level]!, i);
    }
    return { codes, unknown };
  }
  const values = column as string[];
  for (let i = 0; i < codes.length; i++) {
    const value = values[i];
    if (typeof value !== 'string') throw missingValue(where, name, i);
    const code = index.get(value);
    if (code === undefined) {
      codes[i] = -1;
      noteUnknown(value, i);
    } else codes[i] = code;
  }
  return { codes, unknown };
}

/** Text of a category in output column names (`String(value)`, so 1 → "1", 2.5 → "2.5"). */
export function categoryLabel(value: string | number): string {
  return String(value);
}

/** Codes of every fitted column of an input, and the unknown values met. */
export interface EncodedInput {
  /** `codes[j][i]`: category index of row i in fitted column j, -1 when unknown. */
  codes: Int32Array[];
  /** Unknown values per column. */
  unknown: UnknownCategoryTally;
}

/**
 * Looks up every fitted column of `input` in its categories.
 * @throws NotFoundError / DimensionMismatchError when a fitted column is missing.
 */
export function encodeInput(
  input: FeatureInput,
  featureNames: readonly string[],
  categories: readonly ColumnCategories[],
  where: string,
): EncodedInput {
  const columns = columnsByFittedNames(input, featureNames, where);
  const unknown = new UnknownCategoryTally();
  const codes = columns.map((column, j) => {
    const name = featureNames[j]!;
    const encoded = encodeCategories(column, categories[j]!, name, where);
    for (const [value, { count, firstRow }] of encoded.unknown) {
      unknown.add(name, value, count, firstRow);
    }
    return encoded.codes;
  });
  return { codes, unknown };
}

/**
 * The error for unknown categories under `handleUnknown: 'error'`: names the first column, the
 * value and its row, how many rows were affected, and the option that lets them through.
 */
export function unknownCategoryError(
  where: string,
  unknown: UnknownCategoryTally,
  categories: readonly ColumnCategories[],
  featureNames: readonly string[],
  remedy: string,
): InvalidDataError {
  const report = unknown.report();
  const first = report[0]!;
  const value = first.categories[0]!;
  const known = categories[featureNames.indexOf(first.column)]?.values ?? [];
  const shown = known.slice(0, 10).map((item) => JSON.stringify(item));
  const total = report.reduce((sum, column) => sum + column.rows, 0);
  return new InvalidDataError(
    `${where}: column "${first.column}" has category ${JSON.stringify(value.value)} at row ${value.firstRow}, not seen at fit ` +
      `(${total} unknown value${total === 1 ? '' : 's'} in ${report.length} column${report.length === 1 ? '' : 's'}); ` +
      `known: ${shown.join(', ')}${known.length > 10 ? `, … (${known.length} in all)` : ''}. ${remedy}`,
    { column: first.column, row: value.firstRow, value: value.value, unknown: report },
  );
}

/** zod schema of an encoder's `categories` option: `'auto'` or one list per input column. */
export const CategoriesOptionSchema = z
  .union([z.literal('auto'), z.array(z.union([z.array(z.string()), z.array(z.number())]))])
  .default('auto');

/** An encoder's `categories` option: learn them (`'auto'`) or use these lists, one per column. */
export type CategoriesOption = z.input<typeof CategoriesOptionSchema>;

/**
 * Column names and categories of every column of `input`, for an encoder's `fit`: the sorted
 * distinct values (`'auto'`), or the given lists in their given order. With given lists and
 * `strict`, a value outside its list is an error, as scikit-learn's `handle_unknown='error'`.
 * @throws InvalidDataError for 0 rows or columns, a missing / non-finite value, or (strict) a
 * value outside the given categories.
 * @throws InvalidArgumentError when the given lists do not fit the columns.
 */
export function learnInputCategories(
  input: FeatureInput,
  where: string,
  given: CategoriesOption = 'auto',
  strict = false,
): { featureNames: string[]; categories: ColumnCategories[] } {
  assertFittable(input, where);
  const featureNames = inputColumnNames(input);
  const columns = columnsByFittedNames(input, featureNames, where);
  if (given === 'auto') {
    const categories = columns.map((column, j) =>
      learnCategories(column, featureNames[j]!, `${where}.fit`),
    );
    return { featureNames, categories };
  }
  if (given.length !== columns.length) {
    throw new InvalidArgumentError(
      `${where}.fit: categories has ${given.length} lists for ${columns.length} input columns (${featureNames.join(', ')}); give one list per column, in column order.`,
      { lists: given.length, columns: featureNames },
    );
  }
  const categories = given.map((values, j): ColumnCategories => {
    const name = featureNames[j]!;
    if (new Set<string | number>(values).size !== values.length) {
      throw new InvalidArgumentError(
        `${where}.fit: the categories given for column "${name}" repeat a value.`,
        { column: name },
      );
    }
    if (values.length === 0) {
      throw new InvalidArgumentError(
        `${where}.fit: the categories given for column "${name}" are empty.`,
        { column: name },
      );
    }
    return typeof values[0] === 'number'
      ? { kind: 'number', values: [...(values as number[])] }
      : { kind: 'string', values: [...(values as string[])] };
  });
  const { unknown } = encodeInput(input, featureNames, categories, `${where}.fit`);
  if (strict && !unknown.isEmpty) {
    throw unknownCategoryError(
      `${where}.fit`,
      unknown,
      categories,
      featureNames,
      'Add it to the categories option, or set handleUnknown to let such values through.',
    );
  }
  return { featureNames, categories };
}
