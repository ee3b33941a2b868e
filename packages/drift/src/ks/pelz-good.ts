const PI2 = Math.PI ** 2;
const PI4 = Math.PI ** 4;
const PI6 = Math.PI ** 6;
const SQRT_2PI = Math.sqrt(2 * Math.PI);
const SQRT3 = Math.sqrt(3);
/** exp() of anything below this is 0 in double precision. */
const MIN_LOG = -708;

/**
 * Pelz–Good (1976) approximation to P(Dₙ ≤ x): the Li-Chien/Korolyuk expansion
 * K₀(z) + K₁(z)/√n + K₂(z)/n + K₃(z)/n^{3/2} (z = x√n), each term rewritten through Jacobi
 * theta identities into series in q = exp(−π²/(8z²)) that converge fast for small z.
 * Used for large n (Simard & L'Ecuyer 2011).
 */
export function pelzGoodCdf(n: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const z = Math.sqrt(n) * x;
  const z2 = z ** 2;
  const z3 = z ** 3;
  const z4 = z ** 4;
  const z6 = z ** 6;
  const qLog = -PI2 / 8 / z2;
  if (qLog < MIN_LOG) return 0;
  const q = Math.exp(qLog);

  const k1a = -z2;
  const k1b = PI2 / 4;
  const k2a = 6 * z6 + 2 * z4;
  const k2b = ((2 * z4 - 5 * z2) * PI2) / 4;
  const k2c = (PI4 * (1 - 2 * z2)) / 16;
  const k3d = (PI6 * (5 - 30 * z2)) / 64;
  const k3c = (PI4 * (-60 * z2 + 212 * z4)) / 16;
  const k3b = (PI2 * (135 * z4 - 96 * z6)) / 4;
  const k3a = -30 * z6 - 90 * z ** 8;

  // Σ over odd m = 2k − 1 of c(m)·q^{m²}, by Horner in q^{8k}.
  let k0 = 0;
  let kk1 = 0;
  let kk2 = 0;
  let kk3 = 0;
  const maxK = Math.ceil((16 * z) / Math.PI);
  for (let k = maxK; k > 0; k--) {
    const m = 2 * k - 1;
    const m2 = m ** 2;
    const m4 = m ** 4;
    const m6 = m ** 6;
    const qPower = q ** (8 * k);
    k0 = k0 * qPower + 1;
    kk1 = kk1 * qPower + (k1a + k1b * m2);
    kk2 = kk2 * qPower + (k2a + k2b * m2 + k2c * m4);
    kk3 = kk3 * qPower + (k3a + k3b * m2 + k3c * m4 + k3d * m6);
  }
  const front = q * SQRT_2PI;
  k0 = (k0 * front) / z;
  kk1 = (kk1 * front) / (6 * z4);
  kk2 = (kk2 * front) / (72 * z ** 7);
  kk3 = (kk3 * front) / (6480 * z ** 10);

  // The other sums run over all integers k: π²k²·q'^{k²} and (3π²k²z² − π⁴k⁴)·q'^{k²}.
  const qAll = Math.exp(-PI2 / 2 / z2);
  const sqrt3z = SQRT3 * z;
  let sum2 = 0;
  let sum3 = 0;
  for (let k = maxK; k > 0; k--) {
    const k2 = k * k;
    const qk = qAll ** k2;
    const kPi = Math.PI * k;
    sum2 += k2 * qk;
    sum3 += (sqrt3z + kPi) * (sqrt3z - kPi) * k2 * qk;
  }
  kk2 += (sum2 * PI2 * SQRT_2PI) / (-36 * z3);
  kk3 += (sum3 * PI2 * SQRT_2PI) / (216 * z6);

  return k0 + kk1 / Math.sqrt(n) + kk2 / n + kk3 / n ** 1.5;
}
