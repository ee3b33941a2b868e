import { describe, expect, it } from 'vitest';
import { DimensionMismatchError, InvalidDataError } from '../src/errors.js';
import { assertFiniteMatrix, tableToMatrix, toMatrix } from '../src/matrix.js';
import { Table } from '../src/table.js';

describe('Matrix', () => {
  it('wraps row-major data and checks the shape', () => {
    const m = toMatrix(new Float64Array([1, 2, 3, 4, 5, 6]), 2, 3, ['a', 'b', 'c']);
    expect(m.data[1 * 3 + 2]).toBe(6);
    expect(() => toMatrix(new Float64Array(5), 2, 3)).toThrow(DimensionMismatchError);
    expect(() => toMatrix(new Float64Array(6), 2, 3, ['a'])).toThrow(/1 column names for 3/);
  });

  it('copies table columns row by row', () => {
    const table = new Table({
      x: new Float64Array([1, 2]),
      y: new Int32Array([10, 20]),
      s: ['p', 'q'],
    });
    const m = tableToMatrix(table, ['y', 'x'], 'float32');
    expect(m.data).toBeInstanceOf(Float32Array);
    expect([...m.data]).toEqual([10, 1, 20, 2]);
    expect(m.columnNames).toEqual(['y', 'x']);
    expect(() => tableToMatrix(table, ['s'])).toThrow(/holds strings/);
  });

  it('names the first non-finite cell', () => {
    const m = toMatrix(new Float64Array([1, 2, Number.NaN, 4]), 2, 2, ['amount', 'count']);
    expect(() => assertFiniteMatrix(m, 'fit')).toThrow(InvalidDataError);
    expect(() => assertFiniteMatrix(m, 'fit')).toThrow('fit: value at row 1, amount is NaN');
  });
});
