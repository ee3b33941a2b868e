import type { ColumnTest } from './monitor-options.js';

/** One column of one window. */
export interface ColumnDrift {
  column: string;
  test: ColumnTest;
  /** Non-missing values in the current window and in the reference. */
  currentCount: number;
  referenceCount: number;
  /** Missing (NaN / missing category) values in the current window. */
  missing: number;
  /** KS D or chi-square statistic; NaN when not tested. */
  statistic: number;
  pvalue: number;
  /** p-value after the correction across the window's columns. */
  correctedPValue: number;
  /** KS D or Cramér's V. */
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
