import { InvalidArgumentError, Rng } from '@mlsd/core';
import type { Labels, Scores } from './check-inputs.js';

/** A point estimate with a percentile bootstrap interval. */
export interface BootstrapInterval {
  estimate: number;
  low: number;
  high: number;
  /** Confidence level, e.g. 0.95. */
  level: number;
  /** Resamples whose metric was defined (a resample with one class has no AUC). */
  resamples: number;
}

/** Options of {@link bootstrapInterval}. */
export interface BootstrapOptions {
  /** Number of resamples (default 200). */
  resamples?: number;
  /** Confidence level (default 0.95). */
  level?: number;
  /** Seed of the resampling (default 0). */
  seed?: number;
}

/**
 * Percentile bootstrap interval of a metric of (labels, scores): resample rows with
 * replacement, recompute, take the (1 ± level)/2 quantiles. Seeded, so a rerun gives the
 * same interval. Resamples where the metric throws or is NaN are skipped and counted.
 */
export function bootstrapInterval(
  labels: Labels,
  scores: Scores,
  metric: (labels: Float64Array, scores: Float64Array) => number,
  options: BootstrapOptions = {},
): BootstrapInterval {
  const resamples = options.resamples ?? 200;
  const level = options.level ?? 0.95;
  if (!Number.isInteger(resamples) || resamples < 2) {
    throw new InvalidArgumentError(
      `bootstrapInterval: resamples must be an integer >= 2, got ${resamples}.`,
    );
  }
  if (!(level > 0 && level < 1)) {
    throw new InvalidArgumentError(`bootstrapInterval: level must be in (0, 1), got ${level}.`);
  }
  const n = labels.length;
  const estimate = metric(Float64Array.from(labels), Float64Array.from(scores));
  const rng = new Rng(options.seed ?? 0);
  const sampledLabels = new Float64Array(n);
  const sampledScores = new Float64Array(n);
  const values: number[] = [];
  for (let b = 0; b < resamples; b++) {
    for (let i = 0; i < n; i++) {
      const j = rng.integer(0, n);
      sampledLabels[i] = labels[j]!;
      sampledScores[i] = scores[j]!;
    }
    let value: number;
    try {
      value = metric(sampledLabels, sampledScores);
    } catch {
      continue;
    }
    if (!Number.isNaN(value)) values.push(value);
  }
  values.sort((a, b) => a - b);
  return {
    estimate,
    low: quantile(values, (1 - level) / 2),
    high: quantile(values, 1 - (1 - level) / 2),
    level,
    resamples: values.length,
  };
}

/** Linear-interpolated quantile of sorted values (numpy's default). */
function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = q * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (position - below);
}
