import { BaseEstimator, InvalidDataError, type Matrix } from '@mlsd/core';
import { z } from 'zod';
import {
  CategoriesOptionSchema,
  type ColumnCategories,
  ColumnCategoriesSchema,
  categoryLabel,
  encodeInput,
  learnInputCategories,
  unknownCategoryError,
} from './category-values.js';
import { type FeatureInput, namedMatrix, rowCount } from './feature-input.js';
import type { Transformer } from './step.js';
import { type UnknownCategoryReport, UnknownCategoryTally } from './unknown-categories.js';

const OneHotEncoderOptions = z
  .object({
    /**
     * `'auto'` (default) learns each column's sorted distinct values; or give one list per
     * input column, used in the given order (e.g. a fixed vocabulary of merchant categories).
     */
    categories: CategoriesOptionSchema,
    /**
     * What to do with a category not seen at fit: `'error'` (default) throws naming it;
     * `'ignore'` encodes the row as all zeros in that column's block and reports it.
     */
    handleUnknown: z.enum(['error', 'ignore']).default('error'),
    /**
     * Drop one output column per input column to avoid collinearity: `'none'` (default),
     * `'first'` (the first category), or `'ifBinary'` (only for columns with two categories).
     */
    drop: z.enum(['none', 'first', 'ifBinary']).default('none'),
  })
  .strict();

/** Options of {@link OneHotEncoder}. */
export type OneHotEncoderOptions = z.input<typeof OneHotEncoderOptions>;

const OneHotEncoderState = z.object({
  featureNames: z.array(z.string()),
  categories: z.array(ColumnCategoriesSchema),
  /** Index of the dropped category per column, -1 for none. */
  dropIndex: z.instanceof(Int32Array),
});

type OneHotEncoderState = z.output<typeof OneHotEncoderState>;

/** What {@link OneHotEncoder.transformWithReport} returns. */
export interface EncodingResult {
  /** The encoded rows. */
  matrix: Matrix<Float64Array>;
  /** Unknown categories met in this call, per column (empty when there were none). */
  unknown: UnknownCategoryReport[];
}

/**
 * Encodes each categorical column as one 0/1 column per category, as scikit-learn's
 * `OneHotEncoder`: categories are the sorted distinct values seen at fit (strings by code
 * point, numbers by value), and output columns are named `column_value` (`city_Oslo`,
 * `hour_7`) in that order.
 *
 * Columns may be string arrays, {@link CategoryColumn}s or numbers. A missing category or NaN
 * is an {@link InvalidDataError} naming the column and row. Categories not seen at fit throw
 * under `handleUnknown: 'error'`; under `'ignore'` they become all-zero blocks and are
 * counted: {@link OneHotEncoder.unknownCategories} reports them per column since fit,
 * {@link OneHotEncoder.transformWithReport} per call.
 */
