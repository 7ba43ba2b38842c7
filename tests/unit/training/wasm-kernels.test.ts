/**
 * The wasm backend's training kernels against the cpu backend, computed in the same test on the
 * same seeded inputs. Each case runs once on 'wasm' (our kernels) and once on 'cpu' (tfjs' own
 * reference kernels) and compares max |wasm − cpu| / max |cpu|.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { KernelConfig, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Random } from '../../../src-shared/dsp/random.js';
import { initBackend } from '../../../src-main/training/backend.js';
import { batchNormTrainWasm, conv2dBackpropFilter, conv2dBackpropInput, WASM_TRAINING_KERNELS } from '../../../src-main/training/wasm-kernels/index.js';
import { convGeometry } from '../../../src-main/training/wasm-kernels/conv-geometry.js';
import { asWasmBackend } from '../../../src-main/training/wasm-kernels/wasm-backend.js';

type Values = Float32Array | Int32Array | Uint8Array;

/** Seeded normal values, optionally shifted and rounded to a grid (to force ties). */
function values(size: number, seed: number, shift = 0, grid = 0): Float32Array {
  const out = new Random(seed).fillNormal(new Float32Array(size));
  for (let i = 0; i < size; i++) out[i] = (grid > 0 ? Math.round(out[i] / grid) * grid : out[i]) + shift;
  return out;
}

function input(shape: number[], seed: number, shift = 0, grid = 0): tf.Tensor {
  return tf.tensor(values(shape.reduce((a, b) => a * b, 1), seed, shift, grid), shape);
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

/** Runs `fn` on wasm then on cpu; returns each output's relative difference. */
async function compare(fn: () => tf.Tensor | tf.Tensor[]): Promise<number[]> {
  const run = async (backend: string): Promise<Values[]> => {
    await tf.setBackend(backend);
    const out = tf.tidy(fn);
    const list = Array.isArray(out) ? out : [out];
    const data = list.map((t) => t.dataSync() as Values);
    tf.dispose(list);
    return data;
  };
  const wasm = await run('wasm');
  const cpu = await run('cpu');
  await tf.setBackend('wasm');
  return wasm.map((w, i) => relativeDifference(w, cpu[i]));
}

/** Both gradients of Σ conv2d(x, w)·r, r random so that dy is not uniform. */
function convGrads(xShape: number[], wShape: number[], stride: number, pad: 'same' | 'valid', seed: number): tf.Tensor[] {
  const x = input(xShape, seed);
  const w = input(wShape, seed + 1);
  const y = tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, stride, pad);
  const r = input(y.shape, seed + 2);
  return tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad), r)))([x, w]);
}

beforeAll(async () => {
  const info = await initBackend('wasm');
  expect(info.name).toBe('wasm');
});

describe('registration', () => {
  it('every replaced kernel is ours on wasm', () => {
    for (const config of WASM_TRAINING_KERNELS) {
      expect((tf.getKernel(config.kernelName, 'wasm') as KernelConfig).kernelFunc, config.kernelName).toBe(config.kernelFunc);
    }
  });
});

