import {
  brierScore,
  type CalibrationMethod,
  type Calibrator,
  fitCalibrator,
  type ReliabilityCurve,
  reliabilityCurve,
} from '@mlsd/classify';

/** What `tuneFraudModel` does about calibration: a method, none, or the one that validates best. */
export type CalibrationChoice = CalibrationMethod | 'none' | 'auto';

/** How calibration was chosen and what it did to the chosen model's validation scores. */
export interface CalibrationReport {
  /** What was asked for. */
  requested: CalibrationChoice;
  /** What the model applies. */
  method: CalibrationMethod | 'none';
  /**
   * With `'auto'`: the Brier score of each option when each validation fold is calibrated by a
   * calibrator fitted on the other folds (an honest comparison: no fold judges its own fit).
   */
  crossFoldBrier?: Record<CalibrationMethod | 'none', number>;
  /** Brier score of the validation-fold scores before and after calibration. */
  brierBefore: number;
  brierAfter: number;
  /** Reliability curves (10 quantile bins) before and after. */
  before: ReliabilityCurve;
  after: ReliabilityCurve;
}

function concat<T extends Float64Array | Uint8Array>(
  parts: readonly T[],
  Type: new (n: number) => T,
): T {
  const out = new Type(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * Calibrates scores held out on validation folds (one array of scores and labels per fold):
 * fits the requested method on all of them, or with `'auto'` first compares no calibration,
 * Platt scaling and isotonic regression by cross-fold Brier score — each fold calibrated by a
 * calibrator fitted on the other folds — and keeps the lowest (no calibration on a tie or with a
 * single fold, where no honest comparison exists). Never sees the test period: only what the
 * folds held out.
 */
export async function calibrateOnFolds(
  foldScores: readonly Float64Array[],
  foldLabels: readonly Uint8Array[],
  requested: CalibrationChoice,
): Promise<{ calibrator: Calibrator | undefined; report: CalibrationReport }> {
  const scores = concat(foldScores, Float64Array);
  const labels = concat(foldLabels, Uint8Array);
  let method: CalibrationMethod | 'none' = requested === 'auto' ? 'none' : requested;
  let crossFoldBrier: Record<CalibrationMethod | 'none', number> | undefined;
  if (requested === 'auto' && foldScores.length > 1) {
    crossFoldBrier = { none: brierScore(labels, scores), platt: 0, isotonic: 0 };
    for (const candidate of ['platt', 'isotonic'] as const) {
      const calibrated: Float64Array[] = [];
      for (let f = 0; f < foldScores.length; f++) {
        const others = (parts: readonly (Float64Array | Uint8Array)[]) =>
          parts.filter((_, g) => g !== f);
        const fitted = await fitCalibrator(
          candidate,
          concat(others(foldScores) as Float64Array[], Float64Array),
          concat(others(foldLabels) as Uint8Array[], Uint8Array),
        );
        calibrated.push(fitted.transform(foldScores[f]!));
      }
      crossFoldBrier[candidate] = brierScore(labels, concat(calibrated, Float64Array));
    }
    for (const candidate of ['platt', 'isotonic'] as const) {
      if (crossFoldBrier[candidate] < crossFoldBrier[method]) method = candidate;
    }
  }
  const calibrator = method === 'none' ? undefined : await fitCalibrator(method, scores, labels);
  const after = calibrator === undefined ? scores : calibrator.transform(scores);
  return {
    calibrator,
    report: {
      requested,
      method,
      ...(crossFoldBrier === undefined ? {} : { crossFoldBrier }),
      brierBefore: brierScore(labels, scores),
      brierAfter: brierScore(labels, after),
      before: reliabilityCurve(labels, scores, { bins: 10, strategy: 'quantile' }),
      after: reliabilityCurve(labels, after, { bins: 10, strategy: 'quantile' }),
    },
  };
}
