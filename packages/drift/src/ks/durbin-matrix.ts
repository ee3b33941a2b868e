import { ldexp } from './numeric.js';

/** 2¹²⁸ and 2⁻¹²⁸: the scaling steps that keep matrix powers and products in range. */
const SCALE_UP = 2 ** 128;
const SCALE_DOWN = 2 ** -128;

/**
 * P(Dₙ ≤ d) of the one-sample two-sided Kolmogorov statistic by Durbin's matrix method in
 * the Marsaglia–Tsang–Wang (2003) form: write n·d = k − h (k integer, 0 ≤ h < 1), build the
 * (2k−1)² matrix H, and the answer is n!/nⁿ · (Hⁿ)[k−1, k−1]. Hⁿ by repeated squaring with
 * the exponent tracked separately; O(k³ log n) time, O(k²) memory: meant for small n·d.
 */
export function durbinMatrixCdf(n: number, d: number): number {
  if (d >= 1) return 1;
  const nd = n * d;
  if (nd <= 0.5) return 0;
  const k = Math.ceil(nd);
  const h = k - nd;
  const size = 2 * k - 1;

  // First column v[j] = (1 − h^{j+1}) / (j+1)!; the last one gets the corner correction.
  const v = new Float64Array(size);
  const inverseFactorial = new Float64Array(size); // 1/j!
  let factorial = 1;
  for (let j = 1; j <= size; j++) {
    inverseFactorial[j - 1] = factorial;
    factorial /= j;
    v[j - 1] = (1 - h ** j) * factorial;
  }
  const corner = Math.max(2 * h - 1, 0) ** size - 2 * h ** size;
  v[size - 1] = (1 + corner) * factorial;

  let matrix: Float64Array = new Float64Array(size * size);
  for (let col = 1; col < size; col++) {
    for (let row = col - 1; row < size; row++) {
      matrix[row * size + col] = inverseFactorial[row - col + 1]!;
    }
  }
  for (let row = 0; row < size; row++) matrix[row * size] = v[row]!;
  for (let col = 0; col < size; col++) matrix[(size - 1) * size + col] = v[size - 1 - col]!;

  let power: Float64Array = identity(size);
  let exponent = 0;
  let matrixExponent = 0;
  const centre = (k - 1) * size + (k - 1);
  for (let remaining = n; remaining > 0; remaining = Math.floor(remaining / 2)) {
    if (remaining % 2 === 1) {
      power = multiply(power, matrix, size);
      exponent += matrixExponent;
    }
    matrix = multiply(matrix, matrix, size);
    matrixExponent *= 2;
    if (Math.abs(matrix[centre]!) > SCALE_UP) {
      for (let i = 0; i < matrix.length; i++) matrix[i]! /= SCALE_UP;
      matrixExponent += 128;
    }
  }

  let p = power[centre]!;
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n;
    if (Math.abs(p) < SCALE_DOWN) {
      p *= SCALE_UP;
      exponent -= 128;
    }
  }
  return exponent === 0 ? p : ldexp(p, exponent);
}

function identity(size: number): Float64Array {
  const out = new Float64Array(size * size);
  for (let i = 0; i < size; i++) out[i * size + i] = 1;
  return out;
}

function multiply(a: Float64Array, b: Float64Array, size: number): Float64Array {
  const out = new Float64Array(size * size);
  for (let i = 0; i < size; i++) {
    const rowOut = i * size;
    for (let l = 0; l < size; l++) {
      const ail = a[rowOut + l]!;
      if (ail === 0) continue;
      const rowB = l * size;
      for (let j = 0; j < size; j++) out[rowOut + j]! += ail * b[rowB + j]!;
    }
  }
  return out;
}
