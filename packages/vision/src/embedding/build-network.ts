import { layers, sequential } from '@tensorflow/tfjs-layers';
import type { ImageSpec } from '../image-spec.js';
import type { LayersModelHandle } from '../model-handle.js';

/** Shape of the embedding network: two 3×3 conv blocks, a hidden layer, a linear projection. */
export interface EmbedderArchitecture {
  /** Filters of the two conv blocks (each conv → ReLU → 2×2 max-pool); default [16, 32]. */
  filters?: [number, number];
  /** Units of the hidden dense layer; default 128. */
  hidden?: number;
  /** Embedding length; default 64. */
  dim?: number;
}

/**
 * Builds the embedding network as a standard tfjs-layers model (so it saves and loads as any
 * TensorFlow.js layers model): conv 3×3 → ReLU → max-pool 2, twice, then flatten → dense + ReLU →
 * dense projection to `dim`.
 */
export function buildEmbedderNetwork(
  spec: ImageSpec,
  architecture: EmbedderArchitecture = {},
  seed = 0,
): LayersModelHandle {
  const [f1, f2] = architecture.filters ?? [16, 32];
  const hidden = architecture.hidden ?? 128;
  const dim = architecture.dim ?? 64;
  // Seeded initialisers, so the same seed gives the same starting weights.
  const initializer = (className: 'HeNormal' | 'GlorotNormal', offset: number) =>
    ({ className, config: { seed: seed * 16 + offset } }) as never;
  return sequential({
    layers: [
      layers.conv2d({
        inputShape: [spec.height, spec.width, spec.channels],
        filters: f1,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: initializer('HeNormal', 1),
      }),
      layers.maxPooling2d({ poolSize: 2, strides: 2 }),
      layers.conv2d({
        filters: f2,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: initializer('HeNormal', 2),
      }),
      layers.maxPooling2d({ poolSize: 2, strides: 2 }),
      layers.flatten(),
      layers.dense({
        units: hidden,
        activation: 'relu',
        kernelInitializer: initializer('HeNormal', 3),
      }),
      layers.dense({
        units: dim,
        kernelInitializer: initializer('GlorotNormal', 4),
      }),
    ],
  });
}
