/**
 * The transformers against scikit-learn 1.2.1 on the same data. The fixture is frozen by
 * fixtures/transformers-make-fixture.py (run it with /usr/bin/python3 to regenerate).
 */
import { readFileSync } from 'node:fs';
import { CategoryColumn, type Matrix, Table, toMatrix } from '@mlsd/core';
import { describe, expect, it } from 'vitest';
import {
  ColumnTransformer,
  MinMaxScaler,
  OneHotEncoder,
  OrdinalEncoder,
  StandardScaler,
} from '../src/index.js';

interface Fixture {
  train: Record<string, (number | string)[]>;
  test: Record<string, (number | string)[]>;
  numeric: string[];
  categorical: string[];
  standardScaler: {
    mean: number[];
    variance: number[];
    scale: number[];
    train: number[][];
    test: number[][];
  };
  standardScalerNoMean: { test: number[][] };
  standardScalerNoStd: { test: number[][] };
  minMaxScaler: {
    featureRange: [number, number];
    dataMin: number[];
    dataMax: number[];
    scale: number[];
    offset: number[];
    test: number[][];
    testClipped: number[][];
  };
  oneHotEncoder: { categories: (string | number)[][]; featureNamesOut: string[]; test: number[][] };
  oneHotEncoderDropFirst: { featureNamesOut: string[]; rows: number[]; test: number[][] };
  oneHotEncoderDropIfBinary: { featureNamesOut: string[]; rows: number[]; test: number[][] };
  ordinalEncoder: { categories: (string | number)[][]; test: number[][] };
  columnTransformer: { inputColumns: string[]; featureNamesOut: string[]; test: number[][] };
}

const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/transformers-sklearn.json', import.meta.url), 'utf8'),
) as Fixture;

/** Numeric fixture columns as Float64Array, string ones as string[] (or CategoryColumn). */
function toTable(columns: Record<string, (number | string)[]>, categories = false): Table {
  const out: Record<string, Float64Array | string[] | CategoryColumn> = {};
  for (const [name, values] of Object.entries(columns)) {
    if (values.every((value) => typeof value === 'number')) {
      out[name] = Float64Array.from(values as number[]);
    } else {
      out[name] = categories ? CategoryColumn.fromValues(values as string[]) : (values as string[]);
    }
  }
  return new Table(out);
}

const train = toTable(fixture.train);
const test = toTable(fixture.test);

/** Asserts a matrix equals sklearn's rows within `tolerance` (relative to max(1, |expected|)). */
function expectMatrixClose(actual: Matrix, expected: number[][], tolerance = 1e-12): void {
  expect(actual.rows).toBe(expected.length);
  expect(actual.cols).toBe(expected[0]?.length ?? 0);
  let worst = 0;
  expected.forEach((row, i) => {
    row.forEach((value, j) => {
      const got = actual.data[i * actual.cols + j]!;
      const error = Math.abs(got - value) / Math.max(1, Math.abs(value));
      if (!(error <= worst)) worst = error;
    });
  });
  expect(worst).toBeLessThanOrEqual(tolerance);
}

function expectArrayClose(actual: ArrayLike<number>, expected: number[], tolerance = 1e-12): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((value, j) => {
    expect(Math.abs(actual[j]! - value)).toBeLessThanOrEqual(
      tolerance * Math.max(1, Math.abs(value)),
    );
  });
}

describe('StandardScaler matches scikit-learn', () => {
  it('learns mean, variance and scale (constant column kept at scale 1)', async () => {
    const scaler = await new StandardScaler().fit(train.select(fixture.numeric));
    expectArrayClose(scaler.mean, fixture.standardScaler.mean);
    expectArrayClose(scaler.variance, fixture.standardScaler.variance, 1e-13);
    expectArrayClose(scaler.scale, fixture.standardScaler.scale, 1e-13);
    expect(scaler.scale[fixture.numeric.indexOf('constant')]).toBe(1);
  });

  it('transforms train and test like sklearn, with the input names', async () => {
    const scaler = await new StandardScaler().fit(train.select(fixture.numeric));
    expectMatrixClose(scaler.transform(train), fixture.standardScaler.train, 1e-13);
    const out = scaler.transform(test);
    expectMatrixClose(out, fixture.standardScaler.test, 1e-13);
    expect(out.columnNames).toEqual(fixture.numeric);
  });

  it('honours withMean: false and withStd: false', async () => {
    const numeric = train.select(fixture.numeric);
    const noMean = await new StandardScaler({ withMean: false }).fit(numeric);
    expectMatrixClose(noMean.transform(test), fixture.standardScalerNoMean.test, 1e-13);
    const noStd = await new StandardScaler({ withStd: false }).fit(numeric);
    expectMatrixClose(noStd.transform(test), fixture.standardScalerNoStd.test, 1e-13);
    expect([...noStd.scale]).toEqual([1, 1, 1, 1]);
  });

  it('gives the same numbers from an unnamed matrix', async () => {
    const numeric = train.select(fixture.numeric);
    const rows = numeric.length;
    const data = new Float64Array(rows * 4);
    fixture.numeric.forEach((name, j) => {
      const column = numeric.numeric(name);
      for (let i = 0; i < rows; i++) data[i * 4 + j] = column[i]!;
    });
    const scaler = await new StandardScaler().fit(toMatrix(data, rows, 4));
    const out = scaler.transform(toMatrix(data, rows, 4));
    expectMatrixClose(out, fixture.standardScaler.train, 1e-13);
    expect(out.columnNames).toEqual(['x0', 'x1', 'x2', 'x3']);
  });
});

