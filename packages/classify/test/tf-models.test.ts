import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ChecksumMismatchError,
  DimensionMismatchError,
  InvalidArgumentError,
  InvalidDataError,
  ManifestInvalidError,
  NotFittedError,
  NotFoundError,
  Rng,
  toMatrix,
} from '@mlsd/core';
import { getTf, type Tf } from '@mlsd/tf/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogisticRegression, MLPClassifier, rocAuc } from '../src/index.js';
import { createDenseOp, type DenseOp } from '../src/models/tf/dense-op.js';
import { splitValidationSlice } from '../src/models/tf/validation-slice.js';
import { linearProblem, meanWhere, sliceRows, xorProblem } from './tf-models-data.js';

type Tensor = ReturnType<Tf['tensor']>;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlsd-tf-models-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const problem = linearProblem(2000, 11);
const train = sliceRows(problem, 0, 1500);
const test = sliceRows(problem, 1500, 2000);
/** Small, quick settings: the behaviour under test does not need the default width. */
const smallMlp = { hiddenLayers: [16, 8], maxEpochs: 30, batchSize: 128, learningRate: 0.01 };

describe('LogisticRegression', () => {
  it('learns from raw features on very different scales, with Adam training until the loss settles', async () => {
    const model = await new LogisticRegression({ solver: 'adam', batchSize: 256, seed: 1 }).fit(
      train.X,
      train.y,
    );
    expect(rocAuc(test.y, model.predictProba(test.X))).toBeGreaterThan(0.85);
    expect(model.featureCount).toBe(4);
    // The signal column (true coefficient 1.5) outweighs the pure-noise column.
    expect(model.coefficients[2]!).toBeGreaterThan(1);
    expect(Math.abs(model.coefficients[3]!)).toBeLessThan(0.3);
    // No validation rows: it stops when the training loss stalls after three step-size drops.
    const { epochs, stoppedEarly, trainLoss, validationLoss } = model.trainingSummary;
    expect(stoppedEarly).toBe(true);
    expect(epochs).toBeGreaterThan(4 * 10);
    expect(trainLoss[epochs - 1]!).toBeLessThan(trainLoss[0]!);
    expect(validationLoss).toHaveLength(0);
  });

  it('gives identical weights for the same seed on the same backend', async () => {
    const options = { solver: 'adam', batchSize: 128, seed: 5, maxEpochs: 20 } as const;
    const a = await new LogisticRegression(options).fit(train.X, train.y);
    const b = await new LogisticRegression(options).fit(train.X, train.y);
    expect(b.predictProba(test.X)).toEqual(a.predictProba(test.X));
    expect(b.trainingSummary.trainLoss).toEqual(a.trainingSummary.trainLoss);
  });
});

describe('LogisticRegression with Newton (the default solver)', () => {
  it('reaches the optimum in a few iterations, the objective falling every one', async () => {
    const model = await new LogisticRegression().fit(train.X, train.y);
    expect(model.params.solver).toBe('newton');
    expect(rocAuc(test.y, model.predictProba(test.X))).toBeGreaterThan(0.85);
    expect(model.coefficients[2]!).toBeGreaterThan(1);
    const { epochs, trainLoss, stoppedEarly } = model.trainingSummary;
    expect(epochs).toBeGreaterThanOrEqual(2);
    expect(epochs).toBeLessThanOrEqual(20);
    expect(stoppedEarly).toBe(false);
    for (let i = 1; i < epochs; i++) expect(trainLoss[i]!).toBeLessThanOrEqual(trainLoss[i - 1]!);
    // A long Adam run ends near the same optimum (it is convex): same objective within 1e-3.
    const adam = await new LogisticRegression({ solver: 'adam', batchSize: 256, seed: 1 }).fit(
      train.X,
      train.y,
    );
    const adamLoss = adam.trainingSummary.trainLoss;
    expect(trainLoss[epochs - 1]!).toBeLessThanOrEqual(adamLoss[adamLoss.length - 1]! + 1e-6);
    expect(Math.abs(trainLoss[epochs - 1]! - adamLoss[adamLoss.length - 1]!)).toBeLessThan(1e-3);
  });

  it('records the validation loss per iteration and refuses early stopping', async () => {
    const model = await new LogisticRegression().fit(train.X, train.y, {
      validation: { X: test.X, y: test.y },
    });
    const { epochs, validationLoss } = model.trainingSummary;
    expect(validationLoss).toHaveLength(epochs);
    expect(Number.isFinite(validationLoss[epochs - 1]!)).toBe(true);
    expect(() => new LogisticRegression({ earlyStopping: true })).toThrow(/solver 'adam'/);
    expect(() => new LogisticRegression({ solver: 'adam', earlyStopping: true })).not.toThrow();
  });
});

