import { CategoryColumn } from './category-column.js';
import { InvalidArgumentError, InvalidDataError, NotFoundError } from './errors.js';
import { describeWithNearest } from './nearest-name.js';

/** A numeric column: any typed array of numbers. */
export type NumericColumn =
  | Float64Array
  | Float32Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Uint16Array
  | Int8Array
  | Uint8Array;

/** A column of a {@link Table}: numbers in a typed array, plain strings, or dictionary-encoded strings. */
export type Column = NumericColumn | string[] | CategoryColumn;

/** One row as an object; only for the edges of a program (printing, JSON, tests). */
export type Row = Record<string, number | string | undefined>;

/** Row selector: a mask with one entry per row (non-zero / true keeps the row). */
export type RowMask = ArrayLike<number | boolean>;

/** True when `column` is a typed array of numbers. */
export function isNumericColumn(column: Column): column is NumericColumn {
  return ArrayBuffer.isView(column);
}

/**
 * A columnar table: named columns of one length. Numeric data lives in typed arrays;
 * strings in plain arrays or {@link CategoryColumn}s. Tables are immutable: every
 * operation returns a new Table (columns that do not change are shared, not copied).
 */
export class Table {
  readonly #columns: ReadonlyMap<string, Column>;
  readonly #length: number;

  /** Builds a table; every column must have the same length. */
  constructor(columns: Record<string, Column> | ReadonlyMap<string, Column>) {
    const entries = columns instanceof Map ? [...columns] : Object.entries(columns);
    const map = new Map<string, Column>();
    let length: number | undefined;
    for (const [name, column] of entries) {
      if (
        !isNumericColumn(column) &&
        !Array.isArray(column) &&
        !(column instanceof CategoryColumn)
      ) {
        throw new InvalidArgumentError(
          `Table: column "${name}" must be a typed array, a string array or a CategoryColumn.`,
        );
      }
      if (length === undefined) length = column.length;
      else if (column.length !== length) {
        throw new InvalidArgumentError(
          `Table: column "${name}" has ${column.length} rows, but earlier columns have ${length}.`,
          { column: name, length: column.length, expected: length },
        );
      }
      map.set(name, column);
    }
    this.#columns = map;
    this.#length = length ?? 0;
  }

  /** Builds a table from row objects: numeric fields become Float64Array, others string[]. */
  static fromRows(rows: readonly Row[], columnNames?: readonly string[]): Table {
    const names = columnNames ?? (rows.length > 0 ? Object.keys(rows[0]!) : []);
    const columns: Record<string, Column> = {};
    for (const name of names) {
      const numeric = rows.every((row) => typeof row[name] === 'number');
      if (numeric) {
        const values = new Float64Array(rows.length);
        for (let i = 0; i < rows.length; i++) values[i] = rows[i]![name] as number;
        columns[name] = values;
      } else {
        columns[name] = rows.map((row) => {
          const value = row[name];
          return value === undefined ? '' : String(value);
        });
      }
    }
    return new Table(columns);
  }

  /** Stacks tables with the same column names and kinds, in order. */
  static concat(tables: readonly Table[]): Table {
    if (tables.length === 0) return new Table({});
    const first = tables[0]!;
    const names = first.columnNames;
    for (const table of tables) {
      const other = table.columnNames;
      if (other.length !== names.length || other.some((name, i) => name !== names[i])) {
        throw new InvalidArgumentError(
          `Table.concat: column names differ ([${names.join(', ')}] vs [${other.join(', ')}]).`,
        );
      }
    }
    const total = tables.reduce((sum, table) => sum + table.length, 0);
    const columns: Record<string, Column> = {};
    for (const name of names) {
      const parts = tables.map((table) => table.column(name));
      columns[name] = concatColumns(name, parts, total);
    }
    return new Table(columns);
  }

  /** Number of rows. */
  get length(): number {
    return this.#length;
  }