describe('Conv2DBackpropFilter and Conv2DBackpropInput', () => {
  // [label, x shape, filter shape]: 1-D convolutions are conv2d over [1, W], as tfjs-layers runs Conv1D.
  const shapes: Array<[string, number[], number[]]> = [
    ['1-D, Cin 1, k3', [3, 1, 41, 1], [1, 3, 1, 4]],
    ['1-D, Cin 1, k5', [3, 1, 40, 1], [1, 5, 1, 6]],
    ['1-D, Cin 7, k3', [2, 1, 33, 7], [1, 3, 7, 8]],
    ['1-D, Cin 8, k5', [2, 1, 36, 8], [1, 5, 8, 5]],
    ['2-D, Cin 1, k3', [2, 9, 8, 1], [3, 3, 1, 8]],
    ['2-D, Cin 3, k3', [2, 9, 10, 3], [3, 3, 3, 4]],
    ['2-D, Cin 4, k5', [2, 11, 9, 4], [5, 5, 4, 6]],
    ['2-D, Cin 1, k5', [1, 12, 12, 1], [5, 5, 1, 3]],
  ];
  let seed = 10;
  for (const [label, xShape, wShape] of shapes) {
    for (const stride of [1, 2]) {
      for (const pad of ['same', 'valid'] as const) {
        const s = seed++;
        it(`${label}, stride ${stride}, ${pad}`, async () => {
          const [dx, dw] = await compare(() => convGrads(xShape, wShape, stride, pad, s * 7));
          expect(dx).toBeLessThan(1e-5);
          expect(dw).toBeLessThan(1e-5);
        });
      }
    }
  }

  it('splits a batch into chunks without changing the result', async () => {
    const x = input([5, 1, 50, 6], 71);
    const dy = input([5, 1, 50, 8], 72);
    const w = input([1, 3, 6, 8], 73);
    const attrs: NamedAttrMap = { strides: 1, pad: 'same', dataFormat: 'NHWC' };
    const g = convGeometry(x.shape, [1, 3, 6, 8], attrs);
    const backend = asWasmBackend(tf.backend());
    const whole = tf.engine().makeTensorFromTensorInfo(conv2dBackpropFilter(backend, x, dy, g));
    // 18 colsᵀ rows × 50 positions = 900 floats a sample: a 2000-float budget makes 2-sample chunks.
    const chunked = tf.engine().makeTensorFromTensorInfo(conv2dBackpropFilter(backend, x, dy, g, 2000));
    expect(relativeDifference(chunked.dataSync(), whole.dataSync())).toBeLessThan(1e-6);
    const gStride = convGeometry([5, 1, 99, 6], [1, 3, 6, 8], { ...attrs, strides: 2 });
    const dyStride = input([5, 1, 50, 8], 74);
    const dxWhole = tf.engine().makeTensorFromTensorInfo(conv2dBackpropInput(backend, dyStride, w, gStride));
    const dxChunked = tf.engine().makeTensorFromTensorInfo(conv2dBackpropInput(backend, dyStride, w, gStride, 2000));
    expect(relativeDifference(dxChunked.dataSync(), dxWhole.dataSync())).toBeLessThan(1e-6);
    await tf.setBackend('cpu');
    const reference = tf.conv2dTranspose(dyStride as tf.Tensor4D, w as tf.Tensor4D, [5, 1, 99, 6], 2, 'same');
    const expected = reference.dataSync();
    await tf.setBackend('wasm');
    expect(relativeDifference(dxChunked.dataSync(), expected)).toBeLessThan(1e-5);
    tf.dispose([x, dy, w, whole, chunked, dyStride, dxWhole, dxChunked, reference]);
  });
});

describe('Conv2D and FusedConv2D forward (ours for one input channel)', () => {
  const shapes: Array<[string, number[], number[]]> = [
    ['1-D, Cin 1, 8 filters', [3, 1, 41, 1], [1, 5, 1, 8]],
    ['1-D, Cin 1, 20 filters', [2, 1, 30, 1], [1, 3, 1, 20]],
    ['2-D, Cin 1, 32 filters', [2, 9, 8, 1], [3, 3, 1, 32]],
    ['2-D, Cin 1, 6 filters (backend’s own)', [2, 7, 6, 1], [3, 3, 1, 6]],
    ['2-D, Cin 3 (backend’s own)', [2, 7, 6, 3], [3, 3, 3, 8]],
  ];
  let seed = 60;
  for (const [label, xShape, wShape] of shapes) {
    for (const stride of [1, 2]) {
      for (const pad of ['same', 'valid'] as const) {
        const s = seed++;
        it(`${label}, stride ${stride}, ${pad}`, async () => {
          const diffs = await compare(() => {
            const x = input(xShape, s) as tf.Tensor4D;
            const w = input(wShape, s + 1) as tf.Tensor4D;
            const bias = input([wShape[3]], s + 2);
            return [
              tf.conv2d(x, w, stride, pad),
              tf.fused.conv2d({ x, filter: w, strides: stride, pad, bias }),
              tf.fused.conv2d({ x, filter: w, strides: stride, pad, bias, activation: 'relu' }),
            ];
          });
          for (const d of diffs) expect(d).toBeLessThan(1e-5);
        });
      }
    }
  }
});

