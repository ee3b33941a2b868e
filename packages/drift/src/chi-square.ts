import { InvalidDataError } from '@mlsd/core';
import { chiSquareSf } from './gamma.js';

/** Result of {@link chiSquareHomogeneity}. */
export interface ChiSquareResult {
  statistic: number;
  pvalue: number;
  /** Degrees of freedom: categories seen in either sample − 1. */
  dof: number;
  /** Categories in the order of the count arrays. */
  categories: string[];
  referenceCounts: Float64Array;
  currentCounts: Float64Array;
  /** Categories present in the current sample but never in the reference. */
  unseenCategories: string[];
  /** Share of the current sample in unseen categories. */
  unseenShare: number;
  /** Cramér's V of the 2 × k table, an effect size in [0, 1]. */
  cramersV: number;
}

/**
 * Chi-square test of homogeneity between a reference and a current sample of a categorical
 * feature: the 2 × k contingency table of counts, Pearson's statistic against the expected
 * counts under one shared distribution, k − 1 degrees of freedom (what
 * `scipy.stats.chi2_contingency` computes for a 2 × k table with k > 2; no continuity
 * correction). Categories unseen in the reference are kept in the table and reported.
 * Missing values (null / undefined) should be counted by the caller; they are rejected here.
 */
export function chiSquareHomogeneity(
  reference: ArrayLike<string | number>,
  current: ArrayLike<string | number>,
): ChiSquareResult {
  const index = new Map<string, number>();
  const ref: number[] = [];
  const cur: number[] = [];
  tally(reference, 'reference', index, ref, cur, 0);
  tally(current, 'current', index, ref, cur, 1);
  const categories = [...index.keys()];
  const k = categories.length;
  const nRef = reference.length;
  const nCur = current.length;
  const n = nRef + nCur;
  let statistic = 0;
  for (let j = 0; j < k; j++) {
    const column = (ref[j] ?? 0) + (cur[j] ?? 0);
    const expectedRef = (column * nRef) / n;
    const expectedCur = (column * nCur) / n;
    statistic +=
      ((ref[j] ?? 0) - expectedRef) ** 2 / expectedRef +
      ((cur[j] ?? 0) - expectedCur) ** 2 / expectedCur;
  }
  const dof = k - 1;
  const unseenCategories = categories.filter((_, j) => (ref[j] ?? 0) === 0);
  const unseenCount = categories.reduce(
    (sum, _, j) => sum + ((ref[j] ?? 0) === 0 ? (cur[j] ?? 0) : 0),
    0,
  );
  return {
    statistic,
    pvalue: dof === 0 ? 1 : chiSquareSf(statistic, dof),
    dof,
    categories,
    referenceCounts: Float64Array.from(categories, (_, j) => ref[j] ?? 0),
    currentCounts: Float64Array.from(categories, (_, j) => cur[j] ?? 0),
    unseenCategories,
    unseenShare: unseenCount / nCur,
    cramersV: dof === 0 ? 0 : Math.sqrt(statistic / n),
  };
}

function tally(
  values: ArrayLike<string | number>,
  name: string,
  index: Map<string, number>,
  ref: number[],
  cur: number[],
  side: 0 | 1,
): void {
  if (values.length === 0) {
    throw new InvalidDataError(
      `chiSquareHomogeneity: ${name} is empty; it needs at least one value.`,
    );
  }
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (
      value === null ||
      value === undefined ||
      (typeof value === 'number' && !Number.isFinite(value))
    ) {
      throw new InvalidDataError(
        `chiSquareHomogeneity: ${name}[${i}] is ${String(value)}; count missing values separately and pass only categories.`,
        { sample: name, index: i },
      );
    }
    const key = String(value);
    let j = index.get(key);
    if (j === undefined) {
      j = index.size;
      index.set(key, j);
      ref[j] = 0;
      cur[j] = 0;
    }
    if (side === 0) ref[j]!++;
    else cur[j]!++;
  }
}
