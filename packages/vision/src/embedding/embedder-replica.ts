import { getTf } from '@mlsd/tf/tfjs';
import type {
  NamedTensorMap,
  Optimizer,
  Tensor,
  Tensor2D,
  Tensor4D,
  Variable,
} from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { ImageSpec } from '../image-spec.js';
import { buildEmbedderNetwork, type EmbedderArchitecture } from './build-network.js';
import { denseMatMul } from './dense-matmul.js';
import { layersModelOf } from './layers-model-of.js';
import { maxPool2 } from './max-pool2.js';
import { normalizedSoftmaxLoss } from './normalized-softmax.js';
import { sameConv2d } from './same-conv2d.js';

/** Everything a replica needs to start from the same weights as every other replica. */
export interface ReplicaConfig {
  spec: ImageSpec;
  architecture: Required<EmbedderArchitecture>;
  classes: number;
  /** Adam learning rate at the start. */
  learningRate: number;
  /** Scale (inverse temperature) of the normalised-softmax logits. */
  scale: number;
  /** Dropout before the projection. */
  dropout: number;
  seed: number;
}

/** Loss and gradients of one (part of a) batch. */
export interface ReplicaGradients {
  /** Mean normalised-softmax loss over the images. */
  loss: number;
  /** One array per trainable tensor, in {@link EmbedderReplica.parameterCount} order. */
  gradients: Float32Array[];
}

/**
 * One copy of the embedding network, its class proxies and its Adam state, on the current
 * backend. Training alternates {@link gradients} (on a batch or a worker's share of it) and
 * {@link apply} (with the gradients averaged over all replicas): replicas that start from the
 * same config and apply the same gradients keep identical weights, which is how
 * `trainImageEmbedder` trains data-parallel over worker threads.
 *
 * The forward pass uses ops whose gradients the WebAssembly backend computes quickly
 * ({@link sameConv2d}, {@link maxPool2}, {@link denseMatMul}); the inference model is the
 * plain tfjs-layers network of {@link buildEmbedderNetwork} sharing the same weights.
 */
export class EmbedderReplica {
  /** The network, for inference and saving. */
  readonly model: LayersModel;
  readonly #config: ReplicaConfig;
  readonly #variables: Variable[];
  readonly #optimizer: Optimizer;

  constructor(config: ReplicaConfig) {
    const tf = getTf();
    this.#config = config;
    this.model = layersModelOf(buildEmbedderNetwork(config.spec, config.architecture, config.seed));
    const proxies = tf.variable(
      tf.randomNormal([config.architecture.dim, config.classes], 0, 1, 'float32', config.seed + 7),
    );
    this.#variables = [
      ...this.model.trainableWeights.map((weight) => weight.read() as Variable),
      proxies,
    ];
    this.#optimizer = tf.train.adam(config.learningRate);
  }

  /** Number of trainable tensors (network weights, then the class proxies). */
  get parameterCount(): number {
    return this.#variables.length;
  }

  /**
   * Loss and gradients on `count` images (no weight change).
   * @param images `count × imageSize(spec)` values.
   * @param dropoutSeed seed of this call's dropout mask.
   */
  gradients(
    images: Float32Array,
    labels: Int32Array,
    count: number,
    dropoutSeed: number,
  ): ReplicaGradients {
    const tf = getTf();
    const { spec, classes, scale } = this.#config;
    const proxies = this.#variables.at(-1)!;
    const { value, grads } = tf.variableGrads(() => {
      const x = tf.tensor4d(images, [count, spec.height, spec.width, spec.channels], 'float32');
      const embedding = this.#forward(x, dropoutSeed);
      return normalizedSoftmaxLoss(tf, embedding, proxies, labels, classes, scale);
    }, this.#variables);
    const gradients = this.#variables.map((variable) => {
      // A copy: the cpu backend's dataSync is the tensor's own storage, and these get transferred.
      return (grads[variable.name]!.dataSync() as Float32Array).slice();
    });
    const loss = value.dataSync()[0]!;
    tf.dispose([value, ...Object.values(grads)]);
    return { loss, gradients };
  }

  /** One Adam step with the given gradients (as {@link gradients} returns them). */
  apply(gradients: readonly Float32Array[], learningRate: number): void {
    const tf = getTf();
    // Adam reads its learning rate on every step; changing it keeps the moment estimates.
    (this.#optimizer as unknown as { learningRate: number }).learningRate = learningRate;
    const named: NamedTensorMap = {};
    this.#variables.forEach((variable, i) => {
      named[variable.name] = tf.tensor(gradients[i]!, variable.shape, 'float32');
    });
    this.#optimizer.applyGradients(named);
    tf.dispose(Object.values(named));
  }

  /** Current values of every trainable tensor, in {@link parameterCount} order. */
  parameters(): Float32Array[] {
    return this.#variables.map((variable) => (variable.dataSync() as Float32Array).slice());
  }

  /** Overwrites every trainable tensor (same order and sizes as {@link parameters}). */
  setParameters(values: readonly Float32Array[]): void {
    const tf = getTf();
    this.#variables.forEach((variable, i) => {
      variable.assign(tf.tensor(values[i]!, variable.shape, 'float32'));
    });
  }

  /** Frees the class proxies and the optimizer state (the model stays usable). */
  disposeTraining(): void {
    this.#variables.at(-1)!.dispose();
    this.#optimizer.dispose();
  }

  #forward(x: Tensor4D, dropoutSeed: number): Tensor2D {
    const tf = getTf();
    const [k1, b1, k2, b2, w3, b3, w4, b4] = this.#variables as [
      Variable,
      Variable,
      Variable,
      Variable,
      Variable,
      Variable,
      Variable,
      Variable,
    ];
    const block = (input: Tensor4D, kernel: Tensor, bias: Tensor, first: boolean): Tensor4D =>
      maxPool2(
        tf,
        tf.relu(tf.add(sameConv2d(tf, input, kernel as Tensor4D, !first), bias)) as Tensor4D,
      );
    const h = block(block(x, k1, b1, true), k2, b2, false);
    const flat = tf.reshape(h, [h.shape[0], -1]) as Tensor2D;
    let hidden = tf.relu(tf.add(denseMatMul(tf, flat, w3 as Tensor2D), b3)) as Tensor2D;
    const { dropout } = this.#config;
    if (dropout > 0) hidden = tf.dropout(hidden, dropout, undefined, dropoutSeed) as Tensor2D;
    return tf.add(denseMatMul(tf, hidden, w4 as Tensor2D), b4) as Tensor2D;
  }
}
