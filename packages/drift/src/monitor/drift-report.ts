import type { DriftTestInput } from './drift-test.js';
import type { ColumnTest } from './monitor-options.js';

/** One column of one window. */
export interface ColumnDrift {
  column: string;
  /** The name of the drift test that compared it. */
  test: ColumnTest;
  /** Whether the test compared numbers or categories. */
  input: DriftTestInput;
  /** Non-missing values in the current window and in the reference. */
  currentCount: number;
  referenceCount: number;
  /** Missing (NaN / missing category) values in the current window. */
  missing: number;
  /** The test's statistic (KS D, chi-square, PSI, ...); NaN when not tested. */
  statistic: number;
  /** NaN when not tested or when the test has no p-value (a distance). */
  pvalue: number;
  /** p-value after the correction across the window's columns (NaN as `pvalue`). */
  correctedPValue: number;
  /** What `minEffect` is compared with: KS D, Cramér's V, the PSI, ... */
  effectSize: number;
  drifted: boolean;
  /** Why the column was not tested (too few values), when it was not. */
  skipped?: string;
  /** Chi-square: categories of the current window never seen in the reference. */
  unseenCategories?: string[];
}

/** The monitor's verdict on one window of current data. */
export interface DriftReport {
  /** Label of the window (e.g. its first day or row range). */
  window: string;
  rows: number;
  columns: ColumnDrift[];
  /** Drifted columns / tested columns. */
  driftedShare: number;
  /** True when the drifted share reaches the monitor's `datasetDriftShare`. */
  datasetDrift: boolean;
}
