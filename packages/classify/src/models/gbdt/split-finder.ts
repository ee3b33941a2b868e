import { HISTOGRAM_STRIDE, type Histogram } from './histogram.js';

/** Limits a split must respect, and the L2 penalty of the gain. */
export interface SplitConstraints {
  /** Rows each child must hold at least. */
  readonly minSamplesLeaf: number;
  /** Hessian sum each child must hold at least. */
  readonly minHessianLeaf: number;
  /** L2 penalty λ. */
  readonly l2: number;
}

/** The best split of a node, or `gain <= 0` when none is allowed. */
export interface SplitCandidate {
  /** Loss reduction G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ); 0 when no split was found. */
  gain: number;
  feature: number;
  /** Rows with bin ≤ `bin` go left (missing rows as `missingGoesLeft` says). */
  bin: number;
  missingGoesLeft: boolean;
  /** Sums of the left child (the right one is the node's minus these). */
  leftGradient: number;
  leftHessian: number;
  leftCount: number;
}

/**
 * Monotonic constraints of one fit and the value bounds of one node (XGBoost's and
 * scikit-learn's scheme): a split on a feature constrained to +1 must give its left child (lower
 * values) a value no larger than its right child's, −1 the reverse; node values are clipped to
 * the node's bounds, and a constrained split's children are bounded at the midpoint of their two
 * values, so every tree — and their sum — is monotone in each constrained feature.
 */
export interface MonotonicBounds {
  /** Per feature: +1 non-decreasing, −1 non-increasing, 0 free. */
  readonly monotonic: Int8Array;
  /** Least value (before shrinkage) the node and its descendants may take. */
  readonly lower: number;
  /** Largest value (before shrinkage) the node and its descendants may take. */
  readonly upper: number;
}

/** The Newton value −G / (H + λ) of a node, clipped to [lower, upper]. */
export function boundedValue(
  gradient: number,
  hessian: number,
  l2: number,
  lower: number,
  upper: number,
): number {
  const denominator = hessian + l2;
  const value = denominator > 0 ? -gradient / denominator : 0;
  return Math.min(Math.max(value, lower), upper);
}

/**
 * Twice the second-order loss decrease −(G·v + ½(H + λ)·v²) of giving a node the value v: with
 * the unclipped value this is G² / (H + λ), the score the unconstrained gain uses.
 */
function valueScore(gradient: number, hessian: number, l2: number, value: number): number {
  return -(2 * gradient * value + (hessian + l2) * value * value);
}

/** A candidate meaning "do not split". */
export function noSplit(): SplitCandidate {
  return {
    gain: 0,
    feature: -1,
    bin: 0,
    missingGoesLeft: false,
    leftGradient: 0,
    leftHessian: 0,
    leftCount: 0,
  };
}

/**
 * Scans every bin boundary of every listed feature for the split of largest second-order gain,
 * trying missing values on either side (when the node has any; otherwise they will follow the
 * larger child at prediction time). Ties keep the first feature and bin found.
 *
 * @param binCounts - non-missing bins per feature.
 * @param missingBin - slot of the missing bin.
 * @param bounds - monotonic constraints and the node's value bounds; without them the plain
 *   gain formula runs (and nothing is clipped).
 */
