import { InvalidDataError } from '@mlsd/core';
import { checkBinaryInputs } from '../metrics/check-inputs.js';

/** Probabilities this close to 0 or 1 are clipped before taking log-odds (keeps them finite). */
const EDGE = 1e-15;

/** log(p / (1 − p)), with p clipped into [1e-15, 1 − 1e-15]. */
export function logOdds(p: number): number {
  const q = Math.min(1 - EDGE, Math.max(EDGE, p));
  return Math.log(q / (1 - q));
}

/**
 * Checks held-out scores, labels and weights for a calibrator (lengths, 0/1 labels, finite
 * scores, weights ≥ 0, both classes with weight) and returns the weights (1 each by default).
 */
export function checkCalibrationInputs(
  where: string,
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  sampleWeight?: ArrayLike<number>,
): Float64Array {
  checkBinaryInputs(where, labels, scores, sampleWeight);
  const weights =
    sampleWeight === undefined
      ? new Float64Array(labels.length).fill(1)
      : Float64Array.from(sampleWeight);
  let positive = 0;
  let negative = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === 1) positive += weights[i]!;
    else negative += weights[i]!;
  }
  if (!(positive > 0 && negative > 0)) {
    throw new InvalidDataError(
      `${where}: the held-out rows carry weight ${positive} on class 1 and ${negative} on class 0; calibration needs both classes. Calibrate on a longer validation period.`,
      { positive, negative },
    );
  }
  return weights;
}
