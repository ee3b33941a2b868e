import { DimensionMismatchError, InvalidDataError } from '@mlsd/core';
import { binCounts, quantileEdges } from './quantile-bins.js';
import { finiteSample } from './sample-checks.js';

/**
 * Jensen–Shannon distance between two discrete distributions given as counts or shares over
 * the same bins: √(½ KL(p‖m) + ½ KL(q‖m)), m = ½(p + q), with base-2 logarithms so it lies in
 * [0, 1] (`scipy.spatial.distance.jensenshannon(p, q, base=2)`).
 */
export function jensenShannonDistance(p: ArrayLike<number>, q: ArrayLike<number>): number {
  if (p.length !== q.length) {
    throw new DimensionMismatchError(
      `jensenShannonDistance: ${p.length} vs ${q.length} bins; use the same bins.`,
    );
  }
  const pn = normalize(p, 'p');
  const qn = normalize(q, 'q');
  let divergence = 0;
  for (let i = 0; i < pn.length; i++) {
    const m = (pn[i]! + qn[i]!) / 2;
    if (pn[i]! > 0) divergence += 0.5 * pn[i]! * Math.log2(pn[i]! / m);
    if (qn[i]! > 0) divergence += 0.5 * qn[i]! * Math.log2(qn[i]! / m);
  }
  return Math.sqrt(Math.max(divergence, 0));
}

/** Jensen–Shannon distance of two numeric samples over `bins` bins at the reference's quantiles. */
export function jensenShannonSamples(
  reference: ArrayLike<number>,
  current: ArrayLike<number>,
  bins = 10,
): number {
  const ref = finiteSample(reference, 'reference', 'jensenShannonSamples').sort();
  const cur = finiteSample(current, 'current', 'jensenShannonSamples');
  const edges = quantileEdges(ref, bins);
  return jensenShannonDistance(binCounts(ref, edges), binCounts(cur, edges));
}

function normalize(weights: ArrayLike<number>, name: string): Float64Array {
  let total = 0;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i]!;
    if (!(w >= 0) || !Number.isFinite(w)) {
      throw new InvalidDataError(
        `jensenShannonDistance: ${name}[${i}] is ${w}; counts must be finite and >= 0.`,
      );
    }
    total += w;
  }
  if (total === 0) throw new InvalidDataError(`jensenShannonDistance: ${name} sums to 0.`);
  return Float64Array.from({ length: weights.length }, (_, i) => weights[i]! / total);
}
