import { InvalidArgumentError } from './errors.js';

/**
 * A dictionary-encoded string column: one `Int32Array` of codes into a list of levels.
 * Repeated strings (ids, categories) cost 4 bytes a row instead of a string each.
 * Code -1 means missing.
 */
export class CategoryColumn {
  /** Code of each row; -1 for a missing value. */
  readonly codes: Int32Array;
  /** Distinct values; `levels[code]` is the row's value. */
  readonly levels: readonly string[];

  constructor(codes: Int32Array, levels: readonly string[]) {
    for (let i = 0; i < codes.length; i++) {
      const code = codes[i]!;
      if (code < -1 || code >= levels.length) {
        throw new InvalidArgumentError(
          `CategoryColumn: code ${code} at row ${i} is outside [-1, ${levels.length - 1}].`,
        );
      }
    }
    this.codes = codes;
    this.levels = levels;
  }

  /** Encodes strings; `null`/`undefined` become missing (-1). Levels keep first-seen order. */
  static fromValues(values: ArrayLike<string | null | undefined>): CategoryColumn {
    const index = new Map<string, number>();
    const levels: string[] = [];
    const codes = new Int32Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      if (value === null || value === undefined) {
        codes[i] = -1;
        continue;
      }
      let code = index.get(value);
      if (code === undefined) {
        code = levels.length;
        index.set(value, code);
        levels.push(value);
      }
      codes[i] = code;
    }
    return new CategoryColumn(codes, levels);
  }

  /** Number of rows. */
  get length(): number {
    return this.codes.length;
  }

  /** Value at row `i`, or undefined when missing. */
  get(i: number): string | undefined {
    const code = this.codes[i];
    return code === undefined || code < 0 ? undefined : this.levels[code];
  }

  /** Rows at `indices`, sharing the levels. */
  take(indices: ArrayLike<number>): CategoryColumn {
    const codes = new Int32Array(indices.length);
    for (let i = 0; i < indices.length; i++) codes[i] = this.codes[indices[i]!]!;
    return new CategoryColumn(codes, this.levels);
  }

  /** Decodes to plain strings (`undefined` for missing). */
  toArray(): (string | undefined)[] {
    const out = new Array<string | undefined>(this.codes.length);
    for (let i = 0; i < out.length; i++) out[i] = this.get(i);
    return out;
  }
}
