import {
  BaseEstimator,
  describeWithNearest,
  type EstimatorJSON,
  InvalidArgumentError,
  InvalidDataError,
  type Manifest,
  ManifestInvalidError,
  type Matrix,
  NotFittedError,
  NotFoundError,
  type NumericColumn,
  type Table,
} from '@mlsd/core';
import { z } from 'zod';
import {
  assertFittable,
  type FeatureInput,
  inputColumnNames,
  isTable,
  matrixToTable,
  namedMatrix,
  nonFinite,
  numbersOf,
} from './feature-input.js';
import { fitThenTransform, isTransformer, type Transformer } from './step.js';
import type { StepRegistry } from './step-registry.js';
import {
  gatherUnknownCategories,
  resetUnknownCategoriesOf,
  type StepUnknownCategoryReport,
} from './unknown-categories.js';
import { type WritePipelineOptions, writePipeline } from './write-pipeline.js';

const ColumnTransformerOptions = z
  .object({
    /**
     * Input columns no transformer names: `'drop'` them (default) or `'passthrough'` them,
     * unchanged, after the transformed columns (they must be numeric).
     */
    remainder: z.enum(['drop', 'passthrough']).default('drop'),
    /**
     * Prefix output names with the transformer's name, `scale__amount` (default true, as
     * scikit-learn); without it names must be unique across transformers.
     */
    verboseFeatureNamesOut: z.boolean().default(true),
  })
  .strict();

/** Options of {@link ColumnTransformer}. */
export type ColumnTransformerOptions = z.input<typeof ColumnTransformerOptions>;

/** One entry of a {@link ColumnTransformer}: a name, what to do, and the input columns it takes. */
export type ColumnTransformerEntry = readonly [
  name: string,
  transformer: Transformer | 'drop' | 'passthrough',
  columns: readonly string[],
];

interface FittedLayout {
  featureNamesIn: string[];
  remainderColumns: string[];
  featureNamesOut: string[];
}

const FittedLayoutSchema = z.object({
  featureNamesIn: z.array(z.string()),
  remainderColumns: z.array(z.string()),
  featureNamesOut: z.array(z.string()),
});

/** Layout of {@link ColumnTransformer.toJSON}'s `state`. */
export interface ColumnTransformerState extends FittedLayout {
  /** Every entry: name, its columns, and the fitted step's JSON or `'drop'` / `'passthrough'`. */
  transformers: { name: string; columns: string[]; step: EstimatorJSON | 'drop' | 'passthrough' }[];
}

const ENTRY_NAME = /^[A-Za-z0-9_.-]+$/;

/**
 * Applies named transformers to named column lists and places their outputs side by side, as
 * scikit-learn's `ColumnTransformer`: numbers scaled here, categories one-hot encoded there,
 * the rest dropped or passed through. The output is one Float64 {@link Matrix} whose column
 * names say where each came from (`scale__TX_AMOUNT`, `city__city_Oslo`,
 * `remainder__hour`).
 *
 * An entry's transformer may be a {@link Transformer}, `'passthrough'` (numeric columns
 * unchanged) or `'drop'`. Input is a {@link Table} or a named {@link Matrix}; columns are found
 * by name. Saves to one artifact folder with {@link ColumnTransformer.save}; loads back with
 * `loadColumnTransformer`.
 *
 * @example
 * ```ts
 * const columns = new ColumnTransformer(
 *   [
 *     ['amount', new StandardScaler(), ['TX_AMOUNT']],
 *     ['terminal', new OneHotEncoder({ handleUnknown: 'ignore' }), ['TERMINAL_REGION']],
 *   ],
 *   { remainder: 'passthrough' },
 * );
 * const features = await columns.fitTransform(table);
 * ```
 */
