import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { InvalidArgumentError, NotFittedError } from '../src/errors.js';
import {
  BaseEstimator,
  decodeTypedArray,
  type EncodedTypedArray,
  type Estimator,
  encodeTypedArray,
} from '../src/estimator.js';

const Options = z
  .object({
    /** Multiplies the centred values. */
    scale: z.number().positive().default(1),
  })
  .strict();

const State = z.object({
  mean: z.instanceof(Float64Array),
  counts: z.instanceof(Int32Array),
  extras: z.object({ weights: z.array(z.instanceof(Float32Array)), note: z.string() }),
});

type MeanCentererState = z.output<typeof State>;

/** Test-only transformer: subtracts each column's mean, then scales. */
class MeanCenterer extends BaseEstimator<z.output<typeof Options>, MeanCentererState> {
  readonly kind = 'MeanCenterer';

  constructor(options: z.input<typeof Options> = {}) {
    super(Options, options);
  }

  /** `columns[j]` holds column j. */
  async fit(columns: readonly Float64Array[]): Promise<this> {
    const mean = new Float64Array(columns.length);
    const counts = new Int32Array(columns.length);
    columns.forEach((column, j) => {
      let sum = 0;
      for (const value of column) sum += value;
      mean[j] = sum / column.length;
      counts[j] = column.length;
    });
    const weights = [new Float32Array([0.1, Number.NaN, Number.NEGATIVE_INFINITY, -0])];
    this.setFitted({ mean, counts, extras: { weights, note: 'fitted' } });
    return this;
  }

  transform(columns: readonly Float64Array[]): Float64Array[] {
    const { mean } = this.fitted;
    return columns.map((column, j) =>
      column.map((value) => (value - mean[j]!) * this.params.scale),
    );
  }

  get means(): Float64Array {
    return this.fitted.mean;
  }

  static fromJSON(json: unknown): MeanCenterer {
    const { params, state } = BaseEstimator.checkJSON(json, {
      kind: 'MeanCenterer',
      version: 1,
      params: Options,
      state: State,
    });
    const model = new MeanCenterer(params);
    model.setFitted(state);
    return model;
  }
}

/** The same estimator with a newer state layout. */
class MeanCentererV2 extends MeanCenterer {
  protected override readonly formatVersion = 2;
}

const data = [new Float64Array([1, 2, 3, 6]), new Float64Array([-1, 1, 0.5, 0.5])];

describe('BaseEstimator', () => {
  it('validates options in the constructor, naming the class', () => {
    expect(new MeanCenterer().params).toEqual({ scale: 1 });
    expect(new MeanCenterer({ scale: 2 }).params).toEqual({ scale: 2 });
    expect(() => new MeanCenterer({ scale: -1 })).toThrow(InvalidArgumentError);
    expect(() => new MeanCenterer({ scale: -1 })).toThrow(
      'MeanCenterer options: scale: Too small: expected number to be >0',
    );
    expect(() => new MeanCenterer({ sacle: 2 } as never)).toThrow(/Unrecognized key: "sacle"/);
  });

  it('freezes params', () => {
    const model = new MeanCenterer({ scale: 2 });
    expect(Object.isFrozen(model.params)).toBe(true);
    expect(() => {
      (model.params as { scale: number }).scale = 3;
    }).toThrow(TypeError);
  });

  it('throws NotFittedError before fit', () => {
    const model = new MeanCenterer();
    expect(model.isFitted).toBe(false);
    expect(() => model.transform(data)).toThrow(NotFittedError);
    expect(() => model.means).toThrow('MeanCenterer is not fitted yet: call fit() first.');
    expect(() => model.toJSON()).toThrow(NotFittedError);
    expect(() => JSON.stringify(model)).toThrow(NotFittedError);
  });

  it('fit resolves to the estimator itself, so calls chain', async () => {
    const model = new MeanCenterer({ scale: 2 });
    await expect(model.fit(data)).resolves.toBe(model);
    const chained = await new MeanCenterer({ scale: 2 }).fit(data);
    expect(chained.isFitted).toBe(true);
    expect(chained.means).toEqual(new Float64Array([3, 0.25]));
    expect(chained.transform(data)[0]).toEqual(new Float64Array([-4, -2, 0, 6]));
  });

  it('round-trips through JSON.stringify with typed arrays intact', async () => {
    const model = await new MeanCenterer({ scale: 0.5 }).fit(data);
    const json: unknown = JSON.parse(JSON.stringify(model));
    expect(json).toMatchObject({
      kind: 'MeanCenterer',
      version: 1,
      params: { scale: 0.5 },
      state: { mean: { dtype: 'float64' }, counts: { dtype: 'int32' }, extras: { note: 'fitted' } },
    });

    const restored = MeanCenterer.fromJSON(json);
    expect(restored).toBeInstanceOf(MeanCenterer);
    expect(restored.isFitted).toBe(true);
    expect(restored.params).toEqual({ scale: 0.5 });
    expect(restored.means).toBeInstanceOf(Float64Array);
    expect(restored.means).toEqual(model.means);
    expect(restored.transform(data)).toEqual(model.transform(data));
    const state = (restored as unknown as { fitted: MeanCentererState }).fitted;
    expect(state.counts).toEqual(new Int32Array([4, 4]));
    const weights = state.extras.weights[0]!;
    expect(weights).toBeInstanceOf(Float32Array);
    expect(weights[0]).toBe(Math.fround(0.1));
    expect(weights[1]).toBeNaN();
    expect(weights[2]).toBe(Number.NEGATIVE_INFINITY);
    expect(Object.is(weights[3], -0)).toBe(true);

    // toJSON output that never left memory reads back too.
    expect(MeanCenterer.fromJSON(model.toJSON()).means).toEqual(model.means);
  });

  it('works through the Estimator interface', async () => {
    const estimators: Estimator[] = [new MeanCenterer(), await new MeanCenterer().fit(data)];
    expect(estimators.map((estimator) => estimator.isFitted)).toEqual([false, true]);
    expect(estimators[1]!.toJSON().kind).toBe('MeanCenterer');
  });

  it('writes the overridable format version', async () => {
    const model = await new MeanCentererV2().fit(data);
    expect(model.toJSON().version).toBe(2);
  });

  it('rejects JSON of another kind, another version or another shape', async () => {
    const json = JSON.parse(JSON.stringify(await new MeanCenterer().fit(data)));
    expect(() => MeanCenterer.fromJSON({ ...json, kind: 'StandardScaler' })).toThrow(
      'MeanCenterer.fromJSON: this JSON holds kind "StandardScaler", not "MeanCenterer".',
    );
    const v2 = JSON.parse(JSON.stringify(await new MeanCentererV2().fit(data)));
    expect(() => MeanCenterer.fromJSON(v2)).toThrow(InvalidArgumentError);
    expect(() => MeanCenterer.fromJSON(v2)).toThrow(/format version 2 is not the version 1/);
    expect(() => MeanCenterer.fromJSON(null)).toThrow(/expected an object .* got null/);
    expect(() => MeanCenterer.fromJSON([json])).toThrow(/got an array/);
    expect(() => MeanCenterer.fromJSON('{}')).toThrow(/got string/);
    const { state: _state, ...noState } = json;
    expect(() => MeanCenterer.fromJSON(noState)).toThrow(/lacks "params" or "state"/);
    expect(() => MeanCenterer.fromJSON({ ...json, params: { scale: 0 } })).toThrow(
      'MeanCenterer.fromJSON params: scale: Too small: expected number to be >0',
    );
    // A state whose typed array was stored as a plain JSON object does not pass the schema.
    expect(() =>
      MeanCenterer.fromJSON({ ...json, state: { ...json.state, mean: { 0: 1, 1: 2 } } }),
    ).toThrow(/MeanCenterer.fromJSON state: mean: /);
  });
});

