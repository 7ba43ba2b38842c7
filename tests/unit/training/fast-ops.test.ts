/**
 * fast-ops against the standard tfjs ops. Each case runs the fast op on 'tensorflow' (native
 * TensorFlow gradients) and the standard composition on 'cpu' (tfjs' JavaScript kernels, a second
 * implementation), on the same seeded inputs, and compares values and gradients:
 * max |fast − reference| / max |reference| ≤ 1e-4. The layer tests check that fast layers keep
 * the standard class names, configs and weights, and train to the same numbers.
 * Without the native binding (npm run setup:native) the tensorflow cases are skipped.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { Random } from '../../../src-shared/dsp/random.js';
import { parseModelSpec, type LayerSpecInput } from '../../../src-shared/model/model-spec.js';
import { initBackend } from '../../../src-main/training/backend.js';
import { buildModel, specFromModel } from '../../../src-main/training/model-builder.js';
import {
  batchNormTrainFast,
  conv1dFast,
  dropoutFast,
  registerTensorflowGradients,
  tensorflowTrainingEnv,
  withFastLayers,
  type Conv1dFastOptions,
} from '../../../src-main/training/fast-ops/index.js';

const TOLERANCE = 1e-4;
type Values = Float32Array | Int32Array | Uint8Array;

function input(shape: number[], seed: number, scale = 1, shift = 0): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const out = new Random(seed).fillNormal(new Float32Array(size));
  for (let i = 0; i < size; i++) out[i] = out[i] * scale + shift;
  return tf.tensor(out, shape);
}

function relativeDifference(a: Values, b: Values): number {
  expect(a.length).toBe(b.length);
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return den === 0 ? num : num / den;
}

/** Runs `fn` on a backend, returning each output's values (inputs are made inside fn, per backend). */
async function runOn(backend: string, fn: () => tf.Tensor[]): Promise<Values[]> {
  await tf.setBackend(backend);
  const out = tf.tidy(fn);
  const data = out.map((t) => t.dataSync() as Values);
  tf.dispose(out);
  return data;
}

async function expectClose(fast: () => tf.Tensor[], reference: () => tf.Tensor[]): Promise<number[]> {
  const ours = await runOn('tensorflow', fast);
  const theirs = await runOn('cpu', reference);
  expect(ours.length).toBe(theirs.length);
  const diffs = ours.map((values, i) => relativeDifference(values, theirs[i]));
  for (const d of diffs) expect(d).toBeLessThanOrEqual(TOLERANCE);
  return diffs;
}

let native = false;
let skipReason = '';

beforeAll(async () => {
  process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
  try {
    await initBackend('tensorflow');
    native = true;
  } catch (error) {
    skipReason = error instanceof Error ? error.message : String(error);
    console.warn(`fast-ops: tensorflow cases skipped: ${skipReason}`);
  }
  await initBackend('cpu');
});

interface ConvCase {
  label: string;
  shape: [number, number, number];
  kernel: [number, number, number];
  options: Conv1dFastOptions;
  bias: boolean;
}

const CONV_CASES: ConvCase[] = [
  { label: 'seed input layer: Cin 1, k 5, same, relu', shape: [3, 64, 1], kernel: [5, 1, 16], options: { padding: 'same', activation: 'relu' }, bias: true },
  { label: 'k 5, same, relu, 40 input channels (flipped-kernel input gradient)', shape: [2, 96, 40], kernel: [5, 40, 32], options: { padding: 'same', activation: 'relu' }, bias: true },
  { label: 'k 3, same, linear', shape: [2, 33, 8], kernel: [3, 8, 5], options: { padding: 'same' }, bias: true },
  { label: 'k 4 (uneven same padding), stride 1', shape: [2, 20, 6], kernel: [4, 6, 7], options: { padding: 'same', activation: 'relu' }, bias: true },
  { label: 'k 4 (uneven same padding), 32 input channels (flipped-kernel input gradient)', shape: [2, 20, 32], kernel: [4, 32, 7], options: { padding: 'same', activation: 'relu' }, bias: true },
  { label: 'valid, 32 input channels (flipped-kernel input gradient)', shape: [2, 19, 32], kernel: [5, 32, 3], options: { padding: 'valid' }, bias: true },
  { label: 'stride 2, same, relu', shape: [2, 31, 4], kernel: [5, 4, 6], options: { padding: 'same', strides: 2, activation: 'relu' }, bias: true },
  { label: 'stride 3, valid, no bias', shape: [2, 29, 5], kernel: [3, 5, 4], options: { padding: 'valid', strides: 3, activation: 'relu' }, bias: false },
  { label: 'valid, linear, no bias', shape: [1, 12, 3], kernel: [5, 3, 2], options: { padding: 'valid' }, bias: false },
];

