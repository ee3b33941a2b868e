import { logBinomial } from './numeric.js';

/** ln of the largest finite double: C(n₁+n₂, n₁) above it overflows in scipy's path count. */
const LOG_MAX_DOUBLE = Math.log(Number.MAX_VALUE);

/**
 * Exact null probability P(D⁺ ≥ h / lcm(n₁, n₂)) of a one-sided two-sample KS statistic
 * (the same for D⁻ and for swapped sizes, by exchangeability), or `undefined` where scipy's
 * method cannot compute it.
 *
 * Equal sizes: C(2n, n−h) / C(2n, n) = Π_{j<h} (n − j) / (n + j + 1). Unequal sizes: the share
 * of lattice paths from (0, 0) to (m, n) that reach n·x − m·y ≥ h·g (Hodges 1958, first
 * passage). scipy counts those paths in doubles with binomial coefficients and gives up when
 * C(n₁+n₂, n₁) overflows (e.g. 881 vs 369); we report the same "cannot" so results agree, but
 * compute the share itself with a convex-combination recursion (as Viehmann 2021 does for the
 * two-sided case), which cannot overflow or cancel.
 */
export function exactOneSidedPValue(
  n1: number,
  n2: number,
  g: number,
  h: number,
): number | undefined {
  if (n1 === n2) {
    let p = 1;
    for (let j = 0; j < h; j++) p *= (n1 - j) / (n1 + j + 1);
    return p;
  }
  if (logBinomial(n1 + n2, Math.min(n1, n2)) >= LOG_MAX_DOUBLE) return undefined;
  return firstPassageShare(Math.max(n1, n2), Math.min(n1, n2), g, h);
}

/**
 * Share of monotone lattice paths (0, 0) → (m, n) touching n·x − m·y ≥ h·g. Column x keeps,
 * for every row y, the share of paths to (x, y) that have already touched the boundary; a
 * point on or past it is 1. Rows y below ⌈(n·x − h·g)/m⌉ are past the boundary, so only rows
 * from `firstInside` up are computed: O(m·n) at worst, and scipy only succeeds when
 * C(m+n, n) is finite, which keeps m·n small.
 */
function firstPassageShare(m: number, n: number, g: number, h: number): number {
  const threshold = h * g;
  const column = new Float64Array(n + 1);
  // Column x = 0: n·0 − m·y ≥ threshold never holds for threshold > 0.
  for (let x = 1; x <= m; x++) {
    const reach = n * x - threshold;
    // Rows y with m·y ≤ reach are on or past the boundary.
    const firstInside = reach < 0 ? 0 : floorDivide(reach, m) + 1;
    if (firstInside > n) return 1;
    const fillTo = Math.min(firstInside, n + 1);
    column.fill(1, 0, fillTo);
    let below = firstInside === 0 ? 0 : 1;
    for (let y = firstInside; y <= n; y++) {
      below = (column[y]! * x + below * y) / (x + y);
      column[y] = below;
    }
  }
  return column[n]!;
}

/** ⌊a / b⌋ for non-negative safe integers, corrected for the rounding of the float quotient. */
function floorDivide(a: number, b: number): number {
  let q = Math.floor(a / b);
  if (q * b > a) q--;
  else if ((q + 1) * b <= a) q++;
  return q;
}
