import { InvalidDataError } from '@mlsd/core';
import type { RawScores } from './raw-scores.js';

/** The logistic function 1 / (1 + e^−z), written to stay finite for large |z|. */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/**
 * Raw score every tree starts from: the log-odds of the weighted share of positives.
 * @throws InvalidDataError when the weighted share is 0 or 1 (one class only, or all of one
 * class weighted to zero): there is nothing to separate.
 */
export function baselineLogOdds(y: ArrayLike<number>, weights: Float64Array): number {
  let positive = 0;
  let total = 0;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i]!;
    total += w;
    if (y[i] === 1) positive += w;
  }
  if (!(positive > 0) || !(positive < total)) {
    throw new InvalidDataError(
      `GradientBoostingClassifier: the training rows carry weight ${positive} on class 1 and ${total - positive} on class 0; both classes need a positive weight.`,
    );
  }
  const p = positive / total;
  return Math.log(p / (1 - p));
}

/**
 * First and second derivatives of the weighted log-loss with respect to the raw score:
 * g = w·(p − y), h = w·p·(1 − p), with p = sigmoid(raw) = 1 / (1 + e^−raw) read from the
 * scores' `expNegRaw` (no exponential per row). Written interleaved: row `i`'s gradient at
 * `gradHess[2i]`, its hessian at `gradHess[2i + 1]`.
 */
export function logLossGradients(
  y: ArrayLike<number>,
  weights: Float64Array,
  scores: RawScores,
  gradHess: Float64Array,
): void {
  const { expNegRaw } = scores;
  for (let i = 0; i < expNegRaw.length; i++) {
    const p = 1 / (1 + expNegRaw[i]!);
    const w = weights[i]!;
    gradHess[2 * i] = w * (p - y[i]!);
    gradHess[2 * i + 1] = w * p * (1 - p);
  }
}

/** Weighted mean log-loss −Σ w·[y·log p + (1−y)·log(1−p)] / Σ w of raw scores (numerically stable). */
export function meanLogLoss(
  y: ArrayLike<number>,
  weights: Float64Array,
  raw: Float64Array,
): number {
  let loss = 0;
  let total = 0;
  for (let i = 0; i < raw.length; i++) {
    const z = raw[i]!;
    // log(1 + e^z) − y·z, the log-loss of a raw score, without overflow.
    const softplus = z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
    const w = weights[i]!;
    loss += w * (softplus - y[i]! * z);
    total += w;
  }
  return total > 0 ? loss / total : 0;
}
