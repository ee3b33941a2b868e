import type { FeatureEntry, FraudColumns } from './fraud-config-schema.js';

/** Window lengths of the default features, days (the handbook's). */
const WINDOWS = [1, 7, 30] as const;
const COORDINATE = /(^|_)(lat|lon|lng|long|latitude|longitude)$/i;

/** Options of {@link defaultFeatures}. */
export interface DefaultFeatureOptions {
  /** The entity that is the card: it gets the spending-behaviour features. */
  cardEntity: string;
  /** Categorical columns with a small vocabulary, one-hot encoded instead of target-encoded. */
  oneHot?: ReadonlySet<string>;
}

/**
 * The features a config gets when it lists none, generalising the handbook's (Le Borgne et al.
 * 2022, §3.3) to any entities: the amount; hour, weekend and night in the config's zone; for the
 * card, its count and mean amount over 1, 7 and 30 days (the transaction included), the time since
 * its previous one, the amount against its 30-day mean and its z-score against the last 7 and 30
 * days (the feature group the "handbook+" ablation kept); for every other entity (merchant,
 * device, ...), its count and fraud share over 1, 7 and 30 days ending a label delay ago; each
 * categorical column's frequency and a one-hot (small vocabularies) or delayed target encoding;
 * each numeric column passed through (coordinates are left for a geo-distance feature).
 */
export function defaultFeatures(
  columns: FraudColumns,
  options: DefaultFeatureOptions,
): FeatureEntry[] {
  const labelled = columns.label !== undefined;
  const delayDays = columns.labelDelay.days ?? 7;
  const features: FeatureEntry[] = [
    { kind: 'numeric', column: columns.amount },
    { kind: 'hour' },
    { kind: 'weekend' },
    { kind: 'night' },
  ];
  const card = options.cardEntity;
  if (columns.entities[card] !== undefined) {
    for (const windowDays of WINDOWS) {
      features.push({ kind: 'window', entity: card, windowDays, aggregate: 'count' });
      features.push({ kind: 'window', entity: card, windowDays, aggregate: 'mean' });
    }
    features.push({ kind: 'time-since-previous', entity: card });
    features.push({
      kind: 'amount-relative',
      entity: card,
      windowDays: 30,
      relative: 'ratio-to-mean',
    });
    // The one group of the "handbook+" ablation that validation kept (benchmarks/fraud/ablation.bench.ts).
    for (const windowDays of [7, 30]) {
      features.push({ kind: 'amount-relative', entity: card, windowDays, relative: 'z-score' });
    }
  }
  for (const entity of Object.keys(columns.entities)) {
    if (entity === card) continue;
    for (const windowDays of WINDOWS) {
      features.push({ kind: 'window', entity, windowDays, delayDays, aggregate: 'count' });
      if (labelled) features.push({ kind: 'risk', entity, windowDays });
    }
  }
  for (const column of columns.categorical) {
    features.push({ kind: 'frequency', column });
    if (options.oneHot?.has(column) === true) {
      features.push({ kind: 'one-hot', column, maxCategories: 20 });
    } else if (labelled) {
      features.push({ kind: 'target-encoding', column });
    }
  }
  for (const column of columns.numeric) {
    if (!COORDINATE.test(column)) features.push({ kind: 'numeric', column });
  }
  return features;
}
