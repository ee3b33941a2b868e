import { describe, expect, it } from 'vitest';
import { CategoryColumn } from '../src/category-column.js';
import { InvalidArgumentError, InvalidDataError, NotFoundError } from '../src/errors.js';
import { isNumericColumn, type Row, Table } from '../src/table.js';

/** A small table with one column of each kind. */
function sample(): Table {
  return new Table({
    amount: new Float64Array([10, 2.5, Number.NaN, 7, 2.5]),
    count: new Int32Array([1, 2, 3, 4, 5]),
    customer: ['c1', 'c2', 'c1', 'c3', 'c2'],
    channel: CategoryColumn.fromValues(['web', 'pos', undefined, 'web', 'atm']),
  });
}

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('CategoryColumn', () => {
  it('encodes values with levels in first-seen order and -1 for missing', () => {
    const column = CategoryColumn.fromValues(['b', 'a', null, 'b', undefined]);
    expect(column.levels).toEqual(['b', 'a']);
    expect(column.codes).toEqual(new Int32Array([0, 1, -1, 0, -1]));
    expect(column.length).toBe(5);
    expect(column.get(0)).toBe('b');
    expect(column.get(2)).toBeUndefined();
    expect(column.get(99)).toBeUndefined();
    expect(column.toArray()).toEqual(['b', 'a', undefined, 'b', undefined]);
  });

  it('takes rows sharing the levels', () => {
    const column = CategoryColumn.fromValues(['x', 'y', 'z']);
    const taken = column.take([2, 0, 2]);
    expect(taken.toArray()).toEqual(['z', 'x', 'z']);
    expect(taken.levels).toBe(column.levels);
  });

  it('rejects codes outside [-1, levels)', () => {
    expect(() => new CategoryColumn(new Int32Array([0, 2]), ['a', 'b'])).toThrow(
      'CategoryColumn: code 2 at row 1 is outside [-1, 1].',
    );
    expect(() => new CategoryColumn(new Int32Array([-2]), ['a'])).toThrow(InvalidArgumentError);
  });
});

describe('Table construction', () => {
  it('accepts a record or a map of equally long columns', () => {
    const table = sample();
    expect(table.length).toBe(5);
    expect(table.columnNames).toEqual(['amount', 'count', 'customer', 'channel']);
    expect(table.has('count')).toBe(true);
    expect(table.has('Count')).toBe(false);
    const fromMap = new Table(new Map([['x', new Float32Array(3)]]));
    expect(fromMap.length).toBe(3);
    expect(new Table({}).length).toBe(0);
    expect(new Table({}).columnNames).toEqual([]);
  });

  it('rejects columns of different lengths, naming them', () => {
    const error = caught(
      () => new Table({ a: new Float64Array(3), b: ['x', 'y'] }),
    ) as InvalidArgumentError;
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error.message).toBe('Table: column "b" has 2 rows, but earlier columns have 3.');
    expect(error.details).toEqual({ column: 'b', length: 2, expected: 3 });
  });

  it('rejects values that are not columns', () => {
    expect(() => new Table({ a: [1, 2] as unknown as string[] })).not.toThrow();
    expect(() => new Table({ a: new Set(['x']) as never })).toThrow(
      'Table: column "a" must be a typed array, a string array or a CategoryColumn.',
    );
    expect(() => new Table({ a: 'abc' as never })).toThrow(InvalidArgumentError);
  });

  it('tells numeric columns apart', () => {
    expect(isNumericColumn(new Uint8Array(1))).toBe(true);
    expect(isNumericColumn(['1'])).toBe(false);
    expect(isNumericColumn(CategoryColumn.fromValues(['1']))).toBe(false);
  });
});

describe('Table column access', () => {
  it('column() throws NotFoundError naming the nearest column', () => {
    const error = caught(() => sample().column('ammount')) as NotFoundError;
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toBe(
      'Table has no column "ammount" (did you mean "amount"?); columns: amount, count, customer, channel.',
    );
    expect(error.details).toEqual({ column: 'ammount' });
    expect(() => sample().column('zzzzzzzz')).toThrow(
      'Table has no column "zzzzzzzz"; columns: amount, count, customer, channel.',
    );
  });

  it('numeric() returns typed arrays and refuses string columns', () => {
    const table = sample();
    expect(table.numeric('count')).toEqual(new Int32Array([1, 2, 3, 4, 5]));
    expect(() => table.numeric('customer')).toThrow(InvalidDataError);
    expect(() => table.numeric('channel')).toThrow(
      'Table column "channel" holds strings, not numbers.',
    );
    expect(() => table.numeric('cont')).toThrow(/did you mean "count"/);
  });

  it('strings() reads every kind as strings', () => {
    const table = sample();
    expect(table.strings('customer')).toEqual(['c1', 'c2', 'c1', 'c3', 'c2']);
    expect(table.strings('channel')).toEqual(['web', 'pos', '', 'web', 'atm']);
    expect(table.strings('amount')).toEqual(['10', '2.5', 'NaN', '7', '2.5']);
    expect(() => table.strings('custmer')).toThrow(NotFoundError);
  });
});

