/**
 * Identity, and Cast to the same dtype, share the input's data (a reference count), as the
 * cpu and webgl backends do; the wasm backend copies it, ≈14 ms for a [64, 2376, 64] tensor,
 * hundreds of times per training step (tf.clone in the gradient tape, casts in moments).
 * Sharing is safe because no kernel writes into its inputs.
 *
 * Cast to bool is fixed too: the backend's own stores each value modulo 256 (−2 → 254), where
 * tfjs means x ≠ 0.
 */
import { Cast, Identity, util } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { runOriginal } from './originals.js';
import { asWasmBackend, byteOffset } from './wasm-backend.js';

function share(backend: object, x: TensorInfo): TensorInfo {
  asWasmBackend(backend).incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}

const identity: KernelFunc = ({ inputs, backend, attrs }) => {
  const x = inputs.x as TensorInfo;
  if (x.dtype === 'string') return runOriginal(Identity, inputs, backend, attrs ?? {});
  return share(backend, x);
};

const cast: KernelFunc = ({ inputs, backend, attrs }) => {
  const x = inputs.x as TensorInfo;
  const a: NamedAttrMap = attrs ?? {};
  if (a.dtype === x.dtype && x.dtype !== 'string') return share(backend, x);
  if (a.dtype === 'bool' && (x.dtype === 'float32' || x.dtype === 'int32')) {
    const be = asWasmBackend(backend);
    const n = util.sizeFromShape(x.shape);
    const out = be.makeOutput(x.shape, 'bool');
    const source = x.dtype === 'float32'
      ? new Float32Array(be.wasm.HEAPF32.buffer, byteOffset(be, x), n)
      : new Int32Array(be.wasm.HEAP32.buffer, byteOffset(be, x), n);
    const target = be.wasm.HEAPU8.subarray(byteOffset(be, out), byteOffset(be, out) + n);
    for (let i = 0; i < n; i++) target[i] = source[i] !== 0 ? 1 : 0;
    return out;
  }
  return runOriginal(Cast, inputs, backend, a);
};

export const identityConfig: KernelConfig = { kernelName: Identity, backendName: 'wasm', kernelFunc: identity };
export const castConfig: KernelConfig = { kernelName: Cast, backendName: 'wasm', kernelFunc: cast };
