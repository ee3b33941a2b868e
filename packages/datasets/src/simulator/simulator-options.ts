import { z } from 'zod';

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Midnight (UTC) of a `YYYY-MM-DD` date in seconds since the epoch, or NaN for a date that does not exist. */
export function dateToEpochSeconds(date: string): number {
  const match = DATE_PATTERN.exec(date);
  if (match === null) return Number.NaN;
  const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  // Date.UTC rolls 2018-02-30 over into March; such a date is refused.
  return new Date(ms).toISOString().slice(0, 10) === date ? ms / 1000 : Number.NaN;
}

const fromDay = z.number().int().min(0);

/**
 * A change of the data from a given day on, for monitoring experiments (off by default):
 * - `amount-shift`: from `fromDay`, every customer's mean and standard deviation of the
 *   amount are multiplied by `strength` (default 1.5), so amounts (and scenario-1 frauds) grow;
 * - `new-fraud-pattern`: from `fromDay`, each transaction made before 06:00 becomes, with
 *   probability `strength` (default 0.1), a "card-testing" fraud: its amount is replaced by a
 *   small one, U(0.5, 5) rounded to cents, and it is labelled fraud scenario 4.
 */
export const DriftOptionsSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('amount-shift'),
      fromDay,
      strength: z.number().positive().finite().default(1.5),
    })
    .strict(),
  z
    .object({
      kind: z.literal('new-fraud-pattern'),
      fromDay,
      strength: z.number().gt(0).max(1).default(0.1),
    })
    .strict(),
]);

/** The drift option, parsed (see {@link DriftOptionsSchema}). */
export type DriftOptions = z.output<typeof DriftOptionsSchema>;

/** Options of the transaction simulator; every field has the handbook's default. */
export const SimulatorOptionsSchema = z
  .object({
    /** Number of customers (cards). */
    customers: z.number().int().min(1).max(10_000_000).default(5_000),
    /** Number of terminals (merchants). */
    terminals: z.number().int().min(1).max(10_000_000).default(10_000),
    /** Number of simulated days. */
    days: z.number().int().min(1).max(3_650).default(183),
    /** First day, `YYYY-MM-DD`; its midnight is second 0 of `TX_TIME_SECONDS`. */
    startDate: z
      .string()
      .refine((date) => !Number.isNaN(dateToEpochSeconds(date)), {
        message: 'must be a real date written YYYY-MM-DD, such as 2018-04-01',
      })
      .default('2018-04-01'),
    /** A customer uses the terminals strictly closer than this (the map is 100 × 100). */
    radius: z.number().positive().finite().default(5),
    /** Seed of every random draw: the same seed gives the same data. */
    seed: z.number().finite().default(0),
    /** Whether to inject the three fraud scenarios (false: every transaction is genuine). */
    scenarios: z.boolean().default(true),
    /** Optional change of the data from a given day (see {@link DriftOptionsSchema}). */
    drift: DriftOptionsSchema.optional(),
    /** Progress bar on stderr: true / false, or (unset) only on a terminal. */
    progress: z.boolean().optional(),
  })
  .strict()
  .superRefine((options, ctx) => {
    if (options.drift !== undefined && options.drift.fromDay >= options.days) {
      ctx.addIssue({
        code: 'custom',
        path: ['drift', 'fromDay'],
        message: `must be below days (${options.days}); day ${options.drift.fromDay} is never simulated`,
      });
    }
  });

/** Options of {@link simulateTransactions} as a caller writes them (all optional). */
export type SimulatorOptions = z.input<typeof SimulatorOptionsSchema>;

/** Options of {@link simulateTransactions} with defaults filled in. */
export type SimulatorConfig = z.output<typeof SimulatorOptionsSchema>;
