import autocannon from 'autocannon';
import { LatencyRecorder, type LatencySummary } from './latency-summary.js';

/** One autocannon run against one route. */
export interface LoadRunOptions {
  /** Base URL of the service, e.g. http://127.0.0.1:41234. */
  url: string;
  /** Path with query, e.g. /v1/fraud/score. */
  path: string;
  contentType: string;
  /** The body of each request, made just before it is sent. */
  nextBody: () => string | Buffer;
  /** Called once per request when its response (any status) or its error arrives. */
  onAnswered?: () => void;
  seconds: number;
  connections: number;
  /** Requests per second over all connections (overallRate); none: as fast as possible. */
  rate?: number;
}

/** What one load run measured. */
export interface LoadRunResult {
  path: string;
  /** `single connection`: one request at a time, no rate limit (the unqueued round trip). */
  mode: 'fixed rate' | 'max throughput' | 'single connection';
  targetRate: number | null;
  connections: number;
  seconds: number;
  /** Responses received. */
  responses: number;
  /** Mean responses per second over the run. */
  requestsPerSecond: number;
  /** Latency of 2xx responses, from our own float-precision samples. */
  latency: LatencySummary;
  /** autocannon's own percentiles (whole milliseconds). */
  autocannonLatencyMs: { p50: number; p97_5: number; p99: number; max: number };
  /** Connection errors and timeouts. */
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodes: Record<string, number>;
  /** Up to five bodies of non-2xx responses, to see why. */
  errorSamples: string[];
}

/**
 * Runs autocannon with one dynamic request (`nextBody` per request) and records every 2xx
 * latency at full precision. Coordinated-omission correction is off: autocannon's rate limit
 * is a per-second quota per connection (requests leave in bursts at each second's start), so
 * there is no fixed send schedule to correct against; the latencies are the measured ones.
 */
export async function runLoad(options: LoadRunOptions): Promise<LoadRunResult> {
  const latencies = new LatencyRecorder();
  const statusCodes: Record<string, number> = {};
  const errorSamples: string[] = [];
  const { nextBody, onAnswered } = options;
  let finish: (result: autocannon.Result) => void = () => {};
  let fail: (error: unknown) => void = () => {};
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const instance = autocannon(
    {
      url: options.url,
      connections: options.connections,
      duration: options.seconds,
      ...(options.rate === undefined
        ? {}
        : { overallRate: options.rate, ignoreCoordinatedOmission: true }),
      requests: [
        {
          method: 'POST',
          path: options.path,
          headers: { 'content-type': options.contentType },
          setupRequest: (request) => ({ ...request, body: nextBody() }),
          onResponse: (status, body) => {
            onAnswered?.();
            if (status >= 300 && errorSamples.length < 5) errorSamples.push(body.slice(0, 400));
          },
        },
      ],
    },
    (error, result) => (error ? fail(error) : finish(result)),
  );
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    statusCodes[statusCode] = (statusCodes[statusCode] ?? 0) + 1;
    if (statusCode >= 200 && statusCode < 300) latencies.record(responseTime);
  });
  instance.on('reqError', () => onAnswered?.());
  const result = await done;
  const responses = Object.values(statusCodes).reduce((a, b) => a + b, 0);
  return {
    path: options.path,
    mode:
      options.rate !== undefined
        ? 'fixed rate'
        : options.connections === 1
          ? 'single connection'
          : 'max throughput',
    targetRate: options.rate ?? null,
    connections: options.connections,
    seconds: result.duration,
    responses,
    requestsPerSecond: Math.round((responses / result.duration) * 10) / 10,
    latency: latencies.summary(),
    autocannonLatencyMs: {
      p50: result.latency.p50,
      p97_5: result.latency.p97_5,
      p99: result.latency.p99,
      max: result.latency.max,
    },
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    statusCodes,
    errorSamples,
  };
}
