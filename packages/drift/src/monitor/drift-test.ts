import type { ResolvedDriftMonitorOptions } from './monitor-options.js';

/** What a drift test compares: finite numbers, or categories (as strings). */
export type DriftTestInput = 'numeric' | 'categorical';

/** One comparison of a current window with the reference, as a drift test reports it. */
export interface DriftTestResult {
  /** The test's statistic (KS D, chi-square, PSI, ...). */
  statistic: number;
  /**
   * Two-sided p-value, when the test has one. Tests that give one take part in the monitor's
   * multiple-testing correction and drift when the corrected p-value is below `alpha` and the
   * effect size reaches the threshold; distances without a p-value (PSI, Wasserstein,
   * Jensen–Shannon) drift on the effect size alone.
   */
  pvalue?: number;
  /** The value compared with the monitor's `minEffect` for this test. */
  effectSize: number;
  /** Categories of the current window never seen in the reference (categorical tests). */
  unseenCategories?: string[];
}

/** Fields every drift test has, whatever its input. */
interface DriftTestBase {
  /** Name used in `DriftMonitor` options (`tests`, `defaultTests`, `minEffect`) and reports. */
  readonly name: string;
  /** One line for people: what the statistic and the effect size are. */
  readonly description: string;
  /** Effect size from which a column drifts when the monitor's `minEffect` does not name this test. */
  readonly defaultMinEffect: number;
}

/**
 * A test on numeric columns. `prepare` is called once per column with the reference's finite
 * values (a copy the test may keep or sort), `compare` once per window with the current ones
 * (a fresh copy, too). Whatever `prepare` returns is handed back to `compare`: keep the sorted
 * reference, bin edges, or anything else worth computing once.
 */
export interface NumericDriftTest<Prepared = unknown> extends DriftTestBase {
  readonly input: 'numeric';
  prepare(reference: Float64Array): Prepared;
  compare(
    reference: Prepared,
    current: Float64Array,
    options: ResolvedDriftMonitorOptions,
  ): DriftTestResult;
}

/** A test on categorical columns: as {@link NumericDriftTest}, with non-missing values as strings. */
export interface CategoricalDriftTest<Prepared = unknown> extends DriftTestBase {
  readonly input: 'categorical';
  prepare(reference: string[]): Prepared;
  compare(
    reference: Prepared,
    current: string[],
    options: ResolvedDriftMonitorOptions,
  ): DriftTestResult;
}

/**
 * A two-sample test or distance a `DriftMonitor` can run on a column. The built-in ones are
 * `ks`, `chi-square`, `psi`, `wasserstein` and `jensen-shannon`; add your own with
 * `registerDriftTest` and name it in the monitor's options.
 */
export type DriftTest = NumericDriftTest | CategoricalDriftTest;
