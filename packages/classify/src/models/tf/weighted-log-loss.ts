import type { Tf } from '@mlsd/tf/tfjs';

type Tensor = ReturnType<Tf['tensor']>;

/**
 * Weighted binary cross-entropy from logits, averaged over the rows:
 * `mean_i w_i · (max(z_i, 0) − z_i·y_i + log(1 + e^{−|z_i|}))`, the stable form of
 * `−w_i·(y_i log σ(z_i) + (1 − y_i) log(1 − σ(z_i)))`. Dividing by the row count (not the weight
 * sum) keeps it the scikit-learn objective Σ w_i·loss_i scaled by 1/n, so class and sample
 * weights change the optimum exactly as they do there.
 *
 * @param logits - shape `[rows]` or `[rows, 1]`.
 * @param labels - 0/1, same shape as `logits`.
 * @param weights - per-row weights, same shape as `logits`.
 * @returns a scalar tensor.
 */
export function weightedLogLoss(tf: Tf, logits: Tensor, labels: Tensor, weights: Tensor): Tensor {
  return tf.tidy(() => {
    const perRow = tf.add(
      tf.sub(tf.relu(logits), tf.mul(logits, labels)),
      tf.softplus(tf.neg(tf.abs(logits))),
    );
    return tf.mean(tf.mul(perRow, weights));
  });
}
