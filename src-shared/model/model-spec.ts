import { z } from 'zod';

/**
 * A model as plain JSON, in the shape of a Keras / tfjs-layers Sequential config: an input shape
 * (without the batch axis) and a list of `{className, config}` layers. Config keys follow
 * tfjs-layers (camelCase), so the builder passes them through nearly unchanged.
 *
 * Parsing fills every default (Keras' defaults), so a parsed spec is complete: it says exactly
 * what will be built, and two specs describe the same model iff they are deep-equal.
 */

/** Activations a layer may name (tfjs-layers identifiers). */
export const ACTIVATIONS = [
  'linear', 'relu', 'relu6', 'elu', 'selu', 'gelu', 'swish', 'mish',
  'sigmoid', 'hardSigmoid', 'tanh', 'softmax', 'softplus', 'softsign',
] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];

/** 'same' keeps ceil(length / stride) positions (padding unevenly, extra on the right, as Keras); 'valid' does not pad. */
export const PADDINGS = ['same', 'valid'] as const;
export type Padding = (typeof PADDINGS)[number];

function describe(input: unknown): string {
  return input === undefined ? 'is required' : `got ${JSON.stringify(input)}`;
}

function positiveInt() {
  const error = (issue: { input?: unknown }) => `expected a positive integer, ${describe(issue.input)}`;
  return z.int({ error }).min(1, { error });
}

/** A 2-D size: one integer for both axes, or [rows, columns]; parsed to the pair. */
function positivePair() {
  return z
    .union([positiveInt(), z.tuple([positiveInt(), positiveInt()])], {
      error: (issue) => `expected a positive integer or a pair of them, ${describe(issue.input)}`,
    })
    .transform((value): [number, number] => (typeof value === 'number' ? [value, value] : value));
}

function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: (issue) => `expected one of ${values.join(', ')}, ${describe(issue.input)}` });
}

const activation = oneOf(ACTIVATIONS);
const padding = oneOf(PADDINGS);

const conv1dConfig = z.strictObject({
  filters: positiveInt(),
  kernelSize: positiveInt(),
  strides: positiveInt().default(1),
  padding: padding.default('valid'),
  activation: activation.default('linear'),
  useBias: z.boolean().default(true),
});

const conv2dConfig = z.strictObject({
  filters: positiveInt(),
  kernelSize: positivePair(),
  strides: positivePair().default([1, 1]),
  padding: padding.default('valid'),
  activation: activation.default('linear'),
  useBias: z.boolean().default(true),
});

// Keras' default strides for pooling is the pool size, so it is filled after parsing.
const pool1dConfig = z
  .strictObject({ poolSize: positiveInt(), strides: positiveInt().optional(), padding: padding.default('valid') })
  .transform((config) => ({ poolSize: config.poolSize, strides: config.strides ?? config.poolSize, padding: config.padding }));

const pool2dConfig = z
  .strictObject({ poolSize: positivePair(), strides: positivePair().optional(), padding: padding.default('valid') })
  .transform((config) => ({ poolSize: config.poolSize, strides: config.strides ?? config.poolSize, padding: config.padding }));

const batchNormConfig = z.strictObject({
  /** Weight of the old moving statistics per step; Keras' 0.99 lags badly when an epoch has few steps. */
  momentum: z.number().min(0, { error: 'expected a number in [0, 1)' }).lt(1, { error: 'expected a number in [0, 1)' }).default(0.99),
  epsilon: z.number().positive({ error: 'expected a positive number' }).default(1e-3),
});

const dropoutConfig = z.strictObject({
  rate: z.number({ error: (issue) => `expected a number in [0, 1), ${describe(issue.input)}` }).min(0, { error: 'expected a number in [0, 1)' }).lt(1, { error: 'expected a number in [0, 1)' }),
});

const denseConfig = z.strictObject({
  units: positiveInt(),
  activation: activation.default('linear'),
  useBias: z.boolean().default(true),
});

// `prefault` (not `default`) so an omitted config is parsed and gets its own defaults.
const noConfig = z.strictObject({}).prefault({});

const layer = <N extends string, C extends z.ZodType>(className: N, config: C) =>
  z.strictObject({ className: z.literal(className), config });

export const layerSpecSchema = z.discriminatedUnion(
  'className',
  [
    layer('Conv1D', conv1dConfig),
    layer('Conv2D', conv2dConfig),
    layer('BatchNormalization', batchNormConfig.prefault({})),
    layer('MaxPooling1D', pool1dConfig),
    layer('MaxPooling2D', pool2dConfig),
    layer('AveragePooling1D', pool1dConfig),
    layer('AveragePooling2D', pool2dConfig),
    layer('Dropout', dropoutConfig),
    layer('Flatten', noConfig),
    layer('GlobalAveragePooling1D', noConfig),
    // mean and standard deviation of each channel over time: [steps, channels] → [2·channels]
    layer('GlobalStatsPooling1D', noConfig),
    layer('GlobalAveragePooling2D', noConfig),
    layer('Dense', denseConfig),
    layer('Activation', z.strictObject({ activation })),
    layer('Reshape', z.strictObject({ targetShape: z.array(positiveInt()).min(1).max(3) })),
    // Keras' Permute: dims are 1-based axes of the input without the batch axis, e.g. [2, 1]
    // turns a [bands, frames] spectrogram into [frames, bands] for 1-D convolution over time.
    layer('Permute', z.strictObject({ dims: z.array(positiveInt()).min(1).max(3) })),
  ],
  { error: (issue) => `expected a layer {className, config} with a supported className, ${describe(issue.input)}` },
);

