import { InvalidArgumentError } from '@mlsd/core';

/** Throughput and latency of a run of queries. */
export interface LatencyStats {
  /** Queries run. */
  count: number;
  /** Queries per second over the whole run (count / wall time). */
  qps: number;
  /** Median latency, ms. */
  p50Ms: number;
  /** 99th-percentile latency, ms. */
  p99Ms: number;
  /** Mean latency, ms. */
  meanMs: number;
  /** Wall time of the run, s. */
  totalS: number;
}

/**
 * Runs `runOne(0) … runOne(count − 1)` one after another, timing each call, and reports
 * queries per second and latency percentiles: the ann-benchmarks protocol of one query at a
 * time on one thread.
 */
export function measureLatency(count: number, runOne: (i: number) => void): LatencyStats {
  if (!Number.isInteger(count) || count < 1) {
    throw new InvalidArgumentError(
      `measureLatency: count must be a positive integer, got ${count}.`,
    );
  }
  const times = new Float64Array(count);
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    runOne(i);
    times[i] = performance.now() - t0;
  }
  const totalMs = performance.now() - start;
  return latencyStats(times, totalMs);
}

/** Stats from per-query times (ms) and the run's wall time (ms). */
export function latencyStats(timesMs: Float64Array, totalMs: number): LatencyStats {
  const sorted = timesMs.slice().sort();
  let sum = 0;
  for (const t of sorted) sum += t;
  const count = sorted.length;
  return {
    count,
    qps: totalMs > 0 ? count / (totalMs / 1000) : Number.POSITIVE_INFINITY,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    meanMs: count > 0 ? sum / count : Number.NaN,
    totalS: totalMs / 1000,
  };
}

/**
 * The `p` quantile (0–1) of ascending `sorted` values, interpolating linearly between the two
 * nearest ranks (numpy's default), NaN for no values.
 */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (!(p >= 0 && p <= 1)) {
    throw new InvalidArgumentError(`percentile: p must be in [0, 1], got ${p}.`);
  }
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const rank = p * (n - 1);
  const low = Math.floor(rank);
  const high = Math.min(n - 1, low + 1);
  const weight = rank - low;
  return sorted[low]! * (1 - weight) + sorted[high]! * weight;
}