describe('conv1dFast', () => {
  for (const c of CONV_CASES) {
    it(`equals tf.conv1d + bias + activation and its gradients: ${c.label}`, async (ctx) => {
      if (!native) ctx.skip(skipReason);
      const reference = (x: tf.Tensor, k: tf.Tensor, b: tf.Tensor): tf.Tensor => {
        let y: tf.Tensor = tf.conv1d(x as tf.Tensor3D, k as tf.Tensor3D, c.options.strides ?? 1, c.options.padding, 'NWC', 1);
        if (c.bias) y = tf.add(y, b);
        return c.options.activation === 'relu' ? tf.relu(y) : y;
      };
      const fast = (x: tf.Tensor, k: tf.Tensor, b: tf.Tensor): tf.Tensor =>
        conv1dFast(x as tf.Tensor3D, k as tf.Tensor3D, c.bias ? (b as tf.Tensor1D) : null, c.options);
      const both = (f: typeof reference) => (): tf.Tensor[] => {
        const x = input(c.shape, 1);
        const k = input(c.kernel, 2, 0.3);
        const b = input([c.kernel[2]], 3, 0.5);
        const y = f(x, k, b);
        const dy = input(y.shape, 4);
        const grads = c.bias ? tf.grads((a: tf.Tensor, w: tf.Tensor, d: tf.Tensor) => f(a, w, d))([x, k, b], dy) : tf.grads((a: tf.Tensor, w: tf.Tensor) => f(a, w, b))([x, k], dy);
        return [y, ...grads];
      };
      const diffs = await expectClose(both(fast), both(reference));
      expect(diffs.length).toBe(c.bias ? 4 : 3);
    });
  }

  it('takes the plain tfjs path on other backends (identical values)', async () => {
    await tf.setBackend('cpu');
    tf.tidy(() => {
      const x = input([2, 16, 3], 5) as tf.Tensor3D;
      const k = input([3, 3, 4], 6) as tf.Tensor3D;
      const b = input([4], 7) as tf.Tensor1D;
      const fast = conv1dFast(x, k, b, { padding: 'same', activation: 'relu' }).dataSync();
      const plain = tf.relu(tf.add(tf.conv1d(x, k, 1, 'same'), b)).dataSync();
      expect(Array.from(fast)).toEqual(Array.from(plain));
    });
  });

  it('rejects mismatched shapes with a message naming them', async () => {
    await tf.setBackend('cpu');
    const x = tf.zeros([1, 8, 3]) as tf.Tensor3D;
    expect(() => conv1dFast(x, tf.zeros([3, 2, 4]) as tf.Tensor3D, null, { padding: 'same' })).toThrow(/2 input channels, x has 3/);
    expect(() => conv1dFast(x, tf.zeros([3, 3, 4]) as tf.Tensor3D, tf.zeros([5]) as tf.Tensor1D, { padding: 'same' })).toThrow(/bias must be \[4\]/);
    expect(() => conv1dFast(x, tf.zeros([3, 3, 4]) as tf.Tensor3D, null, { padding: 'same', strides: 0 })).toThrow(/strides/);
  });
});

