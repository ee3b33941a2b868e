/**
 * The two-sample Kolmogorov–Smirnov statistic over the pooled sample, as
 * `scipy.stats.ks_2samp` evaluates it: both empirical CDFs (right-continuous, "≤") are taken at
 * every pooled value, so tied values collapse into one step, and diff = F₁ − F₂.
 */
export interface KsStatistic {
  /** max(F₁ − F₂) over the pooled values (can be negative when F₁ < F₂ everywhere). */
  dPlus: number;
  /** −min(F₁ − F₂), clipped to [0, 1]. */
  dMinus: number;
  /** Pooled value where D⁺ is reached (the first one in sample-1-then-sample-2 order). */
  dPlusLocation: number;
  /** Pooled value where D⁻ is reached (same tie rule). */
  dMinusLocation: number;
  /** Whether any value occurs in both samples (the null distribution then is conservative). */
  hasTiesAcrossSamples: boolean;
}

/**
 * Computes D⁺ and D⁻ of two **ascending-sorted** samples in one merge pass, O(n₁ + n₂).
 *
 * The differences are computed as `i / n1 - j / n2` in double precision, bit for bit what
 * numpy computes, so maxima, ties between maxima and the locations agree with scipy: scipy
 * takes the argmax over the concatenation [sorted sample 1, sorted sample 2], hence among equal
 * maxima the smallest value present in sample 1 wins, then the smallest present only in
 * sample 2.
 */
export function ksStatistic(sortedA: Float64Array, sortedB: Float64Array): KsStatistic {
  const n1 = sortedA.length;
  const n2 = sortedB.length;
  let i = 0;
  let j = 0;
  // Heads of both samples; +∞ once a sample is used up (inputs are finite).
  let a = n1 > 0 ? sortedA[0]! : Number.POSITIVE_INFINITY;
  let b = n2 > 0 ? sortedB[0]! : Number.POSITIVE_INFINITY;
  let maxDiff = Number.NEGATIVE_INFINITY;
  let maxInA = 0;
  let maxInB = 0;
  let maxHasA = false;
  let maxHasB = false;
  let minDiff = Number.POSITIVE_INFINITY;
  let minInA = 0;
  let minInB = 0;
  let minHasA = false;
  let minHasB = false;
  let hasTies = false;
  while (i < n1 || j < n2) {
    // The value from sample 1 on equality (−0 vs +0 included), like scipy's location.
    let value = b;
    if (a <= b) value = a;
    const inA = a === value;
    const inB = b === value;
    while (a === value) {
      i++;
      a = i < n1 ? sortedA[i]! : Number.POSITIVE_INFINITY;
    }
    while (b === value) {
      j++;
      b = j < n2 ? sortedB[j]! : Number.POSITIVE_INFINITY;
    }
    if (inA && inB) hasTies = true;
    const diff = i / n1 - j / n2;
    if (diff > maxDiff) {
      maxDiff = diff;
      maxHasA = inA;
      maxHasB = inB;
      maxInA = value;
      maxInB = value;
    } else if (diff === maxDiff) {
      if (inA && !maxHasA) {
        maxHasA = true;
        maxInA = value;
      }
      if (inB && !maxHasB) {
        maxHasB = true;
        maxInB = value;
      }
    }
    if (diff < minDiff) {
      minDiff = diff;
      minHasA = inA;
      minHasB = inB;
      minInA = value;
      minInB = value;
    } else if (diff === minDiff) {
      if (inA && !minHasA) {
        minHasA = true;
        minInA = value;
      }
      if (inB && !minHasB) {
        minHasB = true;
        minInB = value;
      }
    }
  }
  const negatedMin = -minDiff;
  return {
    dPlus: maxDiff,
    dMinus: negatedMin <= 0 ? 0 : Math.min(negatedMin, 1),
    dPlusLocation: maxHasA ? maxInA : maxInB,
    dMinusLocation: minHasA ? minInA : minInB,
    hasTiesAcrossSamples: hasTies,
  };
}
