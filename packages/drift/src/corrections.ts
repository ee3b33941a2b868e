import { InvalidDataError } from '@mlsd/core';

/**
 * Bonferroni-adjusted p-values, min(1, m·p): controls the family-wise error rate over m tests
 * (for example m features checked for drift at once).
 */
export function bonferroni(pvalues: ArrayLike<number>): Float64Array {
  check(pvalues);
  const m = pvalues.length;
  return Float64Array.from({ length: m }, (_, i) => Math.min(1, pvalues[i]! * m));
}

/**
 * Benjamini–Hochberg adjusted p-values (q-values): controls the false discovery rate. With
 * p sorted ascending, q₍ᵢ₎ = min over j ≥ i of m·p₍ⱼ₎ / j, capped at 1 (Benjamini & Hochberg
 * 1995; the same as `statsmodels` `fdr_bh`). Returned in the input order.
 */
export function benjaminiHochberg(pvalues: ArrayLike<number>): Float64Array {
  check(pvalues);
  const m = pvalues.length;
  const order = Array.from({ length: m }, (_, i) => i).sort((a, b) => pvalues[a]! - pvalues[b]!);
  const adjusted = new Float64Array(m);
  let running = 1;
  for (let rank = m; rank >= 1; rank--) {
    const i = order[rank - 1]!;
    running = Math.min(running, (pvalues[i]! * m) / rank);
    adjusted[i] = running;
  }
  return adjusted;
}

function check(pvalues: ArrayLike<number>): void {
  for (let i = 0; i < pvalues.length; i++) {
    const p = pvalues[i]!;
    if (!(p >= 0 && p <= 1)) {
      throw new InvalidDataError(
        `multiple-testing correction: p-value at index ${i} is ${p}; expected a number in [0, 1].`,
      );
    }
  }
}
