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
    const levels: string[] = [];
    const index = new Map<string, number>();
    const remap = new Int32Array(column.levels.length);
    column.levels.forEach((level, i) => {
      const value = categoryValue(level);
      if (value === null || value === undefined) {
        remap[i] = -1;
        return;
      }
      let code = index.get(value);
      if (code === undefined) {
        code = levels.push(value) - 1;
        index.set(value, code);
      }
      remap[i] = code;
    });
    const source = column.codes;
    const codes = new Int32Array(source.length);
    for (let i = 0; i < source.length; i++) {
      const code = source[i]!;
      codes[i] = code < 0 ? -1 : remap[code]!;
    }
    return { codes, levels };
  }
  const levels: string[] = [];
  const codes = new Int32Array(column.length);
  if (isNumericColumn(column)) {
    const index = new Map<number, number>();
    for (let i = 0; i < column.length; i++) {
      const value = column[i]!;
      if (!Number.isFinite(value)) {
        codes[i] = -1;
        continue;
      }
      let code = index.get(value);
      if (code === undefined) {
        code = levels.push(categoryValue(value) as string) - 1;
        index.set(value, code);
      }
      codes[i] = code;
    }
    return { codes, levels };
  }
  const index = new Map<string, number>();
  for (let i = 0; i < column.length; i++) {
    const value = categoryValue(column[i]);
    if (value === null || value === undefined) {
      codes[i] = -1;
      continue;
    }
    let code = index.get(value);
    if (code === undefined) {
      code = levels.push(value) - 1;
      index.set(value, code);
    }
    codes[i] = code;
  }
  return { codes, levels };
}