describe('MinMaxScaler matches scikit-learn', () => {
  it('learns min, max, scale and offset, and transforms test data', async () => {
    const expected = fixture.minMaxScaler;
    const scaler = await new MinMaxScaler({ featureRange: expected.featureRange }).fit(
      train.select(fixture.numeric),
    );
    expectArrayClose(scaler.dataMin, expected.dataMin);
    expectArrayClose(scaler.dataMax, expected.dataMax);
    expectArrayClose(scaler.scale, expected.scale, 1e-13);
    expectArrayClose(scaler.offset, expected.offset, 1e-13);
    expectMatrixClose(scaler.transform(test), expected.test, 1e-13);
  });

  it('clips into the feature range when asked', async () => {
    const expected = fixture.minMaxScaler;
    const scaler = await new MinMaxScaler({ featureRange: expected.featureRange, clip: true }).fit(
      train.select(fixture.numeric),
    );
    const out = scaler.transform(test);
    expectMatrixClose(out, expected.testClipped, 1e-13);
    expect(Math.min(...out.data)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...out.data)).toBeLessThanOrEqual(2);
  });
});

describe('OneHotEncoder matches scikit-learn', () => {
  for (const categories of [false, true]) {
    const label = categories ? 'CategoryColumn' : 'string[]';
    it(`sorts categories by code point and names outputs column_value (${label})`, async () => {
      const encoder = await new OneHotEncoder({ handleUnknown: 'ignore' }).fit(
        toTable(fixture.train, categories).select(fixture.categorical),
      );
      expect(encoder.categories.map((column) => column.values)).toEqual(
        fixture.oneHotEncoder.categories,
      );
      const out = encoder.transform(toTable(fixture.test, categories));
      expect(out.columnNames).toEqual(fixture.oneHotEncoder.featureNamesOut);
      expectMatrixClose(out, fixture.oneHotEncoder.test, 0);
    });
  }

  it("drops the first category, or only binary columns' first, like sklearn's drop", async () => {
    for (const [drop, expected] of [
      ['first', fixture.oneHotEncoderDropFirst],
      ['ifBinary', fixture.oneHotEncoderDropIfBinary],
    ] as const) {
      const encoder = await new OneHotEncoder({ drop }).fit(train.select(fixture.categorical));
      const out = encoder.transform(test.take(expected.rows));
      expect(out.columnNames).toEqual(expected.featureNamesOut);
      expectMatrixClose(out, expected.test, 0);
    }
  });
});

describe('OrdinalEncoder matches scikit-learn', () => {
  it('codes sorted categories and writes -1 for unknown ones', async () => {
    const encoder = await new OrdinalEncoder().fit(train.select(fixture.categorical));
    expect(encoder.categories.map((column) => column.values)).toEqual(
      fixture.ordinalEncoder.categories,
    );
    const out = encoder.transform(test);
    expect(out.columnNames).toEqual(fixture.categorical);
    expectMatrixClose(out, fixture.ordinalEncoder.test, 0);
  });
});

describe('ColumnTransformer matches scikit-learn', () => {
  it('concatenates the entries and the remainder with sklearn feature names', async () => {
    const columns = new ColumnTransformer(
      [
        ['num', new StandardScaler(), ['amount', 'hour']],
        ['cat', new OneHotEncoder({ handleUnknown: 'ignore' }), ['city', 'binary']],
        ['mm', new MinMaxScaler(), ['offset']],
      ],
      { remainder: 'passthrough' },
    );
    const layout = fixture.columnTransformer.inputColumns;
    await columns.fit(train.select(layout));
    const out = columns.transform(test.select(layout));
    expect(out.columnNames).toEqual(fixture.columnTransformer.featureNamesOut);
    expectMatrixClose(out, fixture.columnTransformer.test, 1e-13);
  });
});
