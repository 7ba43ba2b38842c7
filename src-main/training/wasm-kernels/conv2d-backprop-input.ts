/**
 * Conv2DBackpropInput for the wasm backend, whose own is a naive C++ loop (≈3 GFLOP/s).
 *
 * Stride 1: the input gradient is the forward convolution of dy with the filter rotated by
 * 180° and its in/out channels swapped, padded by (f − 1 − p) on the leading side; that runs
 * on XNNPACK like the forward pass.
 * Other strides: cols[N, R] = dy[N, Co] · Wᵀ[Co, R] on XNNPACK's GEMM, then col2im adds each
 * column back onto the input position its filter tap came from.
 */
import { Conv2DBackpropInput } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { convGeometry, samplesPerChunk, SCRATCH_BUDGET_FLOATS } from './conv-geometry.js';
import type { ConvGeometry } from './conv-geometry.js';
import {
  allocF32, asWasmBackend, borrowView, byteOffset, conv2dNative, f32Index, matMulNative, release, returnView,
} from './wasm-backend.js';
import type { WasmBackend } from './wasm-backend.js';

/** filter [fH,fW,Ci,Co] → [fH,fW,Co,Ci], rotated by 180° in (fH, fW). */
function rotatedSwappedFilter(backend: WasmBackend, filter: TensorInfo, g: ConvGeometry): TensorInfo {
  const { filterHeight: fH, filterWidth: fW, inChannels: ci, outChannels: co } = g;
  const out = allocF32(backend, [fH, fW, co, ci]);
  const heap = backend.wasm.HEAPF32;
  const src0 = f32Index(backend, filter);
  const dst0 = f32Index(backend, out);
  const block = ci * co;
  for (let kh = 0; kh < fH; kh++) {
    for (let kw = 0; kw < fW; kw++) {
      const src = src0 + (kh * fW + kw) * block;
      const dst = dst0 + ((fH - 1 - kh) * fW + (fW - 1 - kw)) * block;
      for (let i = 0; i < ci; i++) {
        for (let o = 0; o < co; o++) heap[dst + o * ci + i] = heap[src + i * co + o];
      }
    }
  }
  return out;
}

function viaForwardConv(backend: WasmBackend, dy: TensorInfo, filter: TensorInfo, g: ConvGeometry): TensorInfo {
  const rotated = rotatedSwappedFilter(backend, filter, g);
  const dx = allocF32(backend, [g.batch, g.inHeight, g.inWidth, g.inChannels]);
  const padTop = g.filterHeight - 1 - g.padTop;
  const padLeft = g.filterWidth - 1 - g.padLeft;
  try {
    conv2dNative(backend, dy, rotated, dx, {
      batch: g.batch, inHeight: g.outHeight, inWidth: g.outWidth, inChannels: g.outChannels,
      filterHeight: g.filterHeight, filterWidth: g.filterWidth, outChannels: g.inChannels,
      padTop, padLeft,
      padBottom: g.inHeight - g.outHeight - padTop + g.filterHeight - 1,
      padRight: g.inWidth - g.outWidth - padLeft + g.filterWidth - 1,
      strideHeight: 1, strideWidth: 1, dilationHeight: 1, dilationWidth: 1,
    });
  } finally {
    release(backend, rotated);
  }
  return dx;
}

/** filter [R, Co] → [Co, R]. */
function transposedFilter(backend: WasmBackend, filter: TensorInfo, rows: number, co: number): TensorInfo {
  const out = allocF32(backend, [co, rows]);
  const heap = backend.wasm.HEAPF32;
  const src = f32Index(backend, filter);
  const dst = f32Index(backend, out);
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < co; o++) heap[dst + o * rows + r] = heap[src + r * co + o];
  }
  return out;
}

