import { createProgress, InvalidArgumentError } from '@mlsd/core';
import { getTf, type Tf } from '@mlsd/tf/tfjs';
import {
  type EpochRecord,
  type NetworkTrainingData,
  type TrainNetworkResult,
  weightedPositiveLogit,
} from './train-network.js';

type Tensor = ReturnType<Tf['tensor']>;

/** Options of {@link trainLogisticNewton}. */
export interface NewtonLogisticOptions {
  /** Inverse L2 strength (scikit-learn's `C`); the intercept is not penalised. */
  C: number;
  /** Most Newton iterations. */
  maxIter: number;
  /**
   * Stop when half the Newton decrement, gᵀH⁻¹g / 2 (the objective decrease a full step
   * predicts), per row falls to `tol` or below.
   */
  tol: number;
  /** Rows whose mean weighted log-loss is recorded after every iteration (no early stop). */
  validation?: NetworkTrainingData | undefined;
  onEpoch?: ((record: EpochRecord) => void) | undefined;
  progress?: boolean | undefined;
  label?: string | undefined;
}

/** Halvings of the step before the line search gives up (float32 precision reached). */
const MAX_HALVINGS = 30;
/** Armijo constant of the backtracking line search. */
const ARMIJO = 1e-4;

/**
 * L2-regularised logistic regression by Newton's method with a backtracking line search,
 * minimising scikit-learn's objective Σ wᵢ·logloss(yᵢ, σ(xᵢ·β + b)) + ‖β‖²/(2C) exactly (it is
 * convex, so the answer does not depend on a seed or a step size). Each iteration is one pass
 * over the rows on the active TensorFlow.js backend: the logits X·θ, the gradient Xᵀ·(w∘(p − y))
 * and the Hessian Xᵀ·diag(w∘p∘(1 − p))·X, all matrix products; the (features + 1)² system is
 * solved by Cholesky in float64. The losses that decide the line search are summed in float64
 * from the logits. Typically 6–10 iterations; `initBackend()` must have run.
 *
 * History records are per iteration (trainLoss = objective / rows, as the Adam path reports).
 */
export function trainLogisticNewton(
  data: NetworkTrainingData,
  options: NewtonLogisticOptions,
): TrainNetworkResult {
  const tf = getTf();
  const { rows: n, cols: d } = data;
  const width = d + 1;
  const invC = 1 / options.C;
  const label = options.label ?? 'LogisticRegression training';
  // The design matrix with a column of ones for the intercept (last).
  const augmented = new Float32Array(n * width);
  for (let i = 0; i < n; i++) {
    augmented.set(data.X.subarray(i * d, (i + 1) * d), i * width);
    augmented[i * width + d] = 1;
  }
  const X = tf.tensor2d(augmented, [n, width]);
  const y = tf.tensor2d(data.y, [n, 1]);
  const w = tf.tensor2d(data.weights, [n, 1]);
  const validation = options.validation;
  const validationX =
    validation === undefined ? undefined : appendOnes(tf, validation.X, validation.rows, d);
  const progress =
    options.progress === true
      ? createProgress({ label, total: options.maxIter, unit: 'iterations' })
      : undefined;

  const theta = new Float64Array(width);
  theta[d] = weightedPositiveLogit(data);
  const logitsOf = (design: Tensor, parameters: Float64Array): Float32Array => {
    const z = tf.tidy(() =>
      tf.matMul(design, tf.tensor2d(Float32Array.from(parameters), [width, 1])),
    );
    const values = z.dataSync() as Float32Array;
    z.dispose();
    return values;
  };
  const objective = (parameters: Float64Array): number => {
    const z = logitsOf(X, parameters);
    let penalty = 0;
    for (let j = 0; j < d; j++) penalty += parameters[j]! * parameters[j]!;
    return weightedLogLossSum(z, data.y, data.weights) + (penalty * invC) / 2;
  };

  const history: EpochRecord[] = [];
  const gradient = new Float64Array(width);
  const hessian = new Float64Array(width * width);
  const step = new Float64Array(width);
  const candidate = new Float64Array(width);
  let current = objective(theta);
  try {
    for (let iteration = 1; iteration <= options.maxIter; iteration++) {
      const [g, h] = tf.tidy(() => {
        const z = tf.matMul(X, tf.tensor2d(Float32Array.from(theta), [width, 1]));
        const p = tf.sigmoid(z);
        const residual = tf.mul(w, tf.sub(p, y));
        const curvature = tf.mul(w, tf.mul(p, tf.sub(1, p)));
        return [
          tf.matMul(X, residual, true, false),
          tf.matMul(X, tf.mul(X, curvature), true, false),
        ];
      });
      gradient.set(g!.dataSync());
      hessian.set(h!.dataSync());
      g!.dispose();
      h!.dispose();
      if (!gradient.every(Number.isFinite) || !hessian.every(Number.isFinite)) {
        throw new InvalidArgumentError(
          `${label}: the gradient or Hessian overflowed float32 at iteration ${iteration}; training diverged. Check for extreme feature values or row weights.`,
          { iteration },
        );
      }
      for (let j = 0; j < d; j++) {
        gradient[j]! += theta[j]! * invC;
        hessian[j * width + j]! += invC;
      }
      solveCholesky(hessian, gradient, step, width, label);
      let decrement = 0;
      for (let j = 0; j < width; j++) decrement += gradient[j]! * step[j]!;
      let t = 1;
      let next = Number.NaN;
      for (let halving = 0; halving <= MAX_HALVINGS; halving++, t /= 2) {
        for (let j = 0; j < width; j++) candidate[j] = theta[j]! - t * step[j]!;
        next = objective(candidate);
        if (next <= current - ARMIJO * t * decrement) break;
      }
      const accepted = next <= current;
      if (accepted) {
        theta.set(candidate);
        current = next;
      }
      if (!Number.isFinite(current)) {
        throw new InvalidArgumentError(
          `${label}: the objective became ${current} at iteration ${iteration}; training diverged. Check for extreme feature values or row weights.`,
          { iteration },
        );
      }
      const record: EpochRecord = { epoch: iteration, trainLoss: current / n };
      if (validation !== undefined) {
        record.validationLoss =
          weightedLogLossSum(logitsOf(validationX!, theta), validation.y, validation.weights) /
          validation.rows;
      }
      history.push(record);
      options.onEpoch?.(record);
      progress?.tick();
      if (!accepted || decrement / 2 <= options.tol * n) break;
    }
    progress?.finish(`converged in ${history.length} iterations`);
    return {
      weights: [
        {
          kernel: Float32Array.from(theta.subarray(0, d)),
          bias: Float32Array.of(theta[d]!),
          inputs: d,
          units: 1,
        },
      ],
      history,
      bestEpoch: history.length,
      learningRateDropEpochs: [],
      stoppedEarly: false,
    };
  } finally {
    progress?.finish('stopped');
    X.dispose();
    y.dispose();
    w.dispose();
    validationX?.dispose();
  }
}

