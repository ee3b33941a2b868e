/**
 * @mlsd/ann/internal: pieces mlsd's own benchmarks, CLI and tests use — the ann-benchmarks
 * harness behind `mlsd ann bench`, the typed top-k heaps and the norm helper of exact search.
 * Not a public API: these change with the benchmarks and kernels, without a major version.
 * @packageDocumentation
 */

export type {
  HnswBenchmarkOptions,
  HnswBenchmarkPoint,
  HnswBenchmarkResult,
  HnswBuild,
  HnswBuildOptions,
} from './benchmark-hnsw.js';
export {
  benchmarkHnsw,
  buildHnswForBenchmark,
  exactGroundTruth,
  optimizeBuild,
  sweepEf,
} from './benchmark-hnsw.js';
export { squaredNorms } from './exact-knn.js';
export { TopKHeaps } from './top-k-heaps.js';