describe('MLPClassifier', () => {
  it('defaults to hidden layers [64, 32], ReLU, early stopping', () => {
    const model = new MLPClassifier();
    expect(model.params.hiddenLayers).toEqual([64, 32]);
    expect(model.params.earlyStopping).toBe(true);
    expect(model.params.dropout).toBe(0);
  });

  it('learns an XOR pattern that logistic regression cannot rank', async () => {
    const xor = xorProblem(800, 4);
    const xorTest = xorProblem(400, 5);
    const mlp = await new MLPClassifier({
      ...smallMlp,
      maxEpochs: 40,
      learningRate: 0.03,
      batchSize: 64,
      seed: 1,
    }).fit(xor.X, xor.y);
    const linear = await new LogisticRegression({ batchSize: 128, maxEpochs: 30 }).fit(
      xor.X,
      xor.y,
    );
    expect(rocAuc(xorTest.y, mlp.predictProba(xorTest.X))).toBeGreaterThan(0.9);
    expect(rocAuc(xorTest.y, linear.predictProba(xorTest.X))).toBeLessThan(0.65);
  });

  it('is deterministic per seed, with dropout, and the seed matters', async () => {
    const options = { ...smallMlp, maxEpochs: 8, dropout: 0.3, earlyStopping: false };
    const a = await new MLPClassifier({ ...options, seed: 9 }).fit(train.X, train.y);
    const b = await new MLPClassifier({ ...options, seed: 9 }).fit(train.X, train.y);
    const c = await new MLPClassifier({ ...options, seed: 10 }).fit(train.X, train.y);
    const noDropout = await new MLPClassifier({ ...options, dropout: 0, seed: 9 }).fit(
      train.X,
      train.y,
    );
    const pa = a.predictProba(test.X);
    expect(b.predictProba(test.X)).toEqual(pa);
    expect(c.predictProba(test.X)).not.toEqual(pa);
    expect(noDropout.predictProba(test.X)).not.toEqual(pa);
  });

  it('stops early on the validation loss and restores the best epoch', async () => {
    // A wide network, a large step and few rows: it overfits within a few epochs.
    const small = sliceRows(problem, 0, 300);
    const validation = sliceRows(problem, 1000, 2000);
    const epochs: number[] = [];
    const model = await new MLPClassifier({
      hiddenLayers: [128, 64],
      learningRate: 0.03,
      batchSize: 32,
      alpha: 0,
      maxEpochs: 200,
      patience: 4,
      seed: 3,
    }).fit(small.X, small.y, {
      validation,
      onEpoch: (record) => epochs.push(record.epoch),
    });
    const summary = model.trainingSummary;
    expect(summary.stoppedEarly).toBe(true);
    expect(summary.epochs).toBeLessThan(200);
    expect(epochs).toHaveLength(summary.epochs);
    expect(summary.bestEpoch).toBe(summary.epochs - 4);
    const best = summary.validationLoss[summary.bestEpoch - 1]!;
    expect(Math.min(...summary.validationLoss)).toBe(best);
    expect(summary.validationLoss[summary.epochs - 1]!).toBeGreaterThan(best);
    // The kept weights are the best epoch's: their validation log-loss is the recorded best.
    expect(logLoss(validation.y, model.predictProba(validation.X))).toBeCloseTo(best, 4);
  });

  it('holds out a stratified validation slice when no validation set is given', async () => {
    const model = await new MLPClassifier({ ...smallMlp, maxEpochs: 5, seed: 4 }).fit(
      train.X,
      train.y,
    );
    const { validationLoss, epochs } = model.trainingSummary;
    expect(validationLoss).toHaveLength(epochs);
    expect(validationLoss.every(Number.isFinite)).toBe(true);
  });

  it('leaves no tensors behind', async () => {
    await new MLPClassifier({ ...smallMlp, maxEpochs: 2 }).fit(train.X, train.y);
    const before = getTf().memory().numTensors;
    await new MLPClassifier({ ...smallMlp, maxEpochs: 3, dropout: 0.2 }).fit(train.X, train.y, {
      validation: test,
    });
    expect(getTf().memory().numTensors).toBe(before);
  });
});

