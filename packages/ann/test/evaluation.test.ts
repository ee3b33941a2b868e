import { describe, expect, it } from 'vitest';
import {
  estimateHnswBytesPerVector,
  latencyStats,
  mapAtK,
  measureLatency,
  neighbourLists,
  percentile,
  precisionAtK,
  recallAtK,
} from '../src/index.js';
import {
  benchmarkHnsw,
  buildHnswForBenchmark,
  exactGroundTruth,
  optimizeBuild,
  sweepEf,
} from '../src/internal.js';
import { nativeAvailable } from './native-engine.js';
import { randomVectors } from './random-vectors.js';

describe('recallAtK', () => {
  it('averages the share of true neighbours found, ignoring order', () => {
    const found = [
      ['a', 'b', 'c'],
      ['x', 'y', 'z'],
    ];
    const truth = [
      ['c', 'a', 'q'],
      ['x', 'y', 'z'],
    ];
    expect(recallAtK(found, truth, 3)).toBeCloseTo((2 / 3 + 1) / 2);
    expect(recallAtK(found, truth, 1)).toBeCloseTo((0 + 1) / 2);
  });

  it('scores a short truth list against what it has', () => {
    expect(recallAtK([[1, 2, 3]], [[2]], 3)).toBe(1);
    expect(recallAtK([[]], [[]], 3)).toBe(1);
    expect(recallAtK([[1]], [[2, 1]], 2)).toBe(0.5);
  });

  it('refuses mismatched list counts and a bad k', () => {
    expect(() => recallAtK([[1]], [], 1)).toThrow(/1 result lists but 0/);
    expect(() => recallAtK([[1]], [[1]], 0)).toThrow(/k must be/);
  });

  it('reads neighbour matrices without their padding', () => {
    const lists = neighbourLists({
      count: 2,
      k: 3,
      indices: new Int32Array([4, 5, -1, 1, 2, 3]),
      distances: new Float32Array(6),
    });
    expect(lists.map((l) => Array.from(l))).toEqual([
      [4, 5],
      [1, 2, 3],
    ]);
  });
});

describe('precisionAtK and mapAtK by label', () => {
  const queryLabels = [1, 2];
  const resultLabels = [
    [1, 0, 1, 1],
    [0, 0, 2, 0],
  ];

  it('precision@k counts matching labels over k', () => {
    expect(precisionAtK(queryLabels, resultLabels, 4)).toBeCloseTo((3 / 4 + 1 / 4) / 2);
    expect(precisionAtK(queryLabels, resultLabels, 1)).toBeCloseTo(0.5);
    // Missing results count as misses.
    expect(precisionAtK([1], [[1]], 2)).toBe(0.5);
  });

  it('mAP@k averages precision at each hit', () => {
    // Query 1: hits at ranks 1, 3, 4 → (1 + 2/3 + 3/4) / 3. Query 2: hit at rank 3 → (1/3) / 1.
    const ap1 = (1 + 2 / 3 + 3 / 4) / 3;
    const ap2 = 1 / 3;
    expect(mapAtK(queryLabels, resultLabels, 4)).toBeCloseTo((ap1 + ap2) / 2);
    // With the label counts in the index, the divisor is min(k, count).
    const counts = new Map([
      [1, 100],
      [2, 100],
    ]);
    expect(mapAtK(queryLabels, resultLabels, 4, counts)).toBeCloseTo(
      ((1 + 2 / 3 + 3 / 4) / 4 + 1 / 3 / 4) / 2,
    );
    expect(mapAtK([5], [[1, 2]], 2)).toBe(0);
  });
});

