import { BaseEstimator, InvalidArgumentError, InvalidDataError, type Matrix } from '@mlsd/core';
import { z } from 'zod';
import {
  CategoriesOptionSchema,
  type ColumnCategories,
  ColumnCategoriesSchema,
  encodeInput,
  learnInputCategories,
  unknownCategoryError,
} from './category-values.js';
import { type FeatureInput, namedMatrix, rowCount } from './feature-input.js';
import type { EncodingResult } from './one-hot-encoder.js';
import type { Transformer } from './step.js';
import { type UnknownCategoryReport, UnknownCategoryTally } from './unknown-categories.js';

const OrdinalEncoderOptions = z
  .object({
    /**
     * `'auto'` (default) learns each column's sorted distinct values; or give one list per
     * input column, used in the given order (e.g. a fixed vocabulary of merchant categories).
     */
    categories: CategoriesOptionSchema,
    /**
     * What to do with a category not seen at fit: `'useEncodedValue'` (default) writes
     * `unknownValue` and reports it; `'error'` throws naming it.
     */
    handleUnknown: z.enum(['error', 'useEncodedValue']).default('useEncodedValue'),
    /** Code written for unknown categories (default -1); must not be a code of a known category. */
    unknownValue: z.number().int().default(-1),
  })
  .strict();

/** Options of {@link OrdinalEncoder}. */
export type OrdinalEncoderOptions = z.input<typeof OrdinalEncoderOptions>;

const OrdinalEncoderState = z.object({
  featureNames: z.array(z.string()),
  categories: z.array(ColumnCategoriesSchema),
});

type OrdinalEncoderState = z.output<typeof OrdinalEncoderState>;

/**
 * Encodes each categorical column as the index of its value among the sorted categories seen at
 * fit (0, 1, 2, …), as scikit-learn's `OrdinalEncoder`; output columns keep the input names.
 *
 * Categories not seen at fit become `unknownValue` (default -1) and are counted per column
 * ({@link OrdinalEncoder.unknownCategories} since fit, {@link OrdinalEncoder.transformWithReport}
 * per call), or throw under `handleUnknown: 'error'`. A missing category or NaN is an
 * {@link InvalidDataError} naming the column and row.
 */
export class OrdinalEncoder
  extends BaseEstimator<z.output<typeof OrdinalEncoderOptions>, OrdinalEncoderState>
  implements Transformer
{
  readonly kind = 'OrdinalEncoder';
  readonly #unknownSinceFit = new UnknownCategoryTally();

  /** Validates the options; no other work. */
  constructor(options: OrdinalEncoderOptions = {}) {
    super(OrdinalEncoderOptions, options);
  }

  /**
   * Learns each column's sorted categories.
   * @throws InvalidDataError for 0 rows or columns, or a missing / NaN value.
   * @throws InvalidArgumentError when `unknownValue` is the code of a known category.
   */
  async fit(input: FeatureInput): Promise<this> {
    const { featureNames, categories } = learnInputCategories(
      input,
      this.kind,
      this.params.categories,
      this.params.handleUnknown === 'error',
    );
    const { handleUnknown, unknownValue } = this.params;
    if (handleUnknown === 'useEncodedValue') {
      const widest = Math.max(...categories.map((column) => column.values.length));
      if (unknownValue >= 0 && unknownValue < widest) {
        throw new InvalidArgumentError(
          `OrdinalEncoder: unknownValue ${unknownValue} is already the code of a known category (codes run 0…${widest - 1}); use a negative value or ≥ ${widest}.`,
          { unknownValue, categories: widest },
        );
      }
    }
    this.setFitted({ featureNames, categories });
    this.#unknownSinceFit.clear();
    return this;
  }

  /** Fits on `input` and returns its transform. */
  async fitTransform(input: FeatureInput): Promise<Matrix<Float64Array>> {
    await this.fit(input);
    return this.transform(input);
  }

  /**
   * The category index of every value, one output column per input column.
   * @throws InvalidDataError for an unknown category under `handleUnknown: 'error'`, a
   * missing value, NaN, or a column whose kind (strings / numbers) changed since fit.
   */
  transform(input: FeatureInput): Matrix<Float64Array> {
    return this.transformWithReport(input).matrix;
  }

  /** {@link OrdinalEncoder.transform}, plus the unknown categories met in this call. */
  transformWithReport(input: FeatureInput): EncodingResult {
    const { featureNames, categories } = this.fitted;
    const where = `${this.kind}.transform`;
    const { codes, unknown } = encodeInput(input, featureNames, categories, where);
    if (!unknown.isEmpty && this.params.handleUnknown === 'error') {
      throw unknownCategoryError(
        where,
        unknown,
        categories,
        featureNames,
        "Refit on data that includes it, or pass handleUnknown: 'useEncodedValue' to write unknownValue instead.",
      );
    }
    const rows = rowCount(input);
    const d = featureNames.length;
    const out = new Float64Array(rows * d);
    const unknownValue = this.params.unknownValue;
    for (let j = 0; j < d; j++) {
      const column = codes[j]!;
      for (let i = 0, k = j; i < rows; i++, k += d) {
        const code = column[i]!;
        out[k] = code < 0 ? unknownValue : code;
      }
    }
    this.#unknownSinceFit.merge(unknown);
    return { matrix: namedMatrix(out, rows, featureNames), unknown: unknown.report() };
  }

  /** Undoes the encoding: each row's category per input column (`undefined` for unknownValue). */
  inverseTransform(matrix: Matrix): (string | number | undefined)[][] {
    const { categories } = this.fitted;
    const d = categories.length;
    if (matrix.cols !== d) {
      throw new InvalidDataError(
        `${this.kind}.inverseTransform: expected ${d} columns, got ${matrix.cols}.`,
      );
    }
    return categories.map((column, j) => {
      const values = new Array<string | number | undefined>(matrix.rows);
      for (let i = 0; i < matrix.rows; i++) values[i] = column.values[matrix.data[i * d + j]!];
      return values;
    });
  }

  /** Output column names: the input column names. */
  featureNamesOut(): string[] {
    return [...this.fitted.featureNames];
  }

  /** Sorted categories per input column, as learned by `fit`. */
  get categories(): ColumnCategories[] {
    return this.fitted.categories.map((column) => structuredClone(column));
  }

  /** Unknown categories met by every transform since fit (or since {@link OrdinalEncoder.resetUnknownCategories}). */
  unknownCategories(): UnknownCategoryReport[] {
    return this.#unknownSinceFit.report();
  }

  /** Forgets the unknown categories counted so far. */
  resetUnknownCategories(): void {
    this.#unknownSinceFit.clear();
  }

  /** Rebuilds a fitted encoder from {@link OrdinalEncoder.toJSON} output. */
  static fromJSON(json: unknown): OrdinalEncoder {
    const { params, state } = BaseEstimator.checkJSON(json, {
      kind: 'OrdinalEncoder',
      version: 1,
      params: OrdinalEncoderOptions,
      state: OrdinalEncoderState,
    });
    if (state.categories.length !== state.featureNames.length) {
      throw new InvalidDataError(
        `OrdinalEncoder.fromJSON: ${state.featureNames.length} feature names but ${state.categories.length} category lists.`,
      );
    }
    const encoder = new OrdinalEncoder(params);
    encoder.setFitted(state);
    return encoder;
  }
}
