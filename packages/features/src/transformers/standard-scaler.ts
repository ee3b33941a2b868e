import { BaseEstimator, InvalidDataError, type Matrix } from '@mlsd/core';
import { z } from 'zod';
import {
  assertFittable,
  columnsByFittedNames,
  type FeatureInput,
  finiteNumbers,
  inputColumnNames,
  namedMatrix,
  nonFinite,
  numbersOf,
  rowCount,
} from './feature-input.js';
import type { Transformer } from './step.js';

const StandardScalerOptions = z
  .object({
    /** Subtract each column's mean (default true). */
    withMean: z.boolean().default(true),
    /** Divide by each column's standard deviation (default true). */
    withStd: z.boolean().default(true),
  })
  .strict();

/** Options of {@link StandardScaler}. */
export type StandardScalerOptions = z.input<typeof StandardScalerOptions>;

const StandardScalerState = z.object({
  featureNames: z.array(z.string()),
  samples: z.number().int().positive(),
  mean: z.instanceof(Float64Array),
  variance: z.instanceof(Float64Array),
  scale: z.instanceof(Float64Array),
});

type StandardScalerState = z.output<typeof StandardScalerState>;

const EPSILON = Number.EPSILON;

/**
 * Standardises numeric columns to zero mean and unit variance: `(x − mean) / std`, with the
 * population standard deviation (ddof 0), as scikit-learn's `StandardScaler`. A column that is
 * constant (up to rounding error, by scikit-learn's own bound) keeps scale 1, so it maps to 0
 * instead of dividing by zero.
 *
 * Input is a {@link Table} of numeric columns or a {@link Matrix}; output a Float64 matrix whose
 * column names are the input's. NaN or ±Infinity anywhere is an {@link InvalidDataError} naming
 * the column and the row.
 *
 * @example
 * ```ts
 * const scaler = await new StandardScaler().fit(table.select(['amount', 'hour']));
 * const z = scaler.transform(table); // Matrix, columnNames ['amount', 'hour']
 * ```
 */