export type LayerSpec = z.output<typeof layerSpecSchema>;
/** A layer as written, before defaults are filled. */
export type LayerSpecInput = z.input<typeof layerSpecSchema>;
export type LayerClassName = LayerSpec['className'];

const modelSpecObject = z.strictObject({
  format: z.literal('emotion-studio.model-spec'),
  version: z.literal(1),
  name: z.string().min(1).max(64),
  /** One example's shape, without the batch axis, e.g. [2376, 1] or [64, 108, 1]. */
  inputShape: z.array(positiveInt()).min(1).max(3),
  layers: z.array(layerSpecSchema).min(1).max(64),
});

/** Validates a spec's fields, then its shapes (every layer must accept what the previous one gives). */
export const modelSpecSchema = modelSpecObject.superRefine(
  (spec, ctx) => {
    try {
      inferModelShapes(spec);
    } catch (error) {
      if (!(error instanceof ModelShapeError)) throw error;
      ctx.addIssue({ code: 'custom', path: ['layers', error.layerIndex], message: error.detail });
    }
  },
  // Shapes mean nothing until every field is valid (zod would otherwise run this on the raw input).
  { when: (payload) => payload.issues.length === 0 },
);

export type ModelSpec = z.output<typeof modelSpecSchema>;
/** A spec as written, before defaults are filled. */
export type ModelSpecInput = z.input<typeof modelSpecSchema>;

/** Parses and normalises a spec; throws an Error whose message names each bad layer and field. */
export function parseModelSpec(json: unknown): ModelSpec {
  const result = modelSpecSchema.safeParse(json);
  if (result.success) return result.data;
  throw new Error(result.error.issues.map((issue) => formatIssue(issue, json)).join('; '));
}

/** `layers[3] (Conv1D).filters: message`, or `inputShape[0]: message`. */
function formatIssue(issue: z.core.$ZodIssue, input: unknown): string {
  const path = [...issue.path];
  let where = '';
  if (path[0] === 'layers' && typeof path[1] === 'number') {
    const index = path[1];
    const className = classNameAt(input, index);
    where = `layers[${index}]${className ? ` (${className})` : ''}`;
    path.splice(0, path[2] === 'config' ? 3 : 2);
  }
  for (const key of path) where += typeof key === 'number' ? `[${key}]` : `${where ? '.' : ''}${String(key)}`;
  return where ? `${where}: ${issue.message}` : issue.message;
}

function classNameAt(input: unknown, index: number): string | undefined {
  if (typeof input !== 'object' || input === null || !('layers' in input) || !Array.isArray(input.layers)) return undefined;
  const entry: unknown = input.layers[index];
  if (typeof entry !== 'object' || entry === null || !('className' in entry)) return undefined;
  return typeof entry.className === 'string' ? entry.className : undefined;
}

/** A layer that cannot take its input's shape; the message names the layer. */
export class ModelShapeError extends Error {
  constructor(
    readonly layerIndex: number,
    readonly className: string,
    readonly detail: string,
  ) {
    super(`layers[${layerIndex}] (${className}): ${detail}`);
    this.name = 'ModelShapeError';
  }
}

export interface LayerShape {
  index: number;
  className: LayerClassName;
  /** Output shape without the batch axis. */
  outputShape: number[];
  /** Every weight, including BatchNormalization's moving statistics (as Keras counts them). */
  params: number;
  trainableParams: number;
}

export interface ModelShapes {
  layers: LayerShape[];
  total: number;
  trainable: number;
  nonTrainable: number;
}

/**
 * Output shapes and parameter counts of every layer, with Keras' semantics, without tfjs (the
 * renderer shows a summary from this). Throws ModelShapeError when a layer cannot take its input.
 */
export function inferModelShapes(spec: Pick<ModelSpec, 'inputShape' | 'layers'>): ModelShapes {
  let shape = [...spec.inputShape];
  const layers: LayerShape[] = [];
  spec.layers.forEach((layer, index) => {
    const fail = (detail: string): never => {
      throw new ModelShapeError(index, layer.className, detail);
    };
    const [outputShape, params, trainableParams] = layerShape(layer, shape, fail);
    if (outputShape.some((size) => size < 1)) fail(`output shape [${outputShape.join(', ')}] has an empty axis (input [${shape.join(', ')}])`);
    layers.push({ index, className: layer.className, outputShape, params, trainableParams });
    shape = outputShape;
  });
  const total = layers.reduce((sum, l) => sum + l.params, 0);
  const trainable = layers.reduce((sum, l) => sum + l.trainableParams, 0);
  return { layers, total, trainable, nonTrainable: total - trainable };
}

