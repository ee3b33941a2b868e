import type { DriftReport } from '@mlsd/drift';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { OnlineStateStoreStats } from './state/online-state-store.js';

/** Latency buckets (seconds): fine below 10 ms, where fraud scoring and image queries live. */
const LATENCY_BUCKETS = [
  0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
];

/**
 * The Prometheus series of one service, on a registry of its own (not prom-client's global
 * one), so a process — a test, a benchmark — can run several services side by side.
 */
export class ServiceMetrics {
  /** The registry `/metrics` renders. */
  readonly registry = new Registry();
  readonly requests: Counter<'route' | 'method' | 'status'>;
  readonly duration: Histogram<'route' | 'method'>;
  readonly modelInfo: Gauge<'model' | 'version'>;
  readonly driftStatistic: Gauge<'column' | 'test'>;
  readonly driftPValue: Gauge<'column' | 'test'>;
  readonly driftDetected: Gauge<'column'>;
  readonly driftWindowRows: Gauge;
  readonly decisions: Counter<'decision'>;
  readonly reloads: Counter<'model' | 'outcome'>;
  readonly #versions = new Map<string, string>();
  readonly #stateStats: { read?: () => Promise<OnlineStateStoreStats | undefined> } = {};

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({
      name: 'mlsd_http_requests_total',
      help: 'HTTP requests answered, by route pattern, method and status code.',
      labelNames: ['route', 'method', 'status'],
      registers,
    });
    this.duration = new Histogram({
      name: 'mlsd_http_request_duration_seconds',
      help: 'Time from receiving a request to sending its response, by route pattern and method.',
      labelNames: ['route', 'method'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.modelInfo = new Gauge({
      name: 'mlsd_model_info',
      help: 'Models being served (value 1), with their artifact version.',
      labelNames: ['model', 'version'],
      registers,
    });
    this.driftStatistic = new Gauge({
      name: 'mlsd_drift_statistic',
      help: 'Drift test statistic (KS D) of each fraud feature: recently scored rows vs the model reference rows.',
      labelNames: ['column', 'test'],
      registers,
    });
    this.driftPValue = new Gauge({
      name: 'mlsd_drift_p_value',
      help: 'Corrected p-value of the drift test of each fraud feature.',
      labelNames: ['column', 'test'],
      registers,
    });
    this.driftDetected = new Gauge({
      name: 'mlsd_drift_detected',
      help: '1 when the drift monitor flags the fraud feature as drifted in the recent window, else 0.',
      labelNames: ['column'],
      registers,
    });
    this.driftWindowRows = new Gauge({
      name: 'mlsd_drift_window_rows',
      help: 'Recently scored fraud feature rows in the last drift check.',
      registers,
    });
    this.decisions = new Counter({
      name: 'mlsd_fraud_decisions_total',
      help: 'Fraud decisions made, by decision (alert or pass).',
      labelNames: ['decision'],
      registers,
    });
    this.reloads = new Counter({
      name: 'mlsd_model_reloads_total',
      help: 'Admin reloads, by model and outcome (ok or failed).',
      labelNames: ['model', 'outcome'],
      registers,
    });
    const stats = this.#stateStats;
    new Gauge({
      name: 'mlsd_online_state_entities',
      help: 'Cards and terminals the fraud online state holds windows for.',
      labelNames: ['store'],
      registers,
      async collect() {
        this.reset();
        const current = await stats.read?.().catch(() => undefined);
        if (current !== undefined) this.set({ store: current.kind }, current.entities);
      },
    });
    new Gauge({
      name: 'mlsd_online_state_events',
      help: 'Transactions held in the fraud online state windows.',
      labelNames: ['store'],
      registers,
      async collect() {
        this.reset();
        const current = await stats.read?.().catch(() => undefined);
        if (current !== undefined) this.set({ store: current.kind }, current.events);
      },
    });
  }

  /** Where the online-state gauges read their figures at each scrape. */
  readStateStatsFrom(read: () => Promise<OnlineStateStoreStats | undefined>): void {
    this.#stateStats.read = read;
  }

  /** Records one answered request. */
  observeRequest(route: string, method: string, status: number, seconds: number): void {
    this.requests.inc({ route, method, status: String(status) });
    this.duration.observe({ route, method }, seconds);
  }

  /** Marks `model` as served at `version` (replacing the version it had). */
  setModelVersion(model: 'fraud' | 'images', version: string): void {
    const previous = this.#versions.get(model);
    if (previous !== undefined) this.modelInfo.remove({ model, version: previous });
    this.#versions.set(model, version);
    this.modelInfo.set({ model, version }, 1);
  }

  /** Publishes one drift check of the fraud features. */
  setDrift(report: DriftReport): void {
    this.driftStatistic.reset();
    this.driftPValue.reset();
    this.driftDetected.reset();
    for (const column of report.columns) {
      if (column.skipped !== undefined) continue;
      this.driftStatistic.set({ column: column.column, test: column.test }, column.statistic);
      this.driftPValue.set({ column: column.column, test: column.test }, column.correctedPValue);
      this.driftDetected.set({ column: column.column }, column.drifted ? 1 : 0);
    }
    this.driftWindowRows.set(report.rows);
  }

  /** Clears the drift gauges (a new model has a new reference). */
  clearDrift(): void {
    this.driftStatistic.reset();
    this.driftPValue.reset();
    this.driftDetected.reset();
    this.driftWindowRows.set(0);
  }
}
