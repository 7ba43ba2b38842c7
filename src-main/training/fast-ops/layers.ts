/**
 * tfjs-layers Conv1D, BatchNormalization and Dropout whose training computation runs on
 * conv1dFast, batchNormTrainFast and dropoutFast. They subclass the standard classes and override call() only: the class
 * name ('Conv1D', 'BatchNormalization'), config, weights, weight names and shapes are the
 * standard ones, so a saved model loads in plain tfjs and a spec read back is unchanged.
 *
 * The standard classes are not exported by tfjs-layers' entry point; they are taken from an
 * instance made by its factory (types come from its declaration files, erased at run time).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor1D, Tensor3D } from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Conv1D, ConvLayerArgs } from '@tensorflow/tfjs-layers/dist/layers/convolutional';
import type { Dropout, DropoutLayerArgs } from '@tensorflow/tfjs-layers/dist/layers/core';
import type { BatchNormalization, BatchNormalizationLayerArgs } from '@tensorflow/tfjs-layers/dist/layers/normalization';
import type { Kwargs } from '@tensorflow/tfjs-layers/dist/types';
import type { LayerVariable } from '@tensorflow/tfjs-layers/dist/variables';
import { batchNormTrainFast } from './batch-norm.js';
import { conv1dFast } from './conv1d.js';
import { dropoutFast } from './dropout.js';
import { registerTensorflowGradients } from './gradients.js';

type Conv1DClass = typeof Conv1D;
type BatchNormalizationClass = typeof BatchNormalization;
type DropoutClass = typeof Dropout;

function onlyTensor(inputs: Tensor | Tensor[]): Tensor {
  if (!Array.isArray(inputs)) return inputs;
  if (inputs.length !== 1) throw new Error(`expected exactly one input tensor, got ${inputs.length}`);
  return inputs[0];
}

function makeFastConv1D(Base: Conv1DClass) {
  return class FastConv1D extends Base {
    override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor | Tensor[] {
      const padding = this.padding;
      if (this.dataFormat !== 'channelsLast' || this.dilationRate.some((d) => d !== 1) || (padding !== 'same' && padding !== 'valid')) {
        return super.call(inputs, kwargs);
      }
      return tf.tidy(() => {
        const x = onlyTensor(inputs) as Tensor3D;
        const name = this.activation.getClassName();
        const fused = name === 'relu' || name === 'linear';
        const y = conv1dFast(x, this.kernel.read() as Tensor3D, this.useBias ? (this.bias.read() as Tensor1D) : null, {
          padding,
          strides: this.strides[0],
          activation: name === 'relu' ? 'relu' : 'linear',
        });
        return fused ? y : this.activation.apply(y);
      });
    }
  };
}

interface BatchNormSettings {
  axis: number;
  momentum: number;
  epsilon: number;
  centerAndScale: boolean;
}

function readSettings(layer: tfl.layers.Layer): BatchNormSettings {
  const config = layer.getConfig();
  const number = (key: string): number => {
    const value = config[key];
    if (typeof value !== 'number') throw new Error(`BatchNormalization config ${key}: expected a number, got ${JSON.stringify(value)}`);
    return value;
  };
  return { axis: number('axis'), momentum: number('momentum'), epsilon: number('epsilon'), centerAndScale: config.center === true && config.scale === true };
}

function weight(layer: tfl.layers.Layer, name: string): LayerVariable {
  const found = layer.weights.find((w) => w.originalName === name || w.originalName.endsWith(`/${name}`));
  if (found === undefined) throw new Error(`${layer.name}: no weight named ${name}`);
  return found;
}

function makeFastBatchNormalization(Base: BatchNormalizationClass) {
  return class FastBatchNormalization extends Base {
    private settings: BatchNormSettings | null = null;

    override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor | Tensor[] {
      const settings = (this.settings ??= readSettings(this));
      const x = onlyTensor(inputs);
      const lastAxis = settings.axis === -1 || settings.axis === x.rank - 1;
      if (kwargs.training !== true || !lastAxis || !settings.centerAndScale) return super.call(inputs, kwargs);
      return tf.tidy(() => {
        const { y, mean, variance } = batchNormTrainFast(x, weight(this, 'gamma').read() as Tensor1D, weight(this, 'beta').read() as Tensor1D, settings.epsilon);
        // The moving averages exactly as tfjs-layers updates them.
        const decay = 1 - settings.momentum;
        for (const [variable, value] of [[weight(this, 'moving_mean'), mean], [weight(this, 'moving_variance'), variance]] as const) {
          tf.tidy(() => {
            const current = variable.read();
            variable.write(tf.sub(current, tf.mul(tf.sub(current, value), decay)));
          });
        }
        return y;
      });
    }
  };
}

function makeFastDropout(Base: DropoutClass) {
  return class FastDropout extends Base {
    override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor | Tensor[] {
      const config = this.getConfig();
      const rate = config.rate;
      const plain = kwargs.training !== true || typeof rate !== 'number' || !(rate > 0 && rate < 1)
        || (config.noiseShape !== null && config.noiseShape !== undefined) || (config.seed !== null && config.seed !== undefined);
      if (plain) return super.call(inputs, kwargs);
      return tf.tidy(() => dropoutFast(onlyTensor(inputs), rate));
    }
  };
}

let classes: {
  Conv1D: ReturnType<typeof makeFastConv1D>;
  BatchNormalization: ReturnType<typeof makeFastBatchNormalization>;
  Dropout: ReturnType<typeof makeFastDropout>;
} | null = null;

function fastClasses(): NonNullable<typeof classes> {
  if (classes === null) {
    registerTensorflowGradients();
    // Throwaway instances, named so they do not advance the default layer-name counters.
    const conv = tfl.layers.conv1d({ filters: 1, kernelSize: 1, name: 'fast_ops_conv1d_probe' });
    const norm = tfl.layers.batchNormalization({ name: 'fast_ops_batch_normalization_probe' });
    const drop = tfl.layers.dropout({ rate: 0.5, name: 'fast_ops_dropout_probe' });
    classes = {
      Conv1D: makeFastConv1D(conv.constructor as Conv1DClass),
      BatchNormalization: makeFastBatchNormalization(norm.constructor as BatchNormalizationClass),
      Dropout: makeFastDropout(drop.constructor as DropoutClass),
    };
  }
  return classes;
}

/** tfl.layers.conv1d with the fast training path. Also registers the fast ReLU gradient. */
export function fastConv1d(args: ConvLayerArgs): tfl.layers.Layer {
  const { Conv1D: FastConv1D } = fastClasses();
  return new FastConv1D(args);
}

