import type { RawScores } from './raw-scores.js';

/**
 * One fitted regression tree as parallel typed arrays, node 0 the root. Internal node `i`
 * sends a row left when its value of `feature[i]` is ≤ `threshold[i]` (equivalently, its bin
 * is ≤ `bin[i]`), right otherwise, and NaN the way `missingGoesLeft[i]` says; leaves have
 * `feature[i] = −1` and hold `value[i]` (already scaled by the learning rate).
 */
export interface RegressionTree {
  readonly feature: Int32Array;
  readonly bin: Uint8Array;
  readonly threshold: Float64Array;
  readonly missingGoesLeft: Uint8Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly value: Float64Array;
  /** Loss reduction of each split (0 at leaves), for gain importances. */
  readonly gain: Float64Array;
  /** Training rows that reached each node (the in-bag rows of its iteration). */
  readonly count: Float64Array;
}

/** Grows a {@link RegressionTree} node by node, then freezes it into typed arrays. */
export class TreeBuilder {
  readonly #feature: number[] = [];
  readonly #bin: number[] = [];
  readonly #threshold: number[] = [];
  readonly #missingGoesLeft: number[] = [];
  readonly #left: number[] = [];
  readonly #right: number[] = [];
  readonly #value: number[] = [];
  readonly #gain: number[] = [];
  readonly #count: number[] = [];

  /** Adds a node (a leaf of value 0 until {@link setSplit} or {@link setLeaf}); returns its index. */
  addNode(count: number): number {
    this.#feature.push(-1);
    this.#bin.push(0);
    this.#threshold.push(0);
    this.#missingGoesLeft.push(0);
    this.#left.push(-1);
    this.#right.push(-1);
    this.#value.push(0);
    this.#gain.push(0);
    this.#count.push(count);
    return this.#feature.length - 1;
  }

  /** Turns node `node` into a split with children `left` and `right`. */
  setSplit(
    node: number,
    split: {
      feature: number;
      bin: number;
      threshold: number;
      missingGoesLeft: boolean;
      gain: number;
      left: number;
      right: number;
    },
  ): void {
    this.#feature[node] = split.feature;
    this.#bin[node] = split.bin;
    this.#threshold[node] = split.threshold;
    this.#missingGoesLeft[node] = split.missingGoesLeft ? 1 : 0;
    this.#gain[node] = split.gain;
    this.#left[node] = split.left;
    this.#right[node] = split.right;
  }

  /** Makes node `node` a leaf of the given value. */
  setLeaf(node: number, value: number): void {
    this.#value[node] = value;
  }

  /** The finished tree. */
  build(): RegressionTree {
    return {
      feature: Int32Array.from(this.#feature),
      bin: Uint8Array.from(this.#bin),
      threshold: Float64Array.from(this.#threshold),
      missingGoesLeft: Uint8Array.from(this.#missingGoesLeft),
      left: Int32Array.from(this.#left),
      right: Int32Array.from(this.#right),
      value: Float64Array.from(this.#value),
      gain: Float64Array.from(this.#gain),
      count: Float64Array.from(this.#count),
    };
  }
}

/**
 * Adds the tree's output to the scores of rows of column-major binned data (`bins` from
 * `binMatrix`, `rows` rows). With `rowList`, only those rows are updated.
 */
export function addTreeOnBins(
  tree: RegressionTree,
  bins: Uint8Array,
  rows: number,
  missingBin: number,
  scores: RawScores,
  rowList?: ArrayLike<number>,
): void {
  const { feature, bin, missingGoesLeft, left, right, value } = tree;
  const { raw, expNegRaw } = scores;
  const factors = value.map((v) => Math.exp(-v));
  const count = rowList === undefined ? rows : rowList.length;
  for (let k = 0; k < count; k++) {
    const row = rowList === undefined ? k : rowList[k]!;
    let node = 0;
    let f = feature[0]!;
    while (f >= 0) {
      const b = bins[f * rows + row]!;
      const goLeft = b === missingBin ? missingGoesLeft[node] === 1 : b <= bin[node]!;
      node = goLeft ? left[node]! : right[node]!;
      f = feature[node]!;
    }
    raw[row] = raw[row]! + value[node]!;
    expNegRaw[row] = expNegRaw[row]! * factors[node]!;
  }
}
