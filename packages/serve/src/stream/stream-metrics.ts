import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Decision latency buckets (seconds): from sub-millisecond to the minutes a backlog can take. */
const LATENCY_BUCKETS = [
  0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300,
];

/** What became of an entry a consumer handled. */
export type EntryOutcome = 'scored' | 'rejected' | 'duplicate' | 'stale';

/**
 * The Prometheus series of one stream consumer, on a registry of its own (so a test can run
 * several consumers in one process). `mlsd fraud consume --metrics-port` serves it on
 * `/metrics`.
 *
 * Throughput is `rate(mlsd_stream_entries_total[1m])`; lag is per owned partition, refreshed
 * every few seconds from XINFO GROUPS (entries not yet delivered to the group, and delivered
 * but not acknowledged).
 */
export class StreamMetrics {
  readonly registry = new Registry();
  /** Entries handled, by outcome: scored, rejected (a decision that says why), duplicate, stale. */
  readonly entries: Counter<'outcome'>;
  /** Decisions written, by decision (`alert`, `pass`, `rejected`). */
  readonly decisions: Counter<'decision'>;
  /** Entries handled that had been delivered before (claimed from a dead owner, or re-read). */
  readonly redeliveries: Counter;
  /** Entries taken over with XAUTOCLAIM. */
  readonly claimed: Counter;
  /** Seconds from the transaction's XADD (its entry id) to its decision's write. */
  readonly decisionLatency: Histogram;
  /** Entries of a partition not yet delivered to the group. */
  readonly lag: Gauge<'partition'>;
  /** Entries delivered to the group but not acknowledged. */
  readonly pending: Gauge<'partition'>;
  /** Partitions this consumer owns now. */
  readonly partitionsOwned: Gauge;
  /** Leases lost (not renewed in time: the consumer was paused or cut off). */
  readonly leasesLost: Counter;
  /** Redis failures that made the consumer back off and retry. */
  readonly backendErrors: Counter;

  constructor(options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    this.entries = new Counter({
      name: 'mlsd_stream_entries_total',
      help: 'Transaction entries handled, by outcome (scored, rejected with a reason, duplicate of a decided transaction, stale: decided already).',
      labelNames: ['outcome'],
      registers,
    });
    this.decisions = new Counter({
      name: 'mlsd_stream_decisions_total',
      help: 'Decisions written to the alerts streams, by decision (alert, pass, rejected).',
      labelNames: ['decision'],
      registers,
    });
    this.redeliveries = new Counter({
      name: 'mlsd_stream_redeliveries_total',
      help: 'Entries handled again after an earlier delivery (claimed from a dead consumer, or re-read after a restart).',
      registers,
    });
    this.claimed = new Counter({
      name: 'mlsd_stream_claimed_entries_total',
      help: 'Pending entries taken over with XAUTOCLAIM when this consumer took a partition over.',
      registers,
    });
    this.decisionLatency = new Histogram({
      name: 'mlsd_stream_decision_latency_seconds',
      help: "Seconds from a transaction's XADD to its decision's write (entry id time to the decide step's reply).",
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.lag = new Gauge({
      name: 'mlsd_stream_lag_entries',
      help: 'Entries of an owned partition not yet delivered to the consumer group (XINFO GROUPS lag).',
      labelNames: ['partition'],
      registers,
    });
    this.pending = new Gauge({
      name: 'mlsd_stream_pending_entries',
      help: 'Entries of an owned partition delivered but not yet acknowledged.',
      labelNames: ['partition'],
      registers,
    });
    this.partitionsOwned = new Gauge({
      name: 'mlsd_stream_partitions_owned',
      help: 'Partitions this consumer holds the lease of.',
      registers,
    });
    this.leasesLost = new Counter({
      name: 'mlsd_stream_leases_lost_total',
      help: 'Partition leases lost before being given up (renewal came too late).',
      registers,
    });
    this.backendErrors = new Counter({
      name: 'mlsd_stream_backend_errors_total',
      help: 'Redis failures (stream or state) after which the consumer backed off and retried.',
      registers,
    });
  }
}