describe('latency helpers', () => {
  it('interpolates percentiles like numpy', () => {
    const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentile(sorted, 0.5)).toBeCloseTo(5.5);
    expect(percentile(sorted, 0.99)).toBeCloseTo(9.91);
    expect(percentile(sorted, 0)).toBe(1);
    expect(percentile([], 0.5)).toBeNaN();
    expect(() => percentile(sorted, 2)).toThrow(/p must be/);
  });

  it('turns per-query times into QPS and percentiles', () => {
    const stats = latencyStats(new Float64Array([2, 1, 4, 3]), 10);
    expect(stats.qps).toBeCloseTo(400);
    expect(stats.p50Ms).toBeCloseTo(2.5);
    expect(stats.meanMs).toBeCloseTo(2.5);
  });

  it('times every call of a query loop', () => {
    const seen: number[] = [];
    const stats = measureLatency(5, (i) => seen.push(i));
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    expect(stats.count).toBe(5);
    expect(stats.qps).toBeGreaterThan(0);
    expect(stats.p99Ms).toBeGreaterThanOrEqual(stats.p50Ms);
    expect(() => measureLatency(0, () => {})).toThrow(/count/);
  });
});

describe('memory estimate', () => {
  it('is dominated by the vector and its 2M level-0 links', () => {
    const bytes = estimateHnswBytesPerVector(784, 16);
    expect(bytes).toBeGreaterThan(784 * 4 + 2 * 16 * 4);
    expect(bytes).toBeLessThan(784 * 4 + 2 * 16 * 4 + 200);
    expect(estimateHnswBytesPerVector(784, 32)).toBeGreaterThan(bytes);
  });
});

describe('benchmarkHnsw', () => {
  it('builds, computes exact truth and sweeps ef, with recall rising with ef', () => {
    const dim = 16;
    const result = benchmarkHnsw({
      train: randomVectors(1500, dim, 'bench-train'),
      test: randomVectors(50, dim, 'bench-test'),
      dim,
      M: 8,
      efConstruction: 64,
      efs: [10, 100],
      warmup: 5,
      progress: false,
      alsoNative: nativeAvailable,
    });
    expect(result).toMatchObject({ n: 1500, dim, M: 8, efConstruction: 64, queries: 50 });
    expect(result.buildS).toBeGreaterThan(0);
    // Our engine searches its own graph: nothing to copy.
    expect(result.optimizeCopied).toBe(false);
    expect(result.exactQps).toBeGreaterThan(0);
    // hnswlib's own insert and search (another graph, same algorithm) recall about as much.
    expect(result.nativePoints !== undefined).toBe(nativeAvailable);
    result.nativePoints?.forEach((p, i) => {
      expect(Math.abs(p.recallAt10 - result.points[i]!.recallAt10)).toBeLessThan(0.05);
    });
    expect(result.points.map((p) => p.ef)).toEqual([10, 100]);
    expect(result.points[1]!.recallAt10).toBeGreaterThanOrEqual(0.95);
    expect(result.points[1]!.recallAt10).toBeGreaterThanOrEqual(result.points[0]!.recallAt10);
    for (const point of result.points) {
      expect(point.qps).toBeGreaterThan(0);
      expect(point.p99Ms).toBeGreaterThanOrEqual(point.p50Ms);
    }
  });
});

describe('benchmark building blocks', () => {
  it('exact truth, a timed build and an ef sweep compose into the same protocol', () => {
    const dim = 8;
    const train = randomVectors(600, dim, 'blocks-train');
    const test = randomVectors(20, dim, 'blocks-test');
    const exact = exactGroundTruth(train, test, dim);
    expect(exact.truth.count).toBe(20);
    expect(exact.truth.k).toBe(10);
    expect(exact.qps).toBeGreaterThan(0);
    const build = buildHnswForBenchmark({
      train,
      dim,
      M: 8,
      efConstruction: 40,
      progress: false,
      // hnswlib-node's addPoint build has a graph to copy for search; our engine does not.
      engine: nativeAvailable ? 'hnswlib-node' : 'wasm',
      bulkBuild: false,
    });
    expect(build.index.size).toBe(600);
    expect(build.index.optimizedForSearch).toBe(!nativeAvailable);
    optimizeBuild(build);
    expect(build.index.optimizedForSearch).toBe(true);
    expect(build.optimizeCopied).toBe(nativeAvailable);
    const [point] = sweepEf(build.index, test, exact.truth, [200], 0);
    expect(point!.ef).toBe(200);
    expect(point!.recallAt10).toBeGreaterThanOrEqual(0.99);
    expect(() => sweepEf(build.index, test.subarray(0, dim), exact.truth, [10])).toThrow(
      /truth must hold/,
    );
  });
});
