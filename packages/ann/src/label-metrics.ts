import { checkLists } from './recall.js';

/** A class label: a number (Fashion-MNIST's 0–9) or a name. */
export type ClassLabel = number | string;

/**
 * precision@k by label: for each query, the share of its first k results whose label equals the
 * query's, averaged over queries. The denominator is k even when fewer came back, so missing
 * results count against the index.
 *
 * @param queryLabels - label of each query.
 * @param resultLabels - per query, the labels of the results, nearest first.
 */
export function precisionAtK(
  queryLabels: ArrayLike<ClassLabel>,
  resultLabels: readonly ArrayLike<ClassLabel>[],
  k: number,
): number {
  checkLists(resultLabels.length, queryLabels.length, k, 'precisionAtK');
  if (resultLabels.length === 0) return 0;
  let total = 0;
  for (let q = 0; q < resultLabels.length; q++) {
    const want = queryLabels[q]!;
    const got = resultLabels[q]!;
    let hits = 0;
    const count = Math.min(k, got.length);
    for (let i = 0; i < count; i++) if (got[i] === want) hits++;
    total += hits / k;
  }
  return total / resultLabels.length;
}

/**
 * mAP@k by label: the mean over queries of average precision at k,
 * AP@k = Σᵢ₌₁..k P@i · relᵢ / D, where relᵢ is 1 when result i has the query's label. D is
 * min(k, number of items with that label in the index) when `relevantCounts` gives those
 * counts, otherwise the number of relevant results in the first k (AP 0 when there are none),
 * the usual convention in image-retrieval papers.
 *
 * @param relevantCounts - items per label in the index (e.g. 6,000 per Fashion-MNIST class).
 */
export function mapAtK(
  queryLabels: ArrayLike<ClassLabel>,
  resultLabels: readonly ArrayLike<ClassLabel>[],
  k: number,
  relevantCounts?: ReadonlyMap<ClassLabel, number>,
): number {
  checkLists(resultLabels.length, queryLabels.length, k, 'mapAtK');
  if (resultLabels.length === 0) return 0;
  let total = 0;
  for (let q = 0; q < resultLabels.length; q++) {
    const want = queryLabels[q]!;
    const got = resultLabels[q]!;
    let hits = 0;
    let sum = 0;
    const count = Math.min(k, got.length);
    for (let i = 0; i < count; i++) {
      if (got[i] === want) {
        hits++;
        sum += hits / (i + 1);
      }
    }
    const divisor =
      relevantCounts === undefined ? hits : Math.min(k, relevantCounts.get(want) ?? 0);
    total += divisor > 0 ? sum / divisor : 0;
  }
  return total / resultLabels.length;
}
