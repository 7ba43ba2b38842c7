import * as tfl from '@tensorflow/tfjs-layers';
import { GlobalStatsPooling1D } from './layers/global-stats-pooling.js';
import { parseModelSpec, type LayerClassName, type LayerSpec, type ModelSpec } from '../../src-shared/model/model-spec.js';

type ConfigDict = ReturnType<tfl.layers.Layer['getConfig']>;

export interface BuildOptions {
  /**
   * Seed of the kernel initialisers (taken modulo 2^32): two builds with the same seed start from
   * identical weights. Without it, tfjs draws unseeded weights.
   */
  seed?: number;
}

/**
 * Builds a tfjs Sequential model from a spec. Kernels use Keras' glorotUniform (tfjs' own default is
 * glorotNormal), biases zeros, BatchNorm gamma ones. Layers are named per model as Keras does
 * (conv1d, conv1d_1, ...) so names do not depend on how many models the process built before.
 */
export function buildModel(specInput: ModelSpec, options: BuildOptions = {}): tfl.LayersModel {
  const spec = parseModelSpec(specInput);
  const counts = new Map<string, number>();
  const layers = spec.layers.map((layer, index) => {
    const base = KERAS_NAMES[layer.className];
    const seen = counts.get(base) ?? 0;
    counts.set(base, seen + 1);
    const name = seen === 0 ? base : `${base}_${seen}`;
    const kernelInitializer = tfl.initializers.glorotUniform(options.seed === undefined ? {} : { seed: layerSeed(options.seed, index) });
    const common = index === 0 ? { name, inputShape: spec.inputShape } : { name };
    return makeLayer(layer, common, kernelInitializer);
  });
  return tfl.sequential({ name: spec.name, layers });
}

const KERAS_NAMES: Record<LayerClassName, string> = {
  Conv1D: 'conv1d',
  Conv2D: 'conv2d',
  BatchNormalization: 'batch_normalization',
  MaxPooling1D: 'max_pooling1d',
  MaxPooling2D: 'max_pooling2d',
  AveragePooling1D: 'average_pooling1d',
  AveragePooling2D: 'average_pooling2d',
  Dropout: 'dropout',
  Flatten: 'flatten',
  GlobalAveragePooling1D: 'global_average_pooling1d',
  GlobalStatsPooling1D: 'global_stats_pooling1d',
  GlobalAveragePooling2D: 'global_average_pooling2d',
  Dense: 'dense',
  Activation: 'activation',
  Reshape: 'reshape',
  Permute: 'permute',
};

