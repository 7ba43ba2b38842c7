import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { inferModelShapes, parseModelSpec, type LayerSpecInput, type ModelSpec } from '../../../src-shared/model/model-spec.js';
import { buildModel, modelSummary, specFromModel } from '../../../src-main/training/model-builder.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function specOf(inputShape: number[], layers: unknown[]): unknown {
  return { format: 'emotion-studio.model-spec', version: 1, name: 'test', inputShape, layers };
}

const parse = (inputShape: number[], layers: LayerSpecInput[]): ModelSpec => parseModelSpec(specOf(inputShape, layers));

describe('parseModelSpec', () => {
  it("fills Keras' defaults", () => {
    const spec = parse([20, 1], [
      { className: 'Conv1D', config: { filters: 4, kernelSize: 3 } },
      { className: 'BatchNormalization' },
      { className: 'MaxPooling1D', config: { poolSize: 2 } },
      { className: 'Flatten' },
      { className: 'Dense', config: { units: 2 } },
    ]);
    expect(spec.layers).toEqual([
      { className: 'Conv1D', config: { filters: 4, kernelSize: 3, strides: 1, padding: 'valid', activation: 'linear', useBias: true } },
      { className: 'BatchNormalization', config: { momentum: 0.99, epsilon: 1e-3 } },
      { className: 'MaxPooling1D', config: { poolSize: 2, strides: 2, padding: 'valid' } },
      { className: 'Flatten', config: {} },
      { className: 'Dense', config: { units: 2, activation: 'linear', useBias: true } },
    ]);
    // A parsed spec parses to itself.
    expect(parseModelSpec(spec)).toEqual(spec);
  });

  it('writes 2-D sizes as pairs', () => {
    const spec = parse([8, 8, 1], [
      { className: 'Conv2D', config: { filters: 2, kernelSize: 3, strides: [1, 2] } },
      { className: 'AveragePooling2D', config: { poolSize: [2, 1] } },
    ]);
    expect(spec.layers[0].config).toMatchObject({ kernelSize: [3, 3], strides: [1, 2] });
    expect(spec.layers[1].config).toEqual({ poolSize: [2, 1], strides: [2, 1], padding: 'valid' });
  });

  const dense: LayerSpecInput = { className: 'Dense', config: { units: 8 } };
  it.each([
    ['a zero filter count', [{ className: 'Conv1D', config: { filters: 0, kernelSize: 3 } }], /^layers\[0\] \(Conv1D\)\.filters: expected a positive integer, got 0$/],
    ['a fractional kernel', [{ className: 'Conv1D', config: { filters: 4, kernelSize: 2.5 } }], /^layers\[0\] \(Conv1D\)\.kernelSize: expected a positive integer, got 2\.5$/],
    ['a missing field', [{ className: 'Conv1D', config: { kernelSize: 3 } }], /^layers\[0\] \(Conv1D\)\.filters: expected a positive integer, is required$/],
    ['a misspelt field', [{ className: 'Conv1D', config: { filter: 4, kernelSize: 3 } }], /layers\[0\] \(Conv1D\): Unrecognized key: "filter"/],
    ['an unknown padding', [{ className: 'MaxPooling1D', config: { poolSize: 2, padding: 'causal' } }], /^layers\[0\] \(MaxPooling1D\)\.padding: expected one of same, valid, got "causal"$/],
    ['an unknown activation', [{ className: 'Flatten' }, { className: 'Dense', config: { units: 2, activation: 'leaky' } }], /^layers\[1\] \(Dense\)\.activation: expected one of linear, relu/],
    ['a dropout rate of 1', [{ className: 'Dropout', config: { rate: 1 } }], /^layers\[0\] \(Dropout\)\.rate: expected a number in \[0, 1\)$/],
    ['an unknown layer', [{ className: 'LSTM', config: { units: 4 } }], /^layers\[0\] \(LSTM\)\.className: expected a layer \{className, config\} with a supported className/],
  ])('rejects %s, naming the layer and field', (_what, layers, message) => {
    expect(() => parseModelSpec(specOf([20, 1], layers))).toThrow(message);
  });

  it('rejects a bad input shape and format', () => {
    expect(() => parseModelSpec(specOf([20, 0], [dense]))).toThrow(/^inputShape\[1\]: expected a positive integer, got 0$/);
    expect(() => parseModelSpec({ ...(specOf([4], [dense]) as object), version: 2 })).toThrow(/^version: /);
  });

  it.each([
    ['Conv1D on a rank-3 input', [8, 8, 1], [{ className: 'Conv1D', config: { filters: 2, kernelSize: 3 } }], /^layers\[0\] \(Conv1D\): expects a rank-2 input \[steps, channels\], got \[8, 8, 1\]$/],
    ['Conv2D on a rank-2 input', [8, 1], [{ className: 'Conv2D', config: { filters: 2, kernelSize: 3 } }], /^layers\[0\] \(Conv2D\): expects a rank-3 input/],
    ['Dense on a rank-2 input', [8, 2], [dense], /^layers\[0\] \(Dense\): expects a rank-1 input \(add Flatten or a global pooling first\), got \[8, 2\]$/],
    ['a pool larger than its input', [8, 2], [{ className: 'MaxPooling1D', config: { poolSize: 3 } }, { className: 'MaxPooling1D', config: { poolSize: 3 } }], /^layers\[1\] \(MaxPooling1D\): output shape \[0, 2\] has an empty axis \(input \[2, 2\]\)$/],
    ['a valid kernel longer than its input', [4, 1], [{ className: 'Conv1D', config: { filters: 2, kernelSize: 5 } }], /^layers\[0\] \(Conv1D\): output shape \[0, 2\] has an empty axis/],
    ['Flatten on a rank-1 input', [8], [{ className: 'Flatten' }], /^layers\[0\] \(Flatten\): expects an input of rank 2 or more/],
    ['a reshape that changes the size', [8, 2], [{ className: 'Reshape', config: { targetShape: [4, 3] } }], /^layers\[0\] \(Reshape\): cannot reshape \[8, 2\] \(16 values\) to \[4, 3\] \(12 values\)$/],
  ])('rejects %s, naming the layer', (_what, inputShape, layers, message) => {
    expect(() => parseModelSpec(specOf(inputShape, layers))).toThrow(message);
  });
});

