/**
 * @mlsd/classify: imbalanced classification for fraud detection and the metrics fraud
 * teams use.
 * @packageDocumentation
 */

export type {
  CalibrationMethod,
  CalibrationSet,
  Calibrator,
} from './calibration/calibrated-classifier.js';
export {
  CALIBRATED_ARTIFACT_KIND,
  CalibratedClassifier,
  fitCalibrator,
} from './calibration/calibrated-classifier.js';
export { ISOTONIC_TIE_BREAK, IsotonicCalibrator } from './calibration/isotonic-calibrator.js';
export type { PlattCalibratorOptions } from './calibration/platt-calibrator.js';
export { PlattCalibrator, PlattCalibratorOptionsSchema } from './calibration/platt-calibrator.js';
export { reliabilityChart } from './calibration/reliability-chart.js';
export type { BootstrapInterval, BootstrapOptions } from './metrics/bootstrap.js';
export { bootstrapInterval } from './metrics/bootstrap.js';
export type { ReliabilityCurve } from './metrics/calibration-metrics.js';
export { brierScore, reliabilityCurve } from './metrics/calibration-metrics.js';
export type { DailyCardAlerts, ScoredTransactions } from './metrics/card-alerts.js';
export {
  cardPrecisionAtK,
  rankCardsDaily,
  recallAtDailyBudget,
} from './metrics/card-alerts.js';
export type { Labels, Scores } from './metrics/check-inputs.js';
export type { PrecisionRecallCurve } from './metrics/precision-recall.js';
export { averagePrecision, precisionRecallCurve } from './metrics/precision-recall.js';
export type { RocCurve } from './metrics/roc.js';
export { rocAuc, rocCurve } from './metrics/roc.js';
export type { ThresholdCounts } from './metrics/threshold-counts.js';
export { countByThreshold } from './metrics/threshold-counts.js';
export type { ConfusionMatrix } from './metrics/threshold-metrics.js';
export { confusionMatrix, precisionAtK } from './metrics/threshold-metrics.js';
export type {
  BinaryClassifier,
  BinaryClassifierFitOptions,
} from './models/binary-classifier.js';
export type {
  BinaryLabels,
  ClassWeight,
  SampleWeightOptions,
} from './models/class-weights.js';
export {
  ClassWeightSchema,
  countBinaryLabels,
  resolveSampleWeights,
} from './models/class-weights.js';
export type {
  GradientBoostingFitOptions,
  GradientBoostingValidation,
} from './models/gbdt/gradient-boosting-classifier.js';
export {
  GBDT_ARTIFACT_KIND,
  GBDT_ARTIFACT_VERSION,
  GradientBoostingClassifier,
} from './models/gbdt/gradient-boosting-classifier.js';
export type {
  GradientBoostingOptions,
  GradientBoostingParams,
} from './models/gbdt/options.js';
export { GBDT_SMALL_DATA_DEFAULTS } from './models/gbdt/small-data-defaults.js';
export type { TreeEnsemble } from './models/gbdt/tree-ensemble.js';
export type { ResampleOptions } from './models/resampling.js';
export {
  randomOversample,
  randomUndersample,
  takeResampledRows,
} from './models/resampling.js';
export type {
  LogisticRegressionOptions,
  LogisticRegressionParams,
} from './models/tf/logistic-regression.js';
export {
  LogisticRegression,
  LogisticRegressionOptionsSchema,
} from './models/tf/logistic-regression.js';
export type { MLPClassifierOptions, MLPClassifierParams } from './models/tf/mlp-classifier.js';
export { MLPClassifier, MLPClassifierOptionsSchema } from './models/tf/mlp-classifier.js';
export type { TrainingSummary } from './models/tf/network-state.js';
export type { TfFitOptions, ValidationSet } from './models/tf/tf-binary-classifier.js';
export type { EpochRecord } from './models/tf/train-network.js';
export type {
  DatedTransactions,
  PrequentialOptions,
  TimeSplit,
  TimeSplitOptions,
} from './protocol/time-split.js';
export {
  prequentialSplits,
  timeSplit,
  validationTrainStartDay,
} from './protocol/time-split.js';
export {
  BUILT_IN_CLASSIFIERS,
  classifierRegistry,
} from './registry/built-in-classifiers.js';
export type {
  ClassifierKind,
  RegisteredClassifierKind,
} from './registry/classifier-registry.js';
export { ClassifierRegistry } from './registry/classifier-registry.js';
export type { ValidationFold } from './selection/fit-task.js';
export type {
  ParamRange,
  ParamSpace,
  ParamSpaceInput,
  Params,
  ParamValue,
} from './selection/param-space.js';
export {
  discreteSize,
  gridCandidates,
  ParamSpaceSchema,
  parseParamSpace,
  randomCandidates,
  sampleParams,
  stepParams,
} from './selection/param-space.js';
export type {
  EstimatorSearch,
  HalvingOptions,
  ModelSearch,
  ModelSearchOptions,
  SearchProgress,
} from './selection/search-models.js';
export { searchModels } from './selection/search-models.js';
export { renderSearchSection, searchChart } from './selection/search-report.js';
export type { CandidateResult, ModelSearchTable } from './selection/search-table.js';
export { formatParams, meanStd, rankCandidates } from './selection/search-table.js';
export type { SelectionMetric } from './selection/selection-metric.js';
export {
  averagePrecisionMetric,
  cardPrecisionMetric,
  netSavingsMetric,
} from './selection/selection-metric.js';
export type {
  CostOptions,
  CostThresholdChoice,
  ScoredAmounts,
} from './thresholds/cost-threshold.js';
export {
  CostOptionsSchema,
  expectedValueThreshold,
  thresholdForCost,
} from './thresholds/cost-threshold.js';
export type { FalseNegativeCost, ThresholdChoice } from './thresholds/threshold-policy.js';
export {
  falseNegativeCost,
  thresholdForDailyBudget,
  thresholdForMinPrecision,
} from './thresholds/threshold-policy.js';
