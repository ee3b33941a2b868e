import {
  CategoryColumn,
  type Column,
  InvalidArgumentError,
  isNumericColumn,
  parseOptions,
  type Table,
} from '@mlsd/core';
import { benjaminiHochberg, bonferroni } from '../corrections.js';
import type { ColumnDrift, DriftReport } from './drift-report.js';
import type { DriftTest, DriftTestResult } from './drift-test.js';
import { driftTest } from './drift-test-registry.js';
import {
  type DriftMonitorOptions,
  DriftMonitorOptionsSchema,
  type ResolvedDriftMonitorOptions,
} from './monitor-options.js';

/** What the monitor keeps of a reference column: its test and what the test prepared. */
interface ReferenceColumn {
  test: DriftTest;
  prepared: unknown;
  count: number;
  minEffect: number;
}

function nonMissingNumbers(
  column: Column,
  name: string,
  test: string,
): { values: Float64Array; missing: number } {
  if (!isNumericColumn(column)) {
    throw new InvalidArgumentError(
      `DriftMonitor: column "${name}" is not numeric, and its test '${test}' compares numbers; ` +
        'choose a categorical test for it in `tests`.',
      { column: name, test },
    );
  }
  const values = new Float64Array(column.length);
  let n = 0;
  for (let i = 0; i < column.length; i++) {
    const v = column[i]!;
    if (Number.isFinite(v)) values[n++] = v;
  }
  return { values: values.slice(0, n), missing: column.length - n };
}

function nonMissingCategories(column: Column): { values: string[]; missing: number } {
  const values: string[] = [];
  let missing = 0;
  if (column instanceof CategoryColumn) {
    for (const code of column.codes) {
      if (code < 0) missing++;
      else values.push(column.levels[code]!);
    }
  } else if (Array.isArray(column)) {
    for (const v of column) {
      if (v === undefined || v === null || v === '') missing++;
      else values.push(String(v));
    }
  } else {
    for (let i = 0; i < column.length; i++) {
      const v = column[i]!;
      if (Number.isFinite(v)) values.push(String(v));
      else missing++;
    }
  }
  return { values, missing };
}

/**
 * Watches current data for drift away from a reference (typically the training data saved with
 * a model): each window, every column is tested — by default two-sample Kolmogorov–Smirnov for
 * numeric columns and chi-square homogeneity for categorical ones; any registered drift test
 * (`psi`, `wasserstein`, `jensen-shannon`, or one added with `registerDriftTest`) by the
 * `tests` / `defaultTests` options — the p-values are corrected across columns, and a column
 * drifts only when its corrected p-value is below `alpha` AND its effect size (KS D, Cramér's V)
 * reaches `minEffect`, since at large n every KS p-value is significant. A test without a
 * p-value (a distance) drifts when its effect size reaches `minEffect` alone. A window drifts
 * when a `datasetDriftShare` of the tested columns do. Each test keeps what it needs of the
 * reference (KS: the sorted values), so memory is the size of the reference, whatever the
 * stream's length.
 */
export class DriftMonitor {
  readonly options: ResolvedDriftMonitorOptions;
  readonly #reference = new Map<string, ReferenceColumn>();

