import { parseOptions } from '@mlsd/core';
import { z } from 'zod';
import { finiteSample } from '../sample-checks.js';
import { asymptoticPValue } from './asymptotic.js';
import { exactOneSidedPValue } from './exact-one-sided.js';
import { exactTwoSidedPValue } from './exact-two-sided.js';
import { ksStatistic } from './ks-statistic.js';
import type { KsAlternative, KsMethod, KsOptions, KsResult } from './ks-types.js';
import { gcd, roundHalfEven } from './numeric.js';
import { sortFloat64 } from './sort-float64.js';

/** 'auto' runs the exact method when both sizes are at most this (scipy's MAX_AUTO_N). */
export const KS_MAX_AUTO_EXACT_SIZE = 10_000;

/**
 * Lattice steps beyond which an explicitly requested exact two-sided p-value for unequal sizes
 * falls back to the asymptotic one (about ten seconds of work; never reached by 'auto').
 */
export const KS_MAX_EXACT_LATTICE_STEPS = 4e9;

const INT32_MAX = 2_147_483_647;

const optionsSchema = z
  .object({
    alternative: z.enum(['two-sided', 'less', 'greater']).default('two-sided'),
    method: z.enum(['auto', 'exact', 'asymp']).default('auto'),
  })
  .strict();

/**
 * Two-sample Kolmogorov–Smirnov test, computing what `scipy.stats.ks_2samp` computes (the
 * statistic bit for bit, the p-value to ~1e-12):
 * - statistic over the pooled sample with ties collapsed (see {@link ksStatistic});
 * - 'exact': two-sided equal sizes by the reflection series, unequal sizes by a lattice-path
 *   recursion in probabilities (O(n₁·n₂) at worst, typed-array tight); one-sided equal sizes
 *   in closed form, unequal sizes by Hodges' first-passage count;
 * - 'asymp': two-sided from the finite-n Kolmogorov law at the effective size, one-sided by
 *   Hodges' eq. 5.3;
 * - 'auto': exact when both sizes are ≤ 10,000, else asymptotic.
 * When the exact method was asked for (or chosen by 'auto') but cannot be computed — scipy's
 * lcm limit, a one-sided count that overflows doubles (e.g. 881 vs 369) — the asymptotic
 * p-value is returned, with `method: 'asymp'` and a `fallbackReason`.
 *
 * Samples are copied and sorted ({@link sortFloat64}: a radix sort for long samples), then
 * merged in one pass: O(n₁ + n₂) for the statistic.
 *
 * @throws InvalidDataError for an empty sample or a NaN / infinite / non-numeric value.
 * @throws InvalidArgumentError for a non-array sample or unknown options.
 */
export function ksTwoSample(
  sample1: Float64Array | readonly number[],
  sample2: Float64Array | readonly number[],
  options: KsOptions = {},
): KsResult {
  const { alternative, method: requestedMethod } = parseOptions(
    optionsSchema,
    options,
    'ksTwoSample options',
  );
  const a = sortFloat64(finiteSample(sample1, 'sample1', 'ksTwoSample'));
  const b = sortFloat64(finiteSample(sample2, 'sample2', 'ksTwoSample'));
  return ksTwoSampleSorted(a, b, alternative, requestedMethod);
}

/**
 * {@link ksTwoSample} on samples already sorted ascending and checked finite (no copy, no
 * validation): for callers that keep a sorted reference and test many windows against it.
 */
export function ksTwoSampleSorted(
  sortedSample1: Float64Array,
  sortedSample2: Float64Array,
  alternative: KsAlternative = 'two-sided',
  requestedMethod: KsMethod = 'auto',
): KsResult {
  const n1 = sortedSample1.length;
  const n2 = sortedSample2.length;
  const stat = ksStatistic(sortedSample1, sortedSample2);
  const useMinus =
    alternative === 'less' || (alternative === 'two-sided' && stat.dMinus > stat.dPlus);
  let d = useMinus ? stat.dMinus : stat.dPlus;
  const statisticLocation = useMinus ? stat.dMinusLocation : stat.dPlusLocation;
  const statisticSign: 1 | -1 = useMinus ? -1 : 1;

  const g = gcd(n1, n2);
  const n1g = n1 / g;
  const n2g = n2 / g;
  let method: 'exact' | 'asymp';
  let fallbackReason: string | undefined;
  if (requestedMethod === 'auto') {
    method = Math.max(n1, n2) <= KS_MAX_AUTO_EXACT_SIZE ? 'exact' : 'asymp';
  } else if (requestedMethod === 'exact' && n1g >= INT32_MAX / n2g) {
    method = 'asymp';
    fallbackReason = `lcm(${n1}, ${n2}) = ${n1g * n2} is too large for the exact lattice (scipy's int32 limit)`;
  } else {
    method = requestedMethod;
  }

  let pvalue = Number.NaN;
  if (method === 'exact') {
    const attempt = attemptExact(n1, n2, g, d, alternative);
    d = attempt.statistic;
    if (attempt.pvalue === undefined) {
      method = 'asymp';
      fallbackReason = attempt.failure;
    } else {
      pvalue = attempt.pvalue;
    }
  }
  if (method === 'asymp') pvalue = asymptoticPValue(d, n1, n2, alternative);
  pvalue = pvalue < 0 ? 0 : Math.min(pvalue, 1);

  const result: KsResult = {
    statistic: d,
    pvalue,
    method,
    requestedMethod,
    alternative,
    statisticLocation,
    statisticSign,
    n1,
    n2,
    tiesAcrossSamples: stat.hasTiesAcrossSamples,
  };
  if (fallbackReason !== undefined) result.fallbackReason = fallbackReason;
  return result;
}

interface ExactAttempt {
  /** d snapped to the lattice h / lcm, as scipy returns it. */
  statistic: number;
  pvalue?: number;
  failure?: string;
}

function attemptExact(
  n1: number,
  n2: number,
  g: number,
  d: number,
  alternative: KsAlternative,
): ExactAttempt {
  const lcm = (n1 / g) * n2;
  const h = roundHalfEven(d * lcm);
  const statistic = h / lcm;
  if (h === 0) return { statistic, pvalue: 1 };
  let pvalue: number | undefined;
  if (alternative === 'two-sided') {
    if (n1 !== n2) {
      const steps = latticeSteps(n1, n2, g, h);
      if (steps > KS_MAX_EXACT_LATTICE_STEPS) {
        return {
          statistic,
          failure: `the exact lattice path count for ${n1} vs ${n2} needs ~${steps.toExponential(1)} steps (limit ${KS_MAX_EXACT_LATTICE_STEPS})`,
        };
      }
    }
    pvalue = exactTwoSidedPValue(n1, n2, g, h);
  } else {
    pvalue = exactOneSidedPValue(n1, n2, g, h);
    if (pvalue === undefined) {
      return {
        statistic,
        failure: `the exact one-sided path count for ${n1} vs ${n2} overflows double precision (C(n1+n2, n1) > 1.8e308)`,
      };
    }
  }
  if (!(pvalue >= 0 && pvalue <= 1)) {
    return { statistic, failure: `the exact p-value came out as ${pvalue}, outside [0, 1]` };
  }
  return { statistic, pvalue };
}

/** Work of the two-sided lattice recursion: columns × rows inside the band. */
function latticeSteps(n1: number, n2: number, g: number, h: number): number {
  const m = Math.max(n1, n2);
  const n = Math.min(n1, n2);
  const bandRows = Math.min(n + 1, (2 * h) / (m / g) + 1);
  return m * bandRows;
}
