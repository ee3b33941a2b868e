import { kolmogorovSf } from './kolmogorov-distribution.js';
import type { KsAlternative } from './ks-types.js';
import { roundHalfEven } from './numeric.js';

/**
 * Large-sample p-value of a two-sample KS statistic d for sizes n₁, n₂, as scipy computes it.
 * With m ≥ n the sizes and the effective size eₙ = m·n/(m + n):
 * - two-sided: kstwo.sf(d, round(eₙ)), the exact finite-n one-sample Kolmogorov law at the
 *   effective size (round half to even; NaN when that rounds to 0, i.e. n₁ = n₂ = 1);
 * - one-sided: Hodges (1958) eq. 5.3, exp(−2z² − 2z(m + 2n)/(3√(m·n·(m + n)))), z = √eₙ·d.
 */
export function asymptoticPValue(
  d: number,
  n1: number,
  n2: number,
  alternative: KsAlternative,
): number {
  const m = Math.max(n1, n2);
  const n = Math.min(n1, n2);
  const en = (m * n) / (m + n);
  if (alternative === 'two-sided') {
    const effective = roundHalfEven(en);
    if (effective < 1) return Number.NaN;
    // kstwo's support is (½/n, 1): sf is 1 at or below ½/n and 0 at or above 1.
    if (d <= 0.5 / effective) return 1;
    return kolmogorovSf(effective, d);
  }
  const z = Math.sqrt(en) * d;
  const exponent = -2 * z ** 2 - (2 * z * (m + 2 * n)) / Math.sqrt(m * n * (m + n)) / 3;
  return Math.exp(exponent);
}