export class ColumnTransformer
  extends BaseEstimator<z.output<typeof ColumnTransformerOptions>, FittedLayout>
  implements Transformer
{
  readonly kind = 'ColumnTransformer';
  readonly #entries: readonly ColumnTransformerEntry[];

  /**
   * Checks the entries (unique names without `__`, a transformer / `'drop'` / `'passthrough'`,
   * a list of column names each) and the options; nothing is fitted here.
   */
  constructor(
    transformers: readonly ColumnTransformerEntry[],
    options: ColumnTransformerOptions = {},
  ) {
    super(ColumnTransformerOptions, options);
    if (!Array.isArray(transformers)) {
      throw new InvalidArgumentError(
        'ColumnTransformer: pass a list of [name, transformer, columns] entries.',
      );
    }
    const seen = new Set<string>(['remainder']);
    transformers.forEach((entry, index) => {
      if (!Array.isArray(entry) || entry.length !== 3) {
        throw new InvalidArgumentError(
          `ColumnTransformer: entry ${index} must be [name, transformer, columns].`,
        );
      }
      const [name, transformer, columns] = entry;
      if (typeof name !== 'string' || !ENTRY_NAME.test(name) || name.includes('__')) {
        throw new InvalidArgumentError(
          `ColumnTransformer: entry ${index} has name ${JSON.stringify(name)}; use letters, digits, "_", "." or "-" (no "__").`,
        );
      }
      if (seen.has(name)) {
        throw new InvalidArgumentError(
          `ColumnTransformer: the name "${name}" is ${name === 'remainder' ? 'reserved for the remainder columns' : 'used twice'}; pick another.`,
        );
      }
      seen.add(name);
      if (transformer !== 'drop' && transformer !== 'passthrough' && !isTransformer(transformer)) {
        throw new InvalidArgumentError(
          `ColumnTransformer: entry "${name}" must hold a transformer (fit, transform, toJSON), 'drop' or 'passthrough'.`,
        );
      }
      if (!Array.isArray(columns) || columns.some((column) => typeof column !== 'string')) {
        throw new InvalidArgumentError(
          `ColumnTransformer: entry "${name}" must list its input columns by name, e.g. ['TX_AMOUNT'].`,
        );
      }
      if (new Set(columns).size !== columns.length) {
        throw new InvalidArgumentError(`ColumnTransformer: entry "${name}" names a column twice.`);
      }
    });
    this.#entries = transformers.map(
      ([name, transformer, columns]) => [name, transformer, [...columns]] as const,
    );
  }

  /** The entries as `[name, transformer, columns]`, in order. */
  get transformers(): ColumnTransformerEntry[] {
    return [...this.#entries];
  }

  /** The transformer of entry `name`; throws {@link NotFoundError} naming the nearest entry. */
  transformer<T extends Transformer = Transformer>(name: string): T | 'drop' | 'passthrough' {
    const found = this.#entries.find(([entryName]) => entryName === name);
    if (found === undefined) {
      const names = this.#entries.map(([entryName]) => entryName);
      throw new NotFoundError(
        `ColumnTransformer has no entry ${describeWithNearest(name, names)}; entries: ${names.join(', ')}.`,
        { entry: name },
      );
    }
    return found[1] as T | 'drop' | 'passthrough';
  }

  /** True once fitted and every transformer in it is fitted. */
  override get isFitted(): boolean {
    return (
      super.isFitted &&
      this.#entries.every(
        ([, transformer]) => typeof transformer === 'string' || transformer.isFitted,
      )
    );
  }

  /**
   * Fits every transformer on its columns (`target` is passed along) and records the output
   * layout.
   * @throws NotFoundError naming a listed column the input lacks.
   * @throws InvalidDataError for 0 rows, a string column passed through, or clashing output names.
   */
  async fit(input: FeatureInput, target?: unknown): Promise<this> {
    await this.#fitEntries(input, target);
    return this;
  }

  /** Fits, then returns the transform of `input` (reusing the outputs computed while fitting). */
  async fitTransform(input: FeatureInput, target?: unknown): Promise<Matrix<Float64Array>> {
    const { table, outputs } = await this.#fitEntries(input, target);
    return this.#assemble(table, outputs, `${this.kind}.fitTransform`);
  }

  /**
   * Every entry's output side by side, then the passed-through remainder.
   * @throws NotFoundError naming a fitted column the input lacks.
   * @throws InvalidDataError for NaN in a passed-through column, or errors of the transformers.
   */
  transform(input: FeatureInput): Matrix<Float64Array> {
    return this.#assemble(asTable(input), undefined, `${this.kind}.transform`);
  }

  async #fitEntries(
    input: FeatureInput,
    target: unknown,
  ): Promise<{ table: Table; outputs: Matrix[] }> {
    assertFittable(input, this.kind);
    const table = asTable(input);
    const featureNamesIn = table.columnNames;
    const used = new Set<string>();
    for (const [name, , columns] of this.#entries) {
      for (const column of columns) {
        if (!table.has(column)) {
          throw missingColumn(column, featureNamesIn, `${this.kind}.fit (entry "${name}")`);
        }
        used.add(column);
      }
    }
    const remainderColumns =
      this.params.remainder === 'passthrough'
        ? featureNamesIn.filter((name) => !used.has(name))
        : [];
    for (const [name, transformer, columns] of this.#entries) {
      if (transformer !== 'passthrough') continue;
      for (const column of columns) {
        passedThrough(table, column, `${this.kind}.fit (entry "${name}")`);
      }
    }
    for (const column of remainderColumns) {
      passedThrough(table, column, `${this.kind}.fit (remainder)`);
    }
    const outputs: Matrix[] = [];
    for (const [, transformer, columns] of this.#entries) {
      if (typeof transformer === 'string' || columns.length === 0) continue;
      const part = table.select(columns);
      outputs.push(await fitThenTransform(transformer, part, target));
    }
    const featureNamesOut = this.#outputNames(outputs, remainderColumns);
    this.setFitted({ featureNamesIn, remainderColumns, featureNamesOut });
    return { table, outputs };
  }

  /**
   * Places the entries' outputs (`outputs` when already computed by fit, else transformed
   * now) and the passed-through columns side by side.
   */
  #assemble(
    table: Table,
    outputs: readonly Matrix[] | undefined,
    where: string,
  ): Matrix<Float64Array> {
    const { remainderColumns, featureNamesOut } = this.fitted;
    const rows = table.length;
    const parts: { data: ArrayLike<number>; cols: number; rowMajor: boolean }[] = [];
    const passthrough = (columns: readonly string[], entry: string): void => {
      for (const column of columns) {
        parts.push({
          data: passedThrough(table, column, `${where} (entry "${entry}")`),
          cols: 1,
          rowMajor: false,
        });
      }
    };
    let next = 0;
    for (const [name, transformer, columns] of this.#entries) {
      if (transformer === 'drop' || columns.length === 0) continue;
      if (transformer === 'passthrough') {
        passthrough(columns, name);
        continue;
      }
      let output = outputs?.[next++];
      if (output === undefined) {
        for (const column of columns) {
          if (!table.has(column)) {
            throw missingColumn(column, table.columnNames, `${where} (entry "${name}")`);
          }
        }
        output = transformer.transform(table.select(columns));
      }
      if (output.rows !== rows) {
        throw new InvalidDataError(
          `${where}: entry "${name}" returned ${output.rows} rows for ${rows} input rows.`,
        );
      }
      parts.push({ data: output.data, cols: output.cols, rowMajor: true });
    }
    passthrough(remainderColumns, 'remainder');
    const width = parts.reduce((sum, part) => sum + part.cols, 0);
    if (width !== featureNamesOut.length) {
      throw new InvalidDataError(
        `${where}: the transformers produced ${width} columns, but ${featureNamesOut.length} at fit; was a step refitted on its own?`,
      );
    }
    const out = new Float64Array(rows * width);
    let offset = 0;
    for (const { data, cols, rowMajor } of parts) {
      if (rowMajor) {
        for (let i = 0, source = 0, target = offset; i < rows; i++, target += width) {
          for (let c = 0; c < cols; c++) out[target + c] = data[source++]!;
        }
      } else {
        for (let i = 0, target = offset; i < rows; i++, target += width) out[target] = data[i]!;
      }
      offset += cols;
    }
    return namedMatrix(out, rows, featureNamesOut);
  }

  /** Output column names, as `transform` labels them. */
  featureNamesOut(): string[] {
    return [...this.fitted.featureNamesOut];
  }

  /**
   * Unknown categories met since fit by every encoder among the entries (nested ones too),
   * each labelled with its entry path (`"city"`, `"channel.ordinal"`).
   */
  unknownCategories(): StepUnknownCategoryReport[] {
    return gatherUnknownCategories(this.#entries.map(([name, transformer]) => [name, transformer]));
  }

  /** Forgets the unknown categories counted by every encoder among the entries. */
  resetUnknownCategories(): void {
    resetUnknownCategoriesOf(this.#entries.map(([name, transformer]) => [name, transformer]));
  }

  /** Input columns passed through as the remainder (empty with `remainder: 'drop'`). */
  get remainderColumns(): string[] {
    return [...this.fitted.remainderColumns];
  }

  /**
   * Options, output layout and every entry's JSON.
   * @throws NotFittedError before `fit`, or naming an entry whose transformer is not fitted.
   */
  override toJSON(): EstimatorJSON<
    Readonly<z.output<typeof ColumnTransformerOptions>>,
    ColumnTransformerState
  > {
    const layout = this.fitted;
    const transformers = this.#entries.map(([name, transformer, columns]) => {
      if (typeof transformer !== 'string' && !transformer.isFitted) {
        throw new NotFittedError('ColumnTransformer', `entry "${name}"`);
      }
      return {
        name,
        columns: [...columns],
        step: typeof transformer === 'string' ? transformer : transformer.toJSON(),
      };
    });
    return {
      kind: this.kind,
      version: this.formatVersion,
      params: this.params,
      state: {
        featureNamesIn: [...layout.featureNamesIn],
        remainderColumns: [...layout.remainderColumns],
        featureNamesOut: [...layout.featureNamesOut],
        transformers,
      },
    };
  }

  /**
   * Rebuilds a fitted column transformer from {@link ColumnTransformer.toJSON} output, each
   * entry's step through `registry` (pass `defaultStepRegistry`, or a registry of your own that knows every step type).
   */
  static async fromJSON(json: unknown, registry: StepRegistry): Promise<ColumnTransformer> {
    const { params, state } = BaseEstimator.checkJSON(json, {
      kind: 'ColumnTransformer',
      version: 1,
      params: ColumnTransformerOptions,
      state: FittedLayoutSchema.extend({
        transformers: z.array(
          z.object({ name: z.string(), columns: z.array(z.string()), step: z.unknown() }),
        ),
      }),
    });
    const entries: ColumnTransformerEntry[] = [];
    for (const { name, columns, step } of state.transformers) {
      if (step === 'drop' || step === 'passthrough') {
        entries.push([name, step, columns]);
        continue;
      }
      const built = await registry.build(step, `ColumnTransformer.fromJSON (entry "${name}")`);
      if (!isTransformer(built)) {
        throw new ManifestInvalidError(
          `ColumnTransformer.fromJSON: entry "${name}" rebuilt as a ${(built as { kind?: string }).kind}, which is not a transformer.`,
        );
      }
      entries.push([name, built, columns]);
    }
    const columnTransformer = new ColumnTransformer(entries, params);
    columnTransformer.setFitted({
      featureNamesIn: state.featureNamesIn,
      remainderColumns: state.remainderColumns,
      featureNamesOut: state.featureNamesOut,
    });
    return columnTransformer;
  }

  /** Saves the fitted column transformer as one artifact folder (kind `'pipeline'`) at `dir`. */
  async save(dir: string, options: WritePipelineOptions = {}): Promise<Manifest> {
    return writePipeline(dir, this, options);
  }

  #outputNames(outputs: readonly Matrix[], remainderColumns: readonly string[]): string[] {
    const names: string[] = [];
    let next = 0;
    const verbose = this.params.verboseFeatureNamesOut;
    for (const [name, transformer, columns] of this.#entries) {
      if (transformer === 'drop' || columns.length === 0) continue;
      const produced = transformer === 'passthrough' ? columns : outputNamesOf(outputs[next++]!);
      for (const produced1 of produced) names.push(verbose ? `${name}__${produced1}` : produced1);
    }
    for (const column of remainderColumns) names.push(verbose ? `remainder__${column}` : column);
    const seen = new Set<string>();
    for (const name of names) {
      if (seen.has(name)) {
        throw new InvalidDataError(
          `ColumnTransformer.fit: two output columns would be called "${name}"; keep verboseFeatureNamesOut: true or rename the inputs.`,
          { column: name },
        );
      }
      seen.add(name);
    }
    return names;
  }
}

function asTable(input: FeatureInput): Table {
  return isTable(input) ? input : matrixToTable(input);
}

/**
 * A column passed through unchanged, checked present, numeric and finite.
 * @throws NotFoundError / InvalidDataError naming the column (and row).
 */
function passedThrough(table: Table, column: string, where: string): NumericColumn {
  if (!table.has(column)) throw missingColumn(column, table.columnNames, where);
  const values = numbersOf(table.column(column), column, where);
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) throw nonFinite(where, column, i, values[i]!);
  }
  return values;
}

function outputNamesOf(matrix: Matrix): readonly string[] {
  return matrix.columnNames ?? inputColumnNames(matrix);
}

function missingColumn(column: string, present: readonly string[], where: string): NotFoundError {
  return new NotFoundError(
    `${where}: no input column ${describeWithNearest(column, present)}; columns: ${present.join(', ') || '(none)'}.`,
    { column },
  );
}