describe('Table select, drop, withColumn, rename', () => {
  it('select keeps the named columns in the given order, sharing them', () => {
    const table = sample();
    const selected = table.select(['customer', 'amount']);
    expect(selected.columnNames).toEqual(['customer', 'amount']);
    expect(selected.column('amount')).toBe(table.column('amount'));
    expect(selected.length).toBe(5);
    expect(() => table.select(['amount', 'custmer'])).toThrow(/did you mean "customer"/);
    expect(() => table.select(['amount', 'amount'])).toThrow(
      'Table.select: column "amount" is named twice.',
    );
    expect(table.select([]).length).toBe(0);
  });

  it('drop removes the named columns and leaves the table unchanged', () => {
    const table = sample();
    const dropped = table.drop(['count', 'channel']);
    expect(dropped.columnNames).toEqual(['amount', 'customer']);
    expect(table.columnNames).toHaveLength(4);
    expect(() => table.drop(['cnt'])).toThrow(NotFoundError);
  });

  it('withColumn appends a new column or replaces one in place', () => {
    const table = sample();
    const added = table.withColumn('fraud', new Uint8Array([0, 1, 0, 0, 1]));
    expect(added.columnNames).toEqual(['amount', 'count', 'customer', 'channel', 'fraud']);
    const replaced = table.withColumn('count', new Float32Array(5).fill(9));
    expect(replaced.columnNames).toEqual(table.columnNames);
    expect(replaced.numeric('count')).toEqual(new Float32Array(5).fill(9));
    expect(table.numeric('count')).toEqual(new Int32Array([1, 2, 3, 4, 5]));
    expect(() => table.withColumn('short', new Float64Array(4))).toThrow(
      'Table: column "short" has 4 rows, but earlier columns have 5.',
    );
  });

  it('rename maps old names to new ones, keeping the order', () => {
    const table = sample();
    const renamed = table.rename({ amount: 'TX_AMOUNT', customer: 'CUSTOMER_ID' });
    expect(renamed.columnNames).toEqual(['TX_AMOUNT', 'count', 'CUSTOMER_ID', 'channel']);
    expect(renamed.column('TX_AMOUNT')).toBe(table.column('amount'));
    const swapped = table.rename({ amount: 'count', count: 'amount' });
    expect(swapped.column('amount')).toBe(table.column('count'));
    expect(() => table.rename({ amout: 'x' })).toThrow(/did you mean "amount"/);
  });

  it('rename refuses to merge two columns under one name', () => {
    expect(() => sample().rename({ amount: 'count' })).toThrow(
      'Table.rename: two columns would be called "count"; rename or drop one of them first.',
    );
  });

  it('rename leaves columns named like Object.prototype members alone', () => {
    const table = new Table({ constructor: ['a'], toString: new Float64Array([1]) });
    expect(table.rename({}).columnNames).toEqual(['constructor', 'toString']);
    expect(table.rename({ toString: 'text' }).columnNames).toEqual(['constructor', 'text']);
  });
});