describe('inferModelShapes', () => {
  it('follows Keras for same and valid windows and counts BatchNorm statistics as non-trainable', () => {
    const spec = parse([9, 3], [
      { className: 'Conv1D', config: { filters: 4, kernelSize: 3, padding: 'same', strides: 2 } }, // ceil(9/2) = 5
      { className: 'Conv1D', config: { filters: 2, kernelSize: 2, useBias: false } }, // 5 - 2 + 1 = 4
      { className: 'BatchNormalization' },
      { className: 'MaxPooling1D', config: { poolSize: 3, strides: 1 } }, // 4 - 3 + 1 = 2
      { className: 'Reshape', config: { targetShape: [2, 2, 1] } },
      { className: 'Conv2D', config: { filters: 3, kernelSize: [1, 2] } }, // [2, 1, 3]
      { className: 'GlobalAveragePooling2D' },
      { className: 'Dense', config: { units: 5 } },
    ]);
    const shapes = inferModelShapes(spec);
    expect(shapes.layers.map((l) => l.outputShape)).toEqual([[5, 4], [4, 2], [4, 2], [2, 2], [2, 2, 1], [2, 1, 3], [3], [5]]);
    expect(shapes.layers.map((l) => l.params)).toEqual([3 * 3 * 4 + 4, 2 * 4 * 2, 8, 0, 0, 1 * 2 * 1 * 3 + 3, 0, 3 * 5 + 5]);
    expect(shapes.layers[2].trainableParams).toBe(4);
    expect(shapes).toMatchObject({ total: 40 + 16 + 8 + 9 + 20, trainable: 40 + 16 + 4 + 9 + 20, nonTrainable: 4 });
  });
});

