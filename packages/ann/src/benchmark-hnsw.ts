import { createProgress, DimensionMismatchError, InvalidArgumentError } from '@mlsd/core';
import { ExactIndex } from './exact-index.js';
import type { NeighbourMatrix } from './exact-knn.js';
import { HnswIndex } from './hnsw-index.js';
import type { HnswEngineName } from './hnswlib-node-engine.js';
import { measureLatency } from './latency.js';
import { neighbourLists, recallAtK } from './recall.js';
import type { Space } from './vector-index.js';

/** Neighbours per query in the benchmark: ann-benchmarks' k. */
const K = 10;

/** Options of {@link buildHnswForBenchmark}. */
export interface HnswBuildOptions {
  /** Vectors to index, `n × dim` row-major; item ids are the row numbers as strings. */
  train: Float32Array;
  /** Vector length. */
  dim: number;
  /** Distance (default l2). */
  space?: Space;
  /** Links per node (default 16). */
  M?: number;
  /** Build beam width (default 200). */
  efConstruction?: number;
  /** Draw a progress bar for the build (default: only on a terminal). */
  progress?: boolean;
  /**
   * The engine (default: `HnswIndex`'s default, our WebAssembly one). `'hnswlib-node'` needs
   * `await loadHnswlibNode()` first.
   */
  engine?: HnswEngineName;
  /**
   * hnswlib-node engine: build with our engine and hand the graph over (default true) or
   * through hnswlib's `addPoint`, one vector per call (false), as `HnswIndex`'s `bulkBuild`.
   */
  bulkBuild?: boolean;
}

/** A built index and what building it cost. */
export interface HnswBuild {
  index: HnswIndex;
  /** Seconds hnswlib took to insert every vector, one thread. */
  insertS: number;
  /** Seconds {@link optimizeBuild} took (copying the graph, when it had to). */
  optimizeS: number;
  /**
   * Whether {@link optimizeBuild} had to copy the graph (only an hnswlib-node index built by
   * `addPoint` or changed since; our engine always searches its own graph).
   */
  optimizeCopied: boolean;
  /** Resident memory growth over the build divided by n, bytes (rough: includes heap growth). */
  memoryBytesPerVector: number;
}

/**
 * Builds an {@link HnswIndex} from the rows of `train` (ids "0", "1", …) with one `addBatch`,
 * timed, on one thread, with a progress bar. Call {@link optimizeBuild} afterwards to time the
 * optimisation step (nothing to do on our engine or after an hnswlib-node bulk build).
 */
export function buildHnswForBenchmark(options: HnswBuildOptions): HnswBuild {
  const { train, dim } = options;
  const n = train.length / dim;
  if (!Number.isInteger(n) || n < 1) {
    throw new DimensionMismatchError(
      `buildHnswForBenchmark: train (${train.length} values) is not a non-empty whole number ` +
        `of ${dim}-value rows.`,
    );
  }
  const M = options.M ?? 16;
  const efConstruction = options.efConstruction ?? 200;
  const ids = Array.from({ length: n }, (_, row) => String(row));
  const rssBefore = process.memoryUsage().rss;
  const index = new HnswIndex({
    dim,
    space: options.space ?? 'l2',
    M,
    efConstruction,
    capacity: n,
    bulkBuild: options.bulkBuild ?? true,
    ...(options.engine === undefined ? {} : { engine: options.engine }),
  });
  const bar = createProgress({
    label: `building HNSW (M=${M}, efConstruction=${efConstruction})`,
    total: n,
    unit: 'vectors',
    ...(options.progress === undefined ? {} : { enabled: options.progress }),
  });
  const start = performance.now();
  index.addBatch(ids, train, undefined, { onProgress: (done) => bar.update(done) });
  const insertS = (performance.now() - start) / 1000;
  bar.finish();
  const memoryBytesPerVector = Math.max(0, process.memoryUsage().rss - rssBefore) / n;
  return { index, insertS, optimizeS: 0, optimizeCopied: false, memoryBytesPerVector };
}

/** Runs `optimizeForSearch` on a build, recording its time and the memory it added. */
export function optimizeBuild(build: HnswBuild): void {
  const n = build.index.size;
  const rssBefore = process.memoryUsage().rss;
  build.optimizeCopied = !build.index.optimizedForSearch;
  const start = performance.now();
  build.index.optimizeForSearch();
  build.optimizeS = (performance.now() - start) / 1000;
  build.memoryBytesPerVector += Math.max(0, process.memoryUsage().rss - rssBefore) / n;
}

/** One ef of a sweep. */
export interface HnswBenchmarkPoint {
  ef: number;
  /** recall@10 against exact search. */
  recallAt10: number;
  /** Queries per second, one query at a time on one thread. */
  qps: number;
  /** Median query latency, ms. */
  p50Ms: number;
  /** 99th-percentile query latency, ms. */
  p99Ms: number;
}

/**
 * For each ef, runs every query of `test` one at a time through `index.search` (k = 10) after
 * `warmup` untimed ones, and reports recall@10 against `truth` (exact neighbours by row number,
 * as the ids of {@link buildHnswForBenchmark} are), QPS and latency.
 */
