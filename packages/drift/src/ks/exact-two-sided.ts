/**
 * Exact null probability P(D ≥ h / lcm(m, n)) of the two-sided two-sample KS statistic.
 *
 * Equal sizes use the reflection formula P = 2·Σ_{k≥1} (−1)^{k−1} C(2n, n−kh) / C(2n, n)
 * folded Horner-style so that no alternating sum cancels. Unequal sizes count lattice paths
 * from (0, 0) to (m, n) that leave the band |x/m − y/n| < h/lcm (Hodges 1958), carrying, per
 * lattice point, the *share* of paths that have already left it (Viehmann 2021,
 * arXiv:2102.08037): each point is a convex combination of its two predecessors, so values stay
 * in [0, 1] with no overflow and no cancellation, and the result is the p-value itself.
 */
export function exactTwoSidedPValue(n1: number, n2: number, g: number, h: number): number {
  if (n1 === n2) return equalSizesTwoSided(n1, h);
  return unequalSizesTwoSided(n1, n2, g, h);
}

/** P(D_{n,n} ≥ h/n) = 2·A₁(1 − A₂(1 − A₃(…))) with A_k = C(2n, n−kh)/C(2n, n). */
function equalSizesTwoSided(n: number, h: number): number {
  let p = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    // A_k as a product of h ratios (n − kh − j) / (n + kh + j + 1); A_0 = 1 closes the fold.
    let ratio = 1;
    const kh = k * h;
    for (let j = 0; j < h; j++) ratio = ((n - kh - j) * ratio) / (n + kh + j + 1);
    p = ratio * (1 - p);
  }
  return 2 * p;
}

/**
 * Share of the C(m+n, n) monotone lattice paths that touch |n·x − m·y|·(1/g) ≥ h somewhere,
 * column by column (x = 0..m, m ≥ n) over the sliding window of rows strictly inside the band.
 * `column[r]` holds row `windowStart + r`; rows above the window read as 1 (outside).
 */
function unequalSizesTwoSided(n1: number, n2: number, g: number, h: number): number {
  const m = Math.max(n1, n2);
  const n = Math.min(n1, n2);
  const mg = m / g;
  const ng = n / g;
  // Column x = 0: rows y with m·y/g < h are inside (share 0), the rest outside (share 1).
  let windowStart = 0;
  let windowEnd = Math.min(Math.ceil(h / mg), n + 1);
  // Reads reach index windowEnd − previousStart ≤ n + 1, so n + 1 entries always suffice.
  const column = new Float64Array(n + 1).fill(1);
  column.fill(0, 0, windowEnd);
  let windowLength = windowEnd;
  for (let x = 1; x <= m; x++) {
    const previousStart = windowStart;
    const previousLength = windowLength;
    windowStart = Math.min(Math.max(Math.floor((ng * x - h) / mg) + 1, 0), n);
    windowEnd = Math.min(Math.ceil((ng * x + h) / mg), n + 1);
    if (windowEnd <= windowStart) return 1;
    // The point just below the window is outside (1) unless the window starts at row 0.
    let below = windowStart === 0 ? 0 : 1;
    const shift = windowStart - previousStart;
    const length = windowEnd - windowStart;
    for (let r = 0; r < length; r++) {
      const y = r + windowStart;
      below = (column[r + shift]! * x + below * y) / (x + y);
      column[r] = below;
    }
    // Keep the invariant "entries past the window are 1" when the window shrinks.
    if (previousLength > length) column.fill(1, length, previousLength);
    windowLength = length;
  }
  return column[windowLength - 1]!;
}
