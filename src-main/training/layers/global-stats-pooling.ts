import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/**
 * Statistics pooling over time (as in x-vector speaker embeddings): [batch, steps, channels] →
 * [batch, 2·channels], each channel's mean then its standard deviation. Emotion lives in how
 * features vary over an utterance as much as in their average, which average pooling discards.
 * Registered with tfjs serialization so saved models load in any process that imports this module.
 */
export class GlobalStatsPooling1D extends tfl.layers.Layer {
  static readonly className = 'GlobalStatsPooling1D';

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    return [shape[0], 2 * (shape[2] as number)];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const { mean, variance } = tf.moments(x, 1);
      // the epsilon keeps the gradient of sqrt finite for a constant channel
      return tf.concat([mean, tf.sqrt(tf.add(variance, 1e-5))], -1);
    });
  }
}

tf.serialization.registerClass(GlobalStatsPooling1D);