describe('validation slice', () => {
  it('is stratified, seeded and disjoint', () => {
    const y = new Uint8Array(1000);
    for (let i = 0; i < 1000; i += 50) y[i] = 1; // 20 positives
    const a = splitValidationSlice(y, 0.1, new Rng(1), 'test');
    const b = splitValidationSlice(y, 0.1, new Rng(1), 'test');
    expect(a).toEqual(b);
    expect(a.validationRows).toHaveLength(100);
    expect(a.trainRows.length + a.validationRows.length).toBe(1000);
    const held = new Set(a.validationRows);
    expect(a.trainRows.some((row) => held.has(row))).toBe(false);
    expect(a.validationRows.filter((row) => y[row] === 1)).toHaveLength(2);
    // A single positive cannot be split; two give one to each side.
    const rare = new Uint8Array(40);
    rare[3] = 1;
    rare[30] = 1;
    const split = splitValidationSlice(rare, 0.1, new Rng(2), 'test');
    expect(split.validationRows.filter((row) => rare[row] === 1)).toHaveLength(1);
    expect(() => splitValidationSlice([1], 0.1, new Rng(1), 'test')).toThrow(InvalidArgumentError);
  });
});

describe('dense layer with explicit transposes', () => {
  it("has tfjs's own gradients for input, kernel and bias", async () => {
    await new LogisticRegression({ maxEpochs: 1 }).fit(train.X, train.y); // initialises tfjs
    const tf = getTf();
    const x = tf.tensor2d([0.5, -1, 2, 0.25, 3, -0.5], [3, 2]);
    const kernel = tf.tensor2d([1, -2, 0.5, 0.3, 0.7, -1.1], [2, 3]);
    const bias = tf.tensor1d([0.1, -0.2, 0.3]);
    const upstream = tf.tensor2d([1, 2, -1, 0.5, -0.5, 3, 2, 1, -2], [3, 3]);
    const objective =
      (dense: DenseOp) =>
      (...[a, k, b]: Tensor[]): Tensor =>
        tf.sum(tf.mul(tf.tanh(dense(a!, k!, b!)), upstream));
    const reference = tf.grads(objective((a, k, b) => tf.add(tf.matMul(a, k), b)));
    const ours = tf.grads(objective(createDenseOp(tf, true)));
    const expected = reference([x, kernel, bias]).map((g) => Array.from(g.dataSync()));
    const actual = ours([x, kernel, bias]).map((g) => Array.from(g.dataSync()));
    expect(actual).toHaveLength(3);
    actual.forEach((grad, i) => {
      grad.forEach((value, k) => {
        expect(value).toBeCloseTo(expected[i]![k]!, 5);
      });
    });
    // The first layer skips its input gradient (zeros) but keeps kernel and bias gradients.
    const first = tf.grads(objective(createDenseOp(tf, false)))([x, kernel, bias]);
    expect(Array.from(first[0]!.dataSync()).every((value) => value === 0)).toBe(true);
    expect(Array.from(first[1]!.dataSync())).toEqual(actual[1]);
  });
});

describe('class weights', () => {
  it("'balanced' raises the predicted probabilities of the minority class", async () => {
    const rare = linearProblem(1000, 21, -4.5);
    const positives = rare.y.reduce((sum, label) => sum + label, 0);
    expect(positives / rare.y.length).toBeLessThan(0.1);
    for (const Model of [LogisticRegression, MLPClassifier] as const) {
      const options =
        Model === MLPClassifier
          ? { ...smallMlp, maxEpochs: 15 }
          : { batchSize: 128, maxEpochs: 30 };
      const plain = await new Model({ ...options, seed: 1 }).fit(rare.X, rare.y);
      const balanced = await new Model({ ...options, seed: 1, classWeight: 'balanced' }).fit(
        rare.X,
        rare.y,
      );
      const p = plain.predictProba(rare.X);
      const pb = balanced.predictProba(rare.X);
      // Unweighted: calibrated to the base rate. Balanced: both classes weigh the same.
      expect(meanWhere(pb, rare.y, 1)).toBeGreaterThan(meanWhere(p, rare.y, 1) + 0.2);
      expect(meanWhere(pb, rare.y, 0)).toBeGreaterThan(meanWhere(p, rare.y, 0));
      expect(meanWhere(p, rare.y, 1) + meanWhere(p, rare.y, 0)).toBeLessThan(0.6);
    }
  });

  it('explicit class weights and sample weights act like repeating rows', async () => {
    const options = { batchSize: 2000, maxEpochs: 40, learningRate: 0.05, learningRateDrops: 0 };
    const weighted = await new LogisticRegression({ ...options, classWeight: { 0: 1, 1: 3 } }).fit(
      train.X,
      train.y,
    );
    const sampleWeight = Float64Array.from(train.y, (label) => (label === 1 ? 3 : 1));
    const viaSample = await new LogisticRegression(options).fit(train.X, train.y, { sampleWeight });
    expect(viaSample.predictProba(test.X)).toEqual(weighted.predictProba(test.X));
  });
});

