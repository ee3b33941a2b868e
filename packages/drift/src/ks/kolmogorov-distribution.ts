import { durbinMatrixCdf } from './durbin-matrix.js';
import { pelzGoodCdf } from './pelz-good.js';
import { pomeranzCdf } from './pomeranz.js';
import { smirnovSf } from './smirnov.js';

const LOG_2PI = Math.log(2 * Math.PI);
/** B₂ⱼ / (2j(2j−1)) for j = 8..1 (highest power first), Stirling's series for ln Γ. */
const STIRLING_COEFFICIENTS = [
  -3617 / 122400,
  1 / 156,
  -691 / 360360,
  1 / 1188,
  -1 / 1680,
  1 / 1260,
  -1 / 360,
  1 / 12,
];

/**
 * Survival function P(Dₙ ≥ x) of the exact finite-n one-sample two-sided Kolmogorov
 * statistic (scipy.stats.kstwo.sf, i.e. `kolmogn(n, x, cdf=False)`), choosing the method as
 * Simard & L'Ecuyer (2011) do:
 * - n·x ≤ 1: Ruben–Gambino closed form n!/nⁿ·(2nx − 1)ⁿ (0 for n·x ≤ ½);
 * - n·x ≥ n − 1: 2(1 − x)ⁿ; x ≥ ½: 2·smirnov(n, x) exactly;
 * - n ≤ 140: Durbin matrix (MTW) for n·x² ≤ 0.754693, Pomeranz for ≤ 4, else 2·smirnov;
 * - n > 140: 0 for n·x² ≥ 370, 2·smirnov for ≥ 2.2, else 1 − cdf with cdf 1 for n·x² ≥ 18,
 *   Durbin/MTW when n ≤ 100000 and n·x^{3/2} ≤ 1.4, Pelz–Good otherwise.
 * Returns NaN unless n is a positive integer. Result clipped to [0, 1].
 */
export function kolmogorovSf(n: number, x: number): number {
  if (Number.isNaN(n) || !Number.isInteger(n) || n <= 0) return Number.NaN;
  if (x >= 1) return 0;
  if (x <= 0) return 1;
  const t = n * x;
  if (t <= 1) {
    if (t <= 0.5) return 1;
    let cdf: number;
    if (n <= 140) {
      cdf = 1;
      const base = 2 * t - 1;
      for (let i = 1; i <= n; i++) cdf *= i * (1 / n) * base;
    } else {
      cdf = Math.exp(logFactorialOverPower(n) + n * Math.log(2 * t - 1));
    }
    return clip(1 - cdf);
  }
  if (t >= n - 1) return clip(2 * (1 - x) ** n);
  if (x >= 0.5) return clip(2 * smirnovSf(n, x));

  const nxSquared = t * x;
  if (n <= 140) {
    if (nxSquared <= 0.754693) return clip(1 - clip(durbinMatrixCdf(n, x)));
    if (nxSquared <= 4) return clip(1 - clip(pomeranzCdf(n, x)));
    return clip(2 * smirnovSf(n, x));
  }
  if (nxSquared >= 370) return 0;
  if (nxSquared >= 2.2) return clip(2 * smirnovSf(n, x));
  let cdf: number;
  if (nxSquared >= 18) cdf = 1;
  else if (n <= 100_000 && n * x ** 1.5 <= 1.4) cdf = durbinMatrixCdf(n, x);
  else cdf = pelzGoodCdf(n, x);
  return clip(1 - clip(cdf));
}

/** ln(n!/nⁿ) by Stirling's series with n·ln n removed up front (no cancellation). */
function logFactorialOverPower(n: number): number {
  const rn = 1 / n;
  const u = rn / n;
  let series = 0;
  for (const c of STIRLING_COEFFICIENTS) series = series * u + c;
  return Math.log(n) / 2 - n + LOG_2PI / 2 + rn * series;
}

function clip(p: number): number {
  return p < 0 ? 0 : Math.min(p, 1);
}
