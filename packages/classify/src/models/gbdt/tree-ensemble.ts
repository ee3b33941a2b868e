import type { Matrix } from '@mlsd/core';
import type { RegressionTree } from './regression-tree.js';

/**
 * Every tree of a fitted model in one set of parallel arrays (the layout stored in JSON).
 * Tree `t` holds nodes `treeStarts[t] .. treeStarts[t+1]−1`, its root first; `left`/`right`
 * are absolute node indices. Node semantics as {@link RegressionTree}.
 */
export interface TreeEnsemble {
  /** Raw score before any tree: log-odds of the weighted positive share. */
  baseline: number;
  treeStarts: Int32Array;
  feature: Int32Array;
  threshold: Float64Array;
  missingGoesLeft: Uint8Array;
  left: Int32Array;
  right: Int32Array;
  value: Float64Array;
  gain: Float64Array;
  count: Float64Array;
}

/** Concatenates trees into a {@link TreeEnsemble}. */
export function concatTrees(trees: readonly RegressionTree[], baseline: number): TreeEnsemble {
  const total = trees.reduce((sum, tree) => sum + tree.feature.length, 0);
  const ensemble: TreeEnsemble = {
    baseline,
    treeStarts: new Int32Array(trees.length + 1),
    feature: new Int32Array(total),
    threshold: new Float64Array(total),
    missingGoesLeft: new Uint8Array(total),
    left: new Int32Array(total),
    right: new Int32Array(total),
    value: new Float64Array(total),
    gain: new Float64Array(total),
    count: new Float64Array(total),
  };
  let offset = 0;
  trees.forEach((tree, t) => {
    ensemble.treeStarts[t] = offset;
    ensemble.feature.set(tree.feature, offset);
    ensemble.threshold.set(tree.threshold, offset);
    ensemble.missingGoesLeft.set(tree.missingGoesLeft, offset);
    ensemble.value.set(tree.value, offset);
    ensemble.gain.set(tree.gain, offset);
    ensemble.count.set(tree.count, offset);
    for (let k = 0; k < tree.feature.length; k++) {
      ensemble.left[offset + k] = tree.left[k]! < 0 ? -1 : tree.left[k]! + offset;
      ensemble.right[offset + k] = tree.right[k]! < 0 ? -1 : tree.right[k]! + offset;
    }
    offset += tree.feature.length;
  });
  ensemble.treeStarts[trees.length] = offset;
  return ensemble;
}

/** Number of trees in the ensemble. */
export function treeCount(ensemble: TreeEnsemble): number {
  return ensemble.treeStarts.length - 1;
}

/**
 * Raw scores (log-odds) of every row of `matrix`: baseline plus every tree's leaf value, the
 * trees walked on the raw feature values (x ≤ threshold goes left, NaN as learned).
 */
export function predictRaw(ensemble: TreeEnsemble, matrix: Matrix): Float64Array {
  const { data, rows, cols } = matrix;
  const { treeStarts, feature, threshold, missingGoesLeft, left, right, value, baseline } =
    ensemble;
  const trees = treeStarts.length - 1;
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const rowBase = i * cols;
    let score = baseline;
    for (let t = 0; t < trees; t++) {
      let node = treeStarts[t]!;
      let f = feature[node]!;
      while (f >= 0) {
        const x = data[rowBase + f]!;
        const goLeft = Number.isNaN(x) ? missingGoesLeft[node] === 1 : x <= threshold[node]!;
        node = goLeft ? left[node]! : right[node]!;
        f = feature[node]!;
      }
      score += value[node]!;
    }
    out[i] = score;
  }
  return out;
}

/** Total split gain per feature, normalised to sum 1 (all zeros when no tree split). */
export function gainImportances(ensemble: TreeEnsemble, featureCount: number): Float64Array {
  const importances = new Float64Array(featureCount);
  let total = 0;
  for (let k = 0; k < ensemble.feature.length; k++) {
    const f = ensemble.feature[k]!;
    if (f >= 0) {
      importances[f] = importances[f]! + ensemble.gain[k]!;
      total += ensemble.gain[k]!;
    }
  }
  if (total > 0) for (let f = 0; f < featureCount; f++) importances[f] = importances[f]! / total;
  return importances;
}
