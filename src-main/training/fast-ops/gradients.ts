/**
 * ReLU's gradient as one TensorFlow op (ReluGrad) on the 'tensorflow' backend.
 *
 * tfjs-core differentiates Relu as dy · step(x), and tfjs-node runs Step as six ops (isNaN,
 * greater, ones, fill, where, select): seven full passes over the activation where TensorFlow
 * needs one. Gradients are registered per kernel name, not per backend, so the wrapper checks
 * the backend on every call and hands every other case to the gradient it replaced (which may
 * itself be the wasm helper's wrapper: each wrapper delegates what is not its backend's).
 */
import * as tf from '@tensorflow/tfjs-core';
// tfjs-layers' bundle registers tfjs-core's gradients; loading it first guarantees it cannot
// register the originals again over ours later.
import '@tensorflow/tfjs-layers';
import { Relu } from '@tensorflow/tfjs-core';
import type { GradConfig, NamedAttrMap, Tensor } from '@tensorflow/tfjs-core';
import { nativeOps } from './native.js';

function reluGrad(original: GradConfig): GradConfig {
  return {
    ...original,
    gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
      const [x] = saved;
      const ops = nativeOps();
      if (ops === null || Array.isArray(dy) || dy.dtype !== 'float32' || x.dtype !== 'float32') return original.gradFunc(dy, saved, attrs);
      // ReluGrad(dy, x) = dy where x > 0, else 0 (NaN in x gives 0, where tfjs' step gives NaN).
      return { x: () => ops.run('ReluGrad', [ops.float32()], [dy, x]) };
    },
  };
}

let registered = false;

/** Idempotent. Call after tfjs-layers is loaded (this module imports it). */
export function registerTensorflowGradients(): void {
  if (registered) return;
  const original = tf.getGradient(Relu) as GradConfig | undefined;
  if (original === undefined) return;
  tf.registerGradient(reluGrad(original));
  registered = true;
}