/** tfl.layers.batchNormalization with the fast training path. Also registers the fast ReLU gradient. */
export function fastBatchNormalization(args: BatchNormalizationLayerArgs = {}): tfl.layers.Layer {
  const { BatchNormalization: FastBatchNormalization } = fastClasses();
  return new FastBatchNormalization(args);
}

/** tfl.layers.dropout whose unseeded training-time noise is drawn by TensorFlow. */
export function fastDropout(args: DropoutLayerArgs): tfl.layers.Layer {
  const { Dropout: FastDropout } = fastClasses();
  return new FastDropout(args);
}

type LayerConstructor = new (config: ReturnType<tfl.layers.Layer['getConfig']>) => tfl.layers.Layer;

/**
 * A copy of a Sequential model whose Conv1D, BatchNormalization and Dropout layers are the fast ones, with
 * the same configs and the same weight values (the copy owns its own variables). Other layers
 * are rebuilt from their configs, as tfjs-layers deserialises them.
 */
export function withFastLayers(model: tfl.LayersModel): tfl.Sequential {
  const layers = model.layers
    .filter((layer) => layer.getClassName() !== 'InputLayer')
    .map((layer) => {
      const config = layer.getConfig();
      switch (layer.getClassName()) {
        case 'Conv1D':
          return fastConv1d(config as unknown as ConvLayerArgs);
        case 'BatchNormalization':
          return fastBatchNormalization(config as BatchNormalizationLayerArgs);
        case 'Dropout':
          return fastDropout(config as unknown as DropoutLayerArgs);
        default:
          return new (layer.constructor as LayerConstructor)(config);
      }
    });
  if (!layers.some((layer) => layer.batchInputShape !== undefined && layer.batchInputShape !== null)) {
    throw new Error('withFastLayers: the model has no input shape on its first layer');
  }
  const copy = tfl.sequential({ name: model.name, layers });
  copy.setWeights(model.getWeights());
  return copy;
}