/** A distinct seed per layer, so equally shaped layers do not start from the same kernel. */
function layerSeed(seed: number, layerIndex: number): number {
  let h = (Math.trunc(seed) ^ Math.imul(layerIndex + 1, 0x9e3779b9)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function makeLayer(
  layer: LayerSpec,
  common: { name: string; inputShape?: number[] },
  kernelInitializer: ReturnType<typeof tfl.initializers.glorotUniform>,
): tfl.layers.Layer {
  switch (layer.className) {
    case 'Conv1D':
      return tfl.layers.conv1d({ ...common, ...layer.config, kernelInitializer });
    case 'Conv2D':
      return tfl.layers.conv2d({ ...common, ...layer.config, kernelInitializer });
    case 'BatchNormalization':
      return tfl.layers.batchNormalization({ ...common, ...layer.config });
    case 'MaxPooling1D':
      return tfl.layers.maxPooling1d({ ...common, ...layer.config });
    case 'MaxPooling2D':
      return tfl.layers.maxPooling2d({ ...common, ...layer.config });
    case 'AveragePooling1D':
      return tfl.layers.averagePooling1d({ ...common, ...layer.config });
    case 'AveragePooling2D':
      return tfl.layers.averagePooling2d({ ...common, ...layer.config });
    case 'Dropout':
      // No seed: a seeded tfjs Dropout draws the same mask at every step.
      return tfl.layers.dropout({ ...common, ...layer.config });
    case 'Flatten':
      return tfl.layers.flatten(common);
    case 'GlobalAveragePooling1D':
      return tfl.layers.globalAveragePooling1d(common);
    case 'GlobalStatsPooling1D':
      return new GlobalStatsPooling1D(common);
    case 'GlobalAveragePooling2D':
      return tfl.layers.globalAveragePooling2d(common);
    case 'Dense':
      return tfl.layers.dense({ ...common, ...layer.config, kernelInitializer });
    case 'Activation':
      return tfl.layers.activation({ ...common, ...layer.config });
    case 'Reshape':
      return tfl.layers.reshape({ ...common, ...layer.config });
    case 'Permute':
      return tfl.layers.permute({ ...common, ...layer.config });
    default: {
      const unknown: never = layer;
      throw new Error(`unknown layer ${JSON.stringify(unknown)}`);
    }
  }
}

/**
 * Reads a spec back from a tfjs model's layer configs. Throws when the model uses something a spec
 * cannot say (another layer class, dilation, channels-first, BatchNorm without centre or scale),
 * so a spec never silently describes a different model. Initialisers are not part of a spec.
 */
export function specFromModel(model: tfl.LayersModel): ModelSpec {
  const inputShape = model.inputs[0].shape.slice(1);
  // A functional model lists its InputLayer; its shape is already the spec's inputShape.
  const layers = model.layers
    .filter((layer) => layer.getClassName() !== 'InputLayer')
    .map((layer, index) => layerSpecFrom(layer.getClassName(), layer.getConfig(), `layers[${index}] (${layer.getClassName()})`));
  return parseModelSpec({ format: 'emotion-studio.model-spec', version: 1, name: model.name, inputShape, layers });
}

function layerSpecFrom(className: string, config: ConfigDict, where: string): unknown {
  const read = configReader(config, where);
  switch (className) {
    case 'Conv1D':
    case 'Conv2D': {
      const rank = className === 'Conv1D' ? 1 : 2;
      if (read.ints('dilationRate').some((d) => d !== 1)) throw new Error(`${where}: dilationRate is not supported`);
      if (rank === 2) read.channelsLast();
      return {
        className,
        config: {
          filters: read.number('filters'),
          kernelSize: read.size('kernelSize', rank),
          strides: read.size('strides', rank),
          padding: read.string('padding'),
          activation: read.string('activation'),
          useBias: read.boolean('useBias'),
        },
      };
    }
    case 'BatchNormalization':
      if (read.number('axis') !== -1 || !read.boolean('center') || !read.boolean('scale')) {
        throw new Error(`${where}: only axis -1 with centre and scale is supported`);
      }
      return { className, config: { momentum: read.number('momentum'), epsilon: read.number('epsilon') } };
    case 'MaxPooling1D':
    case 'AveragePooling1D':
    case 'MaxPooling2D':
    case 'AveragePooling2D': {
      const rank = className.endsWith('1D') ? 1 : 2;
      if (rank === 2) read.channelsLast();
      return {
        className,
        config: { poolSize: read.size('poolSize', rank), strides: read.size('strides', rank), padding: read.string('padding') },
      };
    }
    case 'Dropout':
      return { className, config: { rate: read.number('rate') } };
    case 'GlobalAveragePooling2D':
      read.channelsLast();
      return { className, config: {} };
    case 'Flatten':
    case 'GlobalAveragePooling1D':
    case 'GlobalStatsPooling1D':
      return { className, config: {} };
    case 'Dense':
      return { className, config: { units: read.number('units'), activation: read.string('activation'), useBias: read.boolean('useBias') } };
    case 'Activation':
      return { className, config: { activation: read.string('activation') } };
    case 'Reshape':
      return { className, config: { targetShape: read.ints('targetShape') } };
    case 'Permute':
      return { className, config: { dims: read.ints('dims') } };
    default:
      throw new Error(`${where}: layer class ${className} is not supported by model specs`);
  }
}

/** Typed reads of a tfjs config dict, failing with the layer and key named. */
function configReader(config: ConfigDict, where: string) {
  const fail = (key: string, expected: string): never => {
    throw new Error(`${where}.${key}: expected ${expected}, got ${JSON.stringify(config[key])}`);
  };
  const ints = (key: string): number[] => {
    const value = config[key];
    if (!Array.isArray(value) || !value.every((v): v is number => typeof v === 'number')) return fail(key, 'an array of numbers');
    return value;
  };
  return {
    number: (key: string): number => {
      const value = config[key];
      return typeof value === 'number' ? value : fail(key, 'a number');
    },
    string: (key: string): string => {
      const value = config[key];
      return typeof value === 'string' ? value : fail(key, 'a string');
    },
    boolean: (key: string): boolean => {
      const value = config[key];
      return typeof value === 'boolean' ? value : fail(key, 'a boolean');
    },
    ints,
    /** tfjs stores 1-D sizes as [n] and 2-D as [rows, columns]; a spec says n and [rows, columns]. */
    size: (key: string, rank: 1 | 2): number | number[] => {
      const value = ints(key);
      if (value.length !== rank) fail(key, `${rank} value(s)`);
      return rank === 1 ? value[0] : value;
    },
    channelsLast: (): void => {
      const format = config.dataFormat;
      if (format !== undefined && format !== 'channelsLast') throw new Error(`${where}: only channelsLast data is supported`);
    },
  };
}

export interface ModelSummary {
  layers: { name: string; className: string; outputShape: number[]; params: number; trainable: number }[];
  total: number;
  trainable: number;
  nonTrainable: number;
}

/** Keras' model.summary() as data, from the tfjs model's own weights. */
export function modelSummary(model: tfl.LayersModel): ModelSummary {
  // A weight's shape is always fully known; null only types the batch axis of activations.
  const size = (weights: { shape: (number | null)[] }[]) => weights.reduce((sum, w) => sum + w.shape.reduce<number>((p, d) => p * (d ?? 0), 1), 0);
  const layers = model.layers.map((layer) => {
    const shape = layer.outputShape;
    const single = Array.isArray(shape[0]) ? shape[0] : shape;
    const outputShape = single.slice(1).map((d) => (typeof d === 'number' ? d : -1));
    return { name: layer.name, className: layer.getClassName(), outputShape, params: layer.countParams(), trainable: size(layer.trainableWeights) };
  });
  const trainable = size(model.trainableWeights);
  const nonTrainable = size(model.nonTrainableWeights);
  return { layers, total: trainable + nonTrainable, trainable, nonTrainable };
}
