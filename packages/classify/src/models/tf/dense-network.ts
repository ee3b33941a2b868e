import type { Rng } from '@mlsd/core';

/** One fully connected layer: `out = in · kernel + bias`. */
export interface DenseLayerWeights {
  /** Row-major `[inputs, units]` matrix. */
  kernel: Float32Array;
  /** One bias per unit. */
  bias: Float32Array;
  /** Number of inputs (rows of `kernel`). */
  inputs: number;
  /** Number of units (columns of `kernel`). */
  units: number;
}

/**
 * Weights of a feed-forward binary classifier: hidden layers with ReLU, then one linear unit
 * whose output is the logit of P(y = 1). With no hidden layer it is logistic regression.
 */
export type DenseNetworkWeights = DenseLayerWeights[];

/** Layer sizes from the input width to the single output unit: `[inputs, ...hidden, 1]`. */
export function networkSizes(inputs: number, hiddenLayers: readonly number[]): number[] {
  return [inputs, ...hiddenLayers, 1];
}

/**
 * Seeded initial weights. Hidden layers (followed by ReLU) draw from He-normal N(0, 2/fanIn);
 * the output layer, which feeds a sigmoid, from Glorot-normal N(0, 2/(fanIn + fanOut)); for
 * logistic regression (no hidden layer) it starts at zero, as convex solvers do. Biases start at
 * 0 except the output bias, set to `outputBias` (the logit of the weighted positive rate) so
 * training on rare fraud does not spend its first epochs learning the base rate.
 */
export function initDenseNetwork(
  sizes: readonly number[],
  rng: Rng,
  outputBias: number,
): DenseNetworkWeights {
  const layers: DenseNetworkWeights = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const inputs = sizes[l]!;
    const units = sizes[l + 1]!;
    const isOutput = l + 2 === sizes.length;
    const kernel = new Float32Array(inputs * units);
    const bias = new Float32Array(units);
    if (!isOutput) {
      rng.fillNormal(kernel, 0, Math.sqrt(2 / inputs));
    } else if (sizes.length > 2) {
      rng.fillNormal(kernel, 0, Math.sqrt(2 / (inputs + units)));
    }
    if (isOutput) bias[0] = outputBias;
    layers.push({ kernel, bias, inputs, units });
  }
  return layers;
}

/**
 * P(y = 1) for every row of a standardized row-major matrix, computed in plain TypeScript with
 * float64 accumulation. Scoring needs no TensorFlow.js backend, is synchronous and costs no
 * tensor round trip, which is what single-transaction online scoring wants.
 */
export function predictDenseNetwork(
  layers: DenseNetworkWeights,
  standardized: Float32Array,
  rows: number,
): Float64Array {
  const inputs = layers[0]!.inputs;
  const widest = Math.max(inputs, ...layers.map((layer) => layer.units));
  let current = new Float64Array(widest);
  let next = new Float64Array(widest);
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const offset = i * inputs;
    for (let j = 0; j < inputs; j++) current[j] = standardized[offset + j]!;
    for (let l = 0; l < layers.length; l++) {
      const { kernel, bias, inputs: width, units } = layers[l]!;
      for (let u = 0; u < units; u++) next[u] = bias[u]!;
      for (let k = 0; k < width; k++) {
        const value = current[k]!;
        if (value === 0) continue;
        const row = k * units;
        for (let u = 0; u < units; u++) next[u]! += value * kernel[row + u]!;
      }
      if (l + 1 < layers.length) {
        for (let u = 0; u < units; u++) if (next[u]! < 0) next[u] = 0;
      }
      const swap = current;
      current = next;
      next = swap;
    }
    out[i] = sigmoid(current[0]!);
  }
  return out;
}

/** Numerically stable logistic function. */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}
