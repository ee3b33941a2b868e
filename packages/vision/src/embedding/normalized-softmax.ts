import type { Tf } from '@mlsd/core';
import { InvalidDataError } from '@mlsd/core';
import type { Scalar, Tensor, Tensor2D } from '@tensorflow/tfjs-core';

/**
 * The normalised-softmax (proxy) loss both embedders here train with: each class has a learned
 * vector; logits are `scale · cos(embedding, class vector)` and cross-entropy pulls each image
 * towards its class vector and away from the others (Wang et al., *NormFace*, 2017; Zhai & Wu,
 * *Classification is a Strong Baseline for Deep Metric Learning*, BMVC 2019).
 * @param embedding - `[n, dim]`, not normalised.
 * @param proxies - `[dim, classes]`, the class vectors (not normalised).
 * @param labels - the first `n` entries are used.
 */
export function normalizedSoftmaxLoss(
  tf: Tf,
  embedding: Tensor2D,
  proxies: Tensor,
  labels: Int32Array,
  classes: number,
  scale: number,
): Scalar {
  const n = embedding.shape[0];
  const unit = tf.div(embedding, tf.add(tf.norm(embedding, 2, 1, true), 1e-8));
  const unitProxies = tf.div(proxies, tf.add(tf.norm(proxies, 2, 0, true), 1e-8));
  const logits = tf.mul(tf.matMul(unit, unitProxies), scale);
  const targets = tf.oneHot(tf.tensor1d(labels.subarray(0, n), 'int32'), classes);
  return tf.losses.softmaxCrossEntropy(targets, logits) as Scalar;
}

/**
 * Number of classes in `labels` (max + 1), checking each is a non-negative integer.
 * @throws InvalidDataError for a bad label or fewer than two classes.
 */
export function countClasses(labels: ArrayLike<number>, where: string): number {
  let classes = 0;
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (!Number.isInteger(label) || label < 0) {
      throw new InvalidDataError(`${where}: label ${i} is ${label}; labels are 0, 1, 2, ...`);
    }
    classes = Math.max(classes, label + 1);
  }
  if (classes < 2) throw new InvalidDataError(`${where}: need at least two classes.`);
  return classes;
}

/** A learning rate decayed from `peak` to 0 along a half cosine over `totalSteps` (SGDR). */
export function cosineRate(peak: number, step: number, totalSteps: number): number {
  return (peak / 2) * (1 + Math.cos((Math.PI * step) / Math.max(1, totalSteps)));
}
