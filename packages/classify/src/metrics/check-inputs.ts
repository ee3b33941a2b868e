import { DimensionMismatchError, InvalidDataError } from '@mlsd/core';

/** Labels are 0/1 numbers (any typed array or number[]). */
export type Labels = ArrayLike<number>;
/** Scores: higher means more likely positive. */
export type Scores = ArrayLike<number>;

/**
 * Checks that labels are 0/1, scores finite, weights (if any) finite and ≥ 0, and all three
 * of one length. Throws a typed error naming the first bad position.
 */
export function checkBinaryInputs(
  where: string,
  labels: Labels,
  scores: Scores,
  sampleWeight?: ArrayLike<number>,
): void {
  if (labels.length !== scores.length) {
    throw new DimensionMismatchError(
      `${where}: ${labels.length} labels but ${scores.length} scores; they must pair up.`,
    );
  }
  if (sampleWeight !== undefined && sampleWeight.length !== labels.length) {
    throw new DimensionMismatchError(
      `${where}: ${sampleWeight.length} sample weights for ${labels.length} labels.`,
    );
  }
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (label !== 0 && label !== 1) {
      throw new InvalidDataError(
        `${where}: label at index ${i} is ${label}; labels must be 0 or 1.`,
        {
          index: i,
        },
      );
    }
    if (!Number.isFinite(scores[i]!)) {
      throw new InvalidDataError(
        `${where}: score at index ${i} is ${scores[i]}; scores must be finite.`,
        {
          index: i,
        },
      );
    }
    if (
      sampleWeight !== undefined &&
      !(sampleWeight[i]! >= 0 && Number.isFinite(sampleWeight[i]!))
    ) {
      throw new InvalidDataError(
        `${where}: sample weight at index ${i} is ${sampleWeight[i]}; weights must be finite and >= 0.`,
        { index: i },
      );
    }
  }
}

/** Indices that sort `scores` from highest to lowest (ties keep index order). */
export function descendingOrder(scores: Scores): Int32Array {
  const order = new Int32Array(scores.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  order.sort((a, b) => scores[b]! - scores[a]! || a - b);
  return order;
}