  /**
   * @throws InvalidArgumentError for bad options, an unregistered test, a numeric test on a
   * non-numeric column, an unknown column or an empty reference.
   */
  constructor(reference: Table, options: DriftMonitorOptions = {}) {
    this.options = parseOptions(DriftMonitorOptionsSchema, options, 'DriftMonitor options');
    // Every test the options name must exist, used by a column of this reference or not.
    for (const name of [
      ...Object.values(this.options.tests),
      ...Object.values(this.options.defaultTests),
    ]) {
      driftTest(name);
    }
    const columns = this.options.columns ?? reference.columnNames;
    for (const name of columns) {
      const column = reference.column(name);
      const test = driftTest(
        this.options.tests[name] ??
          (isNumericColumn(column)
            ? this.options.defaultTests.numeric
            : this.options.defaultTests.categorical),
      );
      const values = nonMissing(column, name, test).values;
      if (values.length === 0) {
        throw new InvalidArgumentError(
          `DriftMonitor: reference column "${name}" has no ${test.input === 'numeric' ? 'finite values' : 'values'}.`,
        );
      }
      this.#reference.set(name, {
        test,
        prepared: prepare(test, values),
        count: values.length,
        minEffect: effectThreshold(this.options.minEffect, test),
      });
    }
  }

  /** The monitored columns, in order. */
  get columns(): string[] {
    return [...this.#reference.keys()];
  }

  /**
   * Tests one window of current data against the reference.
   * @throws NotFoundError when the window lacks a monitored column.
   */
  check(current: Table, window = 'current'): DriftReport {
    const o = this.options;
    const results: ColumnDrift[] = [];
    for (const [name, reference] of this.#reference) {
      const { test } = reference;
      const { values, missing } = nonMissing(current.column(name), name, test);
      const base = {
        column: name,
        test: test.name,
        input: test.input,
        currentCount: values.length,
        referenceCount: reference.count,
        missing,
      };
      if (values.length < o.minSamples) {
        results.push(notTested(base, `${values.length} values < minSamples ${o.minSamples}`));
        continue;
      }
      const result = compare(test, reference.prepared, values, o);
      const pvalue = result.pvalue ?? Number.NaN;
      results.push({
        ...base,
        statistic: result.statistic,
        pvalue,
        correctedPValue: pvalue,
        effectSize: result.effectSize,
        drifted: false,
        ...(result.unseenCategories === undefined
          ? {}
          : { unseenCategories: result.unseenCategories }),
      });
    }
    const tested = results.filter((r) => r.skipped === undefined);
    // Only tests with a p-value are corrected together; distances decide on their effect alone.
    const withPValue = tested.filter((r) => !Number.isNaN(r.pvalue));
    const raw = withPValue.map((r) => r.pvalue);
    const corrected =
      o.correction === 'benjamini-hochberg'
        ? benjaminiHochberg(raw)
        : o.correction === 'bonferroni'
          ? bonferroni(raw)
          : Float64Array.from(raw);
    withPValue.forEach((r, i) => {
      r.correctedPValue = corrected[i]!;
    });
    for (const r of tested) {
      const { minEffect } = this.#reference.get(r.column)!;
      const significant = Number.isNaN(r.pvalue) || r.correctedPValue < o.alpha;
      r.drifted = significant && r.effectSize >= minEffect;
    }
    const drifted = tested.filter((r) => r.drifted).length;
    const driftedShare = tested.length === 0 ? 0 : drifted / tested.length;
    return {
      window,
      rows: current.length,
      columns: results,
      driftedShare,
      datasetDrift: tested.length > 0 && driftedShare >= o.datasetDriftShare,
    };
  }

  /**
   * Splits a time-ordered stream into windows and checks each: by a time column (`size` and
   * `step` in that column's units; tumbling when `step` = `size`, sliding when smaller) or by
   * row count.
   */
  checkWindows(
    stream: Table,
    windowing:
      | { by: 'rows'; size: number; step?: number }
      | { by: 'time'; column: string; size: number; step?: number },
  ): DriftReport[] {
    const { size } = windowing;
    const step = windowing.step ?? size;
    if (!(size > 0) || !(step > 0)) {
      throw new InvalidArgumentError(
        `checkWindows: size and step must be positive, got ${size} and ${step}.`,
      );
    }
    const reports: DriftReport[] = [];
    if (windowing.by === 'rows') {
      for (let start = 0; start < stream.length; start += step) {
        const end = Math.min(stream.length, start + size);
        reports.push(this.check(stream.slice(start, end), `rows ${start}–${end - 1}`));
        if (end === stream.length) break;
      }
      return reports;
    }
    const times = stream.numeric(windowing.column);
    if (times.length === 0) return reports;
    const first = times[0]!;
    const last = times[times.length - 1]!;
    let lo = 0;
    for (let start = first; start <= last; start += step) {
      while (lo < times.length && times[lo]! < start) lo++;
      let hi = lo;
      while (hi < times.length && times[hi]! < start + size) hi++;
      reports.push(
        this.check(stream.slice(lo, hi), `${windowing.column} ${start}–${start + size}`),
      );
    }
    return reports;
  }
}

function notTested(
  base: Pick<
    ColumnDrift,
    'column' | 'test' | 'input' | 'currentCount' | 'referenceCount' | 'missing'
  >,
  reason: string,
): ColumnDrift {
  return {
    ...base,
    statistic: Number.NaN,
    pvalue: Number.NaN,
    correctedPValue: Number.NaN,
    effectSize: Number.NaN,
    drifted: false,
    skipped: reason,
  };
}

/** A column's non-missing values in the form its test compares. */
function nonMissing(
  column: Column,
  name: string,
  test: DriftTest,
): { values: Float64Array | string[]; missing: number } {
  return test.input === 'numeric'
    ? nonMissingNumbers(column, name, test.name)
    : nonMissingCategories(column);
}

// The values always come from `nonMissing` with the same test, so their form matches its input.
function prepare(test: DriftTest, values: Float64Array | string[]): unknown {
  return test.input === 'numeric'
    ? test.prepare(values as Float64Array)
    : test.prepare(values as string[]);
}

function compare(
  test: DriftTest,
  prepared: unknown,
  values: Float64Array | string[],
  options: ResolvedDriftMonitorOptions,
): DriftTestResult {
  return test.input === 'numeric'
    ? test.compare(prepared, values as Float64Array, options)
    : test.compare(prepared, values as string[], options);
}

/** The monitor's `minEffect` for a test: by its name, `chiSquare` for chi-square, else its default. */
function effectThreshold(
  minEffect: ResolvedDriftMonitorOptions['minEffect'],
  test: DriftTest,
): number {
  const named = minEffect[test.name];
  if (named !== undefined) return named;
  return test.name === 'chi-square' ? minEffect.chiSquare : test.defaultMinEffect;
}