describe('encodeTypedArray / decodeTypedArray', () => {
  const arrays = [
    new Float64Array([1.5, -0, Number.NaN, Number.POSITIVE_INFINITY, Number.MIN_VALUE]),
    new Float32Array([Math.fround(1 / 3), -2]),
    new Int32Array([-(2 ** 31), 2 ** 31 - 1, 0]),
    new Uint32Array([2 ** 32 - 1, 7]),
    new Int16Array([-32768, 32767]),
    new Uint16Array([65535, 1]),
    new Int8Array([-128, 127]),
    new Uint8Array([0, 255, 16]),
    new Float64Array(0),
  ];

  it.each(arrays.map((array) => [array.constructor.name, array] as const))(
    'round-trips a %s through JSON exactly',
    (_name, array) => {
      const encoded = JSON.parse(JSON.stringify(encodeTypedArray(array))) as EncodedTypedArray;
      const decoded = decodeTypedArray(encoded);
      expect(decoded.constructor).toBe(array.constructor);
      expect(new Uint8Array(decoded.buffer)).toEqual(
        new Uint8Array(array.buffer, array.byteOffset, array.byteLength),
      );
    },
  );

  it('stores little-endian bytes and encodes only the view of a shared buffer', () => {
    expect(encodeTypedArray(new Uint16Array([1, 256]))).toEqual({
      dtype: 'uint16',
      data: 'AQAAAQ==',
    });
    const whole = new Int32Array([10, 20, 30, 40]);
    const decoded = decodeTypedArray(encodeTypedArray(whole.subarray(1, 3)));
    expect(decoded).toEqual(new Int32Array([20, 30]));
  });

  it('rejects what it cannot store or read', () => {
    expect(() => encodeTypedArray(new BigInt64Array(1) as never)).toThrow(
      /cannot store a BigInt64Array/,
    );
    expect(() => decodeTypedArray({ dtype: 'float16' as never, data: '' })).toThrow(
      InvalidArgumentError,
    );
    expect(() => decodeTypedArray(null as never)).toThrow(InvalidArgumentError);
    expect(() => decodeTypedArray({ dtype: 'float64', data: 'AAAA' })).toThrow(
      /3 bytes is not a whole number of float64 elements/,
    );
    expect(() => decodeTypedArray({ dtype: 'uint8', data: 'AA*A' })).toThrow(/not valid base64/);
    expect(() => decodeTypedArray({ dtype: 'uint8', data: 42 as never })).toThrow(
      InvalidArgumentError,
    );
  });
});
