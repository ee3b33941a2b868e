import { InvalidArgumentError } from '@mlsd/core';
import { binCounts, quantileEdges } from './quantile-bins.js';
import { finiteSample } from './sample-checks.js';

/** Options of {@link populationStabilityIndex}. */
export interface PsiOptions {
  /** Number of bins, at the reference's quantiles (default 10). */
  bins?: number;
  /** Share given to an empty bin so the logarithm stays finite (default 1e-4). */
  epsilon?: number;
}

/** The population stability index and the bins it was computed on. */
export interface PsiResult {
  psi: number;
  /** 'stable' below 0.1, 'moderate' from 0.1 to 0.25, 'significant' above (industry bands). */
  band: 'stable' | 'moderate' | 'significant';
  /** Inner bin edges (from reference quantiles). */
  edges: Float64Array;
  /** Share of the reference / current sample in each bin. */
  referenceShares: Float64Array;
  currentShares: Float64Array;
}

/**
 * Population stability index, Σ (cᵢ − rᵢ)·ln(cᵢ / rᵢ), over bins at the reference's quantiles
 * (rᵢ, cᵢ the reference and current shares of bin i; empty bins get `epsilon`). Symmetric
 * in spirit to a Kullback–Leibler divergence taken both ways (Yurdakul 2018).
 */
export function populationStabilityIndex(
  reference: ArrayLike<number>,
  current: ArrayLike<number>,
  options: PsiOptions = {},
): PsiResult {
  const bins = options.bins ?? 10;
  const epsilon = options.epsilon ?? 1e-4;
  if (!(epsilon > 0 && epsilon < 1)) {
    throw new InvalidArgumentError(
      `populationStabilityIndex: epsilon must be in (0, 1), got ${epsilon}.`,
    );
  }
  const ref = finiteSample(reference, 'reference', 'populationStabilityIndex').sort();
  const cur = finiteSample(current, 'current', 'populationStabilityIndex');
  const edges = quantileEdges(ref, bins);
  const referenceShares = shares(binCounts(ref, edges), ref.length);
  const currentShares = shares(binCounts(cur, edges), cur.length);
  let psi = 0;
  for (let i = 0; i < referenceShares.length; i++) {
    const r = Math.max(referenceShares[i]!, epsilon);
    const c = Math.max(currentShares[i]!, epsilon);
    psi += (c - r) * Math.log(c / r);
  }
  return { psi, band: psiBand(psi), edges, referenceShares, currentShares };
}

/** The usual reading of a PSI value: < 0.1 stable, ≤ 0.25 moderate, above significant. */
export function psiBand(psi: number): PsiResult['band'] {
  if (psi < 0.1) return 'stable';
  if (psi <= 0.25) return 'moderate';
  return 'significant';
}

function shares(counts: Float64Array, total: number): Float64Array {
  return counts.map((count) => count / total);
}
