import { createProgress, InvalidArgumentError, Rng } from '@mlsd/core';
import { getTf, type Tf } from '@mlsd/tf/tfjs';
import { createAdjustableAdam } from './adjustable-adam.js';
import { type DenseNetworkWeights, initDenseNetwork, networkSizes } from './dense-network.js';
import { createDenseOp } from './dense-op.js';
import { weightedLogLoss } from './weighted-log-loss.js';

type Tensor = ReturnType<Tf['tensor']>;
type Variable = ReturnType<Tf['variable']>;
type Scalar = ReturnType<Tf['scalar']>;

/** Standardized rows with labels and per-row weights, as the training loop consumes them. */
export interface NetworkTrainingData {
  /** Row-major `[rows, cols]` standardized features. */
  X: Float32Array;
  rows: number;
  cols: number;
  /** 0/1 labels. */
  y: Float32Array;
  /** Per-row weights (class weight × sample weight). */
  weights: Float32Array;
}

/** One epoch of training, as reported to callers. */
export interface EpochRecord {
  /** 1-based epoch number. */
  epoch: number;
  /** Mean weighted log-loss over the epoch's mini-batches, L2 penalty included. */
  trainLoss: number;
  /** Weighted log-loss on the validation rows after the epoch (no penalty, no dropout). */
  validationLoss?: number;
}

/** Settings of {@link trainNetwork}. */
export interface TrainNetworkOptions {
  /** Units of each hidden ReLU layer; `[]` is logistic regression. */
  hiddenLayers: readonly number[];
  /** Dropout rate after each hidden layer during training, in [0, 1). */
  dropout: number;
  /** L2 strength λ: the loss gains `λ / (2n) · Σ‖kernel‖²` (biases are not penalised). */
  l2: number;
  /** Adam step size. */
  learningRate: number;
  /** Rows per mini-batch (capped at the row count). */
  batchSize: number;
  /** Most passes over the data. */
  maxEpochs: number;
  /** Epochs without an improvement of more than `tol` before the step size drops or training stops. */
  patience: number;
  /**
   * How many times the step size is divided by {@link LEARNING_RATE_DROP_FACTOR} when the
   * monitored loss stalls for `patience` epochs, before a further stall stops training.
   */
  learningRateDrops: number;
  /** Smallest decrease of the monitored loss that counts as an improvement. */
  tol: number;
  /** Seed of the initial weights, the batch order and the dropout masks. */
  seed: number;
  /**
   * Rows to early-stop on: the validation loss is monitored and the weights of its best epoch
   * are restored. Without it the training loss is monitored (convergence) and the last
   * weights are kept.
   */
  validation?: NetworkTrainingData | undefined;
  /** Called after every epoch. */
  onEpoch?: ((record: EpochRecord) => void) | undefined;
  /** Draw a progress bar on stderr (only on a terminal, outside CI). */
  progress?: boolean | undefined;
  /** Label of the progress bar. */
  label?: string | undefined;
}

/** What {@link trainNetwork} returns. */
export interface TrainNetworkResult {
  /** Weights of the best epoch (with validation) or of the last one. */
  weights: DenseNetworkWeights;
  /** One record per epoch run. */
  history: EpochRecord[];
  /** Epoch whose weights were kept (1-based). */
  bestEpoch: number;
  /** Epochs after which the step size was lowered. */
  learningRateDropEpochs: number[];
  /** True when patience ran out before `maxEpochs`. */
  stoppedEarly: boolean;
}

/** Each plateau divides Adam's step size by this much (while drops remain). */
export const LEARNING_RATE_DROP_FACTOR = 10;

/** Rows scored per forward pass when evaluating the validation loss. */
const EVALUATION_CHUNK = 16_384;

/**
 * Trains a feed-forward binary classifier on the active TensorFlow.js backend (`initBackend()`
 * must have run): seeded initial weights, a seeded shuffle of the rows every epoch, mini-batches
 * through Adam minimising the weighted log-loss plus an L2 penalty, dropout with seeded masks,
 * and early stopping with patience that restores the best epoch's weights. Every tensor is
 * disposed before it returns; the result is plain typed arrays. On one backend, one seed gives
 * the same weights run after run.
 */