describe('MaxPoolGrad', () => {
  // [label, x shape, pool, strides, shift, grid]: shift −10 makes every window all-negative
  // (the backend's own kernel then routes the gradient wrongly); a 0.5 grid makes ties.
  const cases: Array<[string, number[], [number, number], [number, number], number, number]> = [
    ['1-D, all negative, pool 5 stride 2', [2, 40, 1, 8], [5, 1], [2, 1], -10, 0],
    ['1-D, all negative, ties', [2, 40, 1, 8], [5, 1], [2, 1], -10, 0.5],
    ['1-D, mixed signs, pool 3 stride 2', [3, 31, 1, 4], [3, 1], [2, 1], 0, 0],
    ['1-D, 3 channels (no SIMD)', [2, 23, 1, 3], [5, 1], [2, 1], -10, 0.5],
    ['2-D, all negative, 2×2', [2, 8, 6, 4], [2, 2], [2, 2], -10, 0],
    ['2-D, ties, 3×3 stride 1', [2, 7, 9, 8], [3, 3], [1, 1], -3, 0.5],
    ['2-D, 5 channels, 3×3 stride 2', [1, 9, 9, 5], [3, 3], [2, 2], -10, 0.25],
  ];
  let seed = 100;
  for (const [label, shape, pool, strides, shift, grid] of cases) {
    for (const pad of ['same', 'valid'] as const) {
      const s = seed++;
      it(`${label}, ${pad}`, async () => {
        const [dx] = await compare(() => {
          const x = input(shape, s, shift, grid);
          const y = tf.maxPool(x as tf.Tensor4D, pool, strides, pad);
          const r = input(y.shape, s + 50);
          return tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, pool, strides, pad), r)))(x);
        });
        expect(dx).toBeLessThan(1e-6);
      });
    }
  }

  it('puts a window’s gradient on its first maximum, as the cpu backend does', async () => {
    await tf.setBackend('wasm');
    // One window of four equal negative values: all of dy goes to the first.
    const x = tf.tensor4d([-2, -2, -2, -2], [1, 4, 1, 1]);
    const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, [4, 1], [4, 1], 'valid'), 3)))(x);
    expect(Array.from(dx.dataSync())).toEqual([3, 0, 0, 0]);
  });
});

describe('AvgPool gradient and other pooling', () => {
  it('AvgPoolGrad (the backend’s own) agrees with cpu', async () => {
    const [dx] = await compare(() => {
      const x = input([2, 9, 7, 4], 201);
      const r = input([2, 5, 4, 4], 202);
      return tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.avgPool(a as tf.Tensor4D, 3, 2, 'same'), r)))(x);
    });
    expect(dx).toBeLessThan(1e-6);
  });
});

describe('Tile', () => {
  const cases: Array<[number[], number[]]> = [
    [[1, 1, 1, 5], [2, 3, 4, 1]],
    [[3, 2], [2, 3]],
    [[4], [3]],
    [[2, 1, 3], [1, 5, 1]],
    [[2, 3, 1], [1, 1, 1]],
    [[2, 2, 2, 2], [2, 1, 2, 3]],
  ];
  for (const [shape, reps] of cases) {
    it(`float32, int32 and bool ${JSON.stringify(shape)} × ${JSON.stringify(reps)}`, async () => {
      const diffs = await compare(() => {
        const x = input(shape, 300);
        return [tf.tile(x, reps), tf.tile(tf.cast(tf.mul(x, 10), 'int32'), reps), tf.tile(tf.greater(x, 0), reps)];
      });
      expect(diffs).toEqual([0, 0, 0]);
    });
  }

  it('a size-zero result', async () => {
    await tf.setBackend('wasm');
    expect(tf.tile(tf.zeros([2, 3]), [0, 1]).shape).toEqual([0, 3]);
  });
});

