import { InvalidArgumentError, Table } from '@mlsd/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  checkSpecColumns,
  computeFeatures,
  FEATURE_KINDS,
  FeatureDefinitionSchema,
  FeatureSet,
  FeatureSpecSchema,
  resolveFeatureSpec,
} from '../src/index.js';

const base = {
  version: 2 as const,
  columns: { transactionId: 'trans_num', time: 'time', amount: 'amt', label: 'is_fraud' },
  timezone: 'America/New_York',
  entities: [
    { name: 'card', columns: ['cc_num'] },
    { name: 'merchant', columns: ['merchant'] },
    { name: 'card_merchant', columns: ['cc_num', 'merchant'] },
  ],
};

function messageOf(input: unknown): string {
  try {
    resolveFeatureSpec(input);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError);
    return (error as Error).message;
  }
  throw new Error('expected the spec to be refused');
}

describe('FeatureSpec v2', () => {
  it('resolves stable default names and defaults for every kind', () => {
    const spec = resolveFeatureSpec({
      ...base,
      labelDelayDays: 7,
      features: [
        { kind: 'numeric', column: 'city_pop' },
        { kind: 'hour' },
        { kind: 'day-of-week' },
        { kind: 'weekend' },
        { kind: 'night' },
        { kind: 'window', entity: 'card', windowDays: 7, aggregate: 'mean' },
        { kind: 'window', entity: 'card', windowDays: 1, aggregate: 'count' },
        {
          kind: 'window',
          entity: 'merchant',
          windowDays: 7,
          delayDays: 7,
          aggregate: 'std',
          of: 'city_pop',
        },
        { kind: 'distinct', entity: 'card', windowDays: 1, of: 'merchant' },
        { kind: 'time-since-previous', entity: 'card' },
        { kind: 'amount-relative', entity: 'card', windowDays: 30, relative: 'z-score' },
        { kind: 'risk', entity: 'merchant', windowDays: 7 },
        { kind: 'risk', entity: 'card_merchant', windowDays: 30, delayDays: 3, smoothing: 10 },
        { kind: 'target-encoding', column: 'category' },
        { kind: 'frequency', column: 'category' },
        { kind: 'one-hot', column: 'gender' },
        { kind: 'geo-distance', from: ['lat', 'long'], to: ['merch_lat', 'merch_long'] },
        { kind: 'window', name: 'mine', entity: 'card', windowDays: 0.5, aggregate: 'max' },
      ],
    });
    expect(spec.features.map((f) => f.name)).toEqual([
      'city_pop',
      'hour',
      'day_of_week',
      'weekend',
      'night',
      'card_amount_mean_7d',
      'card_count_1d',
      'merchant_city_pop_std_7d_delay7d',
      'card_distinct_merchant_1d',
      'card_seconds_since_previous',
      'card_amount_z_score_30d',
      'merchant_risk_7d_delay7d',
      'card_merchant_risk_30d_delay3d_m10',
      'category_target_30d_delay7d',
      'category_frequency',
      'gender',
      'distance_km_lat_long_merch_lat_merch_long',
      'mine',
    ]);
    expect(spec.features[5]).toMatchObject({ of: 'amt', delayDays: 0 });
    expect(spec.features[11]).toMatchObject({ delayDays: 7, smoothing: 0 });
    expect(spec.features[13]).toMatchObject({ windowDays: 30, delayDays: 7, smoothing: 20 });
    expect(spec.features[15]).toMatchObject({ maxCategories: 10 });
    expect(spec.timeOrigin).toBeNull();
    // Resolving again changes nothing: a saved spec is self-contained.
    expect(resolveFeatureSpec(JSON.parse(JSON.stringify(spec)))).toEqual(spec);
    expect(FEATURE_KINDS).toHaveLength(14);
  });

  it('names the key path, what was found and the nearest name', () => {
    expect(
      messageOf({
        ...base,
        features: [{ kind: 'window', entity: 'crd', windowDays: 7, aggregate: 'sum' }],
      }),
    ).toMatch(
      /features\[0\]\.entity: unknown entity "crd" \(did you mean "card"\?\); declared entities: card, merchant, card_merchant/,
    );
    expect(
      messageOf({
        ...base,
        features: [{ kind: 'window', entity: 'card', windowDay: 7, aggregate: 'sum' }],
      }),
    ).toMatch(/features\[0\]: unknown key "windowDay" \(did you mean "windowDays"\?\)/);
    expect(messageOf({ ...base, features: [{ kind: 'windw' }] })).toMatch(
      /features\[0\]\.kind: unknown feature kind "windw" \(did you mean "window"\?\)/,
    );
    expect(
      messageOf({ ...base, timezone: 'America/NewYork', features: [{ kind: 'hour' }] }),
    ).toMatch(/timezone: unknown time zone "America\/NewYork"/);
    expect(messageOf({ ...base, features: [{ kind: 'hour' }, { kind: 'hour' }] })).toMatch(
      /features\[1\]\.name: feature name "hour" is already used by features\[0\]/,
    );
    expect(
      messageOf({
        ...base,
        columns: { ...base.columns, label: null },
        features: [{ kind: 'risk', entity: 'card', windowDays: 1 }],
      }),
    ).toMatch(/columns\.label: a risk or target-encoding feature reads fraud labels/);
    expect(messageOf({ ...base, version: 1, features: [{ kind: 'hour' }] })).toMatch(
      /FeatureSpec \(version 1; this package reads version 2\)/,
    );
    expect(
      messageOf({
        ...base,
        entities: [{ name: 'a b', columns: ['x'] }],
        features: [{ kind: 'hour' }],
      }),
    ).toMatch(/entities\[0\]\.name/);
  });

  it('checks the columns it reads against a table or a file header', () => {
    const spec = resolveFeatureSpec({
      ...base,
      features: [
        { kind: 'window', entity: 'card', windowDays: 1, aggregate: 'sum', of: 'amount_usd' },
        { kind: 'numeric', column: 'city_pop' },
      ],
    });
    expect(() =>
      checkSpecColumns(
        spec,
        ['time', 'amt', 'cc_num', 'merchant', 'amount', 'city_pp'],
        'data.csv',
      ),
    ).toThrow(
      /data\.csv: features\[0\]\.of: no column "amount_usd" \(did you mean "amount"\?\); features\[1\]\.column: no column "city_pop" \(did you mean "city_pp"\?\)/,
    );
    const table = new Table({
      time: new Float64Array(1),
      amt: new Float64Array(1),
      cc_num: ['1'],
      merchant: ['m'],
    });
    expect(() => computeFeatures(table, new FeatureSet(spec))).toThrow(
      /features\[0\]\.of: no column "amount_usd".*features\[1\]\.column: no column "city_pop"/,
    );
  });

  it('exports a JSON Schema for editors', () => {
    const schema = z.toJSONSchema(FeatureSpecSchema, { io: 'input' }) as {
      properties: Record<string, unknown>;
    };
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['version', 'columns', 'timezone', 'entities', 'features']),
    );
    const one = z.toJSONSchema(FeatureDefinitionSchema, { io: 'input' }) as { oneOf: unknown[] };
    expect(one.oneOf).toHaveLength(14);
  });
});
