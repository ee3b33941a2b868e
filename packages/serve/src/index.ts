/**
 * @mlsd/serve: the real-time HTTP service — fraud scoring and similar-image lookup over
 * fastify, Prometheus metrics, hot reload, and the fraud online state in process or in Redis.
 * @packageDocumentation
 */

export { artifactVersion } from './artifact-version.js';
export type { Service, ServiceOptions } from './create-service.js';
export { createService } from './create-service.js';
export type { DriftWatchOptions } from './fraud/drift-watch.js';
export { DriftWatch, EXACT_KS_MAX_CELLS } from './fraud/drift-watch.js';
export { FraudRuntime } from './fraud/fraud-runtime.js';
export type { FraudInfo, FraudServiceOptions } from './fraud/fraud-service.js';
export { FraudService } from './fraud/fraud-service.js';
export type { ErrorBody, ServiceErrorCode } from './http/http-error.js';
export { errorBody, HttpError } from './http/http-error.js';
export {
  MAX_BATCH,
  MAX_K,
  ScoreBodySchema,
  ScoreResponseSchema,
  SimilarQuerySchema,
  SimilarResponseSchema,
} from './http/schemas.js';
export type { ImageCatalogue } from './images/image-catalogue.js';
export type {
  ImageInfo,
  ImageRuntime,
  SimilarImageHit,
  SimilarImages,
} from './images/image-service.js';
export { ImageService } from './images/image-service.js';
export type { Thumbnail } from './images/thumbnails.js';
export { ServiceMetrics } from './metrics.js';
export { SERVICE_SEMI_SPACE_MB, serviceNodeFlags } from './node-flags.js';
export { PUBLIC_DIR } from './public-dir.js';
export type { RedisClient, RedisClientOptions, RedisTarget } from './redis/redis-client.js';
export { openRedisClient, parseRedisUrl, redactRedisUrl } from './redis/redis-client.js';
export type { StateStoreOptions } from './state/create-state-store.js';
export { createStateStore } from './state/create-state-store.js';
export { InProcessStateStore } from './state/in-process-state-store.js';
export type {
  OnlineStateStore,
  OnlineStateStoreStats,
  StateStoreReadiness,
  StateUpdateOutcome,
} from './state/online-state-store.js';
export type { RedisStateStoreOptions } from './state/redis-state-store.js';
export { RedisStateStore } from './state/redis-state-store.js';
export {
  StateNotSeededError,
  StateStoreUnavailableError,
} from './state/state-store-unavailable-error.js';
export type { GroupProgress, StreamDecision } from './stream/decision-reader.js';
export { readDecisions, readGroupProgress } from './stream/decision-reader.js';
export type { FraudConsumer, FraudConsumerOptions } from './stream/fraud-consumer.js';
export { startFraudConsumer } from './stream/fraud-consumer.js';
export type { GroupInfo } from './stream/group-info.js';
export { readGroupInfo } from './stream/group-info.js';
export type { MetricsServer } from './stream/metrics-server.js';
export { serveMetrics } from './stream/metrics-server.js';
export { partitionKey, partitionOf } from './stream/partition.js';
export { readRecords } from './stream/record-source.js';
export type {
  StreamConsumerEvent,
  StreamConsumerOptions,
  StreamConsumerStats,
} from './stream/stream-consumer.js';
export { StreamConsumer } from './stream/stream-consumer.js';
export {
  checkPartitions,
  checkStreamName,
  DEFAULT_PARTITIONS,
  MAX_PARTITIONS,
  openStreamKeys,
  StreamKeys,
} from './stream/stream-keys.js';
export type { EntryOutcome } from './stream/stream-metrics.js';
export { StreamMetrics } from './stream/stream-metrics.js';
export type {
  FraudStreamScorerOptions,
  StreamRecord,
  StreamScore,
  StreamScorer,
} from './stream/stream-scorer.js';
export { FraudStreamScorer, StreamBackendError } from './stream/stream-scorer.js';
export type { PublishOptions, PublishSummary } from './stream/transaction-publisher.js';
export { parseColumnList, publishTransactions } from './stream/transaction-publisher.js';
