import { BaseEstimator, InvalidArgumentError } from '@mlsd/core';
import { z } from 'zod';
import { checkCalibrationInputs, logOdds } from './calibration-inputs.js';

/** zod schema of {@link PlattCalibrator}'s options. */
export const PlattCalibratorOptionsSchema = z
  .object({
    /**
     * What the scores are: `'probability'` (default; the calibrator works on their log-odds, the
     * decision function of a logistic or tree model) or `'log-odds'` already.
     */
    input: z.enum(['probability', 'log-odds']).default('probability'),
    /** Newton iterations at most. */
    maxIter: z.number().int().positive().default(100),
  })
  .strict();

/** Options of {@link PlattCalibrator}. */
export type PlattCalibratorOptions = z.input<typeof PlattCalibratorOptionsSchema>;
type PlattParams = z.output<typeof PlattCalibratorOptionsSchema>;

const PlattState = z.object({ slope: z.number(), intercept: z.number() });
type PlattState = z.output<typeof PlattState>;

/** log(1 + e^z) without overflow. */
function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/**
 * Platt scaling (Platt 1999; the improved algorithm of Lin, Lin & Weng 2007): a logistic
 * regression of the label on the score's log-odds, p = σ(slope · f + intercept), fitted on
 * held-out rows with Platt's smoothed targets (N₊ + 1)/(N₊ + 2) and 1/(N₋ + 2), by Newton's
 * method with a backtracking line search. Monotone, so rankings (AUC, AP) are unchanged; it
 * corrects scores whose log-odds are off by a scale and a shift — class weighting, resampling,
 * early-stopped trees. Equals scikit-learn's `CalibratedClassifierCV(method='sigmoid')`
 * calibrator (its `a = −slope`, `b = −intercept`), solved to a tighter tolerance.
 */
export class PlattCalibrator extends BaseEstimator<PlattParams, PlattState> {
  readonly kind = 'PlattCalibrator';

  constructor(options: PlattCalibratorOptions = {}) {
    super(PlattCalibratorOptionsSchema, options);
  }

  /** Fits on held-out scores and their 0/1 labels (optionally weighted). */
  async fit(
    scores: ArrayLike<number>,
    labels: ArrayLike<number>,
    sampleWeight?: ArrayLike<number>,
  ): Promise<this> {
    const where = 'PlattCalibrator.fit';
    const f = this.#input(scores, where);
    const w = checkCalibrationInputs(where, f, labels, sampleWeight);
    let positives = 0;
    let negatives = 0;
    for (let i = 0; i < f.length; i++) {
      if (labels[i] === 1) positives += w[i]!;
      else negatives += w[i]!;
    }
    const hiTarget = (positives + 1) / (positives + 2);
    const loTarget = 1 / (negatives + 2);
    const target = (i: number) => (labels[i] === 1 ? hiTarget : loTarget);
    const objective = (a: number, b: number) => {
      let sum = 0;
      for (let i = 0; i < f.length; i++) {
        const z = a * f[i]! + b;
        const t = target(i);
        // −t·log σ(z) − (1 − t)·log(1 − σ(z)) = softplus(z) − t·z
        sum += w[i]! * (softplus(z) - t * z);
      }
      return sum;
    };
    let a = 0;
    let b = Math.log((positives + 1) / (negatives + 1));
    let value = objective(a, b);
    for (let iteration = 0; iteration < this.params.maxIter; iteration++) {
      let ga = 0;
      let gb = 0;
      let haa = 1e-12;
      let hab = 0;
      let hbb = 1e-12;
      for (let i = 0; i < f.length; i++) {
        const z = a * f[i]! + b;
        const p = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
        const d = w[i]! * (p - target(i));
        const h = w[i]! * p * (1 - p);
        ga += d * f[i]!;
        gb += d;
        haa += h * f[i]! * f[i]!;
        hab += h * f[i]!;
        hbb += h;
      }
      if (Math.abs(ga) < 1e-10 * f.length && Math.abs(gb) < 1e-10 * f.length) break;
      const det = haa * hbb - hab * hab;
      const da = -(hbb * ga - hab * gb) / det;
      const db = -(haa * gb - hab * ga) / det;
      // Halve the step until the objective decreases (Lin, Lin & Weng's line search).
      let step = 1;
      let next = objective(a + da, b + db);
      while (next > value + 1e-4 * step * (ga * da + gb * db) && step > 1e-10) {
        step /= 2;
        next = objective(a + step * da, b + step * db);
      }
      if (step <= 1e-10) break;
      a += step * da;
      b += step * db;
      const improvement = value - next;
      value = next;
      if (improvement <= 1e-15 * Math.max(1, Math.abs(value))) break;
    }
    this.setFitted({ slope: a, intercept: b });
    return this;
  }

  /** Calibrated probabilities of `scores`. */
  transform(scores: ArrayLike<number>): Float64Array {
    const { slope, intercept } = this.fitted;
    const f = this.#input(scores, 'PlattCalibrator.transform');
    return f.map((x) => {
      const z = slope * x + intercept;
      return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
    });
  }

  /** The fitted line p = σ(slope · f + intercept). */
  get coefficients(): { slope: number; intercept: number } {
    return { ...this.fitted };
  }

  static fromJSON(json: unknown): PlattCalibrator {
    const { params, state } = BaseEstimator.checkJSON(json, {
      kind: 'PlattCalibrator',
      version: 1,
      params: PlattCalibratorOptionsSchema,
      state: PlattState,
    });
    const model = new PlattCalibrator(params);
    model.setFitted(state);
    return model;
  }

  #input(scores: ArrayLike<number>, where: string): Float64Array {
    if (this.params.input === 'log-odds') return Float64Array.from(scores);
    const out = new Float64Array(scores.length);
    for (let i = 0; i < scores.length; i++) {
      const p = scores[i]!;
      if (!(p >= 0 && p <= 1)) {
        throw new InvalidArgumentError(
          `${where}: score ${i} is ${p}, not a probability; pass input: 'log-odds' for raw scores.`,
        );
      }
      out[i] = logOdds(p);
    }
    return out;
  }
}