describe('buildModel', () => {
  it("pads 'same' MaxPooling1D(5, 2) on an even length 1 left and 2 right, as Keras", () => {
    const model = buildModel(parse([6, 1], [{ className: 'MaxPooling1D', config: { poolSize: 5, strides: 2, padding: 'same' } }]));
    // Windows cover [-1, 3], [1, 5], [3, 7]; padding 2 left / 1 right would give [3, 5, 6] and [6, 6, 4].
    const pool = (values: number[]) => Array.from((model.predict(tf.tensor3d(values, [1, 6, 1])) as tf.Tensor).dataSync());
    expect(pool([1, 2, 3, 4, 5, 6])).toEqual([4, 6, 6]);
    expect(pool([6, 5, 4, 3, 2, 1])).toEqual([6, 5, 3]);
  });

  it("averages 'same' windows over the real values only, as Keras", () => {
    const model = buildModel(parse([6, 1], [{ className: 'AveragePooling1D', config: { poolSize: 5, strides: 2, padding: 'same' } }]));
    const out = Array.from((model.predict(tf.tensor3d([1, 2, 3, 4, 5, 6], [1, 6, 1])) as tf.Tensor).dataSync());
    expect(out[0]).toBeCloseTo((1 + 2 + 3 + 4) / 4, 5);
    expect(out[1]).toBeCloseTo((2 + 3 + 4 + 5 + 6) / 5, 5);
    expect(out[2]).toBeCloseTo((4 + 5 + 6) / 3, 5);
  });

  const small = parse([16, 1], [
    { className: 'Conv1D', config: { filters: 3, kernelSize: 3, padding: 'same', activation: 'relu' } },
    { className: 'Conv1D', config: { filters: 3, kernelSize: 3, padding: 'same' } },
    { className: 'GlobalAveragePooling1D' },
    { className: 'Dense', config: { units: 2, activation: 'softmax' } },
  ]);
  const weightsOf = (seed?: number) => {
    const model = buildModel(small, seed === undefined ? {} : { seed });
    const values = model.getWeights().map((w) => Array.from(w.dataSync()));
    model.dispose();
    return values;
  };

  it('gives identical weights for one seed, different ones for another and per layer', () => {
    const a = weightsOf(7);
    expect(weightsOf(7)).toEqual(a);
    expect(weightsOf(8)[0]).not.toEqual(a[0]);
    // Two equally shaped kernels: seeded per layer, they must differ.
    expect(a[2].slice(0, 9)).not.toEqual(a[0].slice(0, 9));
  });

  it('uses glorotUniform kernels and zero biases', () => {
    const [kernel, bias] = weightsOf(1);
    const limit = Math.sqrt(6 / (3 * 1 + 3 * 3)); // fanIn = k·Cin, fanOut = k·filters
    expect(Math.max(...kernel.map(Math.abs))).toBeLessThanOrEqual(limit);
    expect(bias).toEqual([0, 0, 0]);
  });

  it('names layers per model as Keras does, and summarises like inferModelShapes', () => {
    const model = buildModel(small);
    expect(model.layers.map((l) => l.name)).toEqual(['conv1d', 'conv1d_1', 'global_average_pooling1d', 'dense']);
    const summary = modelSummary(model);
    const inferred = inferModelShapes(small);
    expect(summary.layers.map((l) => [l.className, l.outputShape, l.params, l.trainable])).toEqual(
      inferred.layers.map((l) => [l.className, l.outputShape, l.params, l.trainableParams]),
    );
    expect(specFromModel(model)).toEqual(small);
    model.dispose();
  });

  it('reads the same spec from a model reloaded from its tfjs JSON', async () => {
    const model = buildModel(small, { seed: 2 });
    const json = model.toJSON(null, false);
    if (typeof json === 'string') throw new Error('asked for a dict');
    const reloaded = await tfl.models.modelFromJSON(json);
    expect(specFromModel(reloaded)).toEqual(small);
    model.dispose();
    reloaded.dispose();
  });

  it('refuses to describe a model a spec cannot express', () => {
    const model = tfl.sequential({ layers: [tfl.layers.conv1d({ inputShape: [8, 1], filters: 2, kernelSize: 3, dilationRate: 2 })] });
    expect(() => specFromModel(model)).toThrow(/^layers\[0\] \(Conv1D\): dilationRate is not supported$/);
    model.dispose();
  });

  it('round-trips every activation through the tfjs config', () => {
    const activations = ['linear', 'relu', 'relu6', 'elu', 'selu', 'gelu', 'swish', 'mish', 'sigmoid', 'hardSigmoid', 'tanh', 'softmax', 'softplus', 'softsign'] as const;
    const spec = parse([4], activations.map((activation) => ({ className: 'Activation', config: { activation } })));
    const model = buildModel(spec);
    expect(specFromModel(model)).toEqual(spec);
    model.dispose();
  });

  it('rejects an invalid spec before touching tfjs', () => {
    const bad = specOf([8, 2], [{ className: 'Dense', config: { units: 2 } }]) as ModelSpec;
    expect(() => buildModel(bad)).toThrow(/^layers\[0\] \(Dense\): expects a rank-1 input/);
  });
});
