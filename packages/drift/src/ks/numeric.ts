/** Greatest common divisor of two non-negative safe integers (Euclid). */
export function gcd(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y !== 0) {
    const r = x % y;
    x = y;
    y = r;
  }
  return x;
}

/**
 * Rounds half to even, as numpy's `np.round` does (`round(0.5) = 0`, `round(2.5) = 2`);
 * `Math.round` would round halves up.
 */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const fraction = x - floor;
  if (fraction > 0.5) return floor + 1;
  if (fraction < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** ln C(n, k) for integers 0 ≤ k ≤ n, summed term by term (exact enough for an overflow test). */
export function logBinomial(n: number, k: number): number {
  const small = Math.min(k, n - k);
  let sum = 0;
  for (let j = 0; j < small; j++) sum += Math.log((n - j) / (j + 1));
  return sum;
}

/** x·2^e without overflowing or underflowing on the way (C's `ldexp`). */
export function ldexp(x: number, e: number): number {
  let value = x;
  let remaining = e;
  while (remaining > 1000) {
    value *= 2 ** 1000;
    remaining -= 1000;
  }
  while (remaining < -1000) {
    value *= 2 ** -1000;
    remaining += 1000;
  }
  return value * 2 ** remaining;
}
