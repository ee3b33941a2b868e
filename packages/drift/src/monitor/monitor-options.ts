import { z } from 'zod';

/** The test a column is monitored with. */
export type ColumnTest = 'ks' | 'chi-square';

/** Options of a {@link DriftMonitor}. */
export const DriftMonitorOptionsSchema = z
  .object({
    /** Columns to monitor; default every column of the reference. */
    columns: z.array(z.string().min(1)).min(1).optional(),
    /** Test per column; default KS for numeric columns, chi-square for categorical ones. */
    tests: z.record(z.string(), z.enum(['ks', 'chi-square'])).default({}),
    /** Significance level of the corrected p-values. */
    alpha: z.number().gt(0).lt(1).default(0.05),
    /** Multiple-testing correction across the columns of one window. */
    correction: z.enum(['benjamini-hochberg', 'bonferroni', 'none']).default('benjamini-hochberg'),
    /**
     * Smallest effect that counts as drift, because at large n every p-value is significant:
     * the KS statistic D for numeric columns, Cramér's V for categorical ones.
     */
    minEffect: z
      .object({
        ks: z.number().min(0).max(1).default(0.1),
        chiSquare: z.number().min(0).max(1).default(0.1),
      })
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
