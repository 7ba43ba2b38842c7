/**
 * Training-step throughput of the model presets on a tfjs backend, and where the time goes.
 *
 *   npx tsx tests/bench/wasm-kernels.bench.ts [--backend wasm|tensorflow|cpu] [--model seed-cnn1d|small-cnn1d|mel-cnn2d|all]
 *       [--batch 64] [--micro N] [--steps 5] [--profile] [--kernels] [--runs 5]
 *
 * One step = forward, loss, gradients of every trainable weight, Adam update, as the trainer
 * does it (tf.variableGrads per micro-batch of --micro samples, summed, then applyGradients;
 * on wasm the seed CNN defaults to micro-batches of 8). Prints one JSON line per model: median
 * samples/s over --steps timed steps after one warm-up step. --profile adds the CPU time per
 * kernel name over one step. --kernels times the replaced wasm kernels against
 * the backend's own on the seed CNN's shapes and prints GFLOP/s.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { initBackend, type BackendName } from '../../src-main/training/backend.js';
import { runOriginal } from '../../src-main/training/wasm-kernels/originals.js';
import { buildModel } from '../../src-main/training/model-builder.js';
import { MODEL_PRESETS, type PresetName } from '../../src-shared/model/presets.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const flag = (name: string): boolean => process.argv.includes(`--${name}`);

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function crossEntropy(p: tf.Tensor, y: tf.Tensor): tf.Scalar {
  return tf.mean(tf.neg(tf.sum(tf.mul(y, tf.log(tf.clipByValue(p, 1e-7, 1))), -1)));
}

/** One Adam step over the batch, its gradients summed over micro-batches of `micro` samples, as the trainer does. */
function makeStep(model: tfl.LayersModel, x: tf.Tensor, y: tf.Tensor, micro: number): () => void {
  const optimizer = tf.train.adam(1e-3, 0.9, 0.999, 1e-7);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const batch = x.shape[0];
  return () => {
    let summed: Record<string, tf.Tensor> | null = null;
    for (let start = 0; start < batch; start += micro) {
      const size = Math.min(micro, batch - start);
      const { value, grads } = tf.tidy(() => {
        const xs = tf.slice(x, start, size);
        const ys = tf.slice(y, start, size);
        return tf.variableGrads(() => tf.mul(crossEntropy(model.apply(xs, { training: true }) as tf.Tensor, ys), size / batch) as tf.Scalar, variables);
      });
      value.dataSync();
      value.dispose();
      if (summed === null) {
        summed = grads;
      } else {
        const previous: Record<string, tf.Tensor> = summed;
        summed = {};
        for (const name of Object.keys(previous)) summed[name] = tf.add(previous[name], grads[name]);
        tf.dispose([...Object.values(previous), ...Object.values(grads)]);
      }
    }
    const final = summed as Record<string, tf.Tensor>;
    optimizer.applyGradients(Object.keys(final).map((name) => ({ name, tensor: final[name] })));
    tf.dispose(Object.values(final));
  };
}

/**
 * CPU milliseconds per kernel name over one step: every kernel of the current backend is wrapped
 * with process.cpuUsage() (all threads of the process), which a loaded machine does not inflate
 * the way it inflates wall time.
 */
function profileStep(step: () => void): void {
  const backendName = tf.getBackend();
  const byName = new Map<string, { ms: number; calls: number }>();
  const originals = tf.getKernelsForBackend(backendName).map((config) => ({ ...config }));
  for (const config of originals) {
    tf.unregisterKernel(config.kernelName, backendName);
    tf.registerKernel({
      ...config,
      kernelFunc: (args) => {
        const c0 = process.cpuUsage();
        const out = config.kernelFunc(args);
        const c = process.cpuUsage(c0);
        const entry = byName.get(config.kernelName) ?? { ms: 0, calls: 0 };
        entry.ms += (c.user + c.system) / 1000;
        entry.calls += 1;
        byName.set(config.kernelName, entry);
        return out;
      },
    });
  }
  const c0 = process.cpuUsage();
  try {
    step();
  } finally {
    for (const config of originals) {
      tf.unregisterKernel(config.kernelName, backendName);
      tf.registerKernel(config);
    }
  }
  const c = process.cpuUsage(c0);
  const rows = [...byName].sort((a, b) => b[1].ms - a[1].ms);
  const total = rows.reduce((sum, [, e]) => sum + e.ms, 0);
  console.log(`  step ${((c.user + c.system) / 1000).toFixed(0)} ms CPU, of which kernels ${total.toFixed(0)} ms in ${rows.reduce((n, [, e]) => n + e.calls, 0)} calls`);
  for (const [name, e] of rows.slice(0, 25)) console.log(`  ${name.padEnd(32)} ${e.ms.toFixed(1).padStart(9)} ms  ${String(e.calls).padStart(5)} calls`);
}

