/** Latency percentiles in milliseconds, nearest-rank on the recorded samples. */
export interface LatencySummary {
  count: number;
  meanMs: number;
  p50Ms: number;
  p97_5Ms: number;
  p99Ms: number;
  maxMs: number;
}

/**
 * Collects latencies (milliseconds, full float precision: autocannon's own histogram keeps
 * whole milliseconds only, too coarse for sub-millisecond routes) in a growing typed array.
 */
export class LatencyRecorder {
  #values = new Float64Array(1 << 16);
  #count = 0;

  /** Adds one latency in milliseconds. */
  record(ms: number): void {
    if (this.#count === this.#values.length) {
      const grown = new Float64Array(this.#values.length * 2);
      grown.set(this.#values);
      this.#values = grown;
    }
    this.#values[this.#count++] = ms;
  }

  /** Samples recorded so far. */
  get count(): number {
    return this.#count;
  }

  /** Percentiles of the samples so far (all zero when there are none). */
  summary(): LatencySummary {
    const n = this.#count;
    if (n === 0) return { count: 0, meanMs: 0, p50Ms: 0, p97_5Ms: 0, p99Ms: 0, maxMs: 0 };
    const sorted = this.#values.slice(0, n).sort();
    let sum = 0;
    for (let i = 0; i < n; i++) sum += sorted[i]!;
    const at = (q: number) => sorted[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))]!;
    const round = (ms: number) => Math.round(ms * 1000) / 1000;
    return {
      count: n,
      meanMs: round(sum / n),
      p50Ms: round(at(0.5)),
      p97_5Ms: round(at(0.975)),
      p99Ms: round(at(0.99)),
      maxMs: round(sorted[n - 1]!),
    };
  }
}
