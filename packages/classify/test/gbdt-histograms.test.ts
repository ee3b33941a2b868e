import { Rng, toMatrix } from '@mlsd/core';
import { describe, expect, it } from 'vitest';
import { binMatrix, distinctValues, findBinEdges } from '../src/models/gbdt/bin-mapper.js';
import {
  buildHistogram,
  HISTOGRAM_STRIDE,
  type HistogramSource,
  histogramLength,
  subtractHistogram,
} from '../src/models/gbdt/histogram.js';
import { findBestSplit } from '../src/models/gbdt/split-finder.js';

describe('findBinEdges / binMatrix', () => {
  it('cuts between distinct values when there are few, and puts NaN in the missing bin', () => {
    const X = toMatrix(new Float64Array([3, 1, Number.NaN, 2, 1, 3]), 6, 1);
    const edges = findBinEdges(X, 255);
    expect([...edges.edges[0]!]).toEqual([1.5, 2.5]);
    expect(edges.missingBin).toBe(255);
    expect([...binMatrix(X, edges)]).toEqual([2, 0, 255, 1, 0, 2]);
  });

  it('uses quantiles when there are more distinct values than bins', () => {
    const rng = new Rng(1);
    const n = 10_000;
    const X = toMatrix(
      Float64Array.from({ length: n }, () => rng.normal()),
      n,
      1,
    );
    const edges = findBinEdges(X, 16);
    expect(edges.edges[0]!.length).toBe(15);
    const counts = new Array(16).fill(0);
    for (const b of binMatrix(X, edges)) counts[b]++;
    for (const count of counts) expect(Math.abs(count - n / 16)).toBeLessThan(2);
  });

  it('finds few distinct values by hashing, as a sorted scan would, and gives up past the limit', () => {
    const rng = new Rng(3);
    for (const levels of [1, 2, 17, 255]) {
      const values = Float64Array.from({ length: 5000 }, () => rng.integer(0, levels) * 0.37 - 20);
      const expected = [...new Set(values)].sort((a, b) => a - b);
      expect([...distinctValues(values, 255)!]).toEqual(expected);
    }
    const many = Float64Array.from({ length: 5000 }, () => rng.normal());
    expect(distinctValues(many, 255)).toBeNull();
    expect(distinctValues(Float64Array.from([1, 2, 3]), 2)).toBeNull();
    expect([...distinctValues(Float64Array.from([0, -0, 5, -0]), 2)!]).toEqual([0, 5]);
    expect(distinctValues(new Float64Array(0), 4)!.length).toBe(0);
    // Edges from the hash path equal those from sorting the column.
    const X = toMatrix(Float64Array.from([3, -0, 1, 0, 2, Number.NaN, 1, 3]), 8, 1);
    expect([...findBinEdges(X, 255).edges[0]!]).toEqual([0.5, 1.5, 2.5]);
  });

  it('transposes to column-major and bins only the listed rows', () => {
    const X = toMatrix(new Float64Array([0, 10, 1, 11, 2, 12]), 3, 2);
    const edges = findBinEdges(X, 255);
    expect([...binMatrix(X, edges)]).toEqual([0, 1, 2, 0, 1, 2]);
    expect([...binMatrix(X, edges, [2, 0])]).toEqual([2, 0, 2, 0]);
  });
});

describe('histograms and splits', () => {
  const rng = new Rng(2);
  const rows = 500;
  const features = 3;
  const slots = 9;
  const bins = Uint8Array.from({ length: rows * features }, () => rng.integer(0, slots));
  const gradients = Float64Array.from({ length: rows }, () => rng.normal());
  const hessians = Float64Array.from({ length: rows }, () => rng.uniform(0.1, 0.3));
  const gradHess = new Float64Array(2 * rows);
  for (let i = 0; i < rows; i++) {
    gradHess[2 * i] = gradients[i]!;
    gradHess[2 * i + 1] = hessians[i]!;
  }
  const source: HistogramSource = { bins, rows, slots, gradHess };
  const all = Int32Array.from([0, 1, 2]);
  const size = histogramLength(features, slots);
  const used = features * slots * HISTOGRAM_STRIDE;

  it('sums gradients, hessians and counts per bin, and the subtraction trick matches a direct build', () => {
    const identity = Uint32Array.from({ length: rows }, (_, i) => i);
    const parent = new Float64Array(size);
    buildHistogram(parent, source, all, identity, 0, rows);
    // The contiguous path with known counts gives the same histogram.
    const fast = new Float64Array(size);
    buildHistogram(fast, source, all, identity, 0, rows, parent);
    for (let k = 0; k < used; k++) expect(fast[k]!).toBeCloseTo(parent[k]!, 12);
    let g = 0;
    for (let i = 0; i < rows; i++) if (bins[rows + i] === 4) g += gradients[i]!;
    expect(parent[(slots + 4) * HISTOGRAM_STRIDE]!).toBeCloseTo(g, 12);

    const half = rng.shuffle(Uint32Array.from(identity));
    const left = new Float64Array(size);
    const right = new Float64Array(size);
    const subtracted = new Float64Array(size);
    buildHistogram(left, source, all, half, 0, 200);
    buildHistogram(right, source, all, half, 200, rows);
    subtractHistogram(subtracted, parent, left, all, slots);
    for (let k = 0; k < used; k++) expect(subtracted[k]!).toBeCloseTo(right[k]!, 10);
    let count = 0;
    for (let k = 2; k < used; k += HISTOGRAM_STRIDE) count += left[k]!;
    expect(count).toBe(200 * features);
  });

  it('finds the split of largest second-order gain, with missing values on the better side', () => {
    // One feature, bins 0..2 plus missing bin 3; gradients push bins 0 and missing one way.
    const histogram = new Float64Array([-4, 2, 2, 4, 2, 2, 4, 2, 2, -4, 2, 2]);
    const split = findBestSplit(histogram, Int32Array.from([0]), Int32Array.from([3]), 3, 0, 8, 8, {
      minSamplesLeaf: 1,
      minHessianLeaf: 0,
      l2: 0,
    });
    expect(split.feature).toBe(0);
    expect(split.bin).toBe(0);
    expect(split.missingGoesLeft).toBe(true);
    expect(split.leftCount).toBe(4);
    // G_L²/H_L + G_R²/H_R − G²/H = 64/4 + 64/4 − 0.
    expect(split.gain).toBeCloseTo(32, 12);
    const constrained = findBestSplit(
      histogram,
      Int32Array.from([0]),
      Int32Array.from([3]),
      3,
      0,
      8,
      8,
      { minSamplesLeaf: 5, minHessianLeaf: 0, l2: 0 },
    );
    expect(constrained.gain).toBe(0);
    const penalised = findBestSplit(
      histogram,
      Int32Array.from([0]),
      Int32Array.from([3]),
      3,
      0,
      8,
      8,
      {
        minSamplesLeaf: 1,
        minHessianLeaf: 0,
        l2: 4,
      },
    );
    expect(penalised.gain).toBeCloseTo(64 / 8 + 64 / 8, 12);
  });
});