describe('Table take, filter, slice, head', () => {
  it('take returns rows in the given order, repeats allowed, kinds kept', () => {
    const table = sample();
    const taken = table.take([3, 0, 3]);
    expect(taken.length).toBe(3);
    expect(taken.numeric('amount')).toEqual(new Float64Array([7, 10, 7]));
    expect(taken.numeric('count')).toBeInstanceOf(Int32Array);
    expect(taken.column('customer')).toEqual(['c3', 'c1', 'c3']);
    const channel = taken.column('channel') as CategoryColumn;
    expect(channel).toBeInstanceOf(CategoryColumn);
    expect(channel.toArray()).toEqual(['web', 'web', 'web']);
    expect(table.take(new Int32Array(0)).length).toBe(0);
  });

  it('take rejects positions outside the table', () => {
    const table = sample();
    expect(() => table.take([0, 5])).toThrow(
      'Table.take: index 5 at position 1 is outside [0, 4].',
    );
    expect(() => table.take([-1])).toThrow(InvalidArgumentError);
    expect(() => table.take([1.5])).toThrow(InvalidArgumentError);
  });

  it('filter keeps rows whose mask entry is true or non-zero', () => {
    const table = sample();
    expect(table.filter([true, false, true, false, false]).strings('customer')).toEqual([
      'c1',
      'c1',
    ]);
    expect(table.filter(new Uint8Array([0, 0, 0, 1, 2])).numeric('count')).toEqual(
      new Int32Array([4, 5]),
    );
    expect(table.filter(new Uint8Array(5)).length).toBe(0);
    expect(() => table.filter([true])).toThrow('Table.filter: mask has 1 entries for 5 rows.');
  });

  it('slice counts like Array.prototype.slice, negative and fractional bounds included', () => {
    const table = new Table({ i: Float64Array.from({ length: 6 }, (_, i) => i) });
    const reference = [0, 1, 2, 3, 4, 5];
    const bounds = [
      undefined,
      0,
      2,
      -1,
      -2,
      -1.5,
      1.7,
      6,
      10,
      -10,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
    ];
    for (const start of bounds) {
      for (const end of bounds) {
        expect(Array.from(table.slice(start, end).numeric('i')), `slice(${start}, ${end})`).toEqual(
          reference.slice(start, end),
        );
      }
    }
  });

  it('slice keeps every column kind', () => {
    const sliced = sample().slice(-2);
    expect(sliced.length).toBe(2);
    expect(sliced.numeric('count')).toEqual(new Int32Array([4, 5]));
    expect(sliced.column('customer')).toEqual(['c3', 'c2']);
    expect((sliced.column('channel') as CategoryColumn).toArray()).toEqual(['web', 'atm']);
  });

  it('head returns the first rows', () => {
    const table = sample();
    expect(table.head().length).toBe(5);
    expect(table.head(2).numeric('count')).toEqual(new Int32Array([1, 2]));
    expect(table.head(0).length).toBe(0);
    expect(table.head(100).length).toBe(5);
  });
});

describe('Table argsort and sortBy', () => {
  it('sorts numbers ascending, stable, NaN last', () => {
    const table = sample();
    // amount: [10, 2.5, NaN, 7, 2.5]; the two 2.5s keep their order.
    expect(Array.from(table.argsort('amount'))).toEqual([1, 4, 3, 0, 2]);
  });

  it('sorts descending, stable, NaN still last', () => {
    const table = sample();
    expect(Array.from(table.argsort('amount', { descending: true }))).toEqual([0, 3, 1, 4, 2]);
    const many = new Table({ x: new Float32Array([Number.NaN, 1, Number.NaN, 3, 1, -0, 0]) });
    expect(Array.from(many.argsort('x'))).toEqual([5, 6, 1, 4, 3, 0, 2]);
    expect(Array.from(many.argsort('x', { descending: true }))).toEqual([3, 1, 4, 5, 6, 0, 2]);
  });

  it('sorts strings by code unit, with missing categories last', () => {
    const table = sample();
    expect(Array.from(table.argsort('customer'))).toEqual([0, 2, 1, 4, 3]);
    // channel: [web, pos, (missing), web, atm]
    expect(Array.from(table.argsort('channel'))).toEqual([4, 1, 0, 3, 2]);
    expect(Array.from(table.argsort('channel', { descending: true }))).toEqual([0, 3, 1, 4, 2]);
    const mixedCase = new Table({ s: ['b', 'B', 'a', 'A', ''] });
    expect(mixedCase.sortBy('s').strings('s')).toEqual(['', 'A', 'B', 'a', 'b']);
  });

  it('sorts by several keys, strings and numbers mixed', () => {
    const table = sample();
    // customer, then amount: c1 (10, NaN), c2 (2.5, 2.5), c3 (7).
    expect(Array.from(table.argsort(['customer', 'amount']))).toEqual([0, 2, 1, 4, 3]);
    // customer, then count descending within equal customers.
    expect(Array.from(table.argsort(['customer', 'count'], { descending: true }))).toEqual([
      3, 4, 1, 2, 0,
    ]);
    const sorted = table.sortBy(['amount', 'customer']);
    expect(sorted.strings('customer')).toEqual(['c2', 'c2', 'c3', 'c1', 'c1']);
    expect(sorted.numeric('count')).toEqual(new Int32Array([2, 5, 4, 1, 3]));
  });

  it('keeps the original order of equal rows over many ties', () => {
    const n = 2000;
    const key = Int32Array.from({ length: n }, (_, i) => i % 3);
    const table = new Table({ key, position: Int32Array.from({ length: n }, (_, i) => i) });
    for (const descending of [false, true]) {
      const sorted = table.sortBy('key', { descending });
      const keys = sorted.numeric('key');
      const positions = sorted.numeric('position');
      for (let i = 1; i < n; i++) {
        if (keys[i] === keys[i - 1]) expect(positions[i]! > positions[i - 1]!).toBe(true);
        else expect((keys[i]! - keys[i - 1]!) * (descending ? -1 : 1)).toBeGreaterThan(0);
      }
    }
  });

  it('rejects unknown sort keys', () => {
    expect(() => sample().argsort(['customer', 'amont'])).toThrow(/did you mean "amount"/);
    expect(sample().argsort([]).length).toBe(5);
  });
});

