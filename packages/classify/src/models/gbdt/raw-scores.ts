/**
 * The boosting scores of a set of rows: `raw` (log-odds) and `expNegRaw = e^−raw`, kept in step
 * so the gradients need no `Math.exp` per row and iteration: a leaf adding `v` to `raw`
 * multiplies `expNegRaw` by e^−v, computed once per leaf. {@link resyncScores} recomputes
 * `expNegRaw` exactly from time to time so rounding cannot drift.
 */
export interface RawScores {
  readonly raw: Float64Array;
  readonly expNegRaw: Float64Array;
}

/** Scores of `rows` rows, all starting at `baseline`. */
export function createScores(rows: number, baseline: number): RawScores {
  return {
    raw: new Float64Array(rows).fill(baseline),
    expNegRaw: new Float64Array(rows).fill(Math.exp(-baseline)),
  };
}

/** Adds `value` to the scores of the rows `rowList[start..end)`. */
export function addToScores(
  scores: RawScores,
  value: number,
  rowList: ArrayLike<number>,
  start: number,
  end: number,
): void {
  const { raw, expNegRaw } = scores;
  const factor = Math.exp(-value);
  if (!(factor > 0 && factor < Number.POSITIVE_INFINITY)) {
    // A leaf value beyond ±709: multiplying could give 0 · ∞; take the exact path.
    for (let k = start; k < end; k++) {
      const row = rowList[k]!;
      raw[row] = raw[row]! + value;
      expNegRaw[row] = Math.exp(-raw[row]!);
    }
    return;
  }
  for (let k = start; k < end; k++) {
    const row = rowList[k]!;
    raw[row] = raw[row]! + value;
    expNegRaw[row] = expNegRaw[row]! * factor;
  }
}

/** Recomputes `expNegRaw` from `raw` exactly. */
export function resyncScores(scores: RawScores): void {
  const { raw, expNegRaw } = scores;
  for (let i = 0; i < raw.length; i++) expNegRaw[i] = Math.exp(-raw[i]!);
}