describe('BatchMatMul', () => {
  const cases: Array<[string, number[], number[], boolean, boolean]> = [
    ['plain', [7, 5], [5, 6], false, false],
    ['transposeA', [5, 7], [5, 6], true, false],
    ['transposeB', [7, 5], [6, 5], false, true],
    ['transposeB, wide result', [40, 3], [60, 3], false, true],
    ['both', [5, 7], [6, 5], true, true],
    ['batched, both', [3, 5, 7], [3, 6, 5], true, true],
    ['batched, broadcast b', [3, 7, 5], [5, 6], false, false],
    ['batched, broadcast a, transposeB', [7, 5], [4, 6, 5], false, true],
  ];
  for (const [label, aShape, bShape, ta, tb] of cases) {
    it(label, async () => {
      const [d] = await compare(() => tf.matMul(input(aShape, 400), input(bShape, 401), ta, tb));
      expect(d).toBeLessThan(1e-6);
    });
  }
});

describe('Sum and Mean', () => {
  it('over leading axes (ours), innermost and mixed axes (the backend’s), int32, keepDims', async () => {
    const diffs = await compare(() => {
      const x = input([6, 5, 8], 500);
      const x4 = input([1, 6, 7, 12], 501);
      const odd = input([300, 7, 3], 502);
      return [
        tf.sum(x, [0, 1]), tf.mean(x, [0, 1]), tf.sum(x, [0]), tf.mean(x4, [0, 1, 2], true), tf.mean(x4, [1, 2]),
        tf.sum(odd, [0, 1]), tf.mean(odd, [0]), tf.sum(x, [2]), tf.mean(x, [0, 2]), tf.sum(x), tf.mean(x, -1, true),
        tf.sum(tf.cast(tf.mul(x, 10), 'int32'), [0, 1]),
      ];
    });
    for (const d of diffs) expect(d).toBeLessThan(1e-6);
  });
});

describe('FusedBatchNorm (forward)', () => {
  it('with and without offset and scale, 8 and 6 channels', async () => {
    const diffs = await compare(() => {
      const bn = (c: number, withAffine: boolean): tf.Tensor => {
        const x = input([3, 5, c], 600 + c);
        const variance = tf.abs(input([c], 601));
        return tf.batchNorm(x, input([c], 602), variance, withAffine ? input([c], 603) : undefined, withAffine ? input([c], 604) : undefined, 1e-3);
      };
      return [bn(8, true), bn(8, false), bn(6, true), bn(6, false)];
    });
    for (const d of diffs) expect(d).toBeLessThan(1e-6);
  });
});

