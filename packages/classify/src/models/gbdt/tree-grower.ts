import { type Histogram, histogramLength, subtractHistogram } from './histogram.js';
import { addToScores, type RawScores } from './raw-scores.js';
import type { RegressionTree } from './regression-tree.js';
import { TreeBuilder } from './regression-tree.js';
import {
  boundedValue,
  findBestSplit,
  noSplit,
  type SplitCandidate,
  type SplitConstraints,
} from './split-finder.js';
import type { TrainingMemory } from './training-memory.js';

/** What stays the same for every tree of one fit. */
export interface GrowerSetup {
  /** Binned training rows, gradients and row indices, and the loops over them. */
  readonly memory: TrainingMemory;
  /** Upper bin edges of every feature (from `findBinEdges`), to turn a bin into a threshold. */
  readonly edges: readonly Float64Array[];
  /** Non-missing bins per feature (`edges[f].length + 1`). */
  readonly binCounts: Int32Array;
  readonly missingBin: number;
  readonly constraints: SplitConstraints;
  /** Leaves per tree at most (Infinity for no limit). */
  readonly maxLeafNodes: number;
  /** Depth at most (Infinity for no limit). */
  readonly maxDepth: number;
  readonly learningRate: number;
  /**
   * Per feature: +1 predictions may only rise with it, −1 only fall, 0 free. Undefined when no
   * feature is constrained (the unconstrained split search then runs unchanged).
   */
  readonly monotonic?: Int8Array | undefined;
}

/** The rows and features one tree is grown on. */
export interface TreeSample {
  /** Rows to grow on: `memory.rowIndices[0, count)`, reordered in place into leaf ranges. */
  readonly count: number;
  /** True when `rowIndices[0..count)` is 0..rows−1 in order (no row subsampling). */
  readonly contiguous: boolean;
  /** Features the tree may split on. */
  readonly features: Int32Array;
}

interface GrowingNode {
  index: number;
  start: number;
  end: number;
  depth: number;
  gradient: number;
  hessian: number;
  histogram: Histogram;
  split: SplitCandidate;
  /** Value bounds (before shrinkage) under monotonic constraints; ±Infinity otherwise. */
  lower: number;
  upper: number;
}

/**
 * Grows regression trees on gradient histograms, best-first as LightGBM and scikit-learn's
 * `HistGradientBoosting*`: the open leaf whose best split gains most is split next, until
 * `maxLeafNodes` leaves or no split gains. Leaf values are Newton steps
 * −learningRate · G / (H + λ). Histogram buffers are pooled across nodes and trees.
 */
export class TreeGrower {
  readonly #setup: GrowerSetup;
  /** Per bin: 1 when the split being applied sends it left. */
  readonly #goesLeft = new Uint8Array(256);
  readonly #pool: Histogram[] = [];
  readonly #histogramSize: number;
  /** Counts of the full-data root histogram, reused by every tree grown on all rows. */
  #rootCounts: Histogram | undefined;

  constructor(setup: GrowerSetup) {
    this.#setup = setup;
    this.#histogramSize = histogramLength(setup.binCounts.length, setup.missingBin + 1);
  }

  /**
   * Grows one tree on `sample` with the gradients currently in the setup's memory, and adds
   * each leaf's value to the scores of the sampled rows that reach it.
   */
  grow(sample: TreeSample, scores: RawScores): RegressionTree {
    const setup = this.#setup;
    const { memory } = setup;
    const { rowIndices } = memory;
    const { count, features } = sample;
    const slots = setup.missingBin + 1;
    const builder = new TreeBuilder();

    let gradient = 0;
    let hessian = 0;
    const { gradHess } = memory;
    if (sample.contiguous) {
      for (let k = 0; k < 2 * count; k += 2) {
        gradient += gradHess[k]!;
        hessian += gradHess[k + 1]!;
      }
    } else {
      for (let k = 0; k < count; k++) {
        const row = rowIndices[k]!;
        gradient += gradHess[2 * row]!;
        hessian += gradHess[2 * row + 1]!;
      }
    }
    const rootHistogram = this.#take();
    if (sample.contiguous && this.#rootCounts === undefined) {
      // The root's row counts per bin are the same every iteration: count them once.
      const allFeatures = Int32Array.from({ length: setup.binCounts.length }, (_, f) => f);
      this.#rootCounts = new Float64Array(this.#histogramSize);
      memory.buildHistogram(this.#rootCounts, allFeatures, 0, count);
    }
    memory.buildHistogram(
      rootHistogram,
      features,
      0,
      count,
      sample.contiguous ? this.#rootCounts : undefined,
    );
    const root: GrowingNode = {
      index: builder.addNode(count),
      start: 0,
      end: count,
      depth: 0,
      gradient,
      hessian,
      histogram: rootHistogram,
      split: noSplit(),
      lower: Number.NEGATIVE_INFINITY,
      upper: Number.POSITIVE_INFINITY,
    };
    if (this.#canSplit(root)) root.split = this.#bestSplit(root, features);

    const open: GrowingNode[] = [];
    let leaves = 1;
    if (root.split.gain > 0) open.push(root);
    else {
      this.#release(rootHistogram);
      this.#finishLeaf(builder, root, rowIndices, scores);
    }

    while (open.length > 0 && leaves < setup.maxLeafNodes) {
      const node = popBest(open);
      leaves++;
      const [left, right] = this.#split(builder, node);
      if (leaves >= setup.maxLeafNodes) {
        this.#release(node.histogram);
        this.#finishLeaf(builder, left, rowIndices, scores);
        this.#finishLeaf(builder, right, rowIndices, scores);
        break;
      }
      const leftCanSplit = this.#canSplit(left);
      const rightCanSplit = this.#canSplit(right);
      if (!leftCanSplit && !rightCanSplit) {
        this.#release(node.histogram);
        this.#finishLeaf(builder, left, rowIndices, scores);
        this.#finishLeaf(builder, right, rowIndices, scores);
        continue;
      }
      // Build the smaller child from its rows; the larger is parent − smaller, in place.
      const leftSmaller = left.end - left.start <= right.end - right.start;
      const small = leftSmaller ? left : right;
      const large = leftSmaller ? right : left;
      small.histogram = this.#take();
      memory.buildHistogram(small.histogram, features, small.start, small.end);
      subtractHistogram(node.histogram, node.histogram, small.histogram, features, slots);
      large.histogram = node.histogram;
      for (const child of [left, right]) {
        if (child === left ? leftCanSplit : rightCanSplit) {
          child.split = this.#bestSplit(child, features);
        }
        if (child.split.gain > 0) open.push(child);
        else {
          this.#release(child.histogram);
          this.#finishLeaf(builder, child, rowIndices, scores);
        }
      }
    }
    for (const node of open) {
      this.#release(node.histogram);
      this.#finishLeaf(builder, node, rowIndices, scores);
    }
    return builder.build();
  }

  #canSplit(node: GrowingNode): boolean {
    return (
      node.depth < this.#setup.maxDepth &&
      node.end - node.start >= 2 * this.#setup.constraints.minSamplesLeaf
    );
  }

  #bestSplit(node: GrowingNode, features: Int32Array): SplitCandidate {
    const setup = this.#setup;
    const { monotonic } = setup;
    return findBestSplit(
      node.histogram,
      features,
      setup.binCounts,
      setup.missingBin,
      node.gradient,
      node.hessian,
      node.end - node.start,
      setup.constraints,
      monotonic === undefined ? undefined : { monotonic, lower: node.lower, upper: node.upper },
    );
  }

