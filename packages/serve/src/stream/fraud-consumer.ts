import { hostname } from 'node:os';
import { openRedisClient, redactRedisUrl } from '../redis/redis-client.js';
import { StateStoreUnavailableError } from '../state/state-store-unavailable-error.js';
import { type MetricsServer, serveMetrics } from './metrics-server.js';
import { StreamConsumer, type StreamConsumerEvent } from './stream-consumer.js';
import { StreamMetrics } from './stream-metrics.js';
import { FraudStreamScorer } from './stream-scorer.js';

/** Options of {@link startFraudConsumer} (the flags of `mlsd fraud consume`). */
export interface FraudConsumerOptions {
  /** Fraud-model artifact folder. */
  modelDir: string;
  /** The stream's Redis: `redis://host:port` or `redis+cluster://host:port,…`. */
  redisUrl: string;
  /** The online state's Redis; default {@link FraudConsumerOptions.redisUrl}. */
  stateRedisUrl?: string | undefined;
  stream: string;
  group: string;
  /** Default `<hostname>-<pid>`. */
  consumer?: string | undefined;
  partitions?: number | undefined;
  batchSize?: number | undefined;
  leaseMs?: number | undefined;
  guardSeconds?: number | undefined;
  alertsMaxLen?: number | undefined;
  /** Put the feature values into each decision. */
  includeFeatures?: boolean | undefined;
  /** Seconds a transaction may arrive late for one of its entities (see `FraudStreamScorerOptions`). */
  allowedLatenessSeconds?: number | undefined;
  /** Seconds a time may lie beyond the newest accepted (see `FraudStreamScorerOptions`). */
  maxFutureSkewSeconds?: number | null | undefined;
  /** Serve `/metrics` and `/healthz` on this port (0: any free one); absent: no endpoint. */
  metricsPort?: number | undefined;
  metricsHost?: string | undefined;
  log?: ((event: StreamConsumerEvent) => void) | undefined;
}

/** A running fraud consumer. */
export interface FraudConsumer {
  readonly consumer: StreamConsumer;
  readonly metrics: StreamMetrics;
  /** The `/metrics` endpoint's base URL, when one was asked for. */
  readonly metricsUrl: string | undefined;
  readonly modelVersion: string;
  /**
   * Stops taking work (the batch in hand is finished, leases released so others take over at
   * once), then closes the metrics endpoint, the state store and the connection.
   */
  close(): Promise<void>;
}

/**
 * Starts one scorer replica of a fraud model on a partitioned transaction stream (what `mlsd
 * fraud consume` runs): loads the model (checksums verified), connects to the stream's Redis
 * and the state's, joins the consumer group and serves its metrics.
 * @throws the model's typed load errors; StateStoreUnavailableError when Redis cannot be
 *   reached (naming the URL); InvalidArgumentError for bad names or a partition mismatch.
 */
export async function startFraudConsumer(options: FraudConsumerOptions): Promise<FraudConsumer> {
  const client = openRedisClient(options.redisUrl);
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    throw new StateStoreUnavailableError(
      `Cannot connect to the stream's Redis at ${redactRedisUrl(options.redisUrl)} (${(error as Error).message}). Start it, or fix --redis.`,
      { url: redactRedisUrl(options.redisUrl) },
      { cause: error },
    );
  }
  let scorer: FraudStreamScorer | undefined;
  let server: MetricsServer | undefined;
  try {
    scorer = await FraudStreamScorer.open({
      modelDir: options.modelDir,
      redisUrl: options.stateRedisUrl ?? options.redisUrl,
      includeFeatures: options.includeFeatures,
      allowedLatenessSeconds: options.allowedLatenessSeconds,
      maxFutureSkewSeconds: options.maxFutureSkewSeconds,
    });
    const metrics = new StreamMetrics();
    const consumer = await StreamConsumer.start({
      client,
      stream: options.stream,
      group: options.group,
      consumer: options.consumer ?? `${hostname()}-${process.pid}`,
      scorer,
      partitions: options.partitions,
      batchSize: options.batchSize,
      leaseMs: options.leaseMs,
      guardSeconds: options.guardSeconds,
      alertsMaxLen: options.alertsMaxLen,
      metrics,
      log: options.log,
    });
    if (options.metricsPort !== undefined) {
      server = await serveMetrics(metrics.registry, {
        port: options.metricsPort,
        ...(options.metricsHost === undefined ? {} : { host: options.metricsHost }),
      });
    }
    const opened = scorer;
    const endpoint = server;
    let closing: Promise<void> | undefined;
    return {
      consumer,
      metrics,
      metricsUrl: endpoint?.url,
      modelVersion: opened.modelVersion,
      close() {
        closing ??= (async () => {
          await consumer.stop();
          await endpoint?.close();
          await opened.close();
          await client.quit().catch(() => client.disconnect());
        })();
        return closing;
      },
    };
  } catch (error) {
    await server?.close();
    await scorer?.close();
    client.disconnect();
    throw error;
  }
}
