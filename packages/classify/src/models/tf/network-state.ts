import { z } from 'zod';
import type { DenseNetworkWeights } from './dense-network.js';
import type { Standardization } from './standardization.js';

/** How a fit went: the loss curves and where it stopped. */
export interface TrainingSummary {
  /** Epochs run. */
  epochs: number;
  /** Epoch whose weights the model holds (1-based). */
  bestEpoch: number;
  /** True when patience ran out before `maxEpochs`. */
  stoppedEarly: boolean;
  /** Mean training loss (penalty included) of every epoch. */
  trainLoss: Float64Array;
  /** Validation loss of every epoch; empty when no validation rows were used. */
  validationLoss: Float64Array;
}

/** What a fitted TensorFlow.js classifier holds: input scaling, weights and its training record. */
export interface NetworkState {
  /** Number of input features. */
  featureCount: number;
  /** Means and standard deviations applied to raw features before the network. */
  standardization: Standardization;
  /** Dense layers, input first; the last has one unit (the logit). */
  layers: DenseNetworkWeights;
  /** How training went. */
  training: TrainingSummary;
}

const LayerSchema = z
  .object({
    kernel: z.instanceof(Float32Array),
    bias: z.instanceof(Float32Array),
    inputs: z.number().int().positive(),
    units: z.number().int().positive(),
  })
  .refine((layer) => layer.kernel.length === layer.inputs * layer.units, {
    message: 'kernel length must be inputs × units',
  })
  .refine((layer) => layer.bias.length === layer.units, { message: 'bias length must be units' });

/** zod schema of {@link NetworkState}, checking that the layer shapes chain up. */
export const NetworkStateSchema = z
  .object({
    featureCount: z.number().int().positive(),
    standardization: z.object({
      means: z.instanceof(Float64Array),
      stds: z.instanceof(Float64Array),
    }),
    layers: z.array(LayerSchema).min(1),
    training: z.object({
      epochs: z.number().int().nonnegative(),
      bestEpoch: z.number().int().nonnegative(),
      stoppedEarly: z.boolean(),
      trainLoss: z.instanceof(Float64Array),
      validationLoss: z.instanceof(Float64Array),
    }),
  })
  .superRefine((state, ctx) => {
    const { featureCount, standardization, layers } = state;
    if (
      standardization.means.length !== featureCount ||
      standardization.stds.length !== featureCount
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['standardization'],
        message: `means and stds must hold ${featureCount} values`,
      });
    }
    let width = featureCount;
    layers.forEach((layer, l) => {
      if (layer.inputs !== width) {
        ctx.addIssue({
          code: 'custom',
          path: ['layers', l, 'inputs'],
          message: `expected ${width} inputs (the previous layer's width)`,
        });
      }
      width = layer.units;
    });
    if (width !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['layers'],
        message: 'the last layer must have 1 unit',
      });
    }
  });
