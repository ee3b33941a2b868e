import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BaseEstimator,
  CategoryColumn,
  ChecksumMismatchError,
  InvalidArgumentError,
  InvalidDataError,
  ManifestInvalidError,
  type Matrix,
  NotFittedError,
  NotFoundError,
  readArtifact,
  Table,
} from '@mlsd/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ColumnTransformer,
  defaultStepRegistry,
  loadColumnTransformer,
  loadPipeline,
  MinMaxScaler,
  OneHotEncoder,
  OrdinalEncoder,
  PIPELINE_ARTIFACT_KIND,
  Pipeline,
  readPipeline,
  registerStepType,
  StandardScaler,
  StepRegistry,
} from '../src/index.js';

const Options = z.object({ bias: z.number().default(0) }).strict();
const State = z.object({ weights: z.instanceof(Float64Array), names: z.array(z.string()) });

/** Test-only model: a fixed linear score fitted as the mean of each feature over positives. */
class MeanOfPositives extends BaseEstimator<z.output<typeof Options>, z.output<typeof State>> {
  readonly kind = 'MeanOfPositives';
  constructor(options: z.input<typeof Options> = {}) {
    super(Options, options);
  }
  async fit(input: Matrix, target: Uint8Array): Promise<this> {
    const weights = new Float64Array(input.cols);
    let positives = 0;
    for (let i = 0; i < input.rows; i++) {
      if (!target[i]) continue;
      positives++;
      for (let j = 0; j < input.cols; j++) weights[j]! += input.data[i * input.cols + j]!;
    }
    for (let j = 0; j < input.cols; j++) weights[j]! /= Math.max(1, positives);
    this.setFitted({ weights, names: [...(input.columnNames ?? [])] });
    return this;
  }
  predict(input: Matrix): Float64Array {
    const { weights } = this.fitted;
    const out = new Float64Array(input.rows);
    for (let i = 0; i < input.rows; i++) {
      let score = this.params.bias;
      for (let j = 0; j < input.cols; j++) score += weights[j]! * input.data[i * input.cols + j]!;
      out[i] = score;
    }
    return out;
  }
  get featureNames(): string[] {
    return this.fitted.names;
  }
  static fromJSON(json: unknown): MeanOfPositives {
    const { params, state } = BaseEstimator.checkJSON(json, {
      kind: 'MeanOfPositives',
      version: 1,
      params: Options,
      state: State,
    });
    const model = new MeanOfPositives(params);
    model.setFitted(state);
    return model;
  }
}

const n = 40;
const transactions = new Table({
  amount: Float64Array.from({ length: n }, (_, i) => 10 + ((i * 37) % 23) * 4.5),
  hour: Float64Array.from({ length: n }, (_, i) => (i * 7) % 24),
  city: CategoryColumn.fromValues(
    Array.from({ length: n }, (_, i) => ['Oslo', 'Bergen', 'Bodø'][i % 3]!),
  ),
  channel: Array.from({ length: n }, (_, i) => (i % 4 === 0 ? 'web' : 'pos')),
  weekday: Float64Array.from({ length: n }, (_, i) => i % 7),
});
const labels = Uint8Array.from({ length: n }, (_, i) => (i % 5 === 0 ? 1 : 0));
const incoming = new Table({
  amount: Float64Array.from([12, 500, 33.3]),
  hour: Float64Array.from([3, 23, 12]),
  city: CategoryColumn.fromValues(['Oslo', 'Tromsø', 'Bergen']),
  channel: ['web', 'pos', 'phone'],
  weekday: Float64Array.from([0, 6, 3]),
});

