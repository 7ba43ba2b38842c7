/**
 * Conv2DBackpropFilter for the wasm backend, which has none.
 *
 * dW[kh,kw,ci,co] = Σ_{b,oh,ow} x[b, oh·sH+kh−pT, ow·sW+kw−pL, ci] · dy[b,oh,ow,co], i.e.
 * dW[R, Co] = colsᵀ[R, N] · dy[N, Co] with R = fH·fW·Ci rows and N = B·Ho·Wo positions.
 * colsᵀ is built from x transposed to [Ci, B, H, W], where each of its rows is a run of
 * shifted copies; the product runs on XNNPACK's fully-connected GEMM (the only fast matmul in
 * the backend). Samples go through in chunks so colsᵀ stays within a fixed scratch budget.
 */
import { Conv2DBackpropFilter } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { convGeometry, GEMM_CHUNK_FLOATS, samplesPerChunk, SCRATCH_BUDGET_FLOATS } from './conv-geometry.js';
import type { ConvGeometry } from './conv-geometry.js';
import { simdKernels } from './simd-kernels.js';
import {
  allocF32, asWasmBackend, borrowView, byteOffset, f32Index, matMulNative, release, returnView, transposeNative,
} from './wasm-backend.js';
import type { WasmBackend } from './wasm-backend.js';

/** Below this many floats a JS loop beats a `copyWithin` call. */
const SHORT_RUN = 48;

/**
 * Writes colsᵀ for samples [b0, b0+count) into heap[col ...]: row r = (kh·fW + kw)·Ci + ci
 * holds, for every position (b, oh, ow) of the chunk, the input value that filter tap
 * (kh, kw) of channel ci sees there (0 in the padding).
 */
function fillColumnsT(heap: Float32Array, xT: number, col: number, g: ConvGeometry, b0: number, count: number): void {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: Ho, outWidth: Wo, batch: B } = g;
  if (g.strideHeight === 1 && g.strideWidth === 1 && Wo === W) {
    fillColumnsTPlanes(heap, xT, col, g, b0, count);
    return;
  }
  const rowLength = count * Ho * Wo;
  for (let kh = 0; kh < g.filterHeight; kh++) {
    for (let kw = 0; kw < g.filterWidth; kw++) {
      // Output columns ow whose input column ow·sW + kw − pL lies inside [0, W).
      const shift = kw - g.padLeft;
      const sw = g.strideWidth;
      const lo = Math.min(Wo, Math.max(0, Math.ceil(-shift / sw)));
      const hi = Math.max(lo, Math.min(Wo, Math.floor((W - 1 - shift) / sw) + 1));
      for (let ci = 0; ci < C; ci++) {
        let dst = col + ((kh * g.filterWidth + kw) * C + ci) * rowLength;
        for (let b = b0; b < b0 + count; b++) {
          const plane = xT + (ci * B + b) * H * W;
          for (let oh = 0; oh < Ho; oh++) {
            const ih = oh * g.strideHeight + kh - g.padTop;
            if (ih < 0 || ih >= H) {
              heap.fill(0, dst, dst + Wo);
              dst += Wo;
              continue;
            }
            const src = plane + ih * W + shift;
            for (let ow = 0; ow < lo; ow++) heap[dst + ow] = 0;
            if (sw === 1 && hi - lo >= SHORT_RUN) {
              heap.copyWithin(dst + lo, src + lo, src + hi);
            } else {
              for (let ow = lo; ow < hi; ow++) heap[dst + ow] = heap[src + ow * sw];
            }
            for (let ow = hi; ow < Wo; ow++) heap[dst + ow] = 0;
            dst += Wo;
          }
        }
      }
    }
  }
}

/**
 * fillColumnsT for stride 1 when output rows are as wide as input rows (e.g. 'same' padding):
 * a tap's window of a whole plane is then the plane shifted by (kh − pT)·W + (kw − pL) floats,
 * so one copy per (tap, channel, sample) replaces one per output row, and only the few values
 * that wrapped round a row edge, or fell outside the plane, are zeroed afterwards.
 */
