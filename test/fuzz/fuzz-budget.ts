import type fc from 'fast-check';

/**
 * The fuzz suite's budget. Every property runs a fixed number of cases from a fixed seed, so
 * CI runs the same cases each time and a failure reproduces (fast-check prints the seed and
 * the path of the shrunk counterexample). Locally, run longer or elsewhere:
 *   MLSD_FUZZ_RUNS=20 MLSD_FUZZ_SEED=$RANDOM pnpm vitest run --project fuzz
 * MLSD_FUZZ_RUNS multiplies every property's number of cases (default 1).
 */
const multiplier = Number(process.env.MLSD_FUZZ_RUNS ?? '1');
const seed = Number(process.env.MLSD_FUZZ_SEED ?? '20260513');
if (!(multiplier > 0) || !Number.isInteger(seed)) {
  throw new Error('MLSD_FUZZ_RUNS must be a positive number and MLSD_FUZZ_SEED an integer.');
}

/** fast-check parameters for a property with `runs` cases at the default budget. */
export function budget(runs: number): fc.Parameters<unknown> {
  return { seed, numRuns: Math.max(1, Math.round(runs * multiplier)), endOnFailure: true };
}

/** A vitest timeout for a property: generous per case, and scaled with the budget. */
export function timeoutFor(runs: number, msPerCase: number): number {
  return 30_000 + Math.round(runs * multiplier * msPerCase);
}
