import { z } from 'zod';

/**
 * The name of the drift test a column is monitored with: a built-in one or any name given to
 * `registerDriftTest`.
 */
export type ColumnTest =
  | 'ks'
  | 'chi-square'
  | 'psi'
  | 'wasserstein'
  | 'jensen-shannon'
  | (string & {});

/** Options of a {@link DriftMonitor}. */
export const DriftMonitorOptionsSchema = z
  .object({
    /** Columns to monitor; default every column of the reference. */
    columns: z.array(z.string().min(1)).min(1).optional(),
    /**
     * Drift test per column, by registered name (`ks`, `chi-square`, `psi`, `wasserstein`,
     * `jensen-shannon`, or one added with `registerDriftTest`); columns not named here get
     * `defaultTests`.
     */
    tests: z.record(z.string(), z.string().min(1)).default({}),
    /** The test of a column `tests` does not name: by whether its reference column is numeric. */
    defaultTests: z
      .object({
        numeric: z.string().min(1).default('ks'),
        categorical: z.string().min(1).default('chi-square'),
      })
      .strict()
      .prefault({}),
    /** Significance level of the corrected p-values. */
    alpha: z.number().gt(0).lt(1).default(0.05),
    /** Multiple-testing correction across the columns of one window. */
    correction: z.enum(['benjamini-hochberg', 'bonferroni', 'none']).default('benjamini-hochberg'),
    /**
     * Smallest effect that counts as drift, because at large n every p-value is significant:
     * the KS statistic D (`ks`), Cramér's V (`chiSquare`), and for any other test its effect
     * size under the test's name (e.g. `{ psi: 0.25 }`); a test not named here uses its
     * `defaultMinEffect` (0.1 for the built-in ones).
     */
    minEffect: z
      .object({
        ks: z.number().min(0).max(1).default(0.1),
        chiSquare: z.number().min(0).max(1).default(0.1),
      })
      .catchall(z.number().min(0))
      .prefault({}),
    /** A window drifts when at least this share of the tested columns drift. */
    datasetDriftShare: z.number().gt(0).max(1).default(0.3),
    /** Columns with fewer non-missing current values than this are not tested (reported). */
    minSamples: z.number().int().positive().default(30),
    /**
     * KS p-value method: `auto` (scipy's: exact up to 10,000 values per side), `exact`, or
     * `asymp`, which costs a fraction of a millisecond where the exact one costs milliseconds to
     * hundreds at thousands of values per side, and differs from it by under 1% there.
     */
    ksMethod: z.enum(['auto', 'exact', 'asymp']).default('auto'),
  })
  .strict();

/** Monitor options as callers write them. */
export type DriftMonitorOptions = z.input<typeof DriftMonitorOptionsSchema>;
/** Monitor options with defaults filled in. */
export type ResolvedDriftMonitorOptions = z.output<typeof DriftMonitorOptionsSchema>;
