import { checkBinaryInputs, descendingOrder, type Labels, type Scores } from './check-inputs.js';

/**
 * Cumulative true- and false-positive counts at every distinct score, from the highest
 * score down: at index i, `tps[i]` / `fps[i]` are the (weighted) positives / negatives with
 * score ≥ `thresholds[i]`. Tied scores form one step. This is the quantity scikit-learn's
 * ROC and precision–recall curves are built from.
 */
export interface ThresholdCounts {
  /** Distinct scores, decreasing. */
  thresholds: Float64Array;
  /** Weighted true positives at score ≥ threshold. */
  tps: Float64Array;
  /** Weighted false positives at score ≥ threshold. */
  fps: Float64Array;
}

/** Computes {@link ThresholdCounts}; samples with weight 0 are left out, as scikit-learn does. */
export function countByThreshold(
  where: string,
  labels: Labels,
  scores: Scores,
  sampleWeight?: ArrayLike<number>,
): ThresholdCounts {
  checkBinaryInputs(where, labels, scores, sampleWeight);
  let order = descendingOrder(scores);
  if (sampleWeight !== undefined) order = order.filter((i) => sampleWeight[i] !== 0);
  const thresholds = new Float64Array(order.length);
  const tps = new Float64Array(order.length);
  const fps = new Float64Array(order.length);
  let steps = 0;
  let tp = 0;
  let fp = 0;
  for (let r = 0; r < order.length; r++) {
    const i = order[r]!;
    const weight = sampleWeight === undefined ? 1 : sampleWeight[i]!;
    if (labels[i] === 1) tp += weight;
    else fp += weight;
    // Close a step at the last sample of each run of equal scores.
    if (r === order.length - 1 || scores[order[r + 1]!] !== scores[i]) {
      thresholds[steps] = scores[i]!;
      tps[steps] = tp;
      fps[steps] = fp;
      steps++;
    }
  }
  return {
    thresholds: thresholds.slice(0, steps),
    tps: tps.slice(0, steps),
    fps: fps.slice(0, steps),
  };
}