  /** Partitions the node's rows and records the split; returns the two children. */
  #split(builder: TreeBuilder, node: GrowingNode): [GrowingNode, GrowingNode] {
    const { memory, edges, missingBin } = this.#setup;
    const { feature, bin, missingGoesLeft } = node.split;
    const goesLeft = this.#goesLeft;
    for (let b = 0; b < goesLeft.length; b++) goesLeft[b] = b <= bin ? 1 : 0;
    goesLeft[missingBin] = missingGoesLeft ? 1 : 0;
    const leftEnd = memory.partition(node.start, node.end, feature, goesLeft, node.split.leftCount);

    const featureEdges = edges[feature]!;
    const left = childNode(
      builder,
      node,
      node.start,
      leftEnd,
      node.split.leftGradient,
      node.split.leftHessian,
    );
    const right = childNode(
      builder,
      node,
      leftEnd,
      node.end,
      node.gradient - node.split.leftGradient,
      node.hessian - node.split.leftHessian,
    );
    const direction = this.#setup.monotonic?.[feature] ?? 0;
    if (direction !== 0) {
      // Children of a constrained split meet at the midpoint of their values, so that nothing
      // grown below either can cross the other.
      const { l2 } = this.#setup.constraints;
      const middle =
        (boundedValue(left.gradient, left.hessian, l2, left.lower, left.upper) +
          boundedValue(right.gradient, right.hessian, l2, right.lower, right.upper)) /
        2;
      if (direction > 0) {
        left.upper = middle;
        right.lower = middle;
      } else {
        left.lower = middle;
        right.upper = middle;
      }
    }
    builder.setSplit(node.index, {
      feature,
      bin,
      threshold: bin < featureEdges.length ? featureEdges[bin]! : Number.POSITIVE_INFINITY,
      missingGoesLeft,
      gain: node.split.gain,
      left: left.index,
      right: right.index,
    });
    return [left, right];
  }

  #finishLeaf(
    builder: TreeBuilder,
    node: GrowingNode,
    rowIndices: Uint32Array,
    scores: RawScores,
  ): void {
    const { learningRate, constraints, monotonic } = this.#setup;
    const denominator = node.hessian + constraints.l2;
    const value =
      monotonic !== undefined
        ? learningRate *
          boundedValue(node.gradient, node.hessian, constraints.l2, node.lower, node.upper)
        : denominator > 0
          ? (-learningRate * node.gradient) / denominator
          : 0;
    builder.setLeaf(node.index, value);
    addToScores(scores, value, rowIndices, node.start, node.end);
  }

  #take(): Histogram {
    return this.#pool.pop() ?? new Float64Array(this.#histogramSize);
  }

  #release(histogram: Histogram): void {
    if (histogram.length > 0) this.#pool.push(histogram);
  }
}

const EMPTY_HISTOGRAM: Histogram = new Float64Array(0);

function childNode(
  builder: TreeBuilder,
  parent: GrowingNode,
  start: number,
  end: number,
  gradient: number,
  hessian: number,
): GrowingNode {
  return {
    index: builder.addNode(end - start),
    start,
    end,
    depth: parent.depth + 1,
    gradient,
    hessian,
    histogram: EMPTY_HISTOGRAM,
    split: noSplit(),
    lower: parent.lower,
    upper: parent.upper,
  };
}

/** Removes and returns the open node of largest gain (few open nodes: a linear scan is enough). */
function popBest(open: GrowingNode[]): GrowingNode {
  let best = 0;
  for (let k = 1; k < open.length; k++) if (open[k]!.split.gain > open[best]!.split.gain) best = k;
  const node = open[best]!;
  open[best] = open[open.length - 1]!;
  open.pop();
  return node;
}