/** Positions left along one axis: 'same' keeps ceil(L / s); 'valid' keeps the windows that fit. */
function windowedLength(length: number, window: number, stride: number, pad: Padding): number {
  return pad === 'same' ? Math.ceil(length / stride) : Math.max(0, Math.floor((length - window) / stride) + 1);
}

function expectRank(shape: number[], rank: number, what: string, fail: (detail: string) => never): void {
  if (shape.length !== rank) fail(`expects a rank-${rank} input ${what}, got [${shape.join(', ')}]`);
}

const product = (values: number[]) => values.reduce((p, v) => p * v, 1);

/** [outputShape, params, trainableParams] of one layer on an input shape. */
function layerShape(layer: LayerSpec, shape: number[], fail: (detail: string) => never): [number[], number, number] {
  const channels = shape[shape.length - 1];
  switch (layer.className) {
    case 'Conv1D': {
      const { filters, kernelSize, strides, padding: pad, useBias } = layer.config;
      expectRank(shape, 2, '[steps, channels]', fail);
      const params = kernelSize * channels * filters + (useBias ? filters : 0);
      return [[windowedLength(shape[0], kernelSize, strides, pad), filters], params, params];
    }
    case 'Conv2D': {
      const { filters, kernelSize, strides, padding: pad, useBias } = layer.config;
      expectRank(shape, 3, '[rows, columns, channels]', fail);
      const params = kernelSize[0] * kernelSize[1] * channels * filters + (useBias ? filters : 0);
      const rows = windowedLength(shape[0], kernelSize[0], strides[0], pad);
      return [[rows, windowedLength(shape[1], kernelSize[1], strides[1], pad), filters], params, params];
    }
    case 'BatchNormalization':
      // gamma and beta train; the moving mean and variance are weights too, but not trained.
      return [shape, 4 * channels, 2 * channels];
    case 'MaxPooling1D':
    case 'AveragePooling1D': {
      const { poolSize, strides, padding: pad } = layer.config;
      expectRank(shape, 2, '[steps, channels]', fail);
      return [[windowedLength(shape[0], poolSize, strides, pad), channels], 0, 0];
    }
    case 'MaxPooling2D':
    case 'AveragePooling2D': {
      const { poolSize, strides, padding: pad } = layer.config;
      expectRank(shape, 3, '[rows, columns, channels]', fail);
      const rows = windowedLength(shape[0], poolSize[0], strides[0], pad);
      return [[rows, windowedLength(shape[1], poolSize[1], strides[1], pad), channels], 0, 0];
    }
    case 'Dropout':
    case 'Activation':
      return [shape, 0, 0];
    case 'Flatten':
      if (shape.length < 2) fail(`expects an input of rank 2 or more, got [${shape.join(', ')}]`);
      return [[product(shape)], 0, 0];
    case 'GlobalAveragePooling1D':
      expectRank(shape, 2, '[steps, channels]', fail);
      return [[channels], 0, 0];
    case 'GlobalStatsPooling1D':
      expectRank(shape, 2, '[steps, channels]', fail);
      return [[2 * channels], 0, 0];
    case 'GlobalAveragePooling2D':
      expectRank(shape, 3, '[rows, columns, channels]', fail);
      return [[channels], 0, 0];
    case 'Dense': {
      // Keras applies Dense to the last axis of any rank; requiring rank 1 keeps summaries obvious.
      if (shape.length !== 1) fail(`expects a rank-1 input (add Flatten or a global pooling first), got [${shape.join(', ')}]`);
      const { units, useBias } = layer.config;
      const params = channels * units + (useBias ? units : 0);
      return [[units], params, params];
    }
    case 'Reshape': {
      const { targetShape } = layer.config;
      if (product(targetShape) !== product(shape)) {
        fail(`cannot reshape [${shape.join(', ')}] (${product(shape)} values) to [${targetShape.join(', ')}] (${product(targetShape)} values)`);
      }
      return [[...targetShape], 0, 0];
    }
    case 'Permute': {
      const { dims } = layer.config;
      const sorted = [...dims].sort((a, b) => a - b);
      if (dims.length !== shape.length || sorted.some((d, i) => d !== i + 1)) {
        fail(`dims [${dims.join(', ')}] must be a permutation of 1..${shape.length} for an input of shape [${shape.join(', ')}]`);
      }
      return [dims.map((d) => shape[d - 1]), 0, 0];
    }
    default: {
      const unknown: never = layer;
      throw new Error(`unknown layer ${JSON.stringify(unknown)}`);
    }
  }
}
