/**
 * Cheaper gradients for BatchNorm training on the wasm backend.
 *
 * tfjs-layers normalises a batch as moments (Mean, Sub, Square, Mean) then FusedBatchNorm, and
 * tfjs-core differentiates each op separately: about 25 full passes over the activation per
 * BatchNorm layer, memory-bound at ≈10 ms each for a [64, 2376, 64] tensor. Here, while the
 * current backend is wasm:
 * - FusedBatchNorm's gradient takes its four per-channel sums from one pass over x and dy
 *   (kernel EmotionStudioBatchNormGradStats) and its x-gradient from one multiply: 2 passes for 14;
 * - Mean's gradient broadcasts dy/n with one Tile instead of building ones, multiplying and dividing;
 * - ReLU's gradient is one pass (kernel EmotionStudioReluGrad) instead of Step then Multiply.
 * The arithmetic is the same as tfjs-core's; on any other backend the original gradients run.
 * Gradients are registered globally (per kernel name, not per backend), hence the check.
 */
import * as tf from '@tensorflow/tfjs-core';
// tfjs-layers' bundle registers tfjs-core's gradients. Loading it before wrapping them
// guarantees it cannot register the originals again over ours later.
import '@tensorflow/tfjs-layers';
import { backend_util, FusedBatchNorm, Mean, Relu, util } from '@tensorflow/tfjs-core';
import type { GradConfig, KernelConfig, KernelFunc, NamedAttrMap, Tensor, TensorInfo } from '@tensorflow/tfjs-core';

/** What a gradient function returns: one lazily evaluated gradient per input name. */
type NamedGradientMap = Record<string, () => Tensor>;
import { simdKernels } from './simd-kernels.js';
import { allocF32, asWasmBackend, byteOffset, f32Index, release } from './wasm-backend.js';

export const BATCH_NORM_GRAD_STATS = 'EmotionStudioBatchNormGradStats';
export const RELU_GRAD = 'EmotionStudioReluGrad';

/** [2, C]: row 0 Σ dy, row 1 Σ dy·(x − mean), over every axis but the last. */
const batchNormGradStats: KernelFunc = ({ inputs, backend }) => {
  const be = asWasmBackend(backend);
  const { x, dy, mean } = inputs as Record<string, TensorInfo>;
  const channels = x.shape[x.shape.length - 1];
  const rows = util.sizeFromShape(x.shape) / channels;
  const out = allocF32(be, [2, channels]);
  const kernels = simdKernels(be.wasm);
  if (kernels !== null && channels % 4 === 0) {
    const partial = allocF32(be, [2, channels]);
    kernels.bn_grad_stats4(byteOffset(be, x), byteOffset(be, dy), rows, channels, byteOffset(be, mean), byteOffset(be, out), byteOffset(be, partial));
    release(be, partial);
    return out;
  }
  const heap = be.wasm.HEAPF32;
  const xi = f32Index(be, x);
  const gi = f32Index(be, dy);
  const mi = f32Index(be, mean);
  const sumDy = new Float64Array(channels);
  const sumDyX = new Float64Array(channels);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < channels; c++) {
      const g = heap[gi + r * channels + c];
      sumDy[c] += g;
      sumDyX[c] += g * (heap[xi + r * channels + c] - heap[mi + c]);
    }
  }
  const oi = f32Index(be, out);
  heap.set(sumDy, oi);
  heap.set(sumDyX, oi + channels);
  return out;
};

const reluGrad: KernelFunc = ({ inputs, backend }) => {
  const be = asWasmBackend(backend);
  const { x, dy } = inputs as Record<string, TensorInfo>;
  const out = allocF32(be, x.shape);
  const n = util.sizeFromShape(x.shape);
  const kernels = simdKernels(be.wasm);
  if (kernels !== null) {
    kernels.relu_grad(byteOffset(be, x), byteOffset(be, dy), n, byteOffset(be, out));
    return out;
  }
  const heap = be.wasm.HEAPF32;
  const xi = f32Index(be, x);
  const gi = f32Index(be, dy);
  const oi = f32Index(be, out);
  for (let i = 0; i < n; i++) {
    const v = heap[xi + i];
    heap[oi + i] = heap[gi + i] * (Number.isNaN(v) ? NaN : v > 0 ? 1 : 0);
  }
  return out;
};