export class StandardScaler
  extends BaseEstimator<z.output<typeof StandardScalerOptions>, StandardScalerState>
  implements Transformer
{
  readonly kind = 'StandardScaler';

  /** Validates the options; no other work. */
  constructor(options: StandardScalerOptions = {}) {
    super(StandardScalerOptions, options);
  }

  /**
   * Learns each column's mean and variance with scikit-learn's corrected two-pass formula.
   * @throws InvalidDataError for 0 rows or columns, a string column, or a non-finite value.
   */
  async fit(input: FeatureInput): Promise<this> {
    assertFittable(input, this.kind);
    const featureNames = inputColumnNames(input);
    const columns = columnsByFittedNames(input, featureNames, this.kind);
    const samples = rowCount(input);
    const d = featureNames.length;
    const mean = new Float64Array(d);
    const variance = new Float64Array(d);
    const scale = new Float64Array(d).fill(1);
    for (let j = 0; j < d; j++) {
      const values = finiteNumbers(columns[j]!, featureNames[j]!, `${this.kind}.fit`);
      let sum = 0;
      for (let i = 0; i < samples; i++) sum += values[i]!;
      const m = sum / samples;
      let correction = 0;
      let squares = 0;
      for (let i = 0; i < samples; i++) {
        const delta = values[i]! - m;
        correction += delta;
        squares += delta * delta;
      }
      const v = (squares - (correction * correction) / samples) / samples;
      mean[j] = m;
      variance[j] = v;
      if (this.params.withStd && !isConstant(v, m, samples)) scale[j] = Math.sqrt(v);
    }
    this.setFitted({
      featureNames,
      samples,
      mean,
      variance,
      scale,
    });
    return this;
  }

  /** Fits on `input` and returns its transform. */
  async fitTransform(input: FeatureInput): Promise<Matrix<Float64Array>> {
    await this.fit(input);
    return this.transform(input);
  }

  /**
   * `(x − mean) / scale` per column (without the mean or the scale when the options say so).
   * @throws NotFoundError / DimensionMismatchError when the fitted columns are not there.
   * @throws InvalidDataError for a string column or a non-finite value.
   */
  transform(input: FeatureInput): Matrix<Float64Array> {
    const { featureNames, mean, scale } = this.fitted;
    const columns = columnsByFittedNames(input, featureNames, `${this.kind}.transform`);
    const rows = rowCount(input);
    const d = featureNames.length;
    const out = new Float64Array(rows * d);
    for (let j = 0; j < d; j++) {
      const name = featureNames[j]!;
      const values = numbersOf(columns[j]!, name, `${this.kind}.transform`);
      const shift = this.params.withMean ? mean[j]! : 0;
      const s = scale[j]!;
      for (let i = 0, k = j; i < rows; i++, k += d) {
        const value = values[i]!;
        if (!Number.isFinite(value)) throw nonFinite(`${this.kind}.transform`, name, i, value);
        out[k] = (value - shift) / s;
      }
    }
    return namedMatrix(out, rows, featureNames);
  }

  /** Undoes {@link StandardScaler.transform}: `x · scale + mean`. */
  inverseTransform(input: FeatureInput): Matrix<Float64Array> {
    const { featureNames, mean, scale } = this.fitted;
    const columns = columnsByFittedNames(input, featureNames, `${this.kind}.inverseTransform`);
    const rows = rowCount(input);
    const d = featureNames.length;
    const out = new Float64Array(rows * d);
    for (let j = 0; j < d; j++) {
      const values = numbersOf(columns[j]!, featureNames[j]!, `${this.kind}.inverseTransform`);
      const shift = this.params.withMean ? mean[j]! : 0;
      const s = scale[j]!;
      for (let i = 0, k = j; i < rows; i++, k += d) out[k] = values[i]! * s + shift;
    }
    return namedMatrix(out, rows, featureNames);
  }

  /** Names of the output columns (the fitted input columns). */
  featureNamesOut(): string[] {
    return [...this.fitted.featureNames];
  }

  /** Per-column mean seen by `fit`. */
  get mean(): Float64Array {
    return this.fitted.mean;
  }

  /** Per-column population variance seen by `fit`. */
  get variance(): Float64Array {
    return this.fitted.variance;
  }

  /** Per-column divisor: the standard deviation, 1 for constant columns or `withStd: false`. */
  get scale(): Float64Array {
    return this.fitted.scale;
  }

  /** Number of rows `fit` saw. */
  get samplesSeen(): number {
    return this.fitted.samples;
  }

  /** Rebuilds a fitted scaler from {@link StandardScaler.toJSON} output. */
  static fromJSON(json: unknown): StandardScaler {
    const { params, state } = BaseEstimator.checkJSON(json, {
      kind: 'StandardScaler',
      version: 1,
      params: StandardScalerOptions,
      state: StandardScalerState,
    });
    checkStateLengths(state);
    const scaler = new StandardScaler(params);
    scaler.setFitted(state);
    return scaler;
  }
}

/**
 * scikit-learn's test for a column indistinguishable from a constant: its variance is within
 * the error bound of the two-pass algorithm (Chan, Golub & LeVeque).
 */
function isConstant(variance: number, mean: number, samples: number): boolean {
  const bound = samples * EPSILON * variance + (samples * mean * EPSILON) ** 2;
  return variance <= bound;
}

function checkStateLengths(state: StandardScalerState): void {
  const d = state.featureNames.length;
  if (state.mean.length !== d || state.variance.length !== d || state.scale.length !== d) {
    throw new InvalidDataError(
      `StandardScaler.fromJSON: ${d} feature names but mean/variance/scale have ${state.mean.length}/${state.variance.length}/${state.scale.length} entries.`,
    );
  }
}
