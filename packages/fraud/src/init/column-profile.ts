/** Distinct values tracked per column; past this a column counts as "many distinct". */
const DISTINCT_CAP = 200_000;
/** Values counted for the most-frequent list. */
const TOP_VALUES = 20;

/** What the values of one sampled column look like. */
export interface ColumnProfile {
  name: string;
  /** Position in the header. */
  index: number;
  /** Non-empty values. */
  present: number;
  /** Empty values. */
  missing: number;
  /** Distinct non-empty values (capped at 200,000). */
  distinct: number;
  /** Every non-empty value is a finite number. */
  numeric: boolean;
  /** Numeric and every value a whole number. */
  integer: boolean;
  min: number;
  max: number;
  /** Numeric values never decrease down the sample. */
  nonDecreasing: boolean;
  /** Longest value, characters. */
  maxLength: number;
  /** The first few distinct values. */
  examples: string[];
  /** The most frequent values with their counts, when there are at most 20 distinct values. */
  top: [value: string, count: number][];
}

/** Profiles each column of a sample (text cells under a header). */
export function profileColumns(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): ColumnProfile[] {
  return header.map((name, index) => {
    const counts = new Map<string, number>();
    let present = 0;
    let numeric = true;
    let integer = true;
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    let previous = Number.NEGATIVE_INFINITY;
    let nonDecreasing = true;
    let maxLength = 0;
    const examples: string[] = [];
    for (const row of rows) {
      const text = (row[index] ?? '').trim();
      if (text === '') continue;
      present++;
      if (text.length > maxLength) maxLength = text.length;
      const seen = counts.get(text);
      if (seen !== undefined) counts.set(text, seen + 1);
      else if (counts.size < DISTINCT_CAP) {
        counts.set(text, 1);
        if (examples.length < 3) examples.push(text);
      }
      if (numeric) {
        const value = Number(text);
        if (!Number.isFinite(value)) numeric = false;
        else {
          if (!Number.isInteger(value)) integer = false;
          if (value < min) min = value;
          if (value > max) max = value;
          if (value < previous) nonDecreasing = false;
          previous = value;
        }
      }
    }
    const top = counts.size <= TOP_VALUES ? [...counts.entries()].sort((a, b) => b[1] - a[1]) : [];
    return {
      name,
      index,
      present,
      missing: rows.length - present,
      distinct: counts.size,
      numeric: numeric && present > 0,
      integer: numeric && integer && present > 0,
      min,
      max,
      nonDecreasing: numeric && nonDecreasing,
      maxLength,
      examples,
      top,
    };
  });
}