describe('batchNormTrainFast', () => {
  for (const shape of [[4, 37, 6], [16, 5], [2, 7, 5, 3]]) {
    it(`equals tf.moments + tf.batchNorm and its gradients: [${shape.join(', ')}]`, async (ctx) => {
      if (!native) ctx.skip(skipReason);
      const channels = shape[shape.length - 1];
      const axes = shape.slice(0, -1).map((_, i) => i);
      const reference = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
        const { mean, variance } = tf.moments(x, axes);
        return { y: tf.batchNorm(x, mean, variance, b, g, 1e-3), mean, variance };
      };
      const fast = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => batchNormTrainFast(x, g as tf.Tensor1D, b as tf.Tensor1D, 1e-3);
      const both = (f: typeof reference) => (): tf.Tensor[] => {
        // A mean far from 0 and a spread far from 1, so that errors in either would show.
        const x = input(shape, 11, 3, 1.5);
        const g = input([channels], 12, 0.5, 1);
        const b = input([channels], 13);
        const { y, mean, variance } = f(x, g, b);
        const dy = input(shape, 14);
        const grads = tf.grads((a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => f(a, c, d).y)([x, g, b], dy);
        return [y, mean, variance, ...grads];
      };
      await expectClose(both(fast), both(reference));
    });
  }

  it('leaves no tensors behind', async (ctx) => {
    if (!native) ctx.skip(skipReason);
    await tf.setBackend('tensorflow');
    const x = input([4, 5, 3], 15);
    const g = tf.ones([3]) as tf.Tensor1D;
    const b = tf.zeros([3]) as tf.Tensor1D;
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      batchNormTrainFast(x, g, b, 1e-3);
    });
    tf.tidy(() => {
      tf.grads((a: tf.Tensor) => tf.sum(batchNormTrainFast(a, g, b, 1e-3).y))([x]);
    });
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, g, b]);
  });
});

describe('dropoutFast', () => {
  it('zeroes a rate share of entries and scales the rest by 1 / keep; its gradient is that mask', async (ctx) => {
    if (!native) ctx.skip(skipReason);
    await tf.setBackend('tensorflow');
    const rate = 0.2;
    const x = tf.add(tf.abs(input([64, 100, 8], 21)), 0.1);
    let kept: tf.Tensor | null = null;
    const grad = tf.grad((a: tf.Tensor) => {
      kept = tf.keep(dropoutFast(a, rate));
      return tf.sum(kept);
    })(x);
    const output = kept as tf.Tensor | null;
    if (output === null) throw new Error('dropoutFast did not run');
    const y = output.dataSync();
    const dx = grad.dataSync();
    tf.dispose([output, grad]);
    const xs = x.dataSync();
    let dropped = 0;
    for (let i = 0; i < xs.length; i++) {
      const ratio = y[i] / xs[i];
      if (y[i] === 0) dropped++;
      else expect(Math.abs(ratio - 1 / (1 - rate))).toBeLessThan(1e-5);
      // d sum(dropout(x)) / dx = mask / keep: the output's own ratio to x.
      expect(Math.abs(dx[i] - ratio)).toBeLessThan(1e-5);
    }
    expect(Math.abs(dropped / xs.length - rate)).toBeLessThan(0.01);
    x.dispose();
  });

  it('draws a new mask every call', async (ctx) => {
    if (!native) ctx.skip(skipReason);
    await tf.setBackend('tensorflow');
    const x = tf.ones([1000]);
    const a = tf.tidy(() => dropoutFast(x, 0.5).dataSync());
    const b = tf.tidy(() => dropoutFast(x, 0.5).dataSync());
    expect(Array.from(a)).not.toEqual(Array.from(b));
    x.dispose();
  });
});

describe('ReLU gradient on tensorflow', () => {
  it('equals dy · step(x)', async (ctx) => {
    if (!native) ctx.skip(skipReason);
    registerTensorflowGradients();
    const f = (): tf.Tensor[] => {
      const x = input([5, 40], 31);
      const dy = input([5, 40], 32);
      return [tf.grads((a: tf.Tensor) => tf.relu(a))([x], dy)[0]];
    };
    await expectClose(f, f);
  });
});

