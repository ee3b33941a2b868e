import { finiteSample } from './sample-checks.js';

/** Wasserstein-1 distance and the same divided by the reference's standard deviation. */
export interface WassersteinResult {
  distance: number;
  /** distance / std(reference) (population std); NaN when the reference is constant. */
  normalized: number;
}

/**
 * Wasserstein-1 (earth mover's) distance between two samples: ∫ |F₁(x) − F₂(x)| dx over the
 * empirical CDFs, computed exactly on the merged sorted values (as
 * `scipy.stats.wasserstein_distance`). Normalised by the reference's spread so one threshold
 * (e.g. 0.1) works across features of any unit, as Evidently does.
 */
export function wassersteinDistance(
  reference: ArrayLike<number>,
  current: ArrayLike<number>,
): WassersteinResult {
  const a = finiteSample(reference, 'reference', 'wassersteinDistance').sort();
  const b = finiteSample(current, 'current', 'wassersteinDistance').sort();
  let i = 0;
  let j = 0;
  let distance = 0;
  let previous = Math.min(a[0]!, b[0]!);
  while (i < a.length || j < b.length) {
    const x = j >= b.length || (i < a.length && a[i]! <= b[j]!) ? a[i]! : b[j]!;
    // Between `previous` and x both CDFs are constant at their current values.
    distance += Math.abs(i / a.length - j / b.length) * (x - previous);
    while (i < a.length && a[i] === x) i++;
    while (j < b.length && b[j] === x) j++;
    previous = x;
  }
  let mean = 0;
  for (const value of a) mean += value;
  mean /= a.length;
  let variance = 0;
  for (const value of a) variance += (value - mean) ** 2;
  const std = Math.sqrt(variance / a.length);
  return { distance, normalized: std > 0 ? distance / std : Number.NaN };
}