export class OneHotEncoder
  extends BaseEstimator<z.output<typeof OneHotEncoderOptions>, OneHotEncoderState>
  implements Transformer
{
  readonly kind = 'OneHotEncoder';
  readonly #unknownSinceFit = new UnknownCategoryTally();
  #layout: { offsets: Int32Array; width: number; names: string[] } | undefined;

  /** Validates the options; no other work. */
  constructor(options: OneHotEncoderOptions = {}) {
    super(OneHotEncoderOptions, options);
  }

  /**
   * Learns each column's sorted categories.
   * @throws InvalidDataError for 0 rows or columns, or a missing / NaN value (naming column and row).
   */
  async fit(input: FeatureInput): Promise<this> {
    const { featureNames, categories } = learnInputCategories(
      input,
      this.kind,
      this.params.categories,
      this.params.handleUnknown === 'error',
    );
    const dropIndex = Int32Array.from(categories, (column) => {
      if (this.params.drop === 'first') return 0;
      if (this.params.drop === 'ifBinary' && column.values.length === 2) return 0;
      return -1;
    });
    this.#install({ featureNames, categories, dropIndex });
    return this;
  }

  /** Fits on `input` and returns its transform. */
  async fitTransform(input: FeatureInput): Promise<Matrix<Float64Array>> {
    await this.fit(input);
    return this.transform(input);
  }

  /**
   * One 0/1 column per (column, category), named `column_value`.
   * @throws InvalidDataError for an unknown category under `handleUnknown: 'error'`, a
   * missing value, NaN, or a column whose kind (strings / numbers) changed since fit.
   */
  transform(input: FeatureInput): Matrix<Float64Array> {
    return this.transformWithReport(input).matrix;
  }

  /** {@link OneHotEncoder.transform}, plus the unknown categories met in this call. */
  transformWithReport(input: FeatureInput): EncodingResult {
    const { featureNames, categories, dropIndex } = this.fitted;
    const where = `${this.kind}.transform`;
    const { codes, unknown } = encodeInput(input, featureNames, categories, where);
    if (!unknown.isEmpty && this.params.handleUnknown === 'error') {
      throw unknownCategoryError(
        where,
        unknown,
        categories,
        featureNames,
        "Refit on data that includes it, or pass handleUnknown: 'ignore' to encode such rows as zeros.",
      );
    }
    const { offsets, width, names } = this.#outputLayout();
    const rows = rowCount(input);
    const out = new Float64Array(rows * width);
    for (let j = 0; j < codes.length; j++) {
      const column = codes[j]!;
      const offset = offsets[j]!;
      const dropped = dropIndex[j]!;
      for (let i = 0; i < rows; i++) {
        const code = column[i]!;
        if (code < 0 || code === dropped) continue;
        const position = dropped >= 0 && code > dropped ? code - 1 : code;
        out[i * width + offset + position] = 1;
      }
    }
    this.#unknownSinceFit.merge(unknown);
    return { matrix: namedMatrix(out, rows, names), unknown: unknown.report() };
  }

  /** Undoes the encoding: the category of each row per input column (`undefined` for an all-zero block). */
  inverseTransform(matrix: Matrix): (string | number | undefined)[][] {
    const { categories, dropIndex } = this.fitted;
    const { offsets, width } = this.#outputLayout();
    if (matrix.cols !== width) {
      throw new InvalidDataError(
        `${this.kind}.inverseTransform: expected ${width} columns, got ${matrix.cols}.`,
      );
    }
    return categories.map((column, j) => {
      const offset = offsets[j]!;
      const dropped = dropIndex[j]!;
      const outputs = column.values.length - (dropped >= 0 ? 1 : 0);
      const values = new Array<string | number | undefined>(matrix.rows);
      for (let i = 0; i < matrix.rows; i++) {
        let found: string | number | undefined = dropped >= 0 ? column.values[dropped] : undefined;
        for (let p = 0; p < outputs; p++) {
          if (matrix.data[i * width + offset + p] !== 0) {
            found = column.values[dropped >= 0 && p >= dropped ? p + 1 : p];
            break;
          }
        }
        values[i] = found;
      }
      return values;
    });
  }

  /** Output column names, `column_value` per kept category. */
  featureNamesOut(): string[] {
    return [...this.#outputLayout().names];
  }

  /** Sorted categories per input column, as learned by `fit`. */
  get categories(): ColumnCategories[] {
    return this.fitted.categories.map((column) => structuredClone(column));
  }

  /** Input column names seen by `fit`. */
  get featureNamesIn(): string[] {
    return [...this.fitted.featureNames];
  }

  /** Unknown categories met by every transform since fit (or since {@link OneHotEncoder.resetUnknownCategories}). */
  unknownCategories(): UnknownCategoryReport[] {
    return this.#unknownSinceFit.report();
  }

  /** Forgets the unknown categories counted so far. */
  resetUnknownCategories(): void {
    this.#unknownSinceFit.clear();
  }

  #install(state: OneHotEncoderState): void {
    this.setFitted(state);
    this.#layout = undefined;
    this.#unknownSinceFit.clear();
  }

  #outputLayout(): { offsets: Int32Array; width: number; names: string[] } {
    if (this.#layout !== undefined) return this.#layout;
    const { featureNames, categories, dropIndex } = this.fitted;
    const offsets = new Int32Array(categories.length);
    const names: string[] = [];
    categories.forEach((column, j) => {
      offsets[j] = names.length;
      column.values.forEach((value, code) => {
        if (code !== dropIndex[j]) names.push(`${featureNames[j]}_${categoryLabel(value)}`);
      });
    });
    this.#layout = { offsets, width: names.length, names };
    return this.#layout;
  }

  /** Rebuilds a fitted encoder from {@link OneHotEncoder.toJSON} output. */
  static fromJSON(json: unknown): OneHotEncoder {
    const { params, state } = BaseEstimator.checkJSON(json, {
      kind: 'OneHotEncoder',
      version: 1,
      params: OneHotEncoderOptions,
      state: OneHotEncoderState,
    });
    const d = state.featureNames.length;
    if (state.categories.length !== d || state.dropIndex.length !== d) {
      throw new InvalidDataError(
        `OneHotEncoder.fromJSON: ${d} feature names but ${state.categories.length} category lists and ${state.dropIndex.length} drop indices.`,
      );
    }
    const encoder = new OneHotEncoder(params);
    encoder.#install(state);
    return encoder;
  }
}
