import { ldexp } from './numeric.js';

const SCALE_UP = 2 ** 128;
const SCALE_DOWN = 2 ** -128;

/**
 * P(Dₙ ≤ x) of the one-sample two-sided Kolmogorov statistic by Pomeranz's (1974) recursion:
 * 2n + 1 rows, each the convolution of the previous row's few non-zero entries with
 * (unnormalised) Poisson weights in g/n, 2g/n or (1 − 2g)/n, where t = n·x = ℓ + f and
 * g = min(f, 1 − f); the answer is n! times the last entry. Rows are rescaled by 2¹²⁸ when
 * they get small and the exponent is applied at the end. Suited to n ≤ 140 and n·x² ≤ 4.
 */
export function pomeranzCdf(n: number, x: number): number {
  const t = n * x;
  const ell = Math.floor(t);
  const f = t - ell;
  const g = Math.min(f, 1 - f);
  const ceilF = f > 0 ? 1 : 0;
  const roundF = f > 0.5 ? 1 : 0;
  const width = 2 * (ell + 1);

  // (g/n)^j / j!, (2g/n)^j / j!, ((1 − 2g)/n)^j / j!
  const gPowers = new Float64Array(width);
  const twoGPowers = new Float64Array(width);
  const oneMinusTwoGPowers = new Float64Array(width);
  gPowers[0] = 1;
  twoGPowers[0] = 1;
  oneMinusTwoGPowers[0] = 1;
  const gOverN = g / n;
  const twoGOverN = (2 * g) / n;
  const oneMinusTwoGOverN = (1 - 2 * g) / n;
  for (let j = 1; j < width; j++) {
    gPowers[j] = (gPowers[j - 1]! * gOverN) / j;
    twoGPowers[j] = (twoGPowers[j - 1]! * twoGOverN) / j;
    oneMinusTwoGPowers[j] = (oneMinusTwoGPowers[j - 1]! * oneMinusTwoGOverN) / j;
  }

  let previous = new Float64Array(width);
  let current = new Float64Array(width);
  current[0] = 1;
  let previousStart = 0;
  let currentStart = 0;
  let exponent = 0;
  let [j1, j2] = rowBounds(0, n, ell, ceilF, roundF);
  for (let i = 1; i < 2 * n + 2; i++) {
    const k1 = j1;
    [previous, current] = [current, previous];
    [previousStart, currentStart] = [currentStart, previousStart];
    current.fill(0);
    [j1, j2] = rowBounds(i, n, ell, ceilF, roundF);
    const weights =
      i === 1 || i === 2 * n + 1 ? gPowers : i % 2 === 1 ? twoGPowers : oneMinusTwoGPowers;
    const span = j2 - k1 + 1;
    if (span <= 0) continue;
    const offset = k1 - previousStart;
    const convolutionStart = j1 - k1;
    const outputLength = j2 - j1 + 1;
    const weightCount = Math.min(span, width);
    let largest = 0;
    for (let out = 0; out < outputLength; out++) {
      const c = convolutionStart + out;
      let sum = 0;
      const sFrom = Math.max(0, c - weightCount + 1);
      const sTo = Math.min(c, span - 1);
      for (let s = sFrom; s <= sTo; s++) {
        const index = offset + s;
        if (index < 0 || index >= width) continue;
        sum += previous[index]! * weights[c - s]!;
      }
      current[out] = sum;
      if (sum > largest) largest = sum;
    }
    if (largest > 0 && largest < SCALE_DOWN) {
      for (let out = 0; out < width; out++) current[out]! *= SCALE_UP;
      exponent -= 128;
    }
    currentStart = previousStart + j1 - k1;
  }

  let answer = current[n - currentStart]!;
  for (let m = 1; m <= n; m++) {
    if (Math.abs(answer) > SCALE_UP) {
      answer *= SCALE_DOWN;
      exponent += 128;
    }
    answer *= m;
  }
  return exponent === 0 ? answer : ldexp(answer, exponent);
}

/** First and last non-zero column of row i of Pomeranz's recursion. */
function rowBounds(
  i: number,
  n: number,
  ell: number,
  ceilF: number,
  roundF: number,
): [number, number] {
  let j1: number;
  let j2: number;
  if (i === 0) {
    j1 = -ell - ceilF - 1;
    j2 = ell + ceilF - 1;
  } else {
    const half = Math.floor((i + 1) / 2);
    if ((i + 1) % 2 === 0) {
      if (half === n + 1) {
        j1 = n - ell - ceilF - 1;
        j2 = n + ell + ceilF - 1;
      } else {
        j1 = half - 1 - ell - roundF - 1;
        j2 = half + ell - 1 + ceilF - 1;
      }
    } else {
      j1 = half - 1 - ell - 1;
      j2 = half + ell + roundF - 1;
    }
  }
  return [Math.max(j1 + 2, 0), Math.min(j2, n)];
}
