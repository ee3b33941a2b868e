import { exactKnn, latencyStats, mapAtK, neighbourLists, precisionAtK, recallAtK } from '@mlsd/ann';
import { InvalidArgumentError } from '@mlsd/core';
import type { ImageSearch } from './image-search.js';

/** Queries for {@link evaluateImageSearch}: encoded images (PNG, JPEG...) and their labels. */
export interface EvaluationQueries {
  /** Encoded images, or file paths. */
  images: readonly (Uint8Array | string)[];
  labels: ArrayLike<number | string>;
  /**
   * The indexed id of each query when queries come from the catalogue itself (leave-one-out):
   * that id is left out of the query's results and of its exact neighbours.
   */
  selfIds?: readonly string[];
}

/** Options of {@link evaluateImageSearch}. */
export interface EvaluateSearchOptions {
  /** Results per query; default 10. */
  k?: number;
  /**
   * The catalogue's embeddings in index order (as `ImageSearch.build` indexed them) and its
   * ids, to measure the index's recall@k against exact search on the same embeddings.
   */
  exact?: { vectors: Float32Array; ids: readonly string[] };
  /** Called with the number of queries done. */
  onProgress?: (done: number) => void;
}

/** Retrieval quality and end-to-end speed of an image search. */
export interface SearchEvaluation {
  queries: number;
  k: number;
  /** Mean share of the top k with the query's label. */
  precisionAtK: number;
  /** Mean average precision of the top k by label. */
  mapAtK: number;
  /** Share of the exact top k the index returned (NaN without `exact`). */
  recallAtK: number;
  /** End to end, one query at a time: image bytes decoded, embedded, searched. */
  qps: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
}

/**
 * Runs every query through the whole path a service would (decode the bytes with sharp, embed,
 * search the index), one at a time, timing each; then scores the results by label, and against
 * exact search when the catalogue's embeddings are given. Labels come from each hit's
 * `metadata.label`.
 */
export async function evaluateImageSearch(
  search: ImageSearch,
  queries: EvaluationQueries,
  options: EvaluateSearchOptions = {},
): Promise<SearchEvaluation> {
  const k = options.k ?? 10;
  const count = queries.images.length;
  if (count === 0 || queries.labels.length !== count) {
    throw new InvalidArgumentError(
      `evaluateImageSearch: need one label per query image and at least one query; got ${count} images and ${queries.labels.length} labels.`,
    );
  }
  const dim = search.embedder.dim;
  const self = queries.selfIds;
  // Leave-one-out asks for one more neighbour and drops the query's own image.
  const extra = self === undefined ? 0 : 1;
  const queryVectors = new Float32Array(count * dim);
  const resultLabels: (number | string)[][] = [];
  const resultIds: string[][] = [];
  const times = new Float64Array(count);
  const started = performance.now();
  for (let q = 0; q < count; q++) {
    const t0 = performance.now();
    const pixels = await search.embedderInput(queries.images[q]!);
    const vector = await search.embedder.embed(pixels, 1);
    const hits = search.queryEmbedding(vector, k + extra);
    times[q] = performance.now() - t0;
    queryVectors.set(vector, q * dim);
    const kept = hits.filter((hit) => hit.id !== self?.[q]).slice(0, k);
    resultIds.push(kept.map((hit) => hit.id));
    resultLabels.push(kept.map((hit) => hit.metadata?.label ?? Number.NaN));
    if ((q + 1) % 100 === 0 || q + 1 === count) options.onProgress?.(q + 1);
  }
  const speed = latencyStats(times, performance.now() - started);
  let recall = Number.NaN;
  if (options.exact !== undefined) {
    const { vectors, ids } = options.exact;
    const truth = neighbourLists(
      exactKnn(vectors, queryVectors, dim, k + extra, { space: 'cosine' }),
    );
    recall = recallAtK(
      resultIds,
      truth.map((row, q) =>
        Array.from(row, (index) => ids[index]!)
          .filter((id) => id !== self?.[q])
          .slice(0, k),
      ),
      k,
    );
  }
  return {
    queries: count,
    k,
    precisionAtK: precisionAtK(queries.labels, resultLabels, k),
    mapAtK: mapAtK(queries.labels, resultLabels, k),
    recallAtK: recall,
    qps: speed.qps,
    p50Ms: speed.p50Ms,
    p99Ms: speed.p99Ms,
    meanMs: speed.meanMs,
  };
}
