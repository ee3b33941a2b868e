import type { Params } from './param-space.js';

/** One candidate of a model search and how it did. */
export interface CandidateResult {
  id: number;
  kind: string;
  params: Params;
  /** 1 = best. Candidates that reached a later halving round rank above those that did not. */
  rank: number;
  /** Metric mean over the folds (of the last round the candidate ran). */
  mean: number;
  /** Sample standard deviation over the folds (0 with one fold). */
  std: number;
  /** The metric on each fold. */
  scores: number[];
  /** Mean seconds of one fit (one fold) in that round. */
  fitSeconds: number;
  /** Halving rounds the candidate ran (1 for grid and random search). */
  rounds: number;
  /** Resource of its last round: the share of training rows, or the resource parameter's value. */
  resource: number;
  /** Why a fit failed, when one did (the candidate then ranks last). */
  error?: string;
}

/** The results table of a model search (JSON-safe). */
export interface ModelSearchTable {
  strategy: 'grid' | 'random' | 'halving';
  /** Name of the metric maximised. */
  metric: string;
  /** Every candidate, best first. */
  candidates: CandidateResult[];
  best: CandidateResult;
  folds: { trainRows: number; testRows: number; testPositives: number }[];
  /** Resource and candidate count of each round (one round unless halving). */
  rounds: { resource: number; candidates: number }[];
  /** `'rows'` or the hyperparameter halving grew. */
  resource: string;
  fits: number;
  failedFits: number;
  /** Threads that fitted (0 = the calling thread). */
  workers: number;
  seconds: number;
}

/** Mean and sample standard deviation (n − 1; 0 for one value). */
export function meanStd(values: readonly number[]): { mean: number; std: number } {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, std: Number.NaN };
  const mean = values.reduce((sum, v) => sum + v, 0) / n;
  if (n === 1) return { mean, std: 0 };
  const variance = values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (n - 1);
  return { mean, std: Math.sqrt(variance) };
}

/**
 * Candidates best first, `rank` set: later halving rounds first, then failures last, then by
 * mean (NaN as the worst), then by id.
 */
export function rankCandidates(results: CandidateResult[]): CandidateResult[] {
  const value = (r: CandidateResult) =>
    r.error === undefined && Number.isFinite(r.mean) ? r.mean : Number.NEGATIVE_INFINITY;
  const sorted = [...results].sort(
    (a, b) =>
      b.rounds - a.rounds ||
      Number(a.error !== undefined) - Number(b.error !== undefined) ||
      value(b) - value(a) ||
      a.id - b.id,
  );
  return sorted.map((result, k) => ({ ...result, rank: k + 1 }));
}

/** Hyperparameters as short text: `maxDepth=3 learningRate=0.0712`. */
export function formatParams(params: Params): string {
  return Object.entries(params)
    .map(([name, value]) => {
      const text =
        typeof value === 'number' && !Number.isInteger(value)
          ? value.toPrecision(3)
          : JSON.stringify(value);
      return `${name}=${text}`;
    })
    .join(' ');
}
