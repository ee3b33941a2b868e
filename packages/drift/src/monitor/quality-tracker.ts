import { InvalidArgumentError } from '@mlsd/core';

/** A model's quality on one window whose labels have arrived. */
export interface QualityWindow {
  window: string;
  /** Metric name → value (e.g. `{ ap: 0.61, cpAt100: 0.28 }`). */
  metrics: Record<string, number>;
  /** Metric name → value / baseline value. */
  relative: Record<string, number>;
  /** True when any tracked metric fell below (1 − tolerance) × its baseline. */
  degraded: boolean;
}

/**
 * Concept drift, seen through delayed labels: records a model's quality window by window
 * (for fraud: AP and card precision@100 per week, once the week's labels are in) and compares
 * each metric with its value at validation. A window is degraded when a metric drops below
 * `(1 − tolerance)` of its baseline.
 */
export class QualityTracker {
  readonly baseline: Readonly<Record<string, number>>;
  readonly tolerance: number;
  readonly history: QualityWindow[] = [];

  constructor(baseline: Record<string, number>, tolerance = 0.2) {
    if (!(tolerance > 0 && tolerance < 1)) {
      throw new InvalidArgumentError(
        `QualityTracker: tolerance must be in (0, 1), got ${tolerance}.`,
      );
    }
    for (const [name, value] of Object.entries(baseline)) {
      if (!(Number.isFinite(value) && value > 0)) {
        throw new InvalidArgumentError(
          `QualityTracker: baseline ${name} must be a positive number, got ${value}.`,
        );
      }
    }
    this.baseline = { ...baseline };
    this.tolerance = tolerance;
  }

  /**
   * Records one window's metrics (every baseline metric must be present) and says whether the
   * model degraded.
   */
  record(window: string, metrics: Record<string, number>): QualityWindow {
    const relative: Record<string, number> = {};
    let degraded = false;
    for (const [name, base] of Object.entries(this.baseline)) {
      const value = metrics[name];
      if (value === undefined || Number.isNaN(value)) {
        throw new InvalidArgumentError(
          `QualityTracker.record(${window}): metric ${name} is missing.`,
        );
      }
      relative[name] = value / base;
      if (value < (1 - this.tolerance) * base) degraded = true;
    }
    const entry = { window, metrics: { ...metrics }, relative, degraded };
    this.history.push(entry);
    return entry;
  }
}