function makeColumns(): ColumnTransformer {
  return new ColumnTransformer(
    [
      ['amount', new StandardScaler(), ['amount']],
      ['hour', new MinMaxScaler({ featureRange: [-1, 1] }), ['hour']],
      ['city', new OneHotEncoder({ handleUnknown: 'ignore' }), ['city']],
      [
        'channel',
        new Pipeline([
          ['ordinal', new OrdinalEncoder()],
          ['scale', new MinMaxScaler()],
        ]),
        ['channel'],
      ],
    ],
    { remainder: 'passthrough' },
  );
}

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'mlsd-transformers-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('ColumnTransformer', () => {
  it('applies each entry to its columns and names outputs by entry', async () => {
    const columns = makeColumns();
    const out = await columns.fitTransform(transactions);
    expect(out.columnNames).toEqual([
      'amount__amount',
      'hour__hour',
      'city__city_Bergen',
      'city__city_Bodø',
      'city__city_Oslo',
      'channel__channel',
      'remainder__weekday',
    ]);
    expect(out.rows).toBe(n);
    expect(columns.remainderColumns).toEqual(['weekday']);
    // Row 1: Bergen, pos (ordinal 0 of [pos, web] → 0 after min-max), weekday 1.
    const row1 = Array.from(out.data.subarray(out.cols, 2 * out.cols));
    expect(row1.slice(2)).toEqual([1, 0, 0, 0, 1]);
    const amount = Array.from(transactions.numeric('amount'));
    const mean = amount.reduce((sum, value) => sum + value, 0) / n;
    expect(out.data[0]).toBeCloseTo(
      (amount[0]! - mean) / Math.sqrt(amount.reduce((s, v) => s + (v - mean) ** 2, 0) / n),
      12,
    );
  });

  it("drops the remainder by default and honours 'drop' / 'passthrough' entries", async () => {
    const columns = new ColumnTransformer([
      ['raw', 'passthrough', ['hour', 'amount']],
      ['gone', 'drop', ['weekday']],
    ]);
    const out = await columns.fitTransform(transactions);
    expect(out.columnNames).toEqual(['raw__hour', 'raw__amount']);
    expect(out.data[1]).toBe(transactions.numeric('amount')[0]);
  });

  it('reports unknown categories through the fitted encoder', async () => {
    const columns = makeColumns();
    await columns.fit(transactions);
    const out = columns.transform(incoming);
    const encoder = columns.transformer<OneHotEncoder>('city') as OneHotEncoder;
    expect(encoder.unknownCategories()).toEqual([
      { column: 'city', rows: 1, categories: [{ value: 'Tromsø', count: 1, firstRow: 1 }] },
    ]);
    // The nested ordinal encoder wrote -1 for "phone"; min-max maps it below 0.
    const channelColumn = out.columnNames!.indexOf('channel__channel');
    expect(out.data[2 * out.cols + channelColumn]).toBe(-1);
  });

  it('gives typed errors for missing columns, string passthrough and name clashes', async () => {
    const missing = new ColumnTransformer([['a', new StandardScaler(), ['amonut']]]);
    await expect(missing.fit(transactions)).rejects.toThrow(/did you mean "amount"/);
    await expect(missing.fit(transactions)).rejects.toBeInstanceOf(NotFoundError);
    const strings = new ColumnTransformer([['a', 'passthrough', ['channel']]]);
    await expect(strings.fit(transactions)).rejects.toBeInstanceOf(InvalidDataError);
    const clash = new ColumnTransformer(
      [
        ['a', 'passthrough', ['hour']],
        ['b', new StandardScaler(), ['hour']],
      ],
      { verboseFeatureNamesOut: false },
    );
    await expect(clash.fit(transactions)).rejects.toThrow(
      /two output columns would be called "hour"/,
    );
    expect(() => new ColumnTransformer([['remainder', 'drop', []]])).toThrow(InvalidArgumentError);
    expect(() => new ColumnTransformer([['a__b', 'drop', []]])).toThrow(InvalidArgumentError);
    const nan = new Table({ hour: Float64Array.from([1, Number.NaN]) });
    await expect(
      new ColumnTransformer([['h', new StandardScaler(), ['hour']]]).fit(nan),
    ).rejects.toThrow('column "hour" has NaN at row 1');
  });
});

describe('Pipeline', () => {
  it('fits transformers in order and hands the final features and target to the model', async () => {
    const pipeline = new Pipeline([
      ['columns', makeColumns()],
      ['rescale', new StandardScaler()],
      ['model', new MeanOfPositives({ bias: 0.5 })],
    ]);
    expect(pipeline.isFitted).toBe(false);
    await pipeline.fit(transactions, labels);
    expect(pipeline.unknownCategories()).toEqual([]);
    expect(pipeline.isFitted).toBe(true);
    const features = pipeline.transformUpToLast(incoming) as Matrix;
    expect(features.columnNames).toEqual(
      pipeline.step<ColumnTransformer>('columns').featureNamesOut(),
    );
    const scores: Float64Array = pipeline.predict(incoming);
    expect(scores).toEqual(pipeline.step<MeanOfPositives>('model').predict(features));
    expect(pipeline.step<MeanOfPositives>('model').featureNames).toContain('city__city_Oslo');
  });

  it('gathers unknown categories from every nested encoder, with step paths', async () => {
    const pipeline = new Pipeline([
      ['columns', makeColumns()],
      ['model', new MeanOfPositives()],
    ]);
    await pipeline.fit(transactions, labels);
    pipeline.predict(incoming);
    pipeline.predict(incoming.slice(2));
    expect(pipeline.unknownCategories()).toEqual([
      {
        step: 'columns.city',
        column: 'city',
        rows: 1,
        categories: [{ value: 'Tromsø', count: 1, firstRow: 1 }],
      },
      {
        step: 'columns.channel.ordinal',
        column: 'channel',
        rows: 2,
        categories: [{ value: 'phone', count: 2, firstRow: 2 }],
      },
    ]);
    pipeline.resetUnknownCategories();
    expect(pipeline.unknownCategories()).toEqual([]);
  });

  it('transforms when its last step is a transformer', async () => {
    const pipeline = new Pipeline([
      ['ordinal', new OrdinalEncoder()],
      ['scale', new MinMaxScaler()],
    ]);
    const out = await pipeline.fitTransform(transactions.select(['city', 'channel']));
    expect(out.columnNames).toEqual(['city', 'channel']);
    expect(Math.max(...out.data)).toBe(1);
    expect(() => pipeline.predict(transactions)).toThrow(/has no predict/);
  });

  it('validates steps and refuses work before fit', async () => {
    expect(() => new Pipeline([])).toThrow(InvalidArgumentError);
    expect(
      () =>
        new Pipeline([
          ['a', new StandardScaler()],
          ['a', new MinMaxScaler()],
        ]),
    ).toThrow(/two steps are named "a"/);
    expect(
      () =>
        new Pipeline([
          ['model', new MeanOfPositives()],
          ['scale', new StandardScaler()],
        ] as never),
    ).toThrow(/step "model" is not last/);
    const pipeline = new Pipeline([['scale', new StandardScaler()]]);
    expect(() => pipeline.transform(transactions)).toThrow(NotFittedError);
    expect(() => pipeline.toJSON()).toThrow(NotFittedError);
    expect(() => pipeline.step('scal')).toThrow(/did you mean "scale"/);
  });
});

