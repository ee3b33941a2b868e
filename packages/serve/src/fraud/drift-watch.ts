import { type Matrix, Table } from '@mlsd/core';
import { benjaminiHochberg, type ColumnDrift, DriftMonitor, type DriftReport } from '@mlsd/drift';
import { FeatureRing } from './feature-ring.js';

/** Options of {@link DriftWatch}. */
export interface DriftWatchOptions {
  /** Recent rows compared with the reference; default 2,000. */
  windowRows?: number | undefined;
  /** Check after this many new rows; default 500. */
  checkEvery?: number | undefined;
  /** ... but at most once per this many milliseconds; default 5,000. */
  minIntervalMs?: number | undefined;
  /** Called with each report. */
  onReport: (report: DriftReport) => void;
  /** Called when a check throws (it never reaches a request). */
  onError?: (error: unknown) => void;
}

/**
 * Largest reference × window size tested with the exact KS p-value: its lattice count costs
 * about a nanosecond per cell, so up to ~1 ms per feature. Past it the asymptotic p-value
 * (kstwo at the effective size) is used: a fraction of a millisecond, within 1% of the exact
 * one at these sizes (`benchmarks/serving` measures p99 with and without drift checks).
 */
export const EXACT_KS_MAX_CELLS = 1_000_000;

/**
 * Watches scored fraud feature rows for drift away from the model's reference rows: keeps the
 * last `windowRows` in a {@link FeatureRing} and, every `checkEvery` rows (at most once per
 * `minIntervalMs`), tests the window against the reference with a {@link DriftMonitor} per
 * feature (two-sample KS), then corrects the p-values across features (Benjamini–Hochberg)
 * and flags a feature when its corrected p-value is below alpha and its KS D reaches the
 * monitor's minimum effect — the same verdict as one `DriftMonitor.check` over all features.
 *
 * The checks share the event loop with scoring, so they are kept short: one feature per
 * `setImmediate` turn (after the responses already queued), and the exact KS p-value only while
 * reference × window is at most {@link EXACT_KS_MAX_CELLS}. scipy's `auto` method is exact up to
 * 10,000 values per side, which at ~6,700 reference rows and a 2,000-row window cost 15–200 ms a
 * feature and pushed scoring p99 past 100 ms; the asymptotic p-value costs ~0.1–0.4 ms.
 */
export class DriftWatch {
  /** Feature names, in row order. */
  readonly names: readonly string[];
  readonly ring: FeatureRing;
  readonly checkEvery: number;
  readonly minIntervalMs: number;
  /** KS p-value method, chosen by size (see {@link EXACT_KS_MAX_CELLS}). */
  readonly ksMethod: 'auto' | 'asymp';
  readonly #monitors: DriftMonitor[];
  readonly #onReport: (report: DriftReport) => void;
  readonly #onError: (error: unknown) => void;
  #sinceCheck = 0;
  #lastCheckAt = Number.NEGATIVE_INFINITY;
  #running = false;
  #stopped = false;
  /** The latest report, if a check finished. */
  last: DriftReport | undefined;

  /** @throws InvalidArgumentError when the reference has no rows or no finite values. */
  constructor(reference: Matrix, names: readonly string[], options: DriftWatchOptions) {
    this.names = names;
    const windowRows = options.windowRows ?? 2_000;
    const ksMethod = reference.rows * windowRows <= EXACT_KS_MAX_CELLS ? 'auto' : 'asymp';
    this.ksMethod = ksMethod;
    this.#monitors = names.map((name, j) => {
      const column = new Float64Array(reference.rows);
      for (let i = 0; i < reference.rows; i++) column[i] = reference.data[i * reference.cols + j]!;
      return new DriftMonitor(new Table({ [name]: column }), { correction: 'none', ksMethod });
    });
    this.ring = new FeatureRing(names.length, windowRows);
    this.checkEvery = options.checkEvery ?? 500;
    this.minIntervalMs = options.minIntervalMs ?? 5_000;
    this.#onReport = options.onReport;
    this.#onError = options.onError ?? (() => {});
  }

  /** Adds one scored row; starts a check when one is due. */
  push(row: ArrayLike<number>): void {
    this.ring.push(row);
    if (++this.#sinceCheck < this.checkEvery || this.#running || this.#stopped) return;
    const now = performance.now();
    if (now - this.#lastCheckAt < this.minIntervalMs) return;
    this.#sinceCheck = 0;
    this.#lastCheckAt = now;
    this.#running = true;
    void this.#checkInTurns().then(
      (report) => {
        this.#running = false;
        if (report === undefined) return;
        this.last = report;
        this.#onReport(report);
      },
      (error: unknown) => {
        this.#running = false;
        this.#onError(error);
      },
    );
  }

  /** Tests the current window now, all features in one go. */
  check(): DriftReport {
    const window = this.ring.toTable(this.names);
    return this.#combine(
      window.length,
      this.#monitors.map((monitor) => monitor.check(window).columns[0]!),
    );
  }

  /** Stops starting checks (the model was replaced). */
  stop(): void {
    this.#stopped = true;
  }

  async #checkInTurns(): Promise<DriftReport | undefined> {
    const window = this.ring.toTable(this.names);
    const columns: ColumnDrift[] = [];
    for (const monitor of this.#monitors) {
      await new Promise((resolve) => setImmediate(resolve));
      if (this.#stopped) return undefined;
      columns.push(monitor.check(window).columns[0]!);
    }
    return this.#combine(window.length, columns);
  }

  /** Corrects the per-feature p-values together and decides drift, as DriftMonitor.check does. */
  #combine(rows: number, columns: ColumnDrift[]): DriftReport {
    const options = this.#monitors[0]!.options;
    const tested = columns.filter((column) => column.skipped === undefined);
    const corrected =
      tested.length === 0
        ? new Float64Array(0)
        : benjaminiHochberg(tested.map((column) => column.pvalue));
    tested.forEach((column, i) => {
      column.correctedPValue = corrected[i]!;
      column.drifted =
        column.correctedPValue < options.alpha && column.effectSize >= options.minEffect.ks;
    });
    const drifted = tested.filter((column) => column.drifted).length;
    const driftedShare = tested.length === 0 ? 0 : drifted / tested.length;
    return {
      window: `last ${rows} scored`,
      rows,
      columns,
      driftedShare,
      datasetDrift: tested.length > 0 && driftedShare >= options.datasetDriftShare,
    };
  }
}
