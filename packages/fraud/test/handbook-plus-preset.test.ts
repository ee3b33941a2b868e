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
  handbookEntities,
  handbookPlusFeatures,
  normalizedTableOf,
  pairEntityName,
  resolveFraudConfig,
  trainFraudModel,
} from '../src/index.js';

const PAIR = pairEntityName('CUSTOMER_ID', 'TERMINAL_ID');
const usesPair = HANDBOOK_PLUS_CANDIDATES.some(
  (group) => group.usesPair && HANDBOOK_PLUS_GROUPS.includes(group.name),
);

describe('the "handbook+" preset', () => {
  it("is the handbook's 15 features, then the kept groups', with the pair entity they read", () => {
    const config = resolveFraudConfig({ preset: 'handbook+' });
    const names = config.features.map((feature) => feature.name);
    expect(names.slice(0, 15)).toEqual([...HANDBOOK_FEATURE_NAMES]);
    const entities = handbookEntities(config.columns);
    const kept = HANDBOOK_PLUS_CANDIDATES.filter((group) =>
      HANDBOOK_PLUS_GROUPS.includes(group.name),
    ).flatMap((group) => group.features(entities).map((feature) => feature.name));
    expect(names.slice(15)).toEqual(kept);
    expect(config.protocol).toMatchObject({ trainStart: '2018-07-25', cardEntity: 'CUSTOMER_ID' });
    if (usesPair) expect(config.columns.entities[PAIR]).toEqual(['CUSTOMER_ID', 'TERMINAL_ID']);
    else expect(config.columns.entities[PAIR]).toBeUndefined();
  });

  it("declares the pair over the user's own first two entities, and keeps one they named", () => {
    const columns = {
      ...HANDBOOK_COLUMNS,
      entities: { card: ['CUSTOMER_ID'], shop: ['TERMINAL_ID'] },
    };
    const protocol = { cardEntity: 'card' };
    const config = resolveFraudConfig({ version: 1, preset: 'handbook+', columns, protocol });
    expect(config.cardEntity).toBe('card');
    const pair = pairEntityName('card', 'shop');
    if (usesPair) expect(config.columns.entities[pair]).toEqual(['CUSTOMER_ID', 'TERMINAL_ID']);
    const own = resolveFraudConfig({
      version: 1,
      preset: 'handbook+',
      columns: { ...columns, entities: { ...columns.entities, [pair]: ['TERMINAL_ID'] } },
      protocol,
    });
    expect(own.columns.entities[pair]).toEqual(['TERMINAL_ID']);
  });

  it('refuses a feature group that is not a candidate', () => {
    expect(() =>
      handbookPlusFeatures(ColumnsSchema.parse(HANDBOOK_COLUMNS), ['amount-zscore']),
    ).toThrow(/no handbook\+ feature group "amount-zscore"/);
  });

  it('scores online exactly as the batch path, with every candidate group', async () => {
    // Every candidate, kept or not, so that the ablation compared features that are
    // point-in-time the same way online; the pair entity is declared by hand here.
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
    const fields = [
      'TRANSACTION_ID',
      'TX_TIME_SECONDS',
      'CUSTOMER_ID',
      'TERMINAL_ID',
      'TX_AMOUNT',
      'TX_FRAUD',
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