describe('persistence', () => {
  it('save/load and toJSON/fromJSON give identical predictions', async () => {
    const lr = await new LogisticRegression({ batchSize: 128, maxEpochs: 10, C: 0.5 }).fit(
      train.X,
      train.y,
    );
    const mlp = await new MLPClassifier({ ...smallMlp, maxEpochs: 5, dropout: 0.1 }).fit(
      train.X,
      train.y,
    );
    await lr.save(join(dir, 'lr'));
    await mlp.save(join(dir, 'mlp'));
    const lrLoaded = await LogisticRegression.load(join(dir, 'lr'));
    const mlpLoaded = await MLPClassifier.load(join(dir, 'mlp'));
    expect(lrLoaded.predictProba(test.X)).toEqual(lr.predictProba(test.X));
    expect(mlpLoaded.predictProba(test.X)).toEqual(mlp.predictProba(test.X));
    expect(lrLoaded.params).toEqual(lr.params);
    expect(mlpLoaded.trainingSummary.validationLoss).toEqual(mlp.trainingSummary.validationLoss);

    const lrJson = LogisticRegression.fromJSON(JSON.parse(JSON.stringify(lr)));
    const mlpJson = MLPClassifier.fromJSON(JSON.parse(JSON.stringify(mlp)));
    expect(lrJson.predictProba(test.X)).toEqual(lr.predictProba(test.X));
    expect(mlpJson.predictProba(test.X)).toEqual(mlp.predictProba(test.X));

    const manifest = JSON.parse(await readFile(join(dir, 'mlp', 'manifest.json'), 'utf8'));
    expect(manifest.kind).toBe('MLPClassifier');
    expect(manifest.files.map((file: { path: string }) => file.path)).toEqual([
      'model.json',
      'weights/layer0-bias.f32',
      'weights/layer0-kernel.f32',
      'weights/layer1-bias.f32',
      'weights/layer1-kernel.f32',
      'weights/layer2-bias.f32',
      'weights/layer2-kernel.f32',
    ]);
    // 4 inputs × 16 units of float32.
    expect(manifest.files[2].bytes).toBe(4 * 16 * 4);

    await expect(MLPClassifier.load(join(dir, 'lr'))).rejects.toBeInstanceOf(ManifestInvalidError);
    await expect(LogisticRegression.load(join(dir, 'missing'))).rejects.toBeInstanceOf(
      NotFoundError,
    );
    const kernel = join(dir, 'lr', 'weights', 'layer0-kernel.f32');
    const bytes = await readFile(kernel);
    bytes[0] = bytes[0]! ^ 0xff;
    await writeFile(kernel, bytes);
    await expect(LogisticRegression.load(join(dir, 'lr'))).rejects.toBeInstanceOf(
      ChecksumMismatchError,
    );
  });

  it('refuses JSON of another model or with mismatched layers', async () => {
    const mlp = await new MLPClassifier({ ...smallMlp, maxEpochs: 1 }).fit(train.X, train.y);
    const json = JSON.parse(JSON.stringify(mlp));
    expect(() => LogisticRegression.fromJSON(json)).toThrow(InvalidArgumentError);
    json.params.hiddenLayers = [16, 4];
    expect(() => MLPClassifier.fromJSON(json)).toThrow(/hidden layers \[16, 8\]/);
  });
});

