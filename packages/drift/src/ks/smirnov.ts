/** Largest n for which the Smirnov sum is evaluated; above, the Miller-type approximation. */
const SMIRNOV_MAX_COMPUTE_N = 1_000_000;
/** cephes MINLOG = ln(2⁻¹⁰²²): exp() of anything smaller underflows. */
const MIN_LOG = -708.3964185322641;
const EPSILON = Number.EPSILON;
/** 2²⁷ + 1, Dekker's splitter for exact products. */
const SPLITTER = 134_217_729;

/**
 * Survival function P(Dₙ⁺ ≥ x) of the one-sided one-sample Kolmogorov–Smirnov statistic
 * (scipy.special.smirnov), by the Smirnov / Birnbaum–Tingey sum
 *
 *   P(Dₙ⁺ ≥ x) = x · Σ_{v=0}^{⌊n(1−x)⌋} C(n, v) (x + v/n)^{v−1} (1 − x − v/n)^{n−v},
 *
 * whose terms are all positive. Each term is evaluated in the log domain with n·x carried in
 * double-double (so that x + v/n and 1 − x − v/n keep full relative precision), and the sum
 * stops once the remaining terms cannot change it (van Mulbregt 2018, arXiv:1802.06966).
 * For n > 10⁶ it uses p ≈ exp(−(6nx + 1)² / (18n)), as scipy does. Unlike scipy, it always
 * sums from v = 0 (scipy switches to the complementary upper sum for x ≲ 0.5/√n, a region
 * `kolmogorovSf` never asks for); agreement with scipy there is still ~1e-12 on the fixture
 * grid. At n = 5·10⁵ the sum has ~4·10⁵ significant terms and takes ~30 ms (scipy: ~1 s).
 */
export function smirnovSf(n: number, x: number): number {
  if (!(n > 0 && x >= 0 && x <= 1)) return Number.NaN;
  if (n === 1) return 1 - x;
  if (x === 0) return 1;
  if (x === 1) return 0;

  // n·x = nxHi + nxLo exactly; split into floor and fractional part alpha.
  const nxHi = n * x;
  const nxLo = productError(n, x, nxHi);
  let nxFloor = Math.floor(nxHi);
  let alpha = nxHi - nxFloor + nxLo;
  if (alpha < 0) {
    nxFloor -= 1;
    alpha += 1;
  }
  if (alpha >= 1) {
    nxFloor += 1;
    alpha = 0;
  }
  let lastLowerTerm = n - nxFloor - (alpha === 0 ? 0 : 1);
  if (alpha === 0) lastLowerTerm -= 1;

  if (nxFloor === 0 || (nxFloor === 1 && alpha === 0)) {
    return 1 - x * (1 + x) ** (n - 1);
  }
  if (-2 * n * x * x < MIN_LOG) return 0;
  if (nxFloor >= n - 1) return (1 - x) ** n;
  if (n > SMIRNOV_MAX_COMPUTE_N) {
    const logP = -((6 * n * x + 1) ** 2) / 18 / n;
    // exp for small p keeps its relative precision; 1 − (−expm1) for p near 1.
    return logP < -Math.LN2 ? Math.exp(logP) : 1 - -Math.expm1(logP);
  }

  const termCount = lastLowerTerm + 1;
  const middle = Math.floor(n / 2);
  let sum = Math.exp(n * Math.log1p(-x)) / x;
  // ln C(n, v) grows to ~10⁴–10⁵ over thousands of terms: carry it as hi + lo, or the
  // rounding of the running sum alone costs ~1e-8 relative at n = 10⁶.
  let logBinomialHi = 0;
  let previousTerm = sum;
  const nx = nxHi + nxLo;
  let logBinomialLo = 0;
  for (let v = 1; v < termCount; v++) {
    const step = Math.log((n - v + 1) / v);
    const next = logBinomialHi + step;
    logBinomialLo += twoSumError(logBinomialHi, step, next);
    logBinomialHi = next;
    const logA = logOfQuotient(v, nxHi, nxLo, n);
    const logB = logOfQuotient(n - v, -nxHi, -nxLo, n);
    const big = logBinomialHi + (v - 1) * logA;
    const exponent = big + (n - v) * logB + logBinomialLo;
    const term = Math.exp(exponent);
    if (term !== 0) {
      sum += term;
      if (4 * (termCount - v) * term < EPSILON * sum && v !== termCount - 1) break;
      // The terms are log-concave in v whenever (n·x)² > n, which holds on every path that
      // reaches this sum from kolmogorovSf (n·x² ≥ 2.2 or x ≥ ½): past the peak the ratios
      // r = termᵥ/termᵥ₋₁ only shrink, so the tail is below termᵥ·r/(1 − r). Stopping there
      // gives the same sum to ~ε while skipping the hundreds of thousands of negligible terms
      // that scipy's (termCount − v)-based bound still visits at n ~ 10⁵–10⁶.
      const ratio = term / previousTerm;
      if (nx * nx > n && ratio < 1 && (term * ratio) / (1 - ratio) < 0.25 * EPSILON * sum) {
        break;
      }
      previousTerm = term;
    } else if (v > middle) {
      break;
    }
  }
  const sf = x * sum;
  return sf < 0 ? 0 : Math.min(sf, 1);
}

/**
 * ln((k + hi + lo) / n) for an integer k and a double-double hi + lo, to a few ulps of
 * *absolute* error even when the quotient is far from 1 (so that raising it to a power ~n
 * keeps relative error ~n·ε·|ln q| instead of ~n·ε).
 */
function logOfQuotient(k: number, hi: number, lo: number, n: number): number {
  const sum = k + hi;
  const sumError = twoSumError(k, hi, sum);
  const quotient = sum / n;
  const back = quotient * n;
  const backError = productError(quotient, n, back);
  const residual = sum - back + sumError - backError + lo;
  return Math.log(quotient) + residual / (quotient * n);
}

/** The rounding error of a + b = s (Knuth's two-sum), so a + b = s + error exactly. */
function twoSumError(a: number, b: number, s: number): number {
  const bVirtual = s - a;
  const aVirtual = s - bVirtual;
  return a - aVirtual + (b - bVirtual);
}

/** The rounding error of the product a·b = p (Dekker's two-product), so a·b = p + error exactly. */
function productError(a: number, b: number, p: number): number {
  const aSplit = SPLITTER * a;
  const aHigh = aSplit - (aSplit - a);
  const aLow = a - aHigh;
  const bSplit = SPLITTER * b;
  const bHigh = bSplit - (bSplit - b);
  const bLow = b - bHigh;
  return aLow * bLow - (p - aHigh * bHigh - aLow * bHigh - aHigh * bLow);
}