function appendOnes(tf: Tf, X: Float32Array, rows: number, cols: number): Tensor {
  const out = new Float32Array(rows * (cols + 1));
  for (let i = 0; i < rows; i++) {
    out.set(X.subarray(i * cols, (i + 1) * cols), i * (cols + 1));
    out[i * (cols + 1) + cols] = 1;
  }
  return tf.tensor2d(out, [rows, cols + 1]);
}

/** Σ wᵢ·logloss(yᵢ, σ(zᵢ)) in float64, in the stable form max(z, 0) − z·y + log(1 + e^{−|z|}). */
function weightedLogLossSum(z: Float32Array, y: Float32Array, w: Float32Array): number {
  let total = 0;
  for (let i = 0; i < z.length; i++) {
    const zi = z[i]!;
    total += w[i]! * (Math.max(zi, 0) - zi * y[i]! + Math.log1p(Math.exp(-Math.abs(zi))));
  }
  return total;
}

/**
 * Solves A·x = b for a symmetric positive-definite `size × size` matrix (row-major, overwritten
 * by its Cholesky factor).
 */
function solveCholesky(
  a: Float64Array,
  b: Float64Array,
  x: Float64Array,
  size: number,
  label: string,
): void {
  for (let j = 0; j < size; j++) {
    let diagonal = a[j * size + j]!;
    for (let k = 0; k < j; k++) diagonal -= a[j * size + k]! * a[j * size + k]!;
    if (!(diagonal > 0)) {
      throw new InvalidArgumentError(
        `${label}: the Hessian is numerically singular, so training diverged (extreme row weights or feature values, or a duplicated feature with a very large C); rescale the weights, lower C or drop the column.`,
      );
    }
    const root = Math.sqrt(diagonal);
    a[j * size + j] = root;
    for (let i = j + 1; i < size; i++) {
      let value = a[i * size + j]!;
      for (let k = 0; k < j; k++) value -= a[i * size + k]! * a[j * size + k]!;
      a[i * size + j] = value / root;
    }
  }
  for (let i = 0; i < size; i++) {
    let value = b[i]!;
    for (let k = 0; k < i; k++) value -= a[i * size + k]! * x[k]!;
    x[i] = value / a[i * size + i]!;
  }
  for (let i = size - 1; i >= 0; i--) {
    let value = x[i]!;
    for (let k = i + 1; k < size; k++) value -= a[k * size + i]! * x[k]!;
    x[i] = value / a[i * size + i]!;
  }
}