/** Adds cols [count·Ho·Wo, fH·fW·Ci] onto dx samples [b0, b0+count). */
function col2im(heap: Float32Array, cols: number, dx: number, g: ConvGeometry, b0: number, count: number): void {
  const C = g.inChannels;
  let src = cols;
  for (let b = b0; b < b0 + count; b++) {
    const plane = dx + b * g.inHeight * g.inWidth * C;
    for (let oh = 0; oh < g.outHeight; oh++) {
      for (let ow = 0; ow < g.outWidth; ow++) {
        for (let kh = 0; kh < g.filterHeight; kh++) {
          const ih = oh * g.strideHeight + kh - g.padTop;
          for (let kw = 0; kw < g.filterWidth; kw++, src += C) {
            const iw = ow * g.strideWidth + kw - g.padLeft;
            if (ih < 0 || ih >= g.inHeight || iw < 0 || iw >= g.inWidth) continue;
            const dst = plane + (ih * g.inWidth + iw) * C;
            for (let c = 0; c < C; c++) heap[dst + c] += heap[src + c];
          }
        }
      }
    }
  }
}

function viaGemm(backend: WasmBackend, dy: TensorInfo, filter: TensorInfo, g: ConvGeometry, budgetFloats: number): TensorInfo {
  const rows = g.filterHeight * g.filterWidth * g.inChannels;
  const positionsPerSample = g.outHeight * g.outWidth;
  const dx = allocF32(backend, [g.batch, g.inHeight, g.inWidth, g.inChannels]);
  backend.wasm.HEAPF32.fill(0, f32Index(backend, dx), f32Index(backend, dx) + g.batch * g.inHeight * g.inWidth * g.inChannels);
  const wT = transposedFilter(backend, filter, rows, g.outChannels);
  const chunk = samplesPerChunk(g.batch, rows * positionsPerSample, budgetFloats);
  const cols = allocF32(backend, [chunk * positionsPerSample, rows]);
  try {
    for (let b0 = 0; b0 < g.batch; b0 += chunk) {
      const count = Math.min(chunk, g.batch - b0);
      const n = count * positionsPerSample;
      const dyChunk = borrowView(backend, byteOffset(backend, dy) + b0 * positionsPerSample * g.outChannels * 4, [n, g.outChannels]);
      try {
        // wT is the packed operand: XNNPACK caches it under wT's id across chunks.
        matMulNative(backend, dyChunk, wT, cols, n, g.outChannels, rows);
      } finally {
        returnView(backend, dyChunk);
      }
      col2im(backend.wasm.HEAPF32, f32Index(backend, cols), f32Index(backend, dx), g, b0, count);
    }
  } finally {
    release(backend, wT);
    release(backend, cols);
  }
  return dx;
}

/**
 * dx for dy [B,Ho,Wo,Co] and filter [fH,fW,Ci,Co] (NHWC). `budgetFloats` caps the column matrix
 * of the strided path per pass (tests use a small one to exercise chunking).
 */
export function conv2dBackpropInput(backend: WasmBackend, dy: TensorInfo, filter: TensorInfo, g: ConvGeometry, budgetFloats = SCRATCH_BUDGET_FLOATS): TensorInfo {
  const forwardConvFits = g.strideHeight === 1 && g.strideWidth === 1
    && g.padTop <= g.filterHeight - 1 && g.padLeft <= g.filterWidth - 1
    && g.padBottom <= g.filterHeight - 1 && g.padRight <= g.filterWidth - 1;
  return forwardConvFits ? viaForwardConv(backend, dy, filter, g) : viaGemm(backend, dy, filter, g, budgetFloats);
}

const kernelFunc: KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = asWasmBackend(backend);
  const dy = inputs.dy as TensorInfo;
  const filter = inputs.filter as TensorInfo;
  const inputShape = (attrs?.inputShape ?? []) as number[];
  const g = convGeometry(inputShape, filter.shape, attrs ?? {});
  return conv2dBackpropInput(wasm, dy, filter, g);
};

export const conv2dBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc,
};