export function findBestSplit(
  histogram: Histogram,
  features: Int32Array,
  binCounts: Int32Array,
  missingBin: number,
  totalGradient: number,
  totalHessian: number,
  totalCount: number,
  constraints: SplitConstraints,
  bounds?: MonotonicBounds,
): SplitCandidate {
  const { minSamplesLeaf, minHessianLeaf, l2 } = constraints;
  const best = noSplit();
  if (totalCount < 2 * minSamplesLeaf) return best;
  // The plain gain is written inline below (this loop is hot: a call per bin costs a third of a
  // fit); under monotonic constraints each candidate goes through boundedGain instead.
  const parentScore =
    bounds === undefined
      ? (totalGradient * totalGradient) / (totalHessian + l2)
      : valueScore(
          totalGradient,
          totalHessian,
          l2,
          boundedValue(totalGradient, totalHessian, l2, bounds.lower, bounds.upper),
        );
  const slots = missingBin + 1;
  let bestGain = 0;
  for (let j = 0; j < features.length; j++) {
    const feature = features[j]!;
    const direction = bounds === undefined ? 0 : (bounds.monotonic[feature] ?? 0);
    const base = feature * slots * HISTOGRAM_STRIDE;
    const missingAt = base + missingBin * HISTOGRAM_STRIDE;
    const missingG = histogram[missingAt]!;
    const missingH = histogram[missingAt + 1]!;
    const missingC = histogram[missingAt + 2]!;
    const hasMissing = missingC > 0;
    // With missing rows, the last boundary (all values left, missing right) is a split too.
    const lastBin = binCounts[feature]! - (hasMissing ? 1 : 2);
    let gL = 0;
    let hL = 0;
    let cL = 0;
    for (let bin = 0; bin <= lastBin; bin++) {
      const at = base + bin * HISTOGRAM_STRIDE;
      gL += histogram[at]!;
      hL += histogram[at + 1]!;
      cL += histogram[at + 2]!;
      // Missing rows to the right.
      let cR = totalCount - cL;
      if (cL >= minSamplesLeaf && cR >= minSamplesLeaf) {
        const hR = totalHessian - hL;
        if (hL >= minHessianLeaf && hR >= minHessianLeaf) {
          const gR = totalGradient - gL;
          const gain =
            bounds === undefined
              ? (gL * gL) / (hL + l2) + (gR * gR) / (hR + l2) - parentScore
              : boundedGain(gL, hL, gR, hR, l2, bounds, direction, parentScore);
          if (gain > bestGain) {
            bestGain = gain;
            setBest(best, gain, feature, bin, hasMissing ? false : cL >= cR, gL, hL, cL);
          }
        }
      }
      if (!hasMissing) continue;
      // Missing rows to the left.
      const gML = gL + missingG;
      const hML = hL + missingH;
      const cML = cL + missingC;
      cR = totalCount - cML;
      if (cML >= minSamplesLeaf && cR >= minSamplesLeaf) {
        const hR = totalHessian - hML;
        if (hML >= minHessianLeaf && hR >= minHessianLeaf) {
          const gR = totalGradient - gML;
          const gain =
            bounds === undefined
              ? (gML * gML) / (hML + l2) + (gR * gR) / (hR + l2) - parentScore
              : boundedGain(gML, hML, gR, hR, l2, bounds, direction, parentScore);
          if (gain > bestGain) {
            bestGain = gain;
            setBest(best, gain, feature, bin, true, gML, hML, cML);
          }
        }
      }
    }
  }
  return best;
}

/**
 * The gain of a split under monotonic constraints: the children take clipped values, a split
 * that orders a constrained feature's children the wrong way gets −Infinity, and the gain is the
 * loss decrease at the values the children will actually get.
 */
function boundedGain(
  gL: number,
  hL: number,
  gR: number,
  hR: number,
  l2: number,
  bounds: MonotonicBounds,
  direction: number,
  parentScore: number,
): number {
  const left = boundedValue(gL, hL, l2, bounds.lower, bounds.upper);
  const right = boundedValue(gR, hR, l2, bounds.lower, bounds.upper);
  if ((direction > 0 && left > right) || (direction < 0 && left < right)) {
    return Number.NEGATIVE_INFINITY;
  }
  return valueScore(gL, hL, l2, left) + valueScore(gR, hR, l2, right) - parentScore;
}

function setBest(
  best: SplitCandidate,
  gain: number,
  feature: number,
  bin: number,
  missingGoesLeft: boolean,
  leftGradient: number,
  leftHessian: number,
  leftCount: number,
): void {
  best.gain = gain;
  best.feature = feature;
  best.bin = bin;
  best.missingGoesLeft = missingGoesLeft;
  best.leftGradient = leftGradient;
  best.leftHessian = leftHessian;
  best.leftCount = leftCount;
}
