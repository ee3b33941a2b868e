import {
  CategoryColumn,
  type Column,
  InvalidArgumentError,
  isNumericColumn,
  parseOptions,
  type Table,
} from '@mlsd/core';
import { chiSquareHomogeneity } from '../chi-square.js';
import { benjaminiHochberg, bonferroni } from '../corrections.js';
import { ksTwoSampleSorted } from '../ks/ks-two-sample.js';
import type { ColumnDrift, DriftReport } from './drift-report.js';
import {
  type ColumnTest,
  type DriftMonitorOptions,
  DriftMonitorOptionsSchema,
  type ResolvedDriftMonitorOptions,
} from './monitor-options.js';

/** What the monitor keeps of a reference column. */
type ReferenceColumn =
  | { test: 'ks'; sorted: Float64Array }
  | { test: 'chi-square'; values: string[] };

function nonMissingNumbers(column: Column): { values: Float64Array; missing: number } {
  if (!isNumericColumn(column)) {
    throw new InvalidArgumentError('A KS-tested column must be numeric.');
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
 * a model): each window, every column is tested — two-sample Kolmogorov–Smirnov for numeric
 * columns, chi-square homogeneity for categorical ones — the p-values are corrected across
 * columns, and a column drifts only when its corrected p-value is below `alpha` AND its effect
 * size (KS D, Cramér's V) reaches `minEffect`, since at large n every KS p-value is significant.
 * A window drifts when a `datasetDriftShare` of the tested columns do. The reference is kept
 * sorted (exact KS), so memory is the size of the reference, whatever the stream's length.
 */
export class DriftMonitor {
  readonly options: ResolvedDriftMonitorOptions;
  readonly #reference = new Map<string, ReferenceColumn>();

  /** @throws InvalidArgumentError for bad options, an unknown column or an empty reference. */
  constructor(reference: Table, options: DriftMonitorOptions = {}) {
    this.options = parseOptions(DriftMonitorOptionsSchema, options, 'DriftMonitor options');
    const columns = this.options.columns ?? reference.columnNames;
    for (const name of columns) {
      const column = reference.column(name);
      const test: ColumnTest =
        this.options.tests[name] ?? (isNumericColumn(column) ? 'ks' : 'chi-square');
      if (test === 'ks') {
        const { values } = nonMissingNumbers(column);
        if (values.length === 0) {
          throw new InvalidArgumentError(
            `DriftMonitor: reference column "${name}" has no finite values.`,
          );
        }
        this.#reference.set(name, { test, sorted: values.sort() });
      } else {
        const { values } = nonMissingCategories(column);
        if (values.length === 0) {
          throw new InvalidArgumentError(`DriftMonitor: reference column "${name}" has no values.`);
        }
        this.#reference.set(name, { test, values });
      }
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
      const column = current.column(name);
      if (reference.test === 'ks') {
        const { values, missing } = nonMissingNumbers(column);
        const base = {
          column: name,
          test: reference.test,
          currentCount: values.length,
          referenceCount: reference.sorted.length,
          missing,
        };
        if (values.length < o.minSamples) {
          results.push(notTested(base, `${values.length} values < minSamples ${o.minSamples}`));
          continue;
        }
        const ks = ksTwoSampleSorted(reference.sorted, values.sort(), 'two-sided', o.ksMethod);
        results.push({
          ...base,
          statistic: ks.statistic,
          pvalue: ks.pvalue,
          correctedPValue: ks.pvalue,
          effectSize: ks.statistic,
          drifted: false,
        });
      } else {
        const { values, missing } = nonMissingCategories(column);
        const base = {
          column: name,
          test: reference.test,
          currentCount: values.length,
          referenceCount: reference.values.length,
          missing,
        };
        if (values.length < o.minSamples) {
          results.push(notTested(base, `${values.length} values < minSamples ${o.minSamples}`));
          continue;
        }
        const chi = chiSquareHomogeneity(reference.values, values);
        results.push({
          ...base,
          statistic: chi.statistic,
          pvalue: chi.pvalue,
          correctedPValue: chi.pvalue,
          effectSize: chi.cramersV,
          drifted: false,
          unseenCategories: chi.unseenCategories,
        });
      }
    }
    const tested = results.filter((r) => r.skipped === undefined);
    const raw = tested.map((r) => r.pvalue);
    const corrected =
      o.correction === 'benjamini-hochberg'
        ? benjaminiHochberg(raw)
        : o.correction === 'bonferroni'
          ? bonferroni(raw)
          : Float64Array.from(raw);
    tested.forEach((r, i) => {
      r.correctedPValue = corrected[i]!;
      const minEffect = r.test === 'ks' ? o.minEffect.ks : o.minEffect.chiSquare;
      r.drifted = r.correctedPValue < o.alpha && r.effectSize >= minEffect;
    });
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
  base: Pick<ColumnDrift, 'column' | 'test' | 'currentCount' | 'referenceCount' | 'missing'>,
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