describe('Identity and Cast', () => {
  it('share data without leaking and convert dtypes like cpu', async () => {
    const diffs = await compare(() => {
      const x = input([4, 3], 700);
      return [tf.clone(x), tf.cast(x, 'float32'), tf.cast(x, 'int32'), tf.cast(x, 'bool'), tf.cast(tf.cast(x, 'int32'), 'float32')];
    });
    expect(diffs).toEqual([0, 0, 0, 0, 0]);
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const x = input([1000], 701);
    const y = tf.clone(x);
    x.dispose();
    expect(Array.from(y.dataSync().slice(0, 3))).toEqual(Array.from(values(3, 701)));
    y.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('gradients used by BatchNorm, ReLU and pooling layers', () => {
  it('BatchNorm after moments: every input’s gradient', async () => {
    const diffs = await compare(() => {
      const x = input([4, 6, 8], 800);
      const r = input([4, 6, 8], 801);
      return tf.grads((a: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) => {
        const { mean, variance } = tf.moments(a, [0, 1]);
        return tf.sum(tf.mul(tf.batchNorm(a, mean, variance, beta, gamma, 1e-3), r));
      })([x, input([8], 802), input([8], 803)]);
    });
    for (const d of diffs) expect(d).toBeLessThan(1e-5);
  });

  // Without an offset or a scale tfjs-core cannot differentiate the op at all, on any backend
  // (its tape meets the missing input); tfjs-layers always passes both.
  it('BatchNorm with 6 channels (no SIMD), statistics as inputs', async () => {
    const diffs = await compare(() => {
      const x = input([5, 6], 810);
      const r = input([5, 6], 811);
      return tf.grads((a: tf.Tensor, m: tf.Tensor, v: tf.Tensor, beta: tf.Tensor, gamma: tf.Tensor) => tf.sum(tf.mul(tf.batchNorm(a, m, v, beta, gamma, 1e-3), r)))(
        [x, input([6], 812), tf.abs(input([6], 813)), input([6], 814), input([6], 815)],
      );
    });
    for (const d of diffs) expect(d).toBeLessThan(1e-5);
  });

  it('ReLU, including NaN and ±∞ inputs and gradients', async () => {
    const [d] = await compare(() => {
      const x = input([4, 13], 820);
      return [tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.relu(a), input([4, 13], 821))))(x)];
    });
    expect(d).toBe(0);
    // tfjs defines the gradient as dy·step(x): step(NaN) = NaN, and 0·±∞ = NaN.
    const run = async (backend: string): Promise<number[]> => {
      await tf.setBackend(backend);
      const x = tf.tensor1d([NaN, 2, -1, 0, 3, -2, 1, -1, NaN]);
      const dy = tf.tensor1d([1, Infinity, Infinity, 5, NaN, 2, -Infinity, -Infinity, 0]);
      const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.relu(a), dy)))(x);
      return Array.from(g.dataSync());
    };
    expect(await run('wasm')).toEqual(await run('cpu'));
  });

  it('Mean over leading and trailing axes, softmax and log-softmax', async () => {
    const diffs = await compare(() => {
      const x = input([5, 4, 8], 830);
      const r = input([5, 4, 8], 831);
      return [
        tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.mean(a, [0, 1]), input([8], 832))))(x),
        tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.mean(a, -1, true), input([5, 4, 1], 833))))(x),
        tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.softmax(a), r)))(x),
        tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.logSoftmax(a), r)))(x),
        tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.max(a, [0, 1]), input([8], 834))))(x),
      ];
    });
    for (const d of diffs) expect(d).toBeLessThan(1e-5);
  });
});

describe('batchNormTrainWasm against tf.moments + tf.batchNorm on cpu', () => {
  for (const shape of [[4, 7, 8], [6, 12], [3, 5, 6]]) {
    it(`values, statistics and the gradients of x, γ and β for ${JSON.stringify(shape)}`, async () => {
      const c = shape[shape.length - 1];
      const run = async (backend: string): Promise<Values[]> => {
        await tf.setBackend(backend);
        return tf.tidy(() => {
          const x = input(shape, 850, 1.5);
          const gamma = input([c], 851) as tf.Tensor1D;
          const beta = input([c], 852) as tf.Tensor1D;
          const r = input(shape, 853);
          const bn = (a: tf.Tensor, g: tf.Tensor1D, b: tf.Tensor1D): { y: tf.Tensor; mean: tf.Tensor; variance: tf.Tensor } => {
            if (backend === 'wasm') return batchNormTrainWasm(a, g, b, 1e-3);
            const { mean, variance } = tf.moments(a, Array.from({ length: a.rank - 1 }, (_, i) => i));
            return { y: tf.batchNorm(a, mean, variance, b, g, 1e-3), mean, variance };
          };
          const { y, mean, variance } = bn(x, gamma, beta);
          const grads = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(bn(a, g as tf.Tensor1D, b as tf.Tensor1D).y, r)))([x, gamma, beta]);
          return [y, mean, variance, ...grads].map((t) => t.dataSync() as Values);
        });
      };
      const before = tf.memory().numTensors;
      const wasm = await run('wasm');
      const cpu = await run('cpu');
      await tf.setBackend('wasm');
      expect(tf.memory().numTensors).toBe(before);
      wasm.forEach((w, i) => expect(relativeDifference(w, cpu[i]), `output ${i}`).toBeLessThan(1e-5));
    });
  }
});