export const gradientKernelConfigs: readonly KernelConfig[] = [
  { kernelName: BATCH_NORM_GRAD_STATS, backendName: 'wasm', kernelFunc: batchNormGradStats },
  { kernelName: RELU_GRAD, backendName: 'wasm', kernelFunc: reluGrad },
];

const onWasm = (): boolean => tf.getBackend() === 'wasm';

function batchNormGrad(original: GradConfig): GradConfig {
  return {
    ...original,
    gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap): NamedGradientMap => {
      const [x, mean, variance, scale] = saved;
      const g = dy as Tensor;
      const channels = x.shape[x.shape.length - 1];
      const applies = onWasm() && !Array.isArray(dy) && x.dtype === 'float32' && g.dtype === 'float32'
        && mean.rank === 1 && mean.shape[0] === channels && variance.rank === 1 && variance.shape[0] === channels
        && (scale == null || (scale.rank === 1 && scale.shape[0] === channels));
      if (!applies) return original.gradFunc(dy, saved, attrs);
      const epsilon = Number(attrs.varianceEpsilon);
      const rstd = tf.rsqrt(tf.add(variance, tf.scalar(epsilon)));
      const scaleValue = scale == null ? tf.onesLike(mean) : scale;
      // One pass for all four per-channel gradients. Computed here, not in the closures: the
      // tape runs each closure in its own tidy, which would dispose a memoised result.
      const [sumDy, sumDyXc] = tf.unstack(tf.engine().runKernel(BATCH_NORM_GRAD_STATS, { x, dy: g, mean }) as Tensor);
      return {
        x: () => tf.reshape(tf.mul(g, tf.mul(rstd, scaleValue)), x.shape),
        mean: () => tf.reshape(tf.mul(tf.mul(tf.neg(rstd), scaleValue), sumDy), mean.shape),
        variance: () => tf.reshape(tf.mul(tf.mul(tf.mul(tf.mul(tf.mul(rstd, rstd), rstd), tf.scalar(-0.5)), scaleValue), sumDyXc), mean.shape),
        scale: () => tf.reshape(tf.mul(rstd, sumDyXc), mean.shape),
        offset: () => tf.reshape(sumDy, mean.shape),
      };
    },
  };
}

function meanGrad(original: GradConfig): GradConfig {
  return {
    ...original,
    gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap): NamedGradientMap => {
      const [x] = saved;
      if (!onWasm() || Array.isArray(dy) || dy.dtype !== 'float32') return original.gradFunc(dy, saved, attrs);
      const axes = util.parseAxisParam(attrs.axis as number | number[], x.shape);
      const reduceSize = util.sizeFromShape(backend_util.computeOutAndReduceShapes(x.shape, axes)[1]);
      const expanded = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
      // dy/n on the small tensor (the same rounding as tfjs-core's (dy·1)/n), then one broadcast.
      return { x: () => tf.broadcastTo(tf.div(tf.reshape(dy, expanded), reduceSize), x.shape) };
    },
  };
}

function reluGradConfig(original: GradConfig): GradConfig {
  return {
    ...original,
    gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap): NamedGradientMap => {
      const [x] = saved;
      if (!onWasm() || Array.isArray(dy) || dy.dtype !== 'float32' || x.dtype !== 'float32') return original.gradFunc(dy, saved, attrs);
      return { x: () => tf.engine().runKernel(RELU_GRAD, { x, dy }) as Tensor };
    },
  };
}

const replaced = new Set<string>();

/** Idempotent: each kernel's gradient is wrapped once per process. */
export function registerWasmGradients(): void {
  const wrappers: Array<[string, (original: GradConfig) => GradConfig]> = [
    [FusedBatchNorm, batchNormGrad],
    [Mean, meanGrad],
    [Relu, reluGradConfig],
  ];
  for (const [name, wrap] of wrappers) {
    if (replaced.has(name)) continue;
    const original = tf.getGradient(name) as GradConfig | undefined;
    // tfjs-core registers its gradients when tfjs-layers (or the gradients module) is loaded;
    // without them there is nothing to speed up yet, so try again on the next call.
    if (original === undefined) continue;
    tf.registerGradient(wrap(original));
    replaced.add(name);
  }
}
