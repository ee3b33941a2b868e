/**
 * @mlsd/features/internal: the online feature engine's parts that mlsd's state stores share
 * (the Redis store in @mlsd/serve evaluates windows with them) — accumulators, entity plans,
 * event layouts, fixed-point scaling, the transaction reader and its guards. Not a public API:
 * they change with the engine, without a major version. Build features through `FeatureSet`.
 * @packageDocumentation
 */

export type { Accumulator } from './accumulators/accumulator.js';
export { CountAccumulator } from './accumulators/count-accumulator.js';
export { DistinctAccumulator } from './accumulators/distinct-accumulator.js';
export { ExtremumAccumulator } from './accumulators/extremum-accumulator.js';
export { FraudAccumulator } from './accumulators/fraud-accumulator.js';
export { MomentsAccumulator } from './accumulators/moments-accumulator.js';
export { categoryValue } from './category-codes.js';
export type { EntityFeatureDefinition, PlacedEntityFeature } from './entity-plan.js';
export { EntityEvaluator, EntityPlan } from './entity-plan.js';
export type { EventColumns } from './event-columns.js';
export { NO_EVENTS } from './event-columns.js';
export type { EventRecord } from './event-layout.js';
export { EventLayout, MAX_TEXT_BYTES, UnpackedEvents } from './event-layout.js';
export {
  DEFAULT_PRECISION,
  describeFixedPointRange,
  FIXED_POINT_LIMIT,
  fixedPointScale,
  toFixedPoint,
} from './fixed-point.js';
export { checkLabelArguments, outOfOrder } from './online-features.js';
export type { RecordFields } from './record-reader.js';
export { describeValue, RecordReader } from './record-reader.js';
export type { FutureGuard } from './time-guards.js';
export { futureTimeError } from './time-guards.js';
