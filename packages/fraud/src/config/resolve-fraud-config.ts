import type { FeatureSpecInput } from '@mlsd/features';
import { defaultFeatures } from './default-features.js';
import {
  FeatureEntrySchema,
  type FraudColumns,
  type FraudPipelineConfig,
  type FraudPipelineConfigInput,
  type ParsedFeatureEntry,
} from './fraud-config-schema.js';
import { handbookFeatures, handbookPlusFeatures } from './handbook-plus.js';
import { cardEntityOf, type NormalizedLayout, normalizedLayout } from './normalized-layout.js';
import { parseFraudConfig } from './parse-fraud-config.js';

/** A config with nothing left to default: columns, features and the card entity are set. */
export interface ResolvedFraudConfig extends FraudPipelineConfig {
  columns: FraudColumns;
  features: ParsedFeatureEntry[];
  /** The entity that is the card (`protocol.cardEntity`, else "card", else the first). */
  cardEntity: string;
  /** The normalized table's columns. */
  layout: NormalizedLayout;
}

/**
 * Validates a config (a parsed file, or an object written in code) and fills in what it leaves
 * out: the preset's sections, the default features, the card entity. A config object without
 * `columns` or `preset` (code such as `trainFraudModel(table)`) starts from the handbook preset,
 * and `version` may be left out there; a config *file* must say what it is (see
 * `readFraudConfig`).
 * @throws InvalidArgumentError naming the key path of every problem.
 */
export function resolveFraudConfig(
  input: FraudPipelineConfigInput | FraudPipelineConfig | Partial<FraudPipelineConfigInput> = {},
  source = 'fraud config',
): ResolvedFraudConfig {
  if ('layout' in input && 'cardEntity' in input) return input as ResolvedFraudConfig;
  const raw = input as Record<string, unknown>;
  const filled =
    raw.columns === undefined && raw.preset === undefined
      ? { version: 1, preset: 'handbook', ...raw }
      : { version: 1, ...raw };
  const config = parseFraudConfig(filled, source);
  const columns = config.columns!;
  const layout = normalizedLayout(columns, source);
  const cardEntity = cardEntityOf(columns.entities, config.protocol.cardEntity);
  const features =
    config.features ??
    (config.preset === 'handbook'
      ? handbookFeatures(columns)
      : config.preset === 'handbook+'
        ? handbookPlusFeatures(columns)
        : defaultFeatures(columns, { cardEntity })
    ).map((feature) => FeatureEntrySchema.parse(feature));
  return {
    ...config,
    columns,
    features,
    cardEntity,
    layout,
    protocol: { ...config.protocol, cardEntity },
  };
}

/**
 * The FeatureSpec (v2, @mlsd/features) of a resolved config: the normalized columns, the zone,
 * the label delay, the entities and the features.
 */
export function featureSpecOf(config: ResolvedFraudConfig): FeatureSpecInput {
  const { columns, layout } = config;
  return {
    version: 2,
    columns: {
      transactionId: layout.transactionId,
      time: layout.time,
      amount: layout.amount,
      label: layout.label ?? null,
      labelTime: layout.labelTime ?? null,
    },
    timezone: columns.timezone,
    timeOrigin: null,
    labelDelayDays: columns.labelDelay.days ?? config.protocol.delayDays ?? 7,
    entities: Object.entries(columns.entities).map(([name, keys]) => ({
      name,
      columns: [...keys],
    })),
    features: config.features as FeatureSpecInput['features'],
  };
}