async function benchModel(name: PresetName, batch: number, micro: number, steps: number, backend: string): Promise<void> {
  const preset = MODEL_PRESETS[name];
  const model = buildModel(preset.spec, { seed: 1 });
  const x = tf.randomNormal([batch, ...preset.spec.inputShape], 0, 1, 'float32', 2);
  const y = tf.oneHot(tf.randomUniform([batch], 0, 8, 'int32', 3), 8);
  const step = makeStep(model, x, y, micro);
  step();
  const times: number[] = [];
  const cpuTimes: number[] = [];
  for (let i = 0; i < steps; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    step();
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpuTimes.push((c.user + c.system) / 1000);
  }
  const ms = median(times);
  const cpuMs = median(cpuTimes);
  // On a shared machine wall time includes waiting for a core; CPU time (all threads) does not.
  console.log(JSON.stringify({
    model: name, backend, batch, micro_batch: micro, steps, median_step_ms: Math.round(ms), median_step_cpu_ms: Math.round(cpuMs),
    train_samples_per_s: +(batch / ms * 1000).toFixed(2), train_samples_per_cpu_s: +(batch / cpuMs * 1000).toFixed(2),
  }));
  if (flag('profile')) profileStep(step);
  tf.dispose([x, y]);
  model.dispose();
}

/**
 * Median wall and CPU milliseconds of `fn` over `runs` runs after one warm-up. wasm kernels run
 * synchronously, so the output is not read back (a 39 MB copy would dominate the small ones).
 */
function timeIt(fn: () => tf.Tensor, runs: number): { wallMs: number; cpuMs: number } {
  tf.dispose(fn());
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const out = fn();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
    out.dispose();
  }
  return { wallMs: median(wall), cpuMs: median(cpu) };
}

/** Conv shapes of the presets' widest layers: [label, batch, height, width, inC, outC, kernel]. */
const CONV_CASES: Array<[string, number, number, number, number, number, number]> = [
  ['seed conv2 (1-D)', 8, 1, 1188, 512, 512, 5],
  ['small conv2 (1-D)', 64, 1, 1188, 64, 64, 5],
  ['small conv1 (1-D, Cin 1)', 64, 1, 2376, 1, 64, 5],
  ['mel conv3 (2-D)', 64, 32, 16, 64, 128, 3],
];

/** Runs the wasm backend's own kernel (the one ours replaced) as a tensor. */
function original(kernelName: string, inputs: Record<string, tf.Tensor>, attrs: Record<string, unknown>): tf.Tensor {
  const out = runOriginal(kernelName, inputs, tf.backend(), attrs as tf.NamedAttrMap);
  return tf.engine().makeTensorFromTensorInfo(Array.isArray(out) ? out[0] : out);
}

/**
 * GFLOP/s of the forward convolution and of both gradients (ours, and the backend's own
 * Conv2DBackpropInput on a smaller batch: it is too slow for the full one), then CPU ms of the
 * other replaced kernels against the backend's own on the activations of small-cnn1d's first
 * block ([64, 2376, 64]).
 */
