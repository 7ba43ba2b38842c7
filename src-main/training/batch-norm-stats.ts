import * as tf from '@tensorflow/tfjs-core';
import type { Tensor1D } from '@tensorflow/tfjs-core';

/**
 * The batch mean and variance a custom-gradient BatchNorm forward pass kept (tf.keep'd inside
 * tf.customGrad, where they were computed), re-owned in the caller's scope so that tf.tidy
 * disposes them like any result. `who` names the op when the forward pass never ran.
 */
export function reownBatchStats(stats: [Tensor1D, Tensor1D] | undefined, who: string): { mean: Tensor1D; variance: Tensor1D } {
  if (stats === undefined) throw new Error(`${who}: the forward pass did not run`);
  const [keptMean, keptVariance] = stats;
  const mean = tf.clone(keptMean);
  const variance = tf.clone(keptVariance);
  keptMean.dispose();
  keptVariance.dispose();
  return { mean, variance };
}