/** Conv1D + BN + pooling + Dense, no dropout: training steps are deterministic, so plain and fast must agree. */
function deterministicSpec() {
  const layers: LayerSpecInput[] = [
    { className: 'Conv1D', config: { filters: 12, kernelSize: 5, activation: 'relu', padding: 'same' } },
    { className: 'BatchNormalization', config: { momentum: 0.9 } },
    { className: 'MaxPooling1D', config: { poolSize: 5, strides: 2, padding: 'same' } },
    { className: 'Conv1D', config: { filters: 8, kernelSize: 3, activation: 'relu', padding: 'same' } },
    { className: 'BatchNormalization', config: { momentum: 0.9 } },
    { className: 'Flatten' },
    { className: 'Dense', config: { units: 16, activation: 'relu' } },
    { className: 'BatchNormalization', config: { momentum: 0.9 } },
    { className: 'Dense', config: { units: 8, activation: 'softmax' } },
  ];
  return parseModelSpec({ format: 'emotion-studio.model-spec', version: 1, name: 'fast-ops-test', inputShape: [40, 1], layers });
}

describe('fast layers', () => {
  it('keep the standard class names, configs and weights (the spec reads back unchanged)', async () => {
    await tf.setBackend('cpu');
    const spec = deterministicSpec();
    const plain = buildModel(spec, { seed: 3 });
    const fast = withFastLayers(plain);
    expect(fast.layers.map((l) => l.getClassName())).toEqual(plain.layers.map((l) => l.getClassName()));
    expect(fast.toJSON(null, false)).toEqual(plain.toJSON(null, false));
    expect(specFromModel(fast)).toEqual(specFromModel(plain));
    const a = plain.getWeights();
    const b = fast.getWeights();
    expect(b.map((w) => w.shape)).toEqual(a.map((w) => w.shape));
    for (let i = 0; i < a.length; i++) expect(Array.from(b[i].dataSync())).toEqual(Array.from(a[i].dataSync()));
    expect(fast.weights.map((w) => w.originalName)).toEqual(plain.weights.map((w) => w.originalName));
    plain.dispose();
    fast.dispose();
  });

  it('train like the standard layers: outputs, gradients and BatchNorm moving statistics', async (ctx) => {
    if (!native) ctx.skip(skipReason);
    const spec = deterministicSpec();
    /** Two training-mode steps (gradients, then the updated moving statistics) and an inference pass. */
    const run = (fast: boolean) => (): tf.Tensor[] => {
      let model = buildModel(spec, { seed: 3 });
      if (fast) {
        const copy = withFastLayers(model);
        model.dispose();
        model = copy;
      }
      const x = input([6, 40, 1], 41);
      const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5], 'int32'), 8);
      const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const loss = () => tf.losses.softmaxCrossEntropy(labels, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar;
      const first = tf.variableGrads(loss, variables);
      const second = tf.variableGrads(loss, variables);
      const moving = model.getWeights().filter((_, i) => /moving/.test(model.weights[i].originalName));
      const inference = model.predict(x) as tf.Tensor;
      const out = [first.value, ...Object.values(first.grads), ...Object.values(second.grads), ...moving.map((t) => t.clone()), inference.clone()];
      model.dispose();
      return out;
    };
    const diffs = await expectClose(run(true), run(false));
    expect(diffs.length).toBeGreaterThan(20);
  });
});

describe('tensorflowTrainingEnv', () => {
  it('names the allocator, thread and oneDNN settings', () => {
    const env = tensorflowTrainingEnv({ threads: 2 });
    expect(env).toMatchObject({ TF_CPU_ALLOCATOR_USE_BFC: 'true', TF_ENABLE_ONEDNN_OPTS: '0', TF_NUM_INTEROP_THREADS: '1', TF_NUM_INTRAOP_THREADS: '2' });
    expect(tensorflowTrainingEnv().TF_NUM_INTRAOP_THREADS).toBeUndefined();
    expect(() => tensorflowTrainingEnv({ threads: 0 })).toThrow(/positive integer/);
  });
});

// tfjs-layers must be loaded for tfjs-core's gradients to be registered (the layers import does it).
void tfl.version_layers;