  /** Column names in order. */
  get columnNames(): string[] {
    return [...this.#columns.keys()];
  }

  /** True when the table has a column called `name`. */
  has(name: string): boolean {
    return this.#columns.has(name);
  }

  /** The column called `name`; throws {@link NotFoundError} naming the nearest column. */
  column(name: string): Column {
    const column = this.#columns.get(name);
    if (column === undefined) {
      throw new NotFoundError(
        `Table has no column ${describeWithNearest(name, this.#columns.keys())}; columns: ${this.columnNames.join(', ')}.`,
        { column: name },
      );
    }
    return column;
  }

  /** The numeric column called `name`; throws when it holds strings. */
  numeric(name: string): NumericColumn {
    const column = this.column(name);
    if (!isNumericColumn(column)) {
      throw new InvalidDataError(`Table column "${name}" holds strings, not numbers.`, {
        column: name,
      });
    }
    return column;
  }

  /** The column called `name` as strings (numbers are formatted, missing categories are ''). */
  strings(name: string): string[] {
    const column = this.column(name);
    if (Array.isArray(column)) return column;
    if (column instanceof CategoryColumn) return column.toArray().map((value) => value ?? '');
    return Array.from(column, (value) => String(value));
  }

  /** A table with only the named columns, in the given order. */
  select(names: readonly string[]): Table {
    const columns = new Map<string, Column>();
    for (const name of names) {
      if (columns.has(name)) {
        throw new InvalidArgumentError(`Table.select: column "${name}" is named twice.`, {
          column: name,
        });
      }
      columns.set(name, this.column(name));
    }
    return new Table(columns);
  }

  /** A table without the named columns. */
  drop(names: readonly string[]): Table {
    for (const name of names) this.column(name);
    const dropped = new Set(names);
    return new Table(new Map([...this.#columns].filter(([name]) => !dropped.has(name))));
  }

  /** A table with `name` added, or replaced in place when it exists. */
  withColumn(name: string, column: Column): Table {
    const columns = new Map(this.#columns);
    columns.set(name, column);
    return new Table(columns);
  }

  /**
   * A table with columns renamed by `mapping` (old name → new name), in the same order.
   * Throws when a new name collides with another column's name.
   */
  rename(mapping: Readonly<Record<string, string>>): Table {
    for (const name of Object.keys(mapping)) this.column(name);
    const columns = new Map<string, Column>();
    for (const [name, column] of this.#columns) {
      // Own keys only: a column called "constructor" must not pick up Object.prototype's.
      const renamed = Object.hasOwn(mapping, name) ? mapping[name]! : name;
      if (columns.has(renamed)) {
        throw new InvalidArgumentError(
          `Table.rename: two columns would be called "${renamed}"; rename or drop one of them first.`,
          { column: renamed },
        );
      }
      columns.set(renamed, column);
    }
    return new Table(columns);
  }

  /** Rows at the given positions, in that order (positions may repeat). */
  take(indices: ArrayLike<number>): Table {
    for (let i = 0; i < indices.length; i++) {
      const index = indices[i]!;
      if (!Number.isInteger(index) || index < 0 || index >= this.#length) {
        throw new InvalidArgumentError(
          `Table.take: index ${index} at position ${i} is outside [0, ${this.#length - 1}].`,
        );
      }
    }
    const columns = new Map<string, Column>();
    for (const [name, column] of this.#columns) columns.set(name, takeColumn(column, indices));
    return new Table(columns);
  }

  /** Rows whose mask entry is true / non-zero. */
  filter(mask: RowMask): Table {
    if (mask.length !== this.#length) {
      throw new InvalidArgumentError(
        `Table.filter: mask has ${mask.length} entries for ${this.#length} rows.`,
      );
    }
    let kept = 0;
    for (let i = 0; i < mask.length; i++) if (mask[i]) kept++;
    const indices = new Int32Array(kept);
    let next = 0;
    for (let i = 0; i < mask.length; i++) if (mask[i]) indices[next++] = i;
    return this.take(indices);
  }

  /** Rows `start` (inclusive) to `end` (exclusive), as `Array.prototype.slice` counts them. */
  slice(start = 0, end = this.#length): Table {
    const from = clampIndex(start, this.#length);
    const to = Math.max(from, clampIndex(end, this.#length));
    const columns = new Map<string, Column>();
    for (const [name, column] of this.#columns) {
      columns.set(
        name,
        column instanceof CategoryColumn
          ? new CategoryColumn(column.codes.subarray(from, to), column.levels)
          : (column.slice(from, to) as Column),
      );
    }
    return new Table(columns);
  }

  /** The first `n` rows. */
  head(n = 5): Table {
    return this.slice(0, n);
  }

  /**
   * Row order that sorts by the given keys (stable: equal keys keep their order, also
   * when descending). Numeric keys sort by value, string keys by UTF-16 code unit; NaN and
   * missing categories sort last in either direction, as pandas' default na_position.
   */
  argsort(keys: string | readonly string[], options: { descending?: boolean } = {}): Int32Array {
    const names = typeof keys === 'string' ? [keys] : keys;
    const columns = names.map((name) => this.column(name));
    const sign = options.descending ? -1 : 1;
    const order = new Int32Array(this.#length);
    for (let i = 0; i < order.length; i++) order[i] = i;
    if (columns.length === 1 && isNumericColumn(columns[0]!)) {
      const values = columns[0] as NumericColumn;
      order.sort((a, b) => {
        const c = compareNumbers(values[a]!, values[b]!, sign);
        return c !== 0 ? c : a - b;
      });
      return order;
    }
    order.sort((a, b) => {
      for (const column of columns) {
        const c = compareCells(column, a, b, sign);
        if (c !== 0) return c;
      }
      return a - b;
    });
    return order;
  }

  /** Rows sorted by the given keys (stable). */
  sortBy(keys: string | readonly string[], options: { descending?: boolean } = {}): Table {
    return this.take(this.argsort(keys, options));
  }

  /** Row `i` as an object. */
  row(i: number): Row {
    if (!Number.isInteger(i) || i < 0 || i >= this.#length) {
      throw new InvalidArgumentError(`Table.row: index ${i} is outside [0, ${this.#length - 1}].`);
    }
    const row: Row = {};
    for (const [name, column] of this.#columns) {
      row[name] = column instanceof CategoryColumn ? column.get(i) : column[i];
    }
    return row;
  }

  /** All rows as objects; for the edges of a program only. */
  toRows(): Row[] {
    const rows = new Array<Row>(this.#length);
    for (let i = 0; i < this.#length; i++) rows[i] = this.row(i);
    return rows;
  }
}

/** Resolves a slice bound as Array.prototype.slice does (truncate, then count from the end if negative). */
function clampIndex(index: number, length: number): number {
  const integer = Number.isNaN(index) ? 0 : Math.trunc(index);
  const resolved = integer < 0 ? length + integer : integer;
  return Math.min(Math.max(resolved, 0), length);
}

/** Orders a and b by value times `sign` (1 ascending, -1 descending); NaN last either way. */
function compareNumbers(a: number, b: number, sign: number): number {
  if (a < b) return -sign;
  if (a > b) return sign;
  if (a === b) return 0;
  const aNaN = Number.isNaN(a);
  const bNaN = Number.isNaN(b);
  return aNaN === bNaN ? 0 : aNaN ? 1 : -1;
}

function compareCells(column: Column, a: number, b: number, sign: number): number {
  if (isNumericColumn(column)) return compareNumbers(column[a]!, column[b]!, sign);
  const x = column instanceof CategoryColumn ? column.get(a) : column[a]!;
  const y = column instanceof CategoryColumn ? column.get(b) : column[b]!;
  // A missing category sorts last either way, like NaN.
  if (x === undefined || y === undefined) return x === y ? 0 : x === undefined ? 1 : -1;
  return x < y ? -sign : x > y ? sign : 0;
}

function takeColumn(column: Column, indices: ArrayLike<number>): Column {
  if (column instanceof CategoryColumn) return column.take(indices);
  if (Array.isArray(column)) {
    const out = new Array<string>(indices.length);
    for (let i = 0; i < indices.length; i++) out[i] = column[indices[i]!]!;
    return out;
  }
  const Constructor = column.constructor as new (length: number) => NumericColumn;
  const out = new Constructor(indices.length);
  for (let i = 0; i < indices.length; i++) out[i] = column[indices[i]!]!;
  return out;
}

function concatColumns(name: string, parts: Column[], total: number): Column {
  const first = parts[0]!;
  if (first instanceof CategoryColumn) {
    if (!parts.every((part) => part instanceof CategoryColumn)) {
      throw new InvalidArgumentError(`Table.concat: column "${name}" mixes kinds.`);
    }
    const values = new Array<string | undefined>(total);
    let offset = 0;
    for (const part of parts as CategoryColumn[]) {
      for (let i = 0; i < part.length; i++) values[offset++] = part.get(i);
    }
    return CategoryColumn.fromValues(values);
  }
  if (Array.isArray(first)) {
    if (!parts.every((part) => Array.isArray(part))) {
      throw new InvalidArgumentError(`Table.concat: column "${name}" mixes kinds.`);
    }
    const out = new Array<string>(total);
    let offset = 0;
    for (const part of parts as string[][]) {
      for (let i = 0; i < part.length; i++) out[offset++] = part[i]!;
    }
    return out;
  }
  if (!parts.every((part) => isNumericColumn(part) && part.constructor === first.constructor)) {
    throw new InvalidArgumentError(
      `Table.concat: column "${name}" has different typed-array kinds across tables.`,
    );
  }
  const Constructor = first.constructor as new (length: number) => NumericColumn;
  const out = new Constructor(total);
  let offset = 0;
  for (const part of parts as NumericColumn[]) {
    out.set(part as never, offset);
    offset += part.length;
  }
  return out;
}
