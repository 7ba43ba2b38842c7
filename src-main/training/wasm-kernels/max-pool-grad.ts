/**
 * MaxPoolGrad for the wasm backend. Its own starts each window's running maximum at FLT_MIN
 * (the smallest positive float), so in a window whose values are all negative (common after
 * BatchNorm) no element beats it and the gradient lands on the wrong element.
 *
 * Same convention as the cpu backend: the gradient of a window goes to the first element, in
 * row-major window order, that holds the window's maximum; padding never wins; a window with
 * no element above −∞ (all −∞ or NaN) passes no gradient.
 */
import { backend_util, MaxPoolGrad } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { simdKernels } from './simd-kernels.js';
import { allocF32, asWasmBackend, byteOffset, f32Index, release } from './wasm-backend.js';
import type { WasmBackend } from './wasm-backend.js';

export function maxPoolGrad(backend: WasmBackend, dy: TensorInfo, x: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) {
    throw new Error('wasm-kernels: MaxPoolGrad supports dilation 1 only');
  }
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: C, outHeight: Ho, outWidth: Wo } = info;
  const dx = allocF32(backend, x.shape);
  const heap = backend.wasm.HEAPF32;
  const xi = f32Index(backend, x);
  const dyi = f32Index(backend, dy);
  const dxi = f32Index(backend, dx);
  heap.fill(0, dxi, dxi + B * H * W * C);
  const kernels = simdKernels(backend.wasm);
  if (kernels !== null && C % 4 === 0) {
    const sink = allocF32(backend, [4]);
    kernels.max_pool_grad4(
      byteOffset(backend, x), byteOffset(backend, dy), byteOffset(backend, dx), B, H, W, C, Ho, Wo,
      info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left,
      byteOffset(backend, sink),
    );
    release(backend, sink);
    return dx;
  }
  const best = new Float32Array(C);
  const where = new Int32Array(C);
  for (let b = 0; b < B; b++) {
    for (let oh = 0; oh < Ho; oh++) {
      const top = oh * info.strideHeight - info.padInfo.top;
      const h0 = Math.max(0, top);
      const h1 = Math.min(H, top + info.filterHeight);
      for (let ow = 0; ow < Wo; ow++) {
        const left = ow * info.strideWidth - info.padInfo.left;
        const w0 = Math.max(0, left);
        const w1 = Math.min(W, left + info.filterWidth);
        best.fill(Number.NEGATIVE_INFINITY);
        where.fill(-1);
        for (let ih = h0; ih < h1; ih++) {
          for (let iw = w0; iw < w1; iw++) {
            const p = xi + ((b * H + ih) * W + iw) * C;
            for (let c = 0; c < C; c++) {
              const v = heap[p + c];
              if (v > best[c]) {
                best[c] = v;
                where[c] = p + c;
              }
            }
          }
        }
        const g = dyi + ((b * Ho + oh) * Wo + ow) * C;
        const shift = dxi - xi;
        for (let c = 0; c < C; c++) {
          const at = where[c];
          if (at >= 0) heap[at + shift] += heap[g + c];
        }
      }
    }
  }
  return dx;
}

const kernelFunc: KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = asWasmBackend(backend);
  const dy = inputs.dy as TensorInfo;
  const x = inputs.input as TensorInfo;
  const a = attrs ?? {};
  const info = backend_util.computePool2DInfo(
    x.shape as [number, number, number, number],
    a.filterSize as number | [number, number],
    a.strides as number | [number, number],
    1,
    a.pad as 'valid' | 'same' | number | backend_util.ExplicitPadding,
    a.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
  );
  return maxPoolGrad(wasm, dy, x, info);
};

export const maxPoolGradConfig: KernelConfig = {
  kernelName: MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc,
};