describe('save / load as one artifact', () => {
  it('round-trips a fitted pipeline with a custom model to identical output', async () => {
    const pipeline = new Pipeline([
      ['columns', makeColumns()],
      ['model', new MeanOfPositives({ bias: -1 })],
    ]);
    await pipeline.fit(transactions, labels);
    const dir = join(root, 'fraud-pipeline');
    const manifest = await pipeline.save(dir, { metrics: { auc: 0.9 } });
    expect(manifest.kind).toBe(PIPELINE_ARTIFACT_KIND);
    expect(manifest.files.map((file) => file.path)).toEqual(['pipeline.json']);
    expect(manifest.params).toEqual({
      root: 'Pipeline',
      steps: {
        Pipeline: {
          columns: {
            ColumnTransformer: {
              amount: 'StandardScaler',
              hour: 'MinMaxScaler',
              city: 'OneHotEncoder',
              channel: { Pipeline: { ordinal: 'OrdinalEncoder', scale: 'MinMaxScaler' } },
            },
          },
          model: 'MeanOfPositives',
        },
      },
    });

    // The default registry does not know the test model: a clear NotFoundError.
    const error = await loadPipeline(dir).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as Error).message).toContain("register('MeanOfPositives'");

    const registry = defaultStepRegistry
      .clone()
      .register('MeanOfPositives', (json) => MeanOfPositives.fromJSON(json));
    const loaded = await loadPipeline(dir, { registry });
    expect(loaded.steps.map(([name]) => name)).toEqual(['columns', 'model']);
    expect(loaded.predict(incoming)).toEqual(pipeline.predict(incoming));
    expect(loaded.predict(transactions)).toEqual(pipeline.predict(transactions));
    expect(loaded.transformUpToLast(incoming)).toEqual(pipeline.transformUpToLast(incoming));
    expect(loaded.toJSON()).toEqual(pipeline.toJSON());
    expect((await readArtifact(dir)).manifest.metrics).toEqual({ auc: 0.9 });
  });

  it('round-trips a ColumnTransformer, and registerStepType extends the default registry', async () => {
    const columns = makeColumns();
    await columns.fit(transactions);
    const dir = join(root, 'columns');
    await columns.save(dir);
    const loaded = await loadColumnTransformer(dir);
    expect(loaded.transform(incoming)).toEqual(columns.transform(incoming));
    expect(await readPipeline(dir)).toBeInstanceOf(ColumnTransformer);
    await expect(loadPipeline(dir)).rejects.toBeInstanceOf(ManifestInvalidError);

    registerStepType('MeanOfPositivesGlobal', (json) =>
      MeanOfPositives.fromJSON({ ...(json as object), kind: 'MeanOfPositives' }),
    );
    expect(defaultStepRegistry.has('MeanOfPositivesGlobal')).toBe(true);
    expect(() => registerStepType('MeanOfPositivesGlobal', () => new StandardScaler())).toThrow(
      /already registered/,
    );
    expect(() => new StepRegistry().register('', () => new StandardScaler())).toThrow(
      InvalidArgumentError,
    );
  });

  it('refuses a tampered artifact and an unfitted pipeline', async () => {
    const pipeline = new Pipeline([['scale', new StandardScaler()]]);
    await expect(pipeline.save(join(root, 'unfitted'))).rejects.toBeInstanceOf(NotFittedError);
    await pipeline.fit(transactions.select(['amount', 'hour']));
    const dir = join(root, 'tampered');
    await pipeline.save(dir);
    const file = join(dir, 'pipeline.json');
    await writeFile(
      file,
      (await readFile(file, 'utf8')).replace('"withMean":true', '"withMean":false'),
    );
    await expect(loadPipeline(dir)).rejects.toBeInstanceOf(ChecksumMismatchError);
  });
});
