import { CategoryColumn, type Column } from '@mlsd/core';
import { detachString } from './detach-string.js';
import type { ColumnKind } from './schema-plan.js';

/** Appends values to a column without knowing its final length; typed arrays double as they fill. */
export interface ColumnBuilder {
  /** Appends a number (numeric kinds) or a string (string kinds); missing is NaN / undefined. */
  push(value: number | string | undefined): void;
  /** The finished column, trimmed to the rows pushed. */
  finish(): Column;
}

type NumericConstructor =
  | Float64ArrayConstructor
  | Float32ArrayConstructor
  | Int32ArrayConstructor
  | Uint8ArrayConstructor;

class NumericBuilder implements ColumnBuilder {
  #data: Float64Array | Float32Array | Int32Array | Uint8Array;
  #length = 0;
  readonly #Type: NumericConstructor;

  constructor(Type: NumericConstructor, capacity: number) {
    this.#Type = Type;
    this.#data = new Type(capacity);
  }

  push(value: number | string | undefined): void {
    if (this.#length === this.#data.length) {
      const grown = new this.#Type(this.#data.length * 2);
      grown.set(this.#data as never);
      this.#data = grown;
    }
    this.#data[this.#length++] = value === undefined ? Number.NaN : (value as number);
  }

  finish(): Column {
    return this.#data.slice(0, this.#length);
  }
}

class StringBuilder implements ColumnBuilder {
  readonly #values: string[] = [];

  push(value: number | string | undefined): void {
    this.#values.push(value === undefined ? '' : detachString(String(value)));
  }

  finish(): Column {
    return this.#values;
  }
}

class CategoryBuilder implements ColumnBuilder {
  readonly #codes = new NumericBuilder(Int32Array, 1024);
  readonly #index = new Map<string, number>();
  readonly #levels: string[] = [];

  push(value: number | string | undefined): void {
    if (value === undefined) {
      this.#codes.push(-1);
      return;
    }
    const key = String(value);
    let code = this.#index.get(key);
    if (code === undefined) {
      code = this.#levels.length;
      const level = detachString(key);
      this.#index.set(level, code);
      this.#levels.push(level);
    }
    this.#codes.push(code);
  }

  finish(): Column {
    return new CategoryColumn(this.#codes.finish() as Int32Array, this.#levels);
  }
}

/** A builder for a column of the given kind. */
export function createColumnBuilder(kind: ColumnKind, capacity = 1024): ColumnBuilder {
  switch (kind) {
    case 'float64':
    case 'datetime':
      return new NumericBuilder(Float64Array, capacity);
    case 'float32':
      return new NumericBuilder(Float32Array, capacity);
    case 'int32':
      return new NumericBuilder(Int32Array, capacity);
    case 'uint8':
      return new NumericBuilder(Uint8Array, capacity);
    case 'category':
      return new CategoryBuilder();
    case 'string':
      return new StringBuilder();
  }
}
