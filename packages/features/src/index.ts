/**
 * @mlsd/features: point-in-time fraud features, each defined once and evaluated both in batch
 * (over a time-sorted table) and online (one transaction at a time).
 * @packageDocumentation
 */

export type { ComputeFeaturesOptions, FeatureMatrix } from './batch-features.js';
export { computeFeatures, featureMatrixToTable } from './batch-features.js';
export type { CategoryCodes } from './category-codes.js';
export { readCategoryCodes } from './category-codes.js';
export type { EntityFeature } from './entity-features.js';
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
  WindowAggregate,
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
export type { FitFeatureSetOptions } from './fit-features.js';
export { fitFeatureSet } from './fit-features.js';
export type { HandbookFeatureOptions } from './handbook-features.js';
export {
  HANDBOOK_FEATURE_NAMES,
  handbookFeatureSet,
  handbookFeatureSpec,
} from './handbook-features.js';
export type {
  OnlineFeatureSnapshot,
  OnlineStateOptions,
  OnlineStateStats,
  OnlineTransaction,
  UpdateOutcome,
} from './online-features.js';
export {
  OnlineFeatureState,
  OnlineStateOptionsSchema,
  parseOnlineStateOptions,
} from './online-features.js';
export type { RowFeature } from './row-features.js';
export type { ColumnRole, SpecColumnUse } from './spec-columns.js';
export { checkSpecColumns, missingSpecColumns, specColumnUses } from './spec-columns.js';
export type { TableInputs } from './table-inputs.js';
export { readTableInputs } from './table-inputs.js';
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
export {
  PIPELINE_ARTIFACT_KIND,
  PIPELINE_FILE,
  PIPELINE_FORMAT_VERSION,
} from './transformers/pipeline-artifact.js';
export type { ReadPipelineOptions } from './transformers/read-pipeline.js';
export { loadColumnTransformer, loadPipeline, readPipeline } from './transformers/read-pipeline.js';
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
export type { SavableStep, WritePipelineOptions } from './transformers/write-pipeline.js';
export { writePipeline } from './transformers/write-pipeline.js';
export { Window } from './window.js';
export { SECONDS_PER_DAY, ZonedCalendar } from './zoned-calendar.js';
