/**
 * @mlsd/features: point-in-time fraud features, each defined once and evaluated both in batch
 * (over a time-sorted table) and online (one transaction at a time).
 * @packageDocumentation
 */

export type { ComputeFeaturesOptions, FeatureMatrix } from './batch-features.js';
export { computeFeatures, featureMatrixToTable } from './batch-features.js';
export { Calendar, SECONDS_PER_DAY } from './calendar.js';
export type { EntityGroups } from './entity-groups.js';
export { groupByEntity } from './entity-groups.js';
export { ID_RULE, isValidId } from './entity-id.js';
export type { EntityStoreSnapshot } from './entity-store.js';
export { EntityStore } from './entity-store.js';
export { EntityWindows } from './entity-windows.js';
export { EventBuffer } from './event-buffer.js';
export type { PlacedRowFeature } from './feature-set.js';
export { FeatureSet } from './feature-set.js';
export type {
  FeatureDefinition,
  FeatureSpec,
  FeatureSpecInput,
  TransactionColumns,
} from './feature-spec.js';
export {
  FeatureDefinitionSchema,
  FeatureSpecSchema,
  TransactionColumnsSchema,
} from './feature-spec.js';
export type { WriteFeatureStateOptions } from './feature-state-artifact.js';
export {
  FEATURE_STATE_FILE,
  FEATURE_STATE_FORMAT_VERSION,
  FEATURE_STATE_KIND,
  readFeatureState,
  writeFeatureState,
} from './feature-state-artifact.js';
export type { FraudFeatureOptions } from './fraud-features.js';
export { defineFraudFeatures, FRAUD_FEATURE_NAMES, fraudFeatureSpec } from './fraud-features.js';
export { IdIndex } from './id-index.js';
export type {
  OnlineFeatureSnapshot,
  OnlineFeatureStateOptions,
  OnlineStateStats,
  OnlineTransaction,
} from './online-features.js';
export { OnlineFeatureState } from './online-features.js';
export type { RowFeature } from './row-features.js';
export { ColumnFeature, NightFeature, WeekendFeature } from './row-features.js';
export {
  CURSOR_COMP,
  CURSOR_COUNT,
  CURSOR_FRAUDS,
  CURSOR_HI,
  CURSOR_LO,
  CURSOR_STRIDE,
  CURSOR_SUM,
  SlidingWindow,
} from './sliding-window.js';
export type { TransactionArrays } from './transaction-columns.js';
export { readTransactions } from './transaction-columns.js';
export type { AggregateKind } from './window-aggregate.js';
export { AGGREGATE_KINDS, WindowAggregate } from './window-aggregate.js';
