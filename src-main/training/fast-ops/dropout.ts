/**
 * dropoutFast: tf.dropout without a seed, its random draw made by TensorFlow on the 'tensorflow'
 * backend. tfjs-core draws dropout's uniform noise in JavaScript, one number at a time, then
 * copies it into a tensor: 0.6 s of CPU per step for the [64, 594, 512] activation of seed-cnn1d,
 * as much as a convolution layer. TensorFlow's RandomUniform fills it natively. The arithmetic
 * after the draw is tf.dropout's: x · floor(u + keep) / keep with keep = 1 − rate.
 * On other backends (and with a seed, whose exact stream only tfjs reproduces) it is tf.dropout.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { nativeOps } from './native.js';

/** x: float32 of any shape; rate in [0, 1). Same distribution of masks as tf.dropout(x, rate). */
export function dropoutFast(x: Tensor, rate: number, seed?: number): Tensor {
  if (!(rate >= 0 && rate < 1)) throw new Error(`dropoutFast: rate must be in [0, 1), got ${rate}`);
  const ops = nativeOps();
  if (ops === null || seed !== undefined || x.dtype !== 'float32' || rate === 0) return tf.dropout(x, rate, undefined, seed);
  return tf.tidy(() => {
    const keep = 1 - rate;
    const shape = tf.tensor1d(x.shape, 'int32');
    // seed = seed2 = 0: TensorFlow seeds each execution afresh, like an unseeded tfjs draw.
    const uniform = ops.run('RandomUniform', [ops.int('seed', 0), ops.int('seed2', 0), ops.float32('dtype'), ops.int32('T')], [shape]);
    const multiplier = tf.div(tf.floor(tf.add(uniform, keep)), keep);
    return tf.mul(x, multiplier);
  });
}

