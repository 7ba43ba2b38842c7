/**
 * batchNormTrainWasm: training-mode batch normalisation over every axis but the last (what
 * tfjs-layers' BatchNormalization computes when training: tf.moments, then tf.batchNorm) as one
 * differentiable op for the wasm backend. Differentiated op by op, tfjs-core's moments and
 * batchNorm take about 12 passes over the activation backward even with ./gradients.ts; this
 * op's gradient takes 2: one for the per-channel sums Σdy and Σdy·(x − mean), one for
 * dx = γ·rstd·(dy − Σdy/n − (x − mean)·rstd²·Σdy·(x − mean)/n).
 * Same contract as fast-ops' batchNormTrainFast, which could call it when the backend is wasm.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, Tensor, Tensor1D, TensorInfo } from '@tensorflow/tfjs-core';
import { BATCH_NORM_GRAD_STATS } from './gradients.js';
import { simdKernels } from './simd-kernels.js';
import { allocF32, asWasmBackend, byteOffset, f32Index } from './wasm-backend.js';
import { reownBatchStats } from '../batch-norm-stats.js';

export const BATCH_NORM_BACKWARD = 'EmotionStudioBatchNormBackward';

/** dx = dy·a + (x − mean)·b + shift per channel; `params` is [4, C]: mean, a, b, shift. */
const batchNormBackward: KernelFunc = ({ inputs, backend }) => {
  const be = asWasmBackend(backend);
  const { x, dy, params } = inputs as Record<string, TensorInfo>;
  const channels = x.shape[x.shape.length - 1];
  const rows = x.shape.reduce((a, b) => a * b, 1) / channels;
  const out = allocF32(be, x.shape);
  const kernels = simdKernels(be.wasm);
  if (kernels !== null && channels % 4 === 0) {
    kernels.bn_backward4(byteOffset(be, x), byteOffset(be, dy), rows, channels, byteOffset(be, params), byteOffset(be, out));
    return out;
  }
  const heap = be.wasm.HEAPF32;
  const [xi, gi, pi, oi] = [f32Index(be, x), f32Index(be, dy), f32Index(be, params), f32Index(be, out)];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < channels; c++) {
      const i = r * channels + c;
      heap[oi + i] = heap[gi + i] * heap[pi + channels + c] + (heap[xi + i] - heap[pi + c]) * heap[pi + 2 * channels + c] + heap[pi + 3 * channels + c];
    }
  }
  return out;
};

export const batchNormBackwardConfig: KernelConfig = { kernelName: BATCH_NORM_BACKWARD, backendName: 'wasm', kernelFunc: batchNormBackward };

export interface BatchNormTrainResult {
  /** (x − mean) / √(variance + ε) · γ + β, the shape of x. */
  y: Tensor;
  /** Batch mean per channel, [channels]. */
  mean: Tensor1D;
  /** Batch variance per channel, divided by n, as tf.moments: [channels]. */
  variance: Tensor1D;
}

/**
 * x: [..., channels]; gamma, beta: [channels]; the current backend must be wasm. Differentiable
 * in x, gamma and beta; mean and variance are statistics for the moving averages. The caller
 * owns all three results (inside tf.tidy they are disposed with the scope).
 */
export function batchNormTrainWasm(x: Tensor, gamma: Tensor1D, beta: Tensor1D, epsilon: number): BatchNormTrainResult {
  if (tf.getBackend() !== 'wasm') throw new Error('batchNormTrainWasm: the current backend is not wasm');
  const channels = x.shape[x.rank - 1];
  const rows = x.size / channels;
  const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
  // Filled by the forward pass; kept so the customGrad scope does not dispose them.
  const out: { stats?: [Tensor1D, Tensor1D] } = {};
  const op = tf.customGrad((...args: Array<Tensor | tf.GradSaveFunc>) => {
    const [xIn, g, b, save] = args as [Tensor, Tensor1D, Tensor1D, tf.GradSaveFunc];
    const mean = tf.mean(xIn, axes) as Tensor1D;
    const variance = tf.mean(tf.square(tf.sub(xIn, mean)), axes) as Tensor1D;
    out.stats = [tf.keep(tf.clone(mean)), tf.keep(tf.clone(variance))];
    save([xIn, g, mean, variance]);
    return {
      value: tf.batchNorm(xIn, mean, variance, b, g, epsilon),
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [sx, sg, sMean, sVariance] = saved;
        const [sumDy, sumDyXc] = tf.unstack(tf.engine().runKernel(BATCH_NORM_GRAD_STATS, { x: sx, dy, mean: sMean }) as Tensor);
        const rstd = tf.rsqrt(tf.add(sVariance, tf.scalar(epsilon)));
        const a = tf.mul(sg, rstd);
        const slope = tf.neg(tf.div(tf.mul(tf.mul(a, tf.square(rstd)), sumDyXc), rows));
        const shift = tf.neg(tf.div(tf.mul(a, sumDy), rows));
        const params = tf.stack([sMean, a, slope, shift]);
        const dx = tf.engine().runKernel(BATCH_NORM_BACKWARD, { x: sx, dy, params }) as Tensor;
        return [dx, tf.mul(rstd, sumDyXc), sumDy];
      },
    };
  });
  const y = op(x, gamma, beta);
  return { y, ...reownBatchStats(out.stats, 'batchNormTrainWasm') };
}