/**
 * Every kernel a training step of a Conv1D/Conv2D + BatchNorm + MaxPool + Dropout + Dense +
 * GlobalAveragePooling model runs, recorded on cpu (inputs, attributes, outputs) and replayed
 * one by one on wasm.
 */
describe('every kernel of a training step, replayed on wasm', () => {
  interface Call {
    name: string;
    inputs: Array<[string, Values, number[], tf.DataType]>;
    attrs: NamedAttrMap;
    outputs: Values[];
  }

  function model1d(): tfl.LayersModel {
    return tfl.sequential({
      layers: [
        tfl.layers.conv1d({ inputShape: [32, 1], filters: 8, kernelSize: 5, padding: 'same', activation: 'relu' }),
        tfl.layers.batchNormalization(),
        tfl.layers.maxPooling1d({ poolSize: 5, strides: 2, padding: 'same' }),
        tfl.layers.dropout({ rate: 0.2, seed: 5 }),
        tfl.layers.conv1d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }),
        tfl.layers.batchNormalization(),
        tfl.layers.globalAveragePooling1d(),
        tfl.layers.dense({ units: 12, activation: 'relu' }),
        tfl.layers.batchNormalization(),
        tfl.layers.dense({ units: 4, activation: 'softmax' }),
      ],
    });
  }

  function model2d(): tfl.LayersModel {
    return tfl.sequential({
      layers: [
        tfl.layers.conv2d({ inputShape: [8, 6, 1], filters: 4, kernelSize: 3, padding: 'same' }),
        tfl.layers.batchNormalization(),
        tfl.layers.activation({ activation: 'relu' }),
        tfl.layers.maxPooling2d({ poolSize: 2 }),
        tfl.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same' }),
        tfl.layers.batchNormalization(),
        tfl.layers.activation({ activation: 'relu' }),
        tfl.layers.globalAveragePooling2d({}),
        tfl.layers.dropout({ rate: 0.3, seed: 3 }),
        tfl.layers.dense({ units: 4, activation: 'softmax' }),
      ],
    });
  }

  async function record(build: () => tfl.LayersModel, xShape: number[]): Promise<Call[]> {
    await tf.setBackend('cpu');
    const calls: Call[] = [];
    const wrapped = tf.getKernelsForBackend('cpu').map((config) => ({ ...config }));
    for (const config of wrapped) {
      tf.unregisterKernel(config.kernelName, 'cpu');
      tf.registerKernel({
        ...config,
        kernelFunc: (args) => {
          const be = args.backend as { readSync(dataId: object): Values };
          const inputs = Object.entries(args.inputs)
            .filter((entry): entry is [string, TensorInfo] => entry[1] !== undefined)
            .map(([name, t]): [string, Values, number[], tf.DataType] => [name, (be.readSync(t.dataId) as Values).slice(), [...t.shape], t.dtype]);
          const out = config.kernelFunc(args);
          const list = Array.isArray(out) ? out : [out];
          calls.push({ name: config.kernelName, inputs, attrs: args.attrs ?? {}, outputs: list.map((t) => (be.readSync(t.dataId) as Values).slice()) });
          return out;
        },
      });
    }
    try {
      const model = build();
      const x = input(xShape, 900);
      const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 1, 2].slice(0, xShape[0]), 'int32'), 4);
      const optimizer = tf.train.adam(1e-3);
      const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
      tf.tidy(() => {
        const { grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, variables);
        optimizer.applyGradients(Object.keys(grads).map((name) => ({ name, tensor: grads[name] })));
      });
      model.dispose();
    } finally {
      for (const config of wrapped) {
        tf.unregisterKernel(config.kernelName, 'cpu');
        tf.registerKernel(config);
      }
    }
    return calls;
  }

  for (const [label, build, xShape] of [['Conv1D model', model1d, [6, 32, 1]], ['Conv2D model', model2d, [4, 8, 6, 1]]] as const) {
    it(label, async () => {
      const calls = await record(build, [...xShape]);
      await tf.setBackend('wasm');
      const names = new Set<string>();
      const failures: string[] = [];
      for (const call of calls) {
        names.add(call.name);
        const outputs = tf.tidy(() => {
          const inputs = Object.fromEntries(call.inputs.map(([name, data, shape, dtype]) => [name, tf.tensor(data, shape, dtype)]));
          const out = tf.engine().runKernel(call.name, inputs, call.attrs) as tf.Tensor | tf.Tensor[];
          return (Array.isArray(out) ? out : [out]).map((t) => t.dataSync() as Values);
        });
        // Relative to the larger of the inputs and the expected output: a sum that cancels to
        // ~0 (BatchNorm gradients do) is only as exact as float32 rounding of its terms.
        let scale = 0;
        for (const [, data, , dtype] of call.inputs) if (dtype === 'float32') for (const v of data) scale = Math.max(scale, Math.abs(v));
        outputs.forEach((o, i) => {
          const expected = call.outputs[i];
          let worst = 0;
          let size = scale;
          for (let j = 0; j < o.length; j++) {
            worst = Math.max(worst, Math.abs(o[j] - expected[j]));
            size = Math.max(size, Math.abs(expected[j]));
          }
          const same = o.length === expected.length && (worst <= 1e-5 * size || (size === 0 && worst === 0));
          if (!same) failures.push(`${call.name} output ${i}: |Δ| ${worst} for values up to ${size}, attrs ${JSON.stringify(call.attrs)}`);
        });
      }
      expect(failures).toEqual([]);
      // The kernels this test exists for must be among those replayed.
      for (const name of ['Conv2DBackpropFilter', 'MaxPoolGrad', 'FusedBatchNorm', 'Sum', 'Mean', 'Tile', 'BatchMatMul', 'Softmax']) {
        expect([...names], name).toContain(name);
      }
    });
  }
});