export function trainNetwork(
  data: NetworkTrainingData,
  options: TrainNetworkOptions,
): TrainNetworkResult {
  const tf = getTf();
  const rng = new Rng(options.seed);
  const initial = initDenseNetwork(
    networkSizes(data.cols, options.hiddenLayers),
    rng.fork('init'),
    weightedPositiveLogit(data),
  );
  const shuffleRng = rng.fork('shuffle');
  const dropoutRng = rng.fork('dropout');
  const n = data.rows;
  const batchSize = Math.min(options.batchSize, n);
  // tidy frees the initial-value tensors; variables survive it.
  const variables = tf.tidy(() =>
    initial.map((layer) => ({
      kernel: tf.variable(tf.tensor2d(layer.kernel, [layer.inputs, layer.units])),
      bias: tf.variable(tf.tensor1d(layer.bias)),
    })),
  );
  const varList = variables.flatMap((layer) => [layer.kernel, layer.bias]);
  const adam = createAdjustableAdam(tf, options.learningRate);
  const optimizer = adam.optimizer;
  const penaltyScale = options.l2 / (2 * n);
  const validation = options.validation;
  const validationTensors =
    validation === undefined
      ? undefined
      : {
          X: tf.tensor2d(validation.X, [validation.rows, validation.cols]),
          y: tf.tensor1d(validation.y),
          w: tf.tensor1d(validation.weights),
        };
  const progress =
    options.progress === true
      ? createProgress({
          label: options.label ?? 'training',
          total: options.maxEpochs,
          unit: 'epochs',
        })
      : undefined;

  const denseOps = variables.map((_, l) => createDenseOp(tf, l > 0));
  const forward = (input: Tensor, dropoutSeed: number | undefined): Tensor => {
    let h = input;
    variables.forEach((layer, l) => {
      h = denseOps[l]!(h, layer.kernel, layer.bias);
      if (l + 1 < variables.length) {
        h = tf.relu(h);
        if (dropoutSeed !== undefined && options.dropout > 0) {
          h = tf.dropout(h, options.dropout, undefined, dropoutSeed + l);
        }
      }
    });
    return tf.reshape(h, [-1]);
  };

  const readWeights = (): DenseNetworkWeights =>
    variables.map((layer, l) => ({
      kernel: new Float32Array(layer.kernel.dataSync()),
      bias: new Float32Array(layer.bias.dataSync()),
      inputs: initial[l]!.inputs,
      units: initial[l]!.units,
    }));

  const validationLoss = (): number => {
    const v = validationTensors!;
    const rows = validation!.rows;
    let total = 0;
    for (let start = 0; start < rows; start += EVALUATION_CHUNK) {
      const size = Math.min(EVALUATION_CHUNK, rows - start);
      const chunkLoss = tf.tidy(() =>
        weightedLogLoss(
          tf,
          forward(tf.slice(v.X, [start, 0], [size, -1]), undefined),
          tf.slice(v.y, start, size),
          tf.slice(v.w, start, size),
        ),
      );
      total += chunkLoss.dataSync()[0]! * size;
      chunkLoss.dispose();
    }
    return total / rows;
  };

  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const history: EpochRecord[] = [];
  let best = Number.POSITIVE_INFINITY;
  let bestEpoch = 0;
  let bestWeights: DenseNetworkWeights | undefined;
  let epochsWithoutGain = 0;
  let stoppedEarly = false;
  const learningRateDropEpochs: number[] = [];
  try {
    for (let epoch = 1; epoch <= options.maxEpochs; epoch++) {
      shuffleRng.shuffle(order);
      const costs: Tensor[] = [];
      for (let start = 0; start < n; start += batchSize) {
        const batch = gatherBatch(data, order.subarray(start, Math.min(start + batchSize, n)));
        const dropoutSeed = options.dropout > 0 ? dropoutRng.integer(0, 2 ** 30) : undefined;
        const cost = tf.tidy(() => {
          // Batches are copied from JS arrays: on wasm that is cheaper than tf.gather.
          const xb = tf.tensor2d(batch.X, [batch.rows, data.cols]);
          const yb = tf.tensor1d(batch.y);
          const wb = tf.tensor1d(batch.weights);
          return optimizer.minimize(
            () => {
              const loss = weightedLogLoss(tf, forward(xb, dropoutSeed), yb, wb);
              if (penaltyScale === 0) return loss as Scalar;
              let squares: Tensor = tf.sum(tf.square(variables[0]!.kernel));
              for (let l = 1; l < variables.length; l++) {
                squares = tf.add(squares, tf.sum(tf.square(variables[l]!.kernel)));
              }
              return tf.add(loss, tf.mul(squares, penaltyScale)) as Scalar;
            },
            true,
            varList,
          )!;
        });
        costs.push(
          batchSize === batch.rows ? cost : tf.tidy(() => tf.mul(cost, batch.rows / batchSize)),
        );
        if (batchSize !== batch.rows) cost.dispose();
      }
      // One read per epoch: Σ cost_b·rows_b / n with cost_b a batch mean.
      const epochSum = tf.tidy(() => tf.addN(costs));
      for (const cost of costs) cost.dispose();
      const trainLoss = (epochSum.dataSync()[0]! * batchSize) / n;
      epochSum.dispose();
      const record: EpochRecord = { epoch, trainLoss };
      if (validation !== undefined) record.validationLoss = validationLoss();
      history.push(record);
      options.onEpoch?.(record);
      progress?.tick();

      const monitored = record.validationLoss ?? trainLoss;
      if (!Number.isFinite(monitored)) {
        throw new InvalidArgumentError(
          `${options.label ?? 'training'}: the loss became ${monitored} at epoch ${epoch}; ` +
            'training diverged. Lower learningRate, or check for extreme feature values or weights.',
          { epoch, learningRate: options.learningRate },
        );
      }
      if (monitored < best - options.tol) {
        best = monitored;
        bestEpoch = epoch;
        epochsWithoutGain = 0;
        if (validation !== undefined) bestWeights = readWeights();
      } else if (++epochsWithoutGain >= options.patience) {
        if (learningRateDropEpochs.length < options.learningRateDrops) {
          adam.setLearningRate(adam.learningRate() / LEARNING_RATE_DROP_FACTOR);
          learningRateDropEpochs.push(epoch);
          epochsWithoutGain = 0;
        } else {
          stoppedEarly = epoch < options.maxEpochs;
          break;
        }
      }
    }
    const lastEpoch = history.length;
    const weights = bestWeights ?? readWeights();
    progress?.finish(
      `best epoch ${bestWeights === undefined ? lastEpoch : bestEpoch} of ${lastEpoch}` +
        (stoppedEarly ? ' (early stop)' : ''),
    );
    return {
      weights,
      history,
      bestEpoch: bestWeights === undefined ? lastEpoch : bestEpoch,
      learningRateDropEpochs,
      stoppedEarly,
    };
  } finally {
    progress?.finish('stopped');
    optimizer.dispose();
    for (const variable of varList) (variable as Variable).dispose();
    if (validationTensors !== undefined) {
      validationTensors.X.dispose();
      validationTensors.y.dispose();
      validationTensors.w.dispose();
    }
  }
}

/** Logit of the weighted share of positives, clamped so a single-class batch stays finite. */
export function weightedPositiveLogit(data: NetworkTrainingData): number {
  let positive = 0;
  let total = 0;
  for (let i = 0; i < data.rows; i++) {
    total += data.weights[i]!;
    if (data.y[i] === 1) positive += data.weights[i]!;
  }
  if (total === 0) return 0;
  const share = Math.min(Math.max(positive / total, 1e-6), 1 - 1e-6);
  return Math.log(share / (1 - share));
}

/** The rows `rows` of `data`, copied in that order. */
function gatherBatch(data: NetworkTrainingData, rows: Int32Array): NetworkTrainingData {
  const { cols } = data;
  const X = new Float32Array(rows.length * cols);
  const y = new Float32Array(rows.length);
  const weights = new Float32Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    X.set(data.X.subarray(row * cols, (row + 1) * cols), i * cols);
    y[i] = data.y[row]!;
    weights[i] = data.weights[row]!;
  }
  return { X, rows: rows.length, cols, y, weights };
}
