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
} from './classifiers.js';
export type { EvaluateFraudOptions, FraudEvaluation } from './evaluate-fraud-model.js';
export { evaluateFraudModel } from './evaluate-fraud-model.js';
export type { FraudData } from './fraud-data.js';
export { prepareFraudData, takeRows, takeValues } from './fraud-data.js';
export type { FraudMetrics, ScoredPeriod } from './fraud-metrics.js';
export { fraudMetrics } from './fraud-metrics.js';
export type { FraudModelParts } from './fraud-model.js';
export { FRAUD_MODEL_KIND, FraudModel } from './fraud-model.js';
export type { FraudProtocol, FraudProtocolOptions } from './fraud-protocol.js';
export { dayNumber, FraudProtocolSchema } from './fraud-protocol.js';
export { renderFraudReport, writeFraudReport } from './fraud-report.js';
export type { ScoreRequest, ScoreResult } from './fraud-scorer.js';
export { FraudScorer, ScoreRequestSchema } from './fraud-scorer.js';
export type { MeanStd, PrequentialOptions, PrequentialResult } from './prequential.js';
export { prequentialEvaluation } from './prequential.js';
export type { TrainedFraudModel, TrainFraudModelOptions } from './train-fraud-model.js';
export { trainFraudModel } from './train-fraud-model.js';
export type { TunedFraudModel, TuneFraudModelOptions } from './tune-fraud-model.js';
export { DEFAULT_TUNING_KINDS, tuneFraudModel } from './tune-fraud-model.js';
export { renderTuningReport, writeTuningReport } from './tuning-report.js';