function benchKernels(runs: number): void {
  for (const [label, batch, height, width, inC, outC, k] of CONV_CASES) {
    const kh = height === 1 ? 1 : k;
    const x = tf.randomNormal([batch, height, width, inC], 0, 1, 'float32', 1) as tf.Tensor4D;
    const w = tf.randomNormal([kh, k, inC, outC], 0, 1, 'float32', 2) as tf.Tensor4D;
    const dy = tf.randomNormal([batch, height, width, outC], 0, 1, 'float32', 3) as tf.Tensor4D;
    const gflop = (2 * batch * height * width * inC * outC * kh * k) / 1e9;
    const report = (what: string, t: { wallMs: number; cpuMs: number }, scale = 1): void => {
      console.log(JSON.stringify({ case: label, kernel: what, wall_ms: +t.wallMs.toFixed(1), cpu_ms: +t.cpuMs.toFixed(1), gflop_per_s: +((gflop * scale) / (t.cpuMs / 1000)).toFixed(1) }));
    };
    const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC' };
    report('Conv2D forward (ours if Cin = 1, else XNNPACK)', timeIt(() => tf.conv2d(x, w, 1, 'same'), runs));
    report('Conv2DBackpropInput (ours)', timeIt(() => tf.conv2dTranspose(dy, w, [batch, height, width, inC], 1, 'same'), runs));
    const few = Math.max(1, Math.floor(batch / 8));
    const dyFew = tf.slice(dy, 0, few);
    report(`Conv2DBackpropInput (backend's own, batch ${few})`, timeIt(() => original('Conv2DBackpropInput', { dy: dyFew, filter: w }, { ...attrs, inputShape: [few, height, width, inC] }), 1), few / batch);
    report('Conv2DBackpropFilter (ours; the backend has none)', timeIt(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: [kh, k, inC, outC] }) as tf.Tensor, runs));
    tf.dispose([x, w, dy, dyFew]);
  }
  const act = tf.randomNormal([64, 2376, 1, 64], 0, 1, 'float32', 4) as tf.Tensor4D;
  const pooled = tf.maxPool(act, [5, 1], [2, 1], 'same');
  const scale = tf.randomNormal([64], 0, 1, 'float32', 5);
  const variance = tf.abs(scale);
  const table: Array<[string, () => tf.Tensor, () => tf.Tensor]> = [
    ['MaxPoolGrad pool 5 stride 2', () => tf.engine().runKernel('MaxPoolGrad', { dy: pooled, input: act, output: pooled }, { filterSize: [5, 1], strides: [2, 1], pad: 'same' }) as tf.Tensor,
      () => original('MaxPoolGrad', { dy: pooled, input: act, output: pooled }, { filterSize: [5, 1], strides: [2, 1], pad: 'same' })],
    ['Tile [1,1,1,64] → [64,2376,1,64]', () => tf.tile(tf.reshape(scale, [1, 1, 1, 64]), [64, 2376, 1, 1]),
      () => original('Tile', { x: tf.reshape(scale, [1, 1, 1, 64]) }, { reps: [64, 2376, 1, 1] })],
    ['Sum over axes [0, 1, 2]', () => tf.sum(act, [0, 1, 2]), () => original('Sum', { x: act }, { axis: [0, 1, 2], keepDims: false })],
    ['Mean over axes [0, 1, 2]', () => tf.mean(act, [0, 1, 2]), () => original('Mean', { x: act }, { axis: [0, 1, 2], keepDims: false })],
    ['FusedBatchNorm', () => tf.batchNorm(act, scale, variance, scale, scale, 1e-3),
      () => original('FusedBatchNorm', { x: act, mean: scale, variance, offset: scale, scale }, { varianceEpsilon: 1e-3 })],
    ['Identity (clone)', () => tf.clone(act), () => original('Identity', { x: act }, {})],
    ['BatchMatMul [64,9600]ᵀ·[64,512]', () => tf.matMul(tf.slice(tf.reshape(act, [64, -1]), [0, 0], [64, 9600]), tf.ones([64, 512]), true, false),
      () => original('BatchMatMul', { a: tf.slice(tf.reshape(act, [64, -1]), [0, 0], [64, 9600]), b: tf.ones([64, 512]) }, { transposeA: true, transposeB: false })],
  ];
  for (const [what, ours, theirs] of table) {
    const a = timeIt(ours, runs);
    const b = timeIt(theirs, Math.min(runs, 3));
    console.log(JSON.stringify({ kernel: what, ours_cpu_ms: +a.cpuMs.toFixed(1), backend_own_cpu_ms: +b.cpuMs.toFixed(1) }));
  }
  tf.dispose([act, pooled, scale, variance]);
}

const backendName = arg('backend', 'wasm') as BackendName;
const info = await initBackend(backendName);
console.log(`# ${info.name}: ${info.version}`);
if (flag('kernels')) {
  benchKernels(Number(arg('runs', '5')));
} else {
  const which = arg('model', 'all');
  const names: PresetName[] = which === 'all' ? ['seed-cnn1d', 'small-cnn1d', 'mel-cnn2d'] : [which as PresetName];
  for (const name of names) {
    const batch = Number(arg('batch', '64'));
    // The seed CNN's activations for 64 samples exceed wasm's 4 GB heap: the trainer splits it.
    const micro = Number(arg('micro', info.name === 'wasm' && name === 'seed-cnn1d' ? '8' : String(batch)));
    await benchModel(name, batch, micro, Number(arg('steps', name === 'seed-cnn1d' ? '2' : '5')), info.name);
  }
}
