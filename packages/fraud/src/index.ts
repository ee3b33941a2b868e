/**
 * @mlsd/fraud: the card-fraud system — train a model on point-in-time features with the
 * handbook's protocol, choose its alert threshold, evaluate it with the metrics fraud teams
 * use, save it as one artifact and score transactions online.
 * @packageDocumentation
 */

export type { CalibrationChoice, CalibrationReport } from './calibrate-on-folds.js';
export { calibrateOnFolds } from './calibrate-on-folds.js';
export type { BinaryClassifier, ClassifierChoice, FraudModelKind } from './classifiers.js';
export {
  createClassifier,
  DEFAULT_FRAUD_MODEL,
  FRAUD_MODEL_KINDS,
  loadClassifier,
  TUNED_FRAUD_MODEL,
} from './classifiers.js';
export type { DefaultFeatureOptions } from './config/default-features.js';
export { defaultFeatures } from './config/default-features.js';
export { describeValue } from './config/describe-value.js';
export {
  FRAUD_CONFIG_SCHEMA_FILE,
  fraudConfigJsonSchema,
  fraudConfigSchemaPath,
} from './config/fraud-config-json-schema.js';
export type {
  FeatureEntry,
  FraudColumns,
  FraudConfigPreset,
  FraudPipelineConfig,
  FraudPipelineConfigInput,
  ProtocolConfig,
  TimeColumn,
} from './config/fraud-config-schema.js';
export {
  ColumnsSchema,
  FRAUD_CONFIG_PRESETS,
  FraudPipelineConfigSchema,
  ProtocolSchema,
  TIME_FORMAT_KEYWORDS,
} from './config/fraud-config-schema.js';
export type { FraudLog, FraudLogOptions } from './config/fraud-log-builder.js';
export { FraudLogBuilder } from './config/fraud-log-builder.js';
export type { HandbookEntities, HandbookPlusGroup } from './config/handbook-plus.js';
export {
  HANDBOOK_PLUS_CANDIDATES,
  HANDBOOK_PLUS_GROUPS,
  handbookEntities,
  handbookFeatures,
  handbookPlusFeatures,
  pairEntityName,
} from './config/handbook-plus.js';
export { normalizeTable } from './config/normalize-table.js';
export type { NormalizedLayout } from './config/normalized-layout.js';
export { JOINED_TIME_COLUMN, normalizedLayout } from './config/normalized-layout.js';
export type { ConfigProblem } from './config/parse-fraud-config.js';
export { parseFraudConfig, readFraudConfig } from './config/parse-fraud-config.js';
export type { HandbookTransaction } from './config/presets.js';
export { applyPreset, HANDBOOK_COLUMNS, HANDBOOK_PROTOCOL } from './config/presets.js';
export type { ReadFraudLogOptions } from './config/read-fraud-log.js';
export { readFraudLog } from './config/read-fraud-log.js';
export type { ResolvedFraudConfig } from './config/resolve-fraud-config.js';
export { featureSpecOf, resolveFraudConfig } from './config/resolve-fraud-config.js';
export type {
  HeaderBinding,
  LabelRequirement,
  NormalizedRow,
} from './config/row-normalizer.js';
export { RowNormalizer } from './config/row-normalizer.js';
export { formatTime, TimeParser } from './config/time-format.js';
export type { EvaluateFraudOptions, FraudEvaluation } from './evaluate-fraud-model.js';
export { evaluateFraudModel } from './evaluate-fraud-model.js';
export type { FraudData } from './fraud-data.js';
export {
  entityCodes,
  fraudFeatureTable,
  prepareFraudData,
  takeRows,
  takeValues,
} from './fraud-data.js';
export type { FraudMetrics, ScoredPeriod } from './fraud-metrics.js';
export { fraudMetrics } from './fraud-metrics.js';
export type { FraudModelParts } from './fraud-model.js';
export { FRAUD_MODEL_KIND, FraudModel } from './fraud-model.js';
export type { FraudProtocol, FraudProtocolOptions } from './fraud-protocol.js';
export { dayNumber, FraudProtocolSchema } from './fraud-protocol.js';
export { renderFraudReport, writeFraudReport } from './fraud-report.js';
export type { ScoreResult } from './fraud-scorer.js';
export { FraudScorer } from './fraud-scorer.js';
export type { ColumnProfile } from './init/column-profile.js';
export { profileColumns } from './init/column-profile.js';
export type { InferredConfig, LeftOut } from './init/infer-fraud-config.js';
export { inferFraudConfig } from './init/infer-fraud-config.js';
export type { TimeCandidate, TimeInference } from './init/infer-time.js';
export { inferTime } from './init/infer-time.js';
export type { LogSample } from './init/read-log-sample.js';
export { readLogSample } from './init/read-log-sample.js';
export type { DraftFraudConfigOptions } from './init/write-config-draft.js';
export { draftFraudConfig } from './init/write-config-draft.js';
export type { PredictOptions, PredictSummary } from './predict/predict-fraud-scores.js';
export { predictFraudScores } from './predict/predict-fraud-scores.js';
export type { MeanStd, PrequentialOptions, PrequentialResult } from './prequential.js';
export { prequentialEvaluation } from './prequential.js';
export type {
  DateRange,
  ProtocolDates,
  ResolveProtocolOptions,
  TimeSpan,
} from './protocol/fraud-periods.js';
export {
  addDays,
  dayNumbers,
  localDate,
  protocolDates,
  protocolDay,
  resolveProtocol,
  rowsInDays,
  splitLayout,
  timeSpan,
} from './protocol/fraud-periods.js';
export type {
  FraudInput,
  PreparedFraudLog,
  TrainedFraudModel,
  TrainFraudModelOptions,
} from './train-fraud-model.js';
export { normalizedTableOf, prepareFraudLog, trainFraudModel } from './train-fraud-model.js';
export type { TunedFraudModel, TuneFraudModelOptions } from './tune-fraud-model.js';
export { DEFAULT_TUNING_KINDS, tuneFraudModel } from './tune-fraud-model.js';
export { renderTuningReport, writeTuningReport } from './tuning-report.js';
