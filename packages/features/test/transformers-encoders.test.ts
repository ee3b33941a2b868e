import {
  CategoryColumn,
  DimensionMismatchError,
  InvalidArgumentError,
  InvalidDataError,
  NotFittedError,
  NotFoundError,
  Table,
  toMatrix,
} from '@mlsd/core';
import { describe, expect, it } from 'vitest';
import { MinMaxScaler, OneHotEncoder, OrdinalEncoder, StandardScaler } from '../src/index.js';

const train = new Table({
  city: ['Oslo', 'Bergen', 'Oslo', 'Trondheim'],
  channel: Float64Array.from([1, 2, 2, 1]),
});

const incoming = new Table({
  city: ['Oslo', 'Tromsø', 'Bodø', 'Tromsø', 'Bergen'],
  channel: Float64Array.from([1, 3, 2, 1, 7]),
});

async function catchError(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('OneHotEncoder unknown categories', () => {
  it("throws under handleUnknown 'error', naming column, value, row and the remedy", async () => {
    const encoder = await new OneHotEncoder().fit(train);
    const error = (await catchError(() => encoder.transform(incoming))) as InvalidDataError;
    expect(error).toBeInstanceOf(InvalidDataError);
    expect(error.message).toContain('column "city" has category "Tromsø" at row 1');
    expect(error.message).toContain('5 unknown values in 2 columns');
    expect(error.message).toContain("handleUnknown: 'ignore'");
    expect(error.details).toMatchObject({ column: 'city', row: 1, value: 'Tromsø' });
  });

  it("encodes unknowns as all-zero blocks under 'ignore' and reports them per column with counts", async () => {
    const encoder = await new OneHotEncoder({ handleUnknown: 'ignore' }).fit(train);
    const { matrix, unknown } = encoder.transformWithReport(incoming);
    expect(matrix.columnNames).toEqual([
      'city_Bergen',
      'city_Oslo',
      'city_Trondheim',
      'channel_1',
      'channel_2',
    ]);
    expect(Array.from(matrix.data)).toEqual(
      [
        [0, 1, 0, 1, 0],
        [0, 0, 0, 0, 0],
        [0, 0, 0, 0, 1],
        [0, 0, 0, 1, 0],
        [1, 0, 0, 0, 0],
      ].flat(),
    );
    expect(unknown).toEqual([
      {
        column: 'city',
        rows: 3,
        categories: [
          { value: 'Tromsø', count: 2, firstRow: 1 },
          { value: 'Bodø', count: 1, firstRow: 2 },
        ],
      },
      {
        column: 'channel',
        rows: 2,
        categories: [
          { value: 3, count: 1, firstRow: 1 },
          { value: 7, count: 1, firstRow: 4 },
        ],
      },
    ]);
  });

  it('accumulates the report across transforms until reset or refit', async () => {
    const encoder = await new OneHotEncoder({ handleUnknown: 'ignore' }).fit(train);
    encoder.transform(incoming);
    encoder.transform(incoming.slice(1, 2));
    expect(encoder.unknownCategories()[0]!.categories[0]).toEqual({
      value: 'Tromsø',
      count: 3,
      firstRow: 1,
    });
    encoder.resetUnknownCategories();
    expect(encoder.unknownCategories()).toEqual([]);
    encoder.transform(incoming);
    await encoder.fit(train);
    expect(encoder.unknownCategories()).toEqual([]);
    expect(encoder.transformWithReport(train).unknown).toEqual([]);
  });

  it('reads CategoryColumn input, looking each level up once', async () => {
    const encoder = await new OneHotEncoder({ handleUnknown: 'ignore' }).fit(
      new Table({ city: CategoryColumn.fromValues(['b', 'a', 'b']) }),
    );
    const { matrix, unknown } = encoder.transformWithReport(
      new Table({ city: CategoryColumn.fromValues(['z', 'a', 'z', 'b']) }),
    );
    expect(Array.from(matrix.data)).toEqual([0, 0, 1, 0, 0, 0, 0, 1]);
    expect(unknown).toEqual([
      { column: 'city', rows: 2, categories: [{ value: 'z', count: 2, firstRow: 0 }] },
    ]);
  });

  it('inverts its encoding', async () => {
    const encoder = await new OneHotEncoder({ handleUnknown: 'ignore' }).fit(train);
    expect(encoder.inverseTransform(encoder.transform(incoming))).toEqual([
      ['Oslo', undefined, undefined, undefined, 'Bergen'],
      [1, undefined, 2, 1, undefined],
    ]);
  });
});

describe('OrdinalEncoder unknown categories', () => {
  it('writes unknownValue (default -1) and reports what it met', async () => {
    const encoder = await new OrdinalEncoder().fit(train);
    const { matrix, unknown } = encoder.transformWithReport(incoming);
    expect(Array.from(matrix.data)).toEqual([1, 0, -1, -1, -1, 1, -1, 0, 0, -1]);
    expect(unknown.map(({ column, rows }) => [column, rows])).toEqual([
      ['city', 3],
      ['channel', 2],
    ]);
    expect(encoder.unknownCategories()[0]!.categories[0]).toEqual({
      value: 'Tromsø',
      count: 2,
      firstRow: 1,
    });
  });

  it('uses a custom unknownValue, and refuses one that is a real code', async () => {
    const encoder = await new OrdinalEncoder({ unknownValue: 99 }).fit(train);
    expect(encoder.transform(incoming).data[2]).toBe(99);
    const error = await catchError(() => new OrdinalEncoder({ unknownValue: 1 }).fit(train));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toContain('unknownValue 1 is already the code');
  });

  it("throws under handleUnknown 'error'", async () => {
    const encoder = await new OrdinalEncoder({ handleUnknown: 'error' }).fit(train);
    const error = await catchError(() => encoder.transform(incoming));
    expect(error).toBeInstanceOf(InvalidDataError);
    expect((error as Error).message).toContain("handleUnknown: 'useEncodedValue'");
  });
});

describe('given categories', () => {
  it('uses the given lists in their order, and refuses other values under handleUnknown error', async () => {
    const categories = [
      ['Trondheim', 'Oslo', 'Bergen', 'Bodø'],
      [2, 1],
    ];
    const encoder = await new OneHotEncoder({ categories }).fit(train);
    expect(encoder.featureNamesOut()).toEqual([
      'city_Trondheim',
      'city_Oslo',
      'city_Bergen',
      'city_Bodø',
      'channel_2',
      'channel_1',
    ]);
    expect(Array.from(encoder.transform(incoming.slice(2, 3)).data)).toEqual([0, 0, 0, 1, 1, 0]);
    const ordinal = await new OrdinalEncoder({ categories }).fit(train);
    expect(Array.from(ordinal.transform(train).data)).toEqual([1, 1, 2, 0, 1, 0, 0, 1]);
    const restored = OrdinalEncoder.fromJSON(JSON.parse(JSON.stringify(ordinal)));
    expect(restored.transform(incoming)).toEqual(ordinal.transform(incoming));

    const strict = await catchError(() =>
      new OneHotEncoder({ categories: [['Oslo'], [1, 2]] }).fit(train),
    );
    expect(strict).toBeInstanceOf(InvalidDataError);
    expect((strict as Error).message).toContain('"Bergen" at row 1');
    const lenient = await new OneHotEncoder({
      categories: [['Oslo'], [1, 2]],
      handleUnknown: 'ignore',
    }).fit(train);
    expect(lenient.featureNamesOut()).toEqual(['city_Oslo', 'channel_1', 'channel_2']);
  });

  it('refuses lists that do not fit the columns', async () => {
    for (const categories of [[['a']], [['a', 'a'], [1]], [[], [1]], [[1, 2], [1]]]) {
      const error = await catchError(() =>
        new OrdinalEncoder({ categories, handleUnknown: 'error' }).fit(train),
      );
      expect(error).toBeInstanceOf(
        categories[0]![0] === 1 ? InvalidDataError : InvalidArgumentError,
      );
    }
  });
});

describe('bad input gets typed errors', () => {
  const estimators = [
    () => new StandardScaler(),
    () => new MinMaxScaler(),
    () => new OneHotEncoder(),
    () => new OrdinalEncoder(),
  ];

  it('fit on an empty table or no columns is an InvalidDataError', async () => {
    for (const make of estimators) {
      const empty = await catchError(() => make().fit(new Table({ a: new Float64Array(0) })));
      expect(empty).toBeInstanceOf(InvalidDataError);
      expect((empty as Error).message).toContain('0 rows');
      const noColumns = await catchError(() => make().fit(toMatrix(new Float64Array(0), 3, 0)));
      expect(noColumns).toBeInstanceOf(InvalidDataError);
    }
  });

  it('NaN at fit or transform names the column and the row', async () => {
    const bad = new Table({ a: Float64Array.from([1, 2]), b: Float64Array.from([3, Number.NaN]) });
    for (const make of estimators) {
      const error = (await catchError(() => make().fit(bad))) as InvalidDataError;
      expect(error).toBeInstanceOf(InvalidDataError);
      expect(error.message).toContain('column "b" has NaN at row 1');
      expect(error.details).toMatchObject({ column: 'b', row: 1 });
    }
    const scaler = await new StandardScaler().fit(new Table({ b: Float64Array.from([1, 2]) }));
    const error = (await catchError(() =>
      scaler.transform(new Table({ b: Float64Array.from([0, 1, Number.POSITIVE_INFINITY]) })),
    )) as InvalidDataError;
    expect(error.details).toMatchObject({ column: 'b', row: 2 });
  });

  it('a missing category names the column and row', async () => {
    const error = (await catchError(() =>
      new OneHotEncoder().fit(new Table({ city: CategoryColumn.fromValues(['a', undefined]) })),
    )) as InvalidDataError;
    expect(error).toBeInstanceOf(InvalidDataError);
    expect(error.details).toMatchObject({ column: 'city', row: 1 });
  });

  it('scalers refuse string columns, encoders refuse a changed column kind', async () => {
    const error = await catchError(() => new StandardScaler().fit(train));
    expect(error).toBeInstanceOf(InvalidDataError);
    expect((error as Error).message).toContain('column "city" holds strings');
    const encoder = await new OrdinalEncoder().fit(train);
    const changed = await catchError(() =>
      encoder.transform(
        new Table({ city: Float64Array.from([1]), channel: Float64Array.from([1]) }),
      ),
    );
    expect((changed as Error).message).toContain(
      'column "city" holds numbers, but its categories are strings',
    );
  });

  it('missing columns, wrong widths and unfitted use are typed', async () => {
    const scaler = await new StandardScaler().fit(new Table({ a: Float64Array.from([1, 2]) }));
    expect(
      await catchError(() => scaler.transform(new Table({ b: Float64Array.from([1]) }))),
    ).toBeInstanceOf(NotFoundError);
    const unnamed = await new MinMaxScaler().fit(toMatrix(Float64Array.from([1, 2, 3, 4]), 2, 2));
    expect(
      await catchError(() => unnamed.transform(toMatrix(Float64Array.from([1, 2, 3]), 1, 3))),
    ).toBeInstanceOf(DimensionMismatchError);
    expect(await catchError(() => new StandardScaler().transform(train))).toBeInstanceOf(
      NotFittedError,
    );
    expect(() => new MinMaxScaler({ featureRange: [1, 0] })).toThrow(InvalidArgumentError);
    expect(() => new OneHotEncoder({ handleUnknown: 'skip' as 'ignore' })).toThrow(
      InvalidArgumentError,
    );
  });

  it('a table with extra columns transforms by the fitted names', async () => {
    const scaler = await new MinMaxScaler().fit(new Table({ a: Float64Array.from([0, 10]) }));
    const out = scaler.transform(new Table({ z: ['x', 'y'], a: Float64Array.from([5, 20]) }));
    expect(Array.from(out.data)).toEqual([0.5, 2]);
    expect(Array.from(scaler.inverseTransform(out).data)).toEqual([5, 20]);
  });
});

describe('toJSON / fromJSON', () => {
  it('round-trips every transformer through JSON.stringify with identical output', async () => {
    const numeric = new Table({
      a: Float64Array.from([0.1, 2.5, -3, 7]),
      b: Float64Array.from([5, 5, 5, 5]),
    });
    const pairs = [
      [await new StandardScaler().fit(numeric), StandardScaler.fromJSON, numeric],
      [
        await new MinMaxScaler({ featureRange: [-2, 2] }).fit(numeric),
        MinMaxScaler.fromJSON,
        numeric,
      ],
      [
        await new OneHotEncoder({ handleUnknown: 'ignore', drop: 'first' }).fit(train),
        OneHotEncoder.fromJSON,
        incoming,
      ],
      [await new OrdinalEncoder().fit(train), OrdinalEncoder.fromJSON, incoming],
    ] as const;
    for (const [fitted, fromJSON, input] of pairs) {
      const restored = fromJSON(JSON.parse(JSON.stringify(fitted)));
      expect(restored.isFitted).toBe(true);
      expect(restored.transform(input)).toEqual(fitted.transform(input));
    }
  });

  it('rejects JSON of another kind', async () => {
    const scaler = await new StandardScaler().fit(new Table({ a: Float64Array.from([1, 2]) }));
    expect(() => MinMaxScaler.fromJSON(scaler.toJSON())).toThrow(InvalidArgumentError);
  });
});
