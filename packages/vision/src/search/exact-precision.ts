import { exactKnn, neighbourLists, precisionAtK } from '@mlsd/ann';

/**
 * precision@k of exact cosine search by label: each query's `k` nearest catalogue vectors, the
 * share with the query's label, averaged. Measures a representation without an index's error.
 * @param catalogue - `catalogueLabels.length × dim` vectors; @param queries - `queryLabels.length × dim`.
 */
export function exactPrecisionAtK(
  catalogue: Float32Array,
  catalogueLabels: ArrayLike<number | string>,
  queries: Float32Array,
  queryLabels: ArrayLike<number | string>,
  dim: number,
  k: number,
): number {
  const neighbours = neighbourLists(exactKnn(catalogue, queries, dim, k, { space: 'cosine' }));
  return precisionAtK(
    queryLabels,
    neighbours.map((row) => Array.from(row, (index) => catalogueLabels[index]!)),
    k,
  );
}
