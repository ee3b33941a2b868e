import {
  CategoryColumn,
  type Column,
  InvalidArgumentError,
  isNumericColumn,
  type Table,
} from '@mlsd/core';

/** A column left out of monitoring, and why (shown to the user as a note). */
export interface SkippedColumn {
  column: string;
  reason: string;
}

/** Which columns of a file to monitor, and how. */
export interface DriftColumnPlan {
  /** Tested with two-sample KS. */
  numeric: string[];
  /** Tested with chi-square homogeneity. */
  categorical: string[];
  /** Left out, each with its reason. */
  skipped: SkippedColumn[];
}

/** What the caller asked for; everything else is inferred from the data. */
export interface PlanDriftColumnsOptions {
  /**
   * Columns the user named. They are monitored whatever their names; one whose values are not
   * numbers is an error unless it is also in `categorical`. Default: every column of the sample,
   * leaving out id-like and non-numeric ones with a note.
   */
  columns?: readonly string[];
  /** Columns to compare as categories (chi-square). */
  categorical?: readonly string[];
}

/**
 * Identifier names: `id`, `..._id`, `...Id`, `... ID`. An identifier is a label, not a quantity:
 * its distribution says which customers or transactions are in a window, not whether the data
 * changed, and a running transaction id differs between any two windows by construction.
 */
const ID_NAME = /(^|[_\s.-])id$|[a-z]Id$/i;

/**
 * Decides which columns a drift monitor compares, from a sample of a file's rows read as text
 * (e.g. its first thousand rows). With no `columns` given it takes every column, leaves out those
 * whose names mark identifiers and those whose values are not all numbers, and says why for each;
 * columns named in `columns` or `categorical` are monitored as asked.
 * @throws InvalidArgumentError when a named column is missing, or is not numeric and not in
 * `categorical` (the message names its first non-numeric value and the fix).
 */
export function planDriftColumns(
  sample: Table,
  options: PlanDriftColumnsOptions = {},
): DriftColumnPlan {
  const categorical = [...(options.categorical ?? [])];
  const explicit = options.columns !== undefined;
  const requested = options.columns ?? sample.columnNames;
  for (const name of [...requested, ...categorical]) {
    if (!sample.has(name)) {
      throw new InvalidArgumentError(
        `There is no column "${name}"; columns: ${sample.columnNames.join(', ')}.`,
        { column: name },
      );
    }
  }
  const plan: DriftColumnPlan = { numeric: [], categorical: [], skipped: [] };
  for (const name of requested) {
    if (categorical.includes(name)) {
      plan.categorical.push(name);
      continue;
    }
    if (!explicit && ID_NAME.test(name)) {
      plan.skipped.push({
        column: name,
        reason:
          'id-like name: identifiers are labels, not quantities; name it in --columns to test it anyway',
      });
      continue;
    }
    const text = firstNonNumeric(sample.column(name));
    if (text === undefined) {
      plan.numeric.push(name);
    } else if (explicit) {
      throw new InvalidArgumentError(
        `Column "${name}" is not numeric (row ${text.row + 1} of the sample holds '${text.value}'): ` +
          `add it to the categorical columns (--categorical ${name}) to compare its categories, ` +
          'or leave it out.',
        { column: name, value: text.value },
      );
    } else {
      plan.skipped.push({
        column: name,
        reason: `not numeric (e.g. '${text.value}'); --categorical ${name} compares its categories`,
      });
    }
  }
  for (const name of categorical) {
    if (!requested.includes(name)) plan.categorical.push(name);
  }
  return plan;
}

/**
 * Numeric columns that only count time or rows onward, so a later window always differs: values
 * never decrease through the reference (and are not all equal), and every current value is at
 * least the reference's largest. A date, a day number or a running id passes this test; a
 * measurement almost never does. Comparing them reports drift that says nothing about the data.
 */
export function findOrderingColumns(
  reference: Table,
  current: Table,
  columns: readonly string[],
): SkippedColumn[] {
  const found: SkippedColumn[] = [];
  for (const name of columns) {
    const ref = reference.column(name);
    const cur = current.column(name);
    if (!isNumericColumn(ref) || !isNumericColumn(cur) || ref.length < 2 || cur.length === 0) {
      continue;
    }
    let first = Number.NaN;
    let last = Number.NaN;
    let ordered = true;
    for (let i = 0; i < ref.length; i++) {
      const v = ref[i]!;
      if (Number.isNaN(v)) continue;
      if (Number.isNaN(first)) first = v;
      else if (v < last) {
        ordered = false;
        break;
      }
      last = v;
    }
    if (!ordered || !(last > first)) continue;
    let currentMin = Number.POSITIVE_INFINITY;
    for (let i = 0; i < cur.length; i++) {
      const v = cur[i]!;
      if (v < currentMin) currentMin = v;
    }
    if (currentMin >= last) {
      found.push({
        column: name,
        reason:
          `ordered like a clock or a counter (never decreases through the reference, ${first}..${last}, ` +
          `and the current window starts at ${currentMin}): any later window differs`,
      });
    }
  }
  return found;
}

/** The first value of a text column that is not a finite number, skipping empty cells. */
function firstNonNumeric(column: Column): { row: number; value: string } | undefined {
  if (isNumericColumn(column)) return undefined;
  const values = column instanceof CategoryColumn ? column.toArray() : column;
  for (let row = 0; row < values.length; row++) {
    const value = values[row];
    if (value === undefined || value.trim() === '') continue;
    if (!Number.isFinite(Number(value))) return { row, value };
  }
  return undefined;
}
