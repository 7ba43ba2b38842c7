import * as tf from '@tensorflow/tfjs-core';

const EPSILON = 1e-7;

/**
 * Categorical cross-entropy of softmax outputs, as Keras computes it (probabilities clipped to
 * [ε, 1-ε]), with optional label smoothing (targets · (1 - s) + s / k) and per-sample weights.
 * Returns the SUM over the rows divided by `divisor`, so that micro-batch losses add up to the
 * mean over the whole batch.
 * @param probabilities [n, k]
 * @param targets [n, k] one-hot or soft (mixup) targets
 * @param weights [n] sample weights, or null
 */
export function crossEntropy(probabilities: tf.Tensor, targets: tf.Tensor, weights: tf.Tensor | null, labelSmoothing: number, divisor: number): tf.Scalar {
  return tf.tidy(() => {
    const k = targets.shape[1] ?? 1;
    const smoothed = labelSmoothing > 0 ? tf.add(tf.mul(targets, 1 - labelSmoothing), labelSmoothing / k) : targets;
    const perRow = tf.neg(tf.sum(tf.mul(smoothed, tf.log(tf.clipByValue(probabilities, EPSILON, 1 - EPSILON))), 1));
    const weighted = weights === null ? perRow : tf.mul(perRow, weights);
    return tf.div(tf.sum(weighted), divisor) as tf.Scalar;
  });
}

/** Per-row cross-entropy of integer labels under probabilities [n][k]: for ranking likely mislabels. */
export function rowLosses(probabilities: Float32Array, labels: ArrayLike<number>, k: number): Float32Array {
  const out = new Float32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const p = Math.min(1 - EPSILON, Math.max(EPSILON, probabilities[i * k + labels[i]]));
    out[i] = -Math.log(p);
  }
  return out;
}
