/**
 * batchNormTrainFast: training-mode batch normalisation over every axis but the last, the
 * computation of tfjs-layers' BatchNormalization when training (tf.moments, then tf.batchNorm).
 *
 * On the 'tensorflow' backend it is TensorFlow's FusedBatchNormV3 forward and
 * FusedBatchNormGradV3 backward: two passes over the activation forward and two backward. tfjs
 * differentiates moments and batchNorm op by op, about 25 full passes per layer; on seed-cnn1d
 * that was a fifth of the training step. On any other backend it is the tfjs composition itself.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor1D } from '@tensorflow/tfjs-core';
import { nativeOps, type NativeOps, type OpAttr } from './native.js';
import { reownBatchStats } from '../batch-norm-stats.js';

export interface BatchNormTrainResult {
  /** (x − mean) / sqrt(variance + epsilon) · gamma + beta, the shape of x. */
  y: Tensor;
  /** Batch mean per channel, [channels]. */
  mean: Tensor1D;
  /** Batch variance per channel, divided by n (not n − 1), as tf.moments: [channels]. */
  variance: Tensor1D;
}

/**
 * x: [..., channels]; gamma, beta: [channels]. Differentiable in x, gamma and beta; mean and
 * variance are statistics for the moving averages (no gradient flows through them).
 * The caller owns all three results (inside tf.tidy they are disposed with the scope).
 */
export function batchNormTrainFast(x: Tensor, gamma: Tensor1D, beta: Tensor1D, epsilon: number): BatchNormTrainResult {
  const channels = x.shape[x.rank - 1];
  if (x.rank < 2) throw new Error(`batchNormTrainFast: x needs a batch and a channel axis, got shape [${x.shape.join(', ')}]`);
  for (const [name, t] of [['gamma', gamma], ['beta', beta]] as const) {
    if (t.rank !== 1 || t.shape[0] !== channels) throw new Error(`batchNormTrainFast: ${name} must be [${channels}], got [${t.shape.join(', ')}]`);
  }
  const ops = nativeOps();
  if (ops === null || x.dtype !== 'float32') return plain(x, gamma, beta, epsilon);
  return native(ops, x, gamma, beta, epsilon);
}

function plain(x: Tensor, gamma: Tensor1D, beta: Tensor1D, epsilon: number): BatchNormTrainResult {
  const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
  const { mean, variance } = tf.moments(x, axes);
  const y = tf.batchNorm(x, mean, variance, beta, gamma, epsilon);
  return { y, mean: mean as Tensor1D, variance: variance as Tensor1D };
}

function fusedAttrs(ops: NativeOps, epsilon: number): OpAttr[] {
  return [
    ops.float32('T'),
    ops.float32('U'),
    ops.float('epsilon', epsilon),
    ops.string('data_format', 'NHWC'),
    ops.bool('is_training', true),
  ];
}

function native(ops: NativeOps, x: Tensor, gamma: Tensor1D, beta: Tensor1D, epsilon: number): BatchNormTrainResult {
  const channels = x.shape[x.rank - 1];
  const rows = x.size / channels;
  const attrs = fusedAttrs(ops, epsilon);
  // Filled by the forward pass; kept so the customGrad scope does not dispose them.
  const out: { stats?: [Tensor1D, Tensor1D] } = {};
  const op = tf.customGrad((...args: Array<Tensor | tf.GradSaveFunc>) => {
    const [xIn, g, b, save] = args as [Tensor, Tensor1D, Tensor1D, tf.GradSaveFunc];
    const x4 = tf.reshape(xIn, [1, 1, rows, channels]);
    const empty = tf.tensor1d([], 'float32');
    // Outputs: y, batch mean, batch variance (n − 1), reserve 1 (mean), reserve 2 (variance, n), reserve 3.
    const [y4, , , reserveMean, reserveVariance, reserve3] = ops.runMany(
      'FusedBatchNormV3',
      [...attrs, ops.float('exponential_avg_factor', 1)],
      [x4, g, b, empty, empty],
      6,
    );
    out.stats = [tf.keep(tf.clone(reserveMean)) as Tensor1D, tf.keep(tf.clone(reserveVariance)) as Tensor1D];
    save([x4, g, reserveMean, reserveVariance, reserve3]);
    return {
      value: tf.reshape(y4, xIn.shape),
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [sx4, sg, sMean, sVariance, s3] = saved;
        const [dx4, dGamma, dBeta] = ops.runMany('FusedBatchNormGradV3', attrs, [tf.reshape(dy, sx4.shape), sx4, sg, sMean, sVariance, s3], 5);
        return [tf.reshape(dx4, xIn.shape), dGamma, dBeta];
      },
    };
  });
  const y = op(x, gamma, beta);
  return { y, ...reownBatchStats(out.stats, 'batchNormTrainFast') };
}