describe('Table.concat', () => {
  it('stacks every column kind in order', () => {
    const first = new Table({
      f: new Float32Array([1, 2]),
      i: new Int32Array([1, 2]),
      s: ['a', 'b'],
      c: CategoryColumn.fromValues(['x', undefined]),
    });
    const second = new Table({
      f: new Float32Array([3]),
      i: new Int32Array([3]),
      s: ['c'],
      c: CategoryColumn.fromValues(['y']),
    });
    const stacked = Table.concat([first, second, first.slice(0, 0)]);
    expect(stacked.length).toBe(3);
    expect(stacked.numeric('f')).toEqual(new Float32Array([1, 2, 3]));
    expect(stacked.numeric('i')).toEqual(new Int32Array([1, 2, 3]));
    expect(stacked.column('s')).toEqual(['a', 'b', 'c']);
    const category = stacked.column('c') as CategoryColumn;
    expect(category).toBeInstanceOf(CategoryColumn);
    expect(category.toArray()).toEqual(['x', undefined, 'y']);
    expect(Table.concat([first]).toRows()).toEqual(first.toRows());
    expect(Table.concat([]).length).toBe(0);
  });

  it('rejects tables whose column names differ', () => {
    const a = new Table({ x: new Float64Array(1), y: ['a'] });
    expect(() => Table.concat([a, new Table({ x: new Float64Array(1) })])).toThrow(
      'Table.concat: column names differ ([x, y] vs [x]).',
    );
    expect(() => Table.concat([a, new Table({ y: ['b'], x: new Float64Array(1) })])).toThrow(
      InvalidArgumentError,
    );
  });

  it('rejects columns of different kinds', () => {
    const float64 = new Table({ v: new Float64Array(1) });
    expect(() => Table.concat([float64, new Table({ v: new Float32Array(1) })])).toThrow(
      'Table.concat: column "v" has different typed-array kinds across tables.',
    );
    expect(() => Table.concat([float64, new Table({ v: ['1'] })])).toThrow(InvalidArgumentError);
    const strings = new Table({ v: ['a'] });
    expect(() =>
      Table.concat([strings, new Table({ v: CategoryColumn.fromValues(['a']) })]),
    ).toThrow('Table.concat: column "v" mixes kinds.');
    expect(() =>
      Table.concat([new Table({ v: CategoryColumn.fromValues(['a']) }), strings]),
    ).toThrow('Table.concat: column "v" mixes kinds.');
  });
});

describe('Table rows', () => {
  it('fromRows and toRows round-trip numbers and strings', () => {
    const rows: Row[] = [
      { id: 't1', amount: 12.5, fraud: 0 },
      { id: 't2', amount: Number.NaN, fraud: 1 },
    ];
    const table = Table.fromRows(rows);
    expect(table.columnNames).toEqual(['id', 'amount', 'fraud']);
    expect(table.column('amount')).toBeInstanceOf(Float64Array);
    expect(table.column('id')).toEqual(['t1', 't2']);
    expect(table.toRows()).toEqual(rows);
  });

  it('fromRows makes a column of strings when any value is not a number', () => {
    const table = Table.fromRows(
      [
        { a: 1, b: 'x' },
        { a: 'two', c: 3 },
      ],
      ['a', 'b', 'c'],
    );
    expect(table.column('a')).toEqual(['1', 'two']);
    expect(table.column('b')).toEqual(['x', '']);
    expect(table.column('c')).toEqual(['', '3']);
    const empty = Table.fromRows([], ['a']);
    expect(empty.length).toBe(0);
    expect(empty.columnNames).toEqual(['a']);
    expect(Table.fromRows([]).columnNames).toEqual([]);
  });

  it('row() returns one row and checks bounds', () => {
    const table = sample();
    expect(table.row(2)).toEqual({
      amount: Number.NaN,
      count: 3,
      customer: 'c1',
      channel: undefined,
    });
    expect(table.row(4)).toEqual({ amount: 2.5, count: 5, customer: 'c2', channel: 'atm' });
    expect(() => table.row(5)).toThrow('Table.row: index 5 is outside [0, 4].');
    expect(() => table.row(-1)).toThrow(InvalidArgumentError);
    expect(() => table.row(0.5)).toThrow(InvalidArgumentError);
    expect(() => new Table({}).row(0)).toThrow(InvalidArgumentError);
  });

  it('toRows lists every row', () => {
    const rows = sample().toRows();
    expect(rows).toHaveLength(5);
    expect(rows.map((row) => row.customer)).toEqual(['c1', 'c2', 'c1', 'c3', 'c2']);
  });
});