describe('bad input', () => {
  it('throws NotFittedError before fit', () => {
    expect(() => new LogisticRegression().predictProba(test.X)).toThrow(NotFittedError);
    expect(() => new MLPClassifier().toJSON()).toThrow(NotFittedError);
    expect(() => new MLPClassifier().trainingSummary).toThrow(NotFittedError);
  });

  it('rejects bad options with InvalidArgumentError', () => {
    expect(() => new LogisticRegression({ C: 0 })).toThrow(InvalidArgumentError);
    expect(() => new MLPClassifier({ dropout: 1 })).toThrow(/dropout/);
    expect(() => new MLPClassifier({ hiddenLayers: [64, 0] })).toThrow(/hiddenLayers\[1\]/);
    expect(() => new MLPClassifier({ hiddenLayers: [] })).toThrow(InvalidArgumentError);
    expect(() => new LogisticRegression({ learningRate: -1 })).toThrow(/learningRate/);
    expect(() => new MLPClassifier({ classWeight: 'balance' as never })).toThrow(/classWeight/);
    // A typo is reported, not silently ignored.
    expect(() => new MLPClassifier({ hiddenLayer: [8] } as never)).toThrow(InvalidArgumentError);
  });

  it('rejects data that does not fit', async () => {
    const model = new LogisticRegression({ maxEpochs: 1 });
    await expect(model.fit(train.X, train.y.slice(1))).rejects.toBeInstanceOf(
      DimensionMismatchError,
    );
    const twos = Uint8Array.from(train.y, (label) => label * 2);
    await expect(model.fit(train.X, twos)).rejects.toBeInstanceOf(InvalidDataError);
    await expect(model.fit(train.X, new Uint8Array(train.y.length))).rejects.toThrow(
      /only class 0/,
    );
    const withNaN = Float64Array.from(train.X.data);
    withNaN[4 * 7 + 2] = Number.NaN;
    await expect(model.fit(toMatrix(withNaN, 1500, 4), train.y)).rejects.toThrow(/X\[7, 2\]/);
    await expect(
      model.fit(train.X, train.y, { sampleWeight: new Float64Array(10) }),
    ).rejects.toBeInstanceOf(DimensionMismatchError);
    const negative = new Float64Array(1500).fill(1);
    negative[3] = -1;
    await expect(model.fit(train.X, train.y, { sampleWeight: negative })).rejects.toBeInstanceOf(
      InvalidDataError,
    );
    await expect(
      model.fit(train.X, train.y, { sampleWeight: new Float64Array(1500) }),
    ).rejects.toThrow(/sum to 0/);
    await expect(
      model.fit(train.X, train.y, {
        validation: { X: toMatrix(new Float64Array(6), 2, 3), y: [0, 1] },
      }),
    ).rejects.toBeInstanceOf(DimensionMismatchError);
    await expect(
      model.fit({ data: [1, 2] as never, rows: 1, cols: 2 }, [1]),
    ).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(model.isFitted).toBe(false);

    await model.fit(train.X, train.y);
    expect(() => model.predictProba(toMatrix(new Float64Array(6), 2, 3))).toThrow(
      DimensionMismatchError,
    );
    expect(() => model.predictProba(toMatrix(Float64Array.of(1, Infinity, 0, 0), 1, 4))).toThrow(
      InvalidDataError,
    );
  });

  it('reports divergence instead of returning NaN weights', async () => {
    const huge = Float64Array.from(train.X.data);
    // One extreme row with an enormous weight and step: the loss overflows.
    const sampleWeight = new Float64Array(1500).fill(1);
    sampleWeight[0] = 1e38;
    await expect(
      new LogisticRegression({ solver: 'adam', learningRate: 1e6, maxEpochs: 5 }).fit(
        toMatrix(huge, 1500, 4),
        train.y,
        { sampleWeight },
      ),
    ).rejects.toThrow(/diverged/);
    await expect(
      new LogisticRegression().fit(toMatrix(huge, 1500, 4), train.y, { sampleWeight }),
    ).rejects.toThrow(/diverged/);
  });
});

/** Unweighted mean log-loss, as the training loop computes it with weight 1. */
function logLoss(y: ArrayLike<number>, p: Float64Array): number {
  let total = 0;
  for (let i = 0; i < p.length; i++) {
    const q = Math.min(Math.max(p[i]!, 1e-15), 1 - 1e-15);
    total -= y[i] === 1 ? Math.log(q) : Math.log(1 - q);
  }
  return total / p.length;
}
