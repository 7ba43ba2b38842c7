/**
 * BatchMatMul for the wasm backend. Its own runs XNNPACK only for a single matrix pair with
 * no transpose flag and a naive triple loop otherwise, which is exactly what a Dense layer's
 * gradients ask for (xᵀ·dy and dy·Wᵀ). Here a flagged operand is transposed explicitly, or the
 * product is computed transposed (opBᵀ·opAᵀ) and the result transposed, whichever moves fewer
 * floats, and each matrix pair of a batch goes through XNNPACK on its own.
 */
import { BatchMatMul, broadcast_util } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import {
  allocF32, asWasmBackend, borrowView, byteOffset, matMulNative, release, returnView, transposeNative,
} from './wasm-backend.js';
import type { WasmBackend } from './wasm-backend.js';

function product(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

/** out[i] = left[i]·right[i] for 3-D operands [batch, rows, inner] · [batch, inner, cols]; a batch of 1 broadcasts. */
function batchedProduct(backend: WasmBackend, left: TensorInfo, right: TensorInfo, batch: number, rows: number, inner: number, cols: number): TensorInfo {
  const out = allocF32(backend, [batch, rows, cols]);
  if (batch === 1) {
    matMulNative(backend, left, right, out, rows, inner, cols);
    return out;
  }
  const leftBatch = left.shape[0];
  const rightBatch = right.shape[0];
  for (let i = 0; i < batch; i++) {
    const l = borrowView(backend, byteOffset(backend, left) + (leftBatch === 1 ? 0 : i) * rows * inner * 4, [rows, inner]);
    const r = borrowView(backend, byteOffset(backend, right) + (rightBatch === 1 ? 0 : i) * inner * cols * 4, [inner, cols]);
    const o = borrowView(backend, byteOffset(backend, out) + i * rows * cols * 4, [rows, cols]);
    try {
      matMulNative(backend, l, r, o, rows, inner, cols);
    } finally {
      returnView(backend, l);
      returnView(backend, r);
      returnView(backend, o);
    }
  }
  return out;
}

/** A 3-D tensor info over the same data (a reshape: shares the dataId, no copy). */
function as3d(info: TensorInfo, batch: number, rows: number, cols: number): TensorInfo {
  return { dataId: info.dataId, dtype: info.dtype, shape: [batch, rows, cols] };
}

export function batchMatMul(backend: WasmBackend, a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): TensorInfo {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') {
    throw new Error('wasm-kernels: BatchMatMul supports float32 only');
  }
  const aRank = a.shape.length;
  const bRank = b.shape.length;
  const m = transposeA ? a.shape[aRank - 1] : a.shape[aRank - 2];
  const k = transposeA ? a.shape[aRank - 2] : a.shape[aRank - 1];
  const kB = transposeB ? b.shape[bRank - 1] : b.shape[bRank - 2];
  const n = transposeB ? b.shape[bRank - 2] : b.shape[bRank - 1];
  if (k !== kB) {
    throw new Error(`wasm-kernels: matMul inner dimensions differ: a ${a.shape} b ${b.shape} transposeA=${transposeA} transposeB=${transposeB}`);
  }
  const batchDims = broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const batchA = product(a.shape.slice(0, -2));
  const batchB = product(b.shape.slice(0, -2));
  const batch = product(batchDims);
  if (batchA !== batch && batchA !== 1 || batchB !== batch && batchB !== 1) {
    throw new Error(`wasm-kernels: BatchMatMul cannot broadcast batch shapes ${a.shape.slice(0, -2)} and ${b.shape.slice(0, -2)}`);
  }
  const outShape = [...batchDims, m, n];
  if (m * n * batch === 0 || k === 0) {
    const out = allocF32(backend, outShape);
    backend.wasm.HEAPF32.fill(0, byteOffset(backend, out) >>> 2, (byteOffset(backend, out) >>> 2) + m * n * batch);
    return out;
  }
  const a3 = as3d(a, batchA, transposeA ? k : m, transposeA ? m : k);
  const b3 = as3d(b, batchB, transposeB ? n : k, transposeB ? k : n);
  const temporaries: TensorInfo[] = [];
  const transposed = (t: TensorInfo): TensorInfo => {
    const out = transposeNative(backend, t, [0, 2, 1]);
    temporaries.push(out);
    return out;
  };
  // Floats moved by transposes: computing op(A)·op(B) directly, or (op(B)ᵀ·op(A)ᵀ)ᵀ.
  const direct = (transposeA ? batchA * m * k : 0) + (transposeB ? batchB * k * n : 0);
  const flipped = (transposeA ? 0 : batchA * m * k) + (transposeB ? 0 : batchB * k * n) + batch * m * n;
  try {
    let out: TensorInfo;
    if (direct <= flipped) {
      const left = transposeA ? transposed(a3) : a3;
      const right = transposeB ? transposed(b3) : b3;
      out = batchedProduct(backend, left, right, batch, m, k, n);
    } else {
      const left = transposeB ? b3 : transposed(b3);
      const right = transposeA ? a3 : transposed(a3);
      const outT = batchedProduct(backend, left, right, batch, n, k, m);
      temporaries.push(outT);
      out = transposeNative(backend, outT, [0, 2, 1]);
    }
    return { dataId: out.dataId, dtype: out.dtype, shape: outShape };
  } finally {
    for (const t of temporaries) release(backend, t);
  }
}

const kernelFunc: KernelFunc = ({ inputs, backend, attrs }) => {
  const a = inputs.a as TensorInfo;
  const b = inputs.b as TensorInfo;
  return batchMatMul(asWasmBackend(backend), a, b, attrs?.transposeA === true, attrs?.transposeB === true);
};

export const batchMatMulConfig: KernelConfig = {
  kernelName: BatchMatMul,
  backendName: 'wasm',
  kernelFunc,
};
