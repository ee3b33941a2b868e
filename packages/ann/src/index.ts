/**
 * @mlsd/ann: nearest-neighbour search behind one interface (our HNSW in JavaScript +
 * WebAssembly, hnswlib-node optionally, exact brute force), with string ids, metadata filters,
 * deletes, persistence, a backend registry and evaluation helpers.
 * @packageDocumentation
 */

export type { AsyncVectorIndex } from './async-vector-index.js';
export { isAsyncIndex, toAsyncIndex } from './async-vector-index.js';
export type { ExactIndexOptions } from './exact-index.js';
export { ExactIndex } from './exact-index.js';
export type { ExactKnnOptions, NeighbourMatrix } from './exact-knn.js';
export { exactKnn } from './exact-knn.js';
export type { HnswIndexOptions } from './hnsw-index.js';
export { HnswIndex } from './hnsw-index.js';
export type { HnswEngineName } from './hnswlib-node-engine.js';
export { HNSW_ENGINE_ENV, loadHnswlibNode } from './hnswlib-node-engine.js';
export type { IndexParams, LoadIndexExpectations } from './index-artifact.js';
export { INDEX_ARTIFACT_KIND, INDEX_FORMAT_VERSION } from './index-artifact.js';
export type { IndexBackend } from './index-backends.js';
export {
  indexBackendTypes,
  registerIndexBackend,
  unregisterIndexBackend,
} from './index-backends.js';
export type { ClassLabel } from './label-metrics.js';
export { mapAtK, precisionAtK } from './label-metrics.js';
export type { LatencyStats } from './latency.js';
export { latencyStats, measureLatency, percentile } from './latency.js';
export { loadAsyncIndex, loadIndex } from './load-index.js';
export { estimateHnswBytesPerVector } from './memory.js';
export { neighbourLists, recallAtK } from './recall.js';
export type {
  Metadata,
  SearchFilter,
  SearchOptions,
  SearchResult,
  Space,
  VectorIndex,
} from './vector-index.js';
export { SPACES } from './vector-index.js';
