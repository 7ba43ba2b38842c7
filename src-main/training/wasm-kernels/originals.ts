/**
 * The wasm backend's own kernels that ours replace, kept so that ours can hand them the cases
 * they do not cover (an axis pattern, a dtype).
 */
import type { KernelConfig, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';

const originals = new Map<string, KernelConfig>();
const setUp = new Map<string, WeakSet<object>>();

/** Records the backend's kernel before it is unregistered (only the first one seen per name). */
export function rememberOriginal(config: KernelConfig): void {
  if (!originals.has(config.kernelName)) originals.set(config.kernelName, config);
}

/**
 * Runs the backend's own kernel. Its setup function (which binds its C export) ran at backend
 * initialisation only if it was still registered then, so it is run here once per backend.
 */
export function runOriginal(kernelName: string, inputs: NamedTensorInfoMap, backend: object, attrs: NamedAttrMap = {}): TensorInfo | TensorInfo[] {
  const original = originals.get(kernelName);
  if (original === undefined) throw new Error(`wasm-kernels: no original wasm kernel ${kernelName} to fall back to`);
  let done = setUp.get(kernelName);
  if (done === undefined) {
    done = new WeakSet();
    setUp.set(kernelName, done);
  }
  if (!done.has(backend)) {
    original.setupFunc?.(backend);
    done.add(backend);
  }
  return original.kernelFunc({ inputs, backend, attrs });
}
