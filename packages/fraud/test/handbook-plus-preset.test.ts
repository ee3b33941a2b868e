import { Table } from '@mlsd/core';
import { simulateTransactions } from '@mlsd/datasets';
import { computeFeatures, HANDBOOK_FEATURE_NAMES } from '@mlsd/features';
import { describe, expect, it } from 'vitest';
import {
  ColumnsSchema,
  FraudScorer,
  HANDBOOK_COLUMNS,
  HANDBOOK_PLUS_CANDIDATES,
  HANDBOOK_PLUS_GROUPS,
  handbookPlusFeatures,
  normalizedTableOf,
  pairEntityName,
  resolveFraudConfig,
  trainFraudModel,
} from '../src/index.js';

const PAIR = pairEntityName('CUSTOMER_ID', 'TERMINAL_ID');

describe('the "handbook+" preset', () => {
  it("is the handbook's 15 features, then the kept groups' (the amount's z-scores)", () => {
    const config = resolveFraudConfig({ preset: 'handbook+' });
    const names = config.features.map((feature) => feature.name);
    expect(names).toEqual([
      ...HANDBOOK_FEATURE_NAMES,
      'CUSTOMER_ID_AMOUNT_ZSCORE_7DAY_WINDOW',
      'CUSTOMER_ID_AMOUNT_ZSCORE_30DAY_WINDOW',
    ]);
    expect(HANDBOOK_PLUS_GROUPS).toEqual(['amount-z-score']);
    expect(config.preset).toBe('handbook+');
    expect(config.protocol).toMatchObject({ trainStart: '2018-07-25', cardEntity: 'CUSTOMER_ID' });
    expect(Object.keys(config.columns.entities)).toEqual(['CUSTOMER_ID', 'TERMINAL_ID']);
  });

  it("names its features after the user's own entities", () => {
    const config = resolveFraudConfig({
      version: 1,
      preset: 'handbook+',
      columns: { ...HANDBOOK_COLUMNS, entities: { card: ['CUSTOMER_ID'], shop: ['TERMINAL_ID'] } },
      protocol: { cardEntity: 'card' },
    });
    const names = config.features.map((feature) => feature.name);
    expect(names).toContain('shop_RISK_7DAY_WINDOW');
    expect(names.slice(15)).toEqual([
      'card_AMOUNT_ZSCORE_7DAY_WINDOW',
      'card_AMOUNT_ZSCORE_30DAY_WINDOW',
    ]);
  });

  it('refuses a feature group that is not a candidate', () => {
    expect(() =>
      handbookPlusFeatures(ColumnsSchema.parse(HANDBOOK_COLUMNS), ['amount-zscore']),
    ).toThrow(/no handbook\+ feature group "amount-zscore"/);
  });

  it('scores online exactly as the batch path, with every candidate group', async () => {
    // Every candidate, kept or not, so that the ablation compared features that are
    // point-in-time the same way online; the (card, terminal) pair is a compound entity.
    const { table } = simulateTransactions({
      customers: 120,
      terminals: 240,
      days: 75,
      seed: 11,
      progress: false,
    });
    const days = table.numeric('TX_TIME_DAYS');
    const cut = days.findIndex((day) => day >= 71);
    const history = table.filter(Uint8Array.from(days, (_, i) => (i < cut ? 1 : 0)));
    const stream = table.filter(Uint8Array.from(days, (_, i) => (i >= cut ? 1 : 0)));
    const columns = ColumnsSchema.parse({
      ...HANDBOOK_COLUMNS,
      entities: { ...HANDBOOK_COLUMNS.entities, [PAIR]: ['CUSTOMER_ID', 'TERMINAL_ID'] },
    });
    const features = handbookPlusFeatures(
      columns,
      HANDBOOK_PLUS_CANDIDATES.map((group) => group.name),
    );
    const trained = await trainFraudModel(history, {
      version: 1,
      preset: 'handbook',
      columns,
      features,
      protocol: { trainStart: '2018-05-20' },
      model: { kind: 'logreg' },
    });
    expect(trained.model.features.names).toHaveLength(features.length);
    const scorer = new FraudScorer(trained.model);
    const all = normalizedTableOf(Table.concat([history, stream]), trained.model.config);
    const batch = computeFeatures(all, trained.model.features, { dtype: 'float32' });
    // The raw record the service takes: the preset's columns.
    const fields = [
      HANDBOOK_COLUMNS.transactionId,
      HANDBOOK_COLUMNS.time.column,
      ...Object.values(HANDBOOK_COLUMNS.entities).flat(),
      HANDBOOK_COLUMNS.amount,
      HANDBOOK_COLUMNS.label.column,
    ];
    const width = batch.columns;
    const names = trained.model.features.names;
    const pairCount = names.indexOf(`${PAIR}_NB_TX_30DAY_WINDOW`);
    const cardCount = names.indexOf('CUSTOMER_ID_NB_TX_30DAY_WINDOW');
    const pairCounts = new Set<number>();
    for (let i = 0; i < stream.length; i++) {
      const tx = Object.fromEntries(fields.map((c) => [c, stream.numeric(c)[i]!]));
      const row = history.length + i;
      const expected = [...batch.values.subarray(row * width, (row + 1) * width)];
      expect(Object.values(scorer.score(tx).features)).toEqual(expected);
      // A (card, terminal) pair is one of the card's terminals: never more payments than the card.
      expect(expected[pairCount]).toBeGreaterThanOrEqual(1);
      expect(expected[pairCount]).toBeLessThanOrEqual(expected[cardCount]!);
      pairCounts.add(expected[pairCount]!);
    }
    expect(pairCounts.size).toBeGreaterThan(5);
  });
});