function fillColumnsTPlanes(heap: Float32Array, xT: number, col: number, g: ConvGeometry, b0: number, count: number): void {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: Ho, batch: B } = g;
  const plane = Ho * W;
  const rowLength = count * plane;
  for (let kh = 0; kh < g.filterHeight; kh++) {
    const rowShift = kh - g.padTop;
    const oh0 = Math.min(Ho, Math.max(0, -rowShift));
    const oh1 = Math.max(oh0, Math.min(Ho, H - rowShift));
    for (let kw = 0; kw < g.filterWidth; kw++) {
      const colShift = kw - g.padLeft;
      const lo = Math.min(W, Math.max(0, -colShift));
      const hi = Math.max(lo, Math.min(W, W - colShift));
      for (let ci = 0; ci < C; ci++) {
        let dst = col + ((kh * g.filterWidth + kw) * C + ci) * rowLength;
        for (let b = b0; b < b0 + count; b++, dst += plane) {
          const src = xT + (ci * B + b) * H * W;
          heap.fill(0, dst, dst + oh0 * W);
          // Rows oh0..oh1 in one run; it may read a float or two beyond the plane at its ends,
          // exactly where the wrap fix-up below writes zeros.
          heap.copyWithin(dst + oh0 * W, src + (oh0 + rowShift) * W + colShift, src + (oh1 + rowShift) * W + colShift);
          heap.fill(0, dst + oh1 * W, dst + plane);
          for (let oh = oh0; oh < oh1; oh++) {
            const row = dst + oh * W;
            for (let ow = 0; ow < lo; ow++) heap[row + ow] = 0;
            for (let ow = hi; ow < W; ow++) heap[row + ow] = 0;
          }
        }
      }
    }
  }
}

/**
 * Below this many colsᵀ rows (filter taps × input channels) the SIMD loop beats XNNPACK, whose
 * GEMM then spends most of its time packing dy as weights (e.g. a first layer with one input
 * channel: 5 rows, ≈0.5 GFLOP/s through XNNPACK).
 */
const SMALL_ROWS = 16;

/**
 * dW for x [B,H,W,Ci] and dy [B,Ho,Wo,Co] (NHWC). `budgetFloats` caps colsᵀ per pass (tests use
 * a small one to exercise chunking); by default the GEMM path keeps it near 4 M floats.
 */
export function conv2dBackpropFilter(backend: WasmBackend, x: TensorInfo, dy: TensorInfo, g: ConvGeometry, budgetFloats?: number): TensorInfo {
  const rows = g.filterHeight * g.filterWidth * g.inChannels;
  const positionsPerSample = g.outHeight * g.outWidth;
  const filterShape = [g.filterHeight, g.filterWidth, g.inChannels, g.outChannels];
  const dW = allocF32(backend, filterShape);
  const kernels = simdKernels(backend.wasm);
  const small = kernels !== null && rows < SMALL_ROWS && g.outChannels % 4 === 0;
  // [B,H,W,C] → [C,B,H,W]: a no-op copy when C = 1, which transposeNative detects.
  const xT = transposeNative(backend, x, [3, 0, 1, 2]);
  const chunk = samplesPerChunk(g.batch, rows * positionsPerSample, budgetFloats ?? (small ? SCRATCH_BUDGET_FLOATS : GEMM_CHUNK_FLOATS));
  const colT = allocF32(backend, [rows, chunk * positionsPerSample]);
  const partial = chunk < g.batch && !small ? allocF32(backend, [rows, g.outChannels]) : null;
  const dyBytesPerSample = positionsPerSample * g.outChannels * 4;
  try {
    if (small) backend.wasm.HEAPF32.fill(0, f32Index(backend, dW), f32Index(backend, dW) + rows * g.outChannels);
    for (let b0 = 0; b0 < g.batch; b0 += chunk) {
      const count = Math.min(chunk, g.batch - b0);
      const n = count * positionsPerSample;
      fillColumnsT(backend.wasm.HEAPF32, f32Index(backend, xT), f32Index(backend, colT), g, b0, count);
      if (small && kernels !== null) {
        kernels.dw_small4(byteOffset(backend, colT), byteOffset(backend, dy) + b0 * dyBytesPerSample, byteOffset(backend, dW), rows, n, g.outChannels);
        continue;
      }
      // The last chunk may be shorter: describe colT with its true width; rows stay packed.
      const a = count === chunk ? colT : borrowView(backend, byteOffset(backend, colT), [rows, n]);
      const dyChunk = borrowView(backend, byteOffset(backend, dy) + b0 * dyBytesPerSample, [n, g.outChannels]);
      const target = b0 === 0 ? dW : (partial as TensorInfo);
      try {
        matMulNative(backend, a, dyChunk, target, rows, n, g.outChannels);
      } finally {
        returnView(backend, dyChunk);
        if (a !== colT) returnView(backend, a);
      }
      if (b0 > 0) {
        const heap = backend.wasm.HEAPF32;
        const out = f32Index(backend, dW);
        const add = f32Index(backend, target);
        for (let i = 0, size = rows * g.outChannels; i < size; i++) heap[out + i] += heap[add + i];
      }
    }
  } finally {
    release(backend, xT);
    release(backend, colT);
    if (partial !== null) release(backend, partial);
  }
  return dW;
}

const kernelFunc: KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = asWasmBackend(backend);
  const x = inputs.x as TensorInfo;
  const dy = inputs.dy as TensorInfo;
  const filterShape = (attrs?.filterShape ?? []) as number[];
  const g = convGeometry(x.shape, filterShape, attrs ?? {});
  return conv2dBackpropFilter(wasm, x, dy, g);
};

export const conv2dBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc,
};
