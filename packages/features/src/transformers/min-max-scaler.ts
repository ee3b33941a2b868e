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

const MinMaxScalerOptions = z
  .object({
    /** Target range `[low, high]` of the scaled training data (default [0, 1]); low < high. */
    featureRange: z
      .tuple([z.number(), z.number()])
      .refine(([low, high]) => low < high, {
        message: 'featureRange must be [low, high] with low < high',
      })
      .default([0, 1]),
    /** Clip transformed values into `featureRange` (values beyond the training range). */
    clip: z.boolean().default(false),
  })
  .strict();

/** Options of {@link MinMaxScaler}. */
export type MinMaxScalerOptions = z.input<typeof MinMaxScalerOptions>;

const MinMaxScalerState = z.object({
  featureNames: z.array(z.string()),
  dataMin: z.instanceof(Float64Array),
  dataMax: z.instanceof(Float64Array),
  scale: z.instanceof(Float64Array),
  offset: z.instanceof(Float64Array),
});

type MinMaxScalerState = z.output<typeof MinMaxScalerState>;

/**
 * Scales each numeric column linearly so that its training minimum maps to `featureRange[0]`
 * and its maximum to `featureRange[1]`: `x · scale + offset`, as scikit-learn's `MinMaxScaler`.
 * A constant column (range below 10 ε) is treated as range 1, so it maps to `featureRange[0]`.
 *
 * Input is a {@link Table} of numeric columns or a {@link Matrix}; output a Float64 matrix with
 * the input's column names. NaN or ±Infinity is an {@link InvalidDataError} naming column and row.
 */
export class MinMaxScaler
  extends BaseEstimator<z.output<typeof MinMaxScalerOptions>, MinMaxScalerState>
  implements Transformer
{
  readonly kind = 'MinMaxScaler';

  /** Validates the options; no other work. */
  constructor(options: MinMaxScalerOptions = {}) {
    super(MinMaxScalerOptions, options);
  }

  /**
   * Learns each column's minimum and maximum.
   * @throws InvalidDataError for 0 rows or columns, a string column, or a non-finite value.
   */
  async fit(input: FeatureInput): Promise<this> {
    assertFittable(input, this.kind);
    const featureNames = inputColumnNames(input);
    const columns = columnsByFittedNames(input, featureNames, this.kind);
    const rows = rowCount(input);
    const d = featureNames.length;
    const [low, high] = this.params.featureRange;
    const dataMin = new Float64Array(d);
    const dataMax = new Float64Array(d);
    const scale = new Float64Array(d);
    const offset = new Float64Array(d);
    for (let j = 0; j < d; j++) {
      const values = finiteNumbers(columns[j]!, featureNames[j]!, `${this.kind}.fit`);
      let min = values[0]!;
      let max = values[0]!;
      for (let i = 1; i < rows; i++) {
        const value = values[i]!;
        if (value < min) min = value;
        else if (value > max) max = value;
      }
      const range = max - min;
      dataMin[j] = min;
      dataMax[j] = max;
      scale[j] = (high - low) / (range < 10 * Number.EPSILON ? 1 : range);
      offset[j] = low - min * scale[j]!;
    }
    this.setFitted({
      featureNames,
      dataMin,
      dataMax,
      scale,
      offset,
    });
    return this;
  }

  /** Fits on `input` and returns its transform. */
  async fitTransform(input: FeatureInput): Promise<Matrix<Float64Array>> {
    await this.fit(input);
    return this.transform(input);
  }

  /**
   * `x · scale + offset` per column, clipped into `featureRange` when `clip` is set.
   * @throws NotFoundError / DimensionMismatchError when the fitted columns are not there.
   * @throws InvalidDataError for a string column or a non-finite value.
   */
  transform(input: FeatureInput): Matrix<Float64Array> {
    const { featureNames, scale, offset } = this.fitted;
    const where = `${this.kind}.transform`;
    const columns = columnsByFittedNames(input, featureNames, where);
    const rows = rowCount(input);
    const d = featureNames.length;
    const [low, high] = this.params.featureRange;
    const clip = this.params.clip;
    const out = new Float64Array(rows * d);
    for (let j = 0; j < d; j++) {
      const name = featureNames[j]!;
      const values = numbersOf(columns[j]!, name, where);
      const s = scale[j]!;
      const o = offset[j]!;
      for (let i = 0, k = j; i < rows; i++, k += d) {
        const value = values[i]!;
        if (!Number.isFinite(value)) throw nonFinite(where, name, i, value);
        const scaled = value * s + o;
        out[k] = clip ? Math.min(high, Math.max(low, scaled)) : scaled;
      }
    }
    return namedMatrix(out, rows, featureNames);
  }

  /** Undoes {@link MinMaxScaler.transform} (unclipped): `(x − offset) / scale`. */
  inverseTransform(input: FeatureInput): Matrix<Float64Array> {
    const { featureNames, scale, offset } = this.fitted;
    const where = `${this.kind}.inverseTransform`;
    const columns = columnsByFittedNames(input, featureNames, where);
    const rows = rowCount(input);
    const d = featureNames.length;
    const out = new Float64Array(rows * d);
    for (let j = 0; j < d; j++) {
      const values = numbersOf(columns[j]!, featureNames[j]!, where);
      const s = scale[j]!;
      const o = offset[j]!;
      for (let i = 0, k = j; i < rows; i++, k += d) out[k] = (values[i]! - o) / s;
    }
    return namedMatrix(out, rows, featureNames);
  }

  /** Names of the output columns (the fitted input columns). */
  featureNamesOut(): string[] {
    return [...this.fitted.featureNames];
  }

  /** Per-column minimum seen by `fit`. */
  get dataMin(): Float64Array {
    return this.fitted.dataMin;
  }

  /** Per-column maximum seen by `fit`. */
  get dataMax(): Float64Array {
    return this.fitted.dataMax;
  }

  /** Per-column multiplier (scikit-learn's `scale_`). */
  get scale(): Float64Array {
    return this.fitted.scale;
  }

  /** Per-column addend after scaling (scikit-learn's `min_`). */
  get offset(): Float64Array {
    return this.fitted.offset;
  }

  /** Rebuilds a fitted scaler from {@link MinMaxScaler.toJSON} output. */
  static fromJSON(json: unknown): MinMaxScaler {
    const { params, state } = BaseEstimator.checkJSON(json, {
      kind: 'MinMaxScaler',
      version: 1,
      params: MinMaxScalerOptions,
      state: MinMaxScalerState,
    });
    const d = state.featureNames.length;
    for (const [name, array] of Object.entries({
      dataMin: state.dataMin,
      dataMax: state.dataMax,
      scale: state.scale,
      offset: state.offset,
    })) {
      if (array.length !== d) {
        throw new InvalidDataError(
          `MinMaxScaler.fromJSON: ${name} has ${array.length} entries for ${d} feature names.`,
        );
      }
    }
    const scaler = new MinMaxScaler(params);
    scaler.setFitted(state);
    return scaler;
  }
}