export function sweepEf(
  index: HnswIndex,
  test: Float32Array,
  truth: NeighbourMatrix,
  efs: readonly number[],
  warmup = 100,
): HnswBenchmarkPoint[] {
  const dim = index.dim;
  const queries = test.length / dim;
  if (truth.count !== queries || truth.k < K) {
    throw new InvalidArgumentError(
      `sweepEf: truth must hold ≥ ${K} neighbours for each of the ${queries} queries.`,
    );
  }
  const truthIds = neighbourLists(truth).map((row) =>
    Array.from(row.subarray(0, K), (label) => String(label)),
  );
  const found: string[][] = new Array(queries);
  const warm = Math.min(warmup, queries);
  return efs.map((ef) => {
    index.ef = ef;
    for (let q = 0; q < warm; q++) index.search(test.subarray(q * dim, (q + 1) * dim), K);
    const stats = measureLatency(queries, (q) => {
      found[q] = index.search(test.subarray(q * dim, (q + 1) * dim), K).ids;
    });
    return {
      ef,
      recallAt10: recallAtK(found, truthIds, K),
      qps: stats.qps,
      p50Ms: stats.p50Ms,
      p99Ms: stats.p99Ms,
    };
  });
}

/** Exact k = 10 neighbours of `test` among `train` rows, and the exact index's queries/s. */
export function exactGroundTruth(
  train: Float32Array,
  test: Float32Array,
  dim: number,
  space: Space = 'l2',
  onProgress?: (done: number) => void,
): { truth: NeighbourMatrix; qps: number; seconds: number } {
  const n = train.length / dim;
  const exact = new ExactIndex({ dim, space, capacity: Math.max(1, n) });
  exact.addBatch(
    Array.from({ length: n }, (_, row) => String(row)),
    train,
  );
  const start = performance.now();
  const truth = exact.searchRows(test, K, onProgress === undefined ? {} : { onProgress });
  const seconds = (performance.now() - start) / 1000;
  return { truth, qps: test.length / dim / seconds, seconds };
}

/** Options of {@link benchmarkHnsw}. */
export interface HnswBenchmarkOptions extends HnswBuildOptions {
  /** Query vectors, `queries × dim` row-major. */
  test: Float32Array;
  /** Search beam widths to sweep (default 10, 20, 40, 80, 160). */
  efs?: readonly number[];
  /** Exact neighbours of the queries (k ≥ 10), when already computed; computed otherwise. */
  truth?: NeighbourMatrix;
  /** Untimed queries run before each ef's timed pass (default 100), so the JIT is warm. */
  warmup?: number;
  /**
   * Also build through hnswlib-node's `addPoint` and sweep through its own `searchKnn` (no
   * optimised copy), for comparison (default false; needs `await loadHnswlibNode()` first).
   */
  alsoNative?: boolean;
}

/** What {@link benchmarkHnsw} measured. */
export interface HnswBenchmarkResult {
  /** Vectors indexed. */
  n: number;
  dim: number;
  M: number;
  efConstruction: number;
  /** Queries run at each ef. */
  queries: number;
  /** Seconds to build the index on one thread, {@link optimizeS} included. */
  buildS: number;
  /** Of which: seconds `optimizeForSearch` took. */
  optimizeS: number;
  /** Whether `optimizeForSearch` had to copy the graph (see {@link HnswBuild.optimizeCopied}). */
  optimizeCopied: boolean;
  /**
   * Queries per second of the exact index computing the ground truth (blocked batch search);
   * null when `truth` was passed in.
   */
  exactQps: number | null;
  /** Resident memory growth over build and optimisation divided by n, bytes (rough). */
  memoryBytesPerVector: number;
  /** The recall–QPS curve (searches on the optimised copy, the default path). */
  points: HnswBenchmarkPoint[];
  /** The same sweep through hnswlib-node's `searchKnn`, when `alsoNative` was set. */
  nativePoints?: HnswBenchmarkPoint[];
}

/**
 * The ann-benchmarks protocol on an {@link HnswIndex}: compute exact ground truth with an
 * {@link ExactIndex} (timed, unless given), build from `train` and optimise it for search
 * (timed together), then for each ef run every query one at a time through the public
 * `search` API and report recall@10, QPS and latency.
 */
export function benchmarkHnsw(options: HnswBenchmarkOptions): HnswBenchmarkResult {
  const { train, test, dim } = options;
  const n = train.length / dim;
  const queries = test.length / dim;
  if (!Number.isInteger(n) || !Number.isInteger(queries) || n < 1 || queries < 1) {
    throw new DimensionMismatchError(
      `benchmarkHnsw: train (${train.length} values) and test (${test.length}) must be ` +
        `non-empty whole numbers of ${dim}-value rows.`,
    );
  }
  const efs = options.efs ?? [10, 20, 40, 80, 160];
  let truth = options.truth;
  let exactQps: number | null = null;
  if (truth === undefined) {
    const exact = exactGroundTruth(train, test, dim, options.space);
    truth = exact.truth;
    exactQps = exact.qps;
  }
  const build = buildHnswForBenchmark(options);
  let nativePoints: HnswBenchmarkPoint[] | undefined;
  if (options.alsoNative === true) {
    // hnswlib-node's own search needs an index that is not optimised: one built by addPoint.
    const plain = buildHnswForBenchmark({
      ...options,
      engine: 'hnswlib-node',
      bulkBuild: false,
      progress: false,
    });
    nativePoints = sweepEf(plain.index, test, truth, efs, options.warmup);
  }
  optimizeBuild(build);
  const points = sweepEf(build.index, test, truth, efs, options.warmup);
  return {
    n,
    dim,
    M: build.index.M,
    efConstruction: build.index.efConstruction,
    queries,
    buildS: build.insertS + build.optimizeS,
    optimizeS: build.optimizeS,
    optimizeCopied: build.optimizeCopied,
    exactQps,
    memoryBytesPerVector: build.memoryBytesPerVector,
    points,
    ...(nativePoints === undefined ? {} : { nativePoints }),
  };
}
