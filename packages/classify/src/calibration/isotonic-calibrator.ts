import { BaseEstimator, InvalidArgumentError, InvalidDataError } from '@mlsd/core';
import { z } from 'zod';
import { checkCalibrationInputs } from './calibration-inputs.js';

const IsotonicOptionsSchema = z
  .object({
    /**
     * `'break'` (default): add {@link ISOTONIC_TIE_BREAK} × a strictly increasing squash of the raw
     * score, so that scores distinct before calibration stay distinct and in the same order (the
     * model's ranking — and so AUC, AP and card precision@k — survives calibration; probabilities
     * move by at most 1e-6). `'keep'`: scikit-learn's step function exactly, which ties every
     * score inside a pooled block.
     */
    ties: z.enum(['break', 'keep']).default('break'),
  })
  .strict();
type IsotonicParams = z.output<typeof IsotonicOptionsSchema>;

/**
 * Weight of the raw score in an isotonic calibrator's output when ties are broken: small enough to
 * leave probabilities as fitted (≤ 1e-6 away), large enough for float64 to keep raw scores that
 * differ by ~1e-10 apart.
 */
export const ISOTONIC_TIE_BREAK = 1e-6;

/** A strictly increasing map of the real line onto (0, 1) — the identity's order, bounded. */
function squash(score: number): number {
  return 0.5 + (0.5 * score) / (1 + Math.abs(score));
}

const typed = <T>(Type: abstract new (...args: never[]) => T) =>
  z.custom<T>((value) => value instanceof Type, { message: `expected a ${Type.name}` });

const IsotonicState = z.object({
  /** Distinct held-out scores, increasing. */
  x: typed<Float64Array>(Float64Array),
  /** Fitted non-decreasing values at those scores. */
  y: typed<Float64Array>(Float64Array),
});
type IsotonicState = z.output<typeof IsotonicState>;

/**
 * Isotonic calibration (Zadrozny & Elkan 2002): the non-decreasing step function of the score
 * closest to the labels in weighted least squares, found by pool-adjacent-violators on the
 * held-out scores (tied scores pooled first), and read between the fitted points by linear
 * interpolation, clipped at both ends — scikit-learn's `IsotonicRegression(out_of_bounds='clip')`
 * as `CalibratedClassifierCV(method='isotonic')` uses it. More flexible than Platt scaling, so it
 * wants more held-out positives (hundreds); it can tie scores that were distinct.
 */
export class IsotonicCalibrator extends BaseEstimator<IsotonicParams, IsotonicState> {
  readonly kind = 'IsotonicCalibrator';

  constructor(options: { ties?: 'break' | 'keep' } = {}) {
    super(IsotonicOptionsSchema, options);
  }

  /** Fits on held-out scores and their 0/1 labels (optionally weighted). */
  async fit(
    scores: ArrayLike<number>,
    labels: ArrayLike<number>,
    sampleWeight?: ArrayLike<number>,
  ): Promise<this> {
    const weights = checkCalibrationInputs('IsotonicCalibrator.fit', scores, labels, sampleWeight);
    const order = Int32Array.from({ length: scores.length }, (_, i) => i);
    order.sort((a, b) => scores[a]! - scores[b]!);
    // Pool tied scores (weighted mean label); rows of zero weight say nothing.
    const xs: number[] = [];
    const sums: number[] = [];
    const totals: number[] = [];
    for (const i of order) {
      const w = weights[i]!;
      if (w === 0) continue;
      const x = scores[i]!;
      const last = xs.length - 1;
      if (last >= 0 && xs[last] === x) {
        sums[last]! += w * labels[i]!;
        totals[last]! += w;
      } else {
        xs.push(x);
        sums.push(w * labels[i]!);
        totals.push(w);
      }
    }
    // Pool adjacent violators: blocks of (Σ w·y, Σ w, points), merged while a block's mean is
    // not above the one before it.
    const blockSum: number[] = [];
    const blockWeight: number[] = [];
    const blockSize: number[] = [];
    for (let k = 0; k < xs.length; k++) {
      blockSum.push(sums[k]!);
      blockWeight.push(totals[k]!);
      blockSize.push(1);
      while (blockSum.length > 1) {
        const top = blockSum.length - 1;
        if (blockSum[top - 1]! / blockWeight[top - 1]! < blockSum[top]! / blockWeight[top]!) break;
        blockSum[top - 1]! += blockSum.pop()!;
        blockWeight[top - 1]! += blockWeight.pop()!;
        blockSize[top - 1]! += blockSize.pop()!;
      }
    }
    const y = new Float64Array(xs.length);
    let at = 0;
    for (let b = 0; b < blockSum.length; b++) {
      y.fill(blockSum[b]! / blockWeight[b]!, at, at + blockSize[b]!);
      at += blockSize[b]!;
    }
    this.setFitted({ x: Float64Array.from(xs), y });
    return this;
  }

  /** Calibrated probabilities of `scores` (interpolated between fitted points, clipped outside). */
  transform(scores: ArrayLike<number>): Float64Array {
    const { x, y } = this.fitted;
    const tieBreak = this.params.ties === 'break' ? ISOTONIC_TIE_BREAK : 0;
    const out = new Float64Array(scores.length);
    const last = x.length - 1;
    for (let i = 0; i < scores.length; i++) {
      const s = scores[i]!;
      if (Number.isNaN(s)) {
        throw new InvalidDataError(`IsotonicCalibrator.transform: score ${i} is NaN.`);
      }
      if (s <= x[0]!) out[i] = y[0]!;
      else if (s >= x[last]!) out[i] = y[last]!;
      else {
        // Largest k with x[k] <= s.
        let lo = 0;
        let hi = last;
        while (hi - lo > 1) {
          const mid = (lo + hi) >> 1;
          if (x[mid]! <= s) lo = mid;
          else hi = mid;
        }
        const t = (s - x[lo]!) / (x[hi]! - x[lo]!);
        out[i] = y[lo]! + t * (y[hi]! - y[lo]!);
      }
      if (tieBreak > 0) out[i] = (1 - tieBreak) * out[i]! + tieBreak * squash(s);
    }
    return out;
  }

  static fromJSON(json: unknown): IsotonicCalibrator {
    const checked = BaseEstimator.checkJSON(json, {
      kind: 'IsotonicCalibrator',
      version: 1,
      params: IsotonicOptionsSchema,
      state: IsotonicState,
    });
    const { params, state } = checked;
    const { x, y } = state;
    const ordered = x.every((v, k) => k === 0 || v > x[k - 1]!);
    const monotone = y.every((v, k) => k === 0 || v >= y[k - 1]!);
    if (x.length === 0 || x.length !== y.length || !ordered || !monotone) {
      throw new InvalidArgumentError(
        'IsotonicCalibrator.fromJSON: expected as many fitted points as scores, scores increasing and values non-decreasing.',
      );
    }
    const model = new IsotonicCalibrator(params);
    model.setFitted(state);
    return model;
  }
}
