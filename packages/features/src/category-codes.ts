import { CategoryColumn, type Column, isNumericColumn } from '@mlsd/core';

/** A column read as categories: a code per row (−1 missing) into a list of distinct values. */
export interface CategoryCodes {
  codes: Int32Array;
  levels: string[];
}

/**
 * The value of a record field read as a category, as both paths read it: strings as they are
 * (the empty string is missing), finite numbers as `String(value)` (so a numeric key column and
 * the same ids sent as numbers agree), booleans as `'true'`/`'false'`; null, undefined, NaN and
 * ±∞ are missing. Anything else gives undefined (the caller refuses it).
 */
export function categoryValue(value: unknown): string | null | undefined {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value === '' ? null : value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : null;
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'bigint') return String(value);
  return undefined;
}

/**
 * A table column read as categories with {@link categoryValue}'s rules: a `CategoryColumn`
 * keeps its codes (levels that read alike are merged), a `string[]` and a numeric column are
 * dictionary-encoded in order of first appearance.
 */
export function readCategoryCodes(column: Column): CategoryCodes {
  if (column instanceof CategoryColumn) {
    const levels = column.levels;
    const merged = encode(levels.length, (i) => categoryValue(levels[i]) ?? null, String);
    const source = column.codes;
    const codes = new Int32Array(source.length);
    for (let i = 0; i < source.length; i++) {
      const code = source[i]!;
      codes[i] = code < 0 ? -1 : merged.codes[code]!;
    }
    return { codes, levels: merged.levels };
  }
  if (isNumericColumn(column)) {
    return (
      denseIntegerCodes(column) ??
      encode(column.length, (i) => (Number.isFinite(column[i]!) ? column[i]! : null), String)
    );
  }
  return encode(column.length, (i) => categoryValue(column[i]) ?? null, String);
}

/** Codes of `n` keys (null: missing) in order of first appearance, and each code's text. */
function encode<K>(
  n: number,
  keyAt: (i: number) => K | null,
  text: (key: K) => string,
): CategoryCodes {
  const index = new Map<K, number>();
  const levels: string[] = [];
  const codes = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const key = keyAt(i);
    if (key === null) {
      codes[i] = -1;
      continue;
    }
    let code = index.get(key);
    if (code === undefined) {
      code = levels.push(text(key)) - 1;
      index.set(key, code);
    }
    codes[i] = code;
  }
  return { codes, levels };
}

/**
 * {@link readCategoryCodes} of a column of small non-negative integers (ids, as the simulator's
 * are) through a lookup array instead of a hash map: the same codes, in order of first
 * appearance; undefined when the values are not all such integers.
 */
function denseIntegerCodes(column: ArrayLike<number>): CategoryCodes | undefined {
  const n = column.length;
  let max = 0;
  for (let i = 0; i < n; i++) {
    const value = column[i]!;
    if (!(value >= 0 && Math.floor(value) === value)) return undefined;
    if (value > max) max = value;
  }
  if (max >= 4 * n + 1_024) return undefined;
  const lookup = new Int32Array(max + 1).fill(-1);
  const levels: string[] = [];
  const codes = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const value = column[i]!;
    let code = lookup[value]!;
    if (code < 0) {
      code = levels.push(String(value)) - 1;
      lookup[value] = code;
    }
    codes[i] = code;
  }
  return { codes, levels };
}
