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
  EntityDefinition,
  FeatureDefinition,
  FeatureDefinitionInput,
  FeatureKind,
  FeatureSpec,
  FeatureSpecInput,
  FittedFeature,
  FittedParameters,
  NameContext,
  RelativeKind,
  SpecColumns,
  WindowAggregate as WindowAggregateKind,
} from './feature-spec.js';
export {
  defaultFeatureName,
  EntitySchema,
  FEATURE_KINDS,
  FEATURE_SPEC_VERSION,
  FeatureDefinitionSchema,
  FeatureSpecSchema,
  FittedFeatureSchema,
  FittedSchema,
  RELATIVE_KINDS,
  resolveFeatureSpec,
  SpecColumnsSchema,
  WINDOW_AGGREGATES,
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
  FeatureDefinition as LegacyFeatureDefinition,
  FeatureSpec as LegacyFeatureSpec,
  FeatureSpecInput as LegacyFeatureSpecInput,
  TransactionColumns,
} from './legacy-feature-spec.js';
export {
  FeatureDefinitionSchema as LegacyFeatureDefinitionSchema,
  FeatureSpecSchema as LegacyFeatureSpecSchema,
  TransactionColumnsSchema,
} from './legacy-feature-spec.js';
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
export type { ColumnRole, SpecColumnUse } from './spec-columns.js';
export { checkSpecColumns, specColumnUses } from './spec-columns.js';
export type { TransactionArrays } from './transaction-columns.js';
export { readTransactions } from './transaction-columns.js';
export type { TransactionFields, TransactionFieldsTarget } from './transaction-fields.js';
export {
  checkLateLabel,
  describeValue,
  readTransactionFields,
} from './transaction-fields.js';
export type { ColumnCategories } from './transformers/category-values.js';
export type {
  ColumnTransformerEntry,
  ColumnTransformerOptions,
  ColumnTransformerState,
} from './transformers/column-transformer.js';
export { ColumnTransformer } from './transformers/column-transformer.js';
export { defaultStepRegistry, registerStepType } from './transformers/default-step-registry.js';
export type { FeatureInput } from './transformers/feature-input.js';
export type { MinMaxScalerOptions } from './transformers/min-max-scaler.js';
export { MinMaxScaler } from './transformers/min-max-scaler.js';
export type { EncodingResult, OneHotEncoderOptions } from './transformers/one-hot-encoder.js';
export { OneHotEncoder } from './transformers/one-hot-encoder.js';
export type { OrdinalEncoderOptions } from './transformers/ordinal-encoder.js';
export { OrdinalEncoder } from './transformers/ordinal-encoder.js';
export type {
  NamedStep,
  PipelineState,
  PredictOutput,
  PredictProbaOutput,
} from './transformers/pipeline.js';
export { Pipeline } from './transformers/pipeline.js';
export type {
  ReadPipelineOptions,
  SavableStep,
  WritePipelineOptions,
} from './transformers/pipeline-artifact.js';
export {
  PIPELINE_ARTIFACT_KIND,
  PIPELINE_FILE,
  PIPELINE_FORMAT_VERSION,
  readPipeline,
  writePipeline,
} from './transformers/pipeline-artifact.js';
export type { StandardScalerOptions } from './transformers/standard-scaler.js';
export { StandardScaler } from './transformers/standard-scaler.js';
export type { PipelineStep, Predictor, Transformer } from './transformers/step.js';
export { isPredictor, isTransformer } from './transformers/step.js';
export type { StepBuilder } from './transformers/step-registry.js';
export { StepRegistry } from './transformers/step-registry.js';
export type {
  StepUnknownCategoryReport,
  UnknownCategoryCount,
  UnknownCategoryReport,
} from './transformers/unknown-categories.js';
export type { AggregateKind } from './window-aggregate.js';
export { AGGREGATE_KINDS, WindowAggregate } from './window-aggregate.js';
