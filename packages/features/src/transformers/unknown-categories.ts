/**
 * Bookkeeping of categories an encoder met at transform time that it never saw at fit: which
 * values, in which column, how many rows each. Encoders keep one tally per call and one since fit.
 */

/** One unknown value and how many rows carried it. */
export interface UnknownCategoryCount {
  /** The value as it appeared in the input. */
  value: string | number;
  /** Rows that carried it. */
  count: number;
  /** First row (0-based, within the transform call that met it first) that carried it. */
  firstRow: number;
}

/** Unknown categories of one input column. */
export interface UnknownCategoryReport {
  /** Input column name. */
  column: string;
  /** Rows with an unknown value in this column. */
  rows: number;
  /** Distinct unknown values, most frequent first (ties in order of first appearance). */
  categories: UnknownCategoryCount[];
}

/** Counts unknown values per column, keeping first-seen order for ties. */
export class UnknownCategoryTally {
  readonly #columns = new Map<string, Map<string | number, { count: number; firstRow: number }>>();

  /** Records `count` more rows with `value` in `column`; `row` is where it was first met. */
  add(column: string, value: string | number, count: number, row: number): void {
    let values = this.#columns.get(column);
    if (values === undefined) {
      values = new Map();
      this.#columns.set(column, values);
    }
    const entry = values.get(value);
    if (entry === undefined) values.set(value, { count, firstRow: row });
    else entry.count += count;
  }

  /** Adds every count of `other` to this tally. */
  merge(other: UnknownCategoryTally): void {
    for (const report of other.report()) {
      for (const { value, count, firstRow } of report.categories) {
        this.add(report.column, value, count, firstRow);
      }
    }
  }

  /** True when nothing was recorded. */
  get isEmpty(): boolean {
    return this.#columns.size === 0;
  }

  /** Forgets every count. */
  clear(): void {
    this.#columns.clear();
  }

  /** The counts per column, columns in the order first met. */
  report(): UnknownCategoryReport[] {
    const out: UnknownCategoryReport[] = [];
    for (const [column, values] of this.#columns) {
      const categories = [...values].map(([value, { count, firstRow }]) => ({
        value,
        count,
        firstRow,
      }));
      // Array.prototype.sort is stable, so equal counts stay in first-seen order.
      categories.sort((a, b) => b.count - a.count);
      const rows = categories.reduce((sum, entry) => sum + entry.count, 0);
      out.push({ column, rows, categories });
    }
    return out;
  }
}

/** An {@link UnknownCategoryReport} of an encoder inside a composite step, with its path. */
export interface StepUnknownCategoryReport extends UnknownCategoryReport {
  /** Dotted path of step names down to the encoder, e.g. `"columns.city"`. */
  step: string;
}

interface ReportsUnknowns {
  unknownCategories(): (UnknownCategoryReport & { step?: string })[];
  resetUnknownCategories?(): void;
}

function reportsUnknowns(step: unknown): step is ReportsUnknowns {
  return (
    typeof step === 'object' &&
    step !== null &&
    typeof (step as ReportsUnknowns).unknownCategories === 'function'
  );
}

/**
 * The unknown-category reports of every encoder among `children` (and, through composite
 * steps, below them), each labelled with its dotted step path.
 */
export function gatherUnknownCategories(
  children: Iterable<readonly [name: string, step: unknown]>,
): StepUnknownCategoryReport[] {
  const out: StepUnknownCategoryReport[] = [];
  for (const [name, step] of children) {
    if (!reportsUnknowns(step)) continue;
    for (const report of step.unknownCategories()) {
      out.push({ ...report, step: report.step === undefined ? name : `${name}.${report.step}` });
    }
  }
  return out;
}

/** Calls `resetUnknownCategories()` on every child that has it. */
export function resetUnknownCategoriesOf(children: Iterable<readonly [string, unknown]>): void {
  for (const [, step] of children) {
    if (reportsUnknowns(step)) step.resetUnknownCategories?.();
  }
}
