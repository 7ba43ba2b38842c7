/**
 * Training kernels for tfjs-backend-wasm 4.22, registered over (or beside) the backend's own.
 *
 * The backend ships no Conv2DBackpropFilter, a naive Conv2DBackpropInput, a MaxPoolGrad that
 * is wrong for all-negative windows, a Tile that takes seconds on BatchNorm-sized tensors and
 * a BatchMatMul that leaves XNNPACK whenever a transpose flag is set; its reductions, batch
 * normalisation and copies are slow on training-sized tensors; and tfjs-core's BatchNorm, Mean
 * and ReLU gradients take many more passes over memory than needed. See docs/wasm-backend.md.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { batchMatMulConfig } from './batch-mat-mul.js';
import { fusedBatchNormConfig } from './batch-norm.js';
import { batchNormBackwardConfig } from './batch-norm-train.js';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { conv2dBackpropInputConfig } from './conv2d-backprop-input.js';
import { conv2dConfig, fusedConv2dConfig } from './conv-one-channel.js';
import { gradientKernelConfigs, registerWasmGradients } from './gradients.js';
import { castConfig, identityConfig } from './identity.js';
import { maxPoolGradConfig } from './max-pool-grad.js';
import { rememberOriginal } from './originals.js';
import { meanConfig, sumConfig } from './reduce.js';
import { tileConfig } from './tile.js';

/** Every kernel this module provides for backend 'wasm'. */
export const WASM_TRAINING_KERNELS: readonly KernelConfig[] = [
  conv2dBackpropFilterConfig,
  conv2dBackpropInputConfig,
  maxPoolGradConfig,
  tileConfig,
  batchMatMulConfig,
  sumConfig,
  meanConfig,
  fusedBatchNormConfig,
  identityConfig,
  castConfig,
  conv2dConfig,
  fusedConv2dConfig,
  ...gradientKernelConfigs,
  batchNormBackwardConfig,
];

/**
 * Replaces the wasm backend's kernels with ours. Idempotent: a kernel already ours is left
 * alone, so calling it again (or from two modules) is harmless. Safe before or after the
 * backend is initialised, since none of ours needs a setup function.
 */
export function registerWasmTrainingKernels(): void {
  for (const config of WASM_TRAINING_KERNELS) {
    const current = tf.getKernel(config.kernelName, 'wasm') as KernelConfig | undefined;
    if (current?.kernelFunc === config.kernelFunc) continue;
    if (current !== undefined) {
      rememberOriginal(current);
      tf.unregisterKernel(config.kernelName, 'wasm');
    }
    tf.registerKernel(config);
  }
  registerWasmGradients();
}

export { batchMatMul } from './batch-mat-mul.js';
export { batchNormTrainWasm, type BatchNormTrainResult } from './batch-norm-train.js';
export { conv2dBackpropFilter } from './conv2d-backprop-filter.js';
export { conv2dBackpropInput } from './conv2d-backprop-input.js';
export { maxPoolGrad } from './max-pool-grad.js';
export { tile } from './tile.js';