describe('a whole model’s gradients, wasm against cpu', () => {
  it('Conv1D + BatchNorm + MaxPool + Dropout + Flatten + Dense softmax: every trainable weight within 1e-3', async () => {
    await tf.setBackend('wasm');
    const model = tfl.sequential({
      layers: [
        tfl.layers.conv1d({ inputShape: [64, 1], filters: 8, kernelSize: 5, padding: 'same', activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }),
        tfl.layers.batchNormalization(),
        tfl.layers.maxPooling1d({ poolSize: 5, strides: 2, padding: 'same' }),
        tfl.layers.dropout({ rate: 0.25, seed: 7 }),
        tfl.layers.conv1d({ filters: 12, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }),
        tfl.layers.batchNormalization(),
        tfl.layers.maxPooling1d({ poolSize: 3, strides: 2, padding: 'same' }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 16, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }) }),
        tfl.layers.batchNormalization(),
        tfl.layers.dense({ units: 8, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed: 4 }) }),
      ],
    });
    const x = input([10, 64, 1], 950);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7, 0, 1], 'int32'), 8);
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const gradients = async (backend: string): Promise<Map<string, Float32Array>> => {
      await tf.setBackend(backend);
      // A fixed dropout seed draws the same mask on both backends (the mask is made in JavaScript).
      const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, variables);
      const out = new Map(Object.entries(grads).map(([name, t]) => [name, t.dataSync() as Float32Array]));
      tf.dispose([value, ...Object.values(grads)]);
      return out;
    };
    const wasm = await gradients('wasm');
    const cpu = await gradients('cpu');
    await tf.setBackend('wasm');
    expect(wasm.size).toBe(variables.length);
    for (const [name, g] of wasm) {
      const reference = cpu.get(name) as Float32Array;
      expect(Math.max(...reference.map(Math.abs)), name).toBeGreaterThan(0);
      expect(relativeDifference(g, reference), name).toBeLessThan(1e-3);
    }
    model.dispose();
  });
});
