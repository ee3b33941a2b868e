import { InvalidArgumentError, InvalidDataError } from '@mlsd/core';
import { z } from 'zod';

/**
 * How to weight the two classes of a binary problem, as scikit-learn's `class_weight`:
 * `'none'` (every row 1), `'balanced'` (row of class c weighs n / (2 · count_c), so both classes
 * carry the same total weight), or explicit weights per class.
 */
export type ClassWeight = 'none' | 'balanced' | { 0: number; 1: number };

/** zod schema of {@link ClassWeight}, for model option schemas. */
export const ClassWeightSchema = z.union([
  z.literal('none'),
  z.literal('balanced'),
  z.object({ 0: z.number().positive().finite(), 1: z.number().positive().finite() }).strict(),
]);

/** Binary labels: 0 = legitimate, 1 = fraud (any typed or plain array of 0/1). */
export type BinaryLabels = ArrayLike<number>;

/** Options of {@link resolveSampleWeights}. */
export interface SampleWeightOptions {
  /** Class weighting; default `'none'`. */
  classWeight?: ClassWeight;
  /** Per-row weights (non-negative, finite), multiplied with the class weights. */
  sampleWeight?: ArrayLike<number>;
}

/**
 * Checks that `y` holds only 0 and 1 and counts each class.
 * @throws InvalidDataError naming the first row with another value.
 */
export function countBinaryLabels(y: BinaryLabels): { negatives: number; positives: number } {
  let positives = 0;
  for (let i = 0; i < y.length; i++) {
    const label = y[i];
    if (label === 1) positives++;
    else if (label !== 0) {
      throw new InvalidDataError(
        `Labels must be 0 or 1; row ${i} is ${String(label)}. Encode the fraud class as 1.`,
        { row: i, value: label },
      );
    }
  }
  return { negatives: y.length - positives, positives };
}

/**
 * The weight of every row: class weight × sample weight, as scikit-learn combines
 * `class_weight` and `sample_weight`.
 * @throws InvalidDataError for labels other than 0/1, a length mismatch, or a negative or
 * non-finite sample weight; InvalidArgumentError when `'balanced'` meets a single class.
 */
export function resolveSampleWeights(
  y: BinaryLabels,
  options: SampleWeightOptions = {},
): Float64Array {
  const { negatives, positives } = countBinaryLabels(y);
  const classWeight = ClassWeightSchema.parse(options.classWeight ?? 'none');
  let w0 = 1;
  let w1 = 1;
  if (classWeight === 'balanced') {
    if (negatives === 0 || positives === 0) {
      throw new InvalidArgumentError(
        `classWeight 'balanced' needs both classes; got ${negatives} negatives and ${positives} positives.`,
      );
    }
    w0 = y.length / (2 * negatives);
    w1 = y.length / (2 * positives);
  } else if (classWeight !== 'none') {
    w0 = classWeight[0];
    w1 = classWeight[1];
  }
  const weights = new Float64Array(y.length);
  const sample = options.sampleWeight;
  if (sample !== undefined && sample.length !== y.length) {
    throw new InvalidDataError(
      `sampleWeight has ${sample.length} values but there are ${y.length} labels.`,
    );
  }
  for (let i = 0; i < y.length; i++) {
    let weight = y[i] === 1 ? w1 : w0;
    if (sample !== undefined) {
      const s = sample[i]!;
      if (!(s >= 0) || !Number.isFinite(s)) {
        throw new InvalidDataError(`sampleWeight[${i}] is ${s}; weights must be finite and >= 0.`, {
          row: i,
        });
      }
      weight *= s;
    }
    weights[i] = weight;
  }
  return weights;
}
