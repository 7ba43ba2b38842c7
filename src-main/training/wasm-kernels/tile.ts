/**
 * Tile for the wasm backend, whose own computes a multi-index per element and takes seconds
 * per batch on the [B,H,W,C] tensors BatchNorm's gradient tiles.
 *
 * Works on bytes, so float32, int32 and bool share one path: each innermost row is copied
 * once, then every block is replicated by doubling `copyWithin` calls.
 */
import { Tile } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { asWasmBackend, byteOffset } from './wasm-backend.js';
import type { WasmBackend } from './wasm-backend.js';

/** Fills heap[start + block, start + block·times) with copies of heap[start, start + block). */
function replicate(heap: Uint8Array, start: number, block: number, times: number): void {
  const total = block * times;
  let filled = block;
  while (filled < total) {
    const n = Math.min(filled, total - filled);
    heap.copyWithin(start + filled, start, start + n);
    filled += n;
  }
}

export function tile(backend: WasmBackend, x: TensorInfo, reps: readonly number[]): TensorInfo {
  if (x.dtype === 'string' || x.dtype === 'complex64') {
    throw new Error(`wasm-kernels: Tile does not support dtype ${x.dtype}`);
  }
  const elementBytes = x.dtype === 'bool' ? 1 : 4;
  const outShape = x.shape.map((d, i) => d * reps[i]);
  const out = backend.makeOutput(outShape, x.dtype);
  if (outShape.some((d) => d === 0)) return out;
  // A trailing dimension that is not repeated is part of its parent's row: [a, b] tiled by
  // [r, 1] is [a·b] tiled by [r]. Merging keeps the copies long and few.
  const shape = [...x.shape];
  const times = [...reps];
  while (shape.length > 1 && times[times.length - 1] === 1) {
    const last = shape.pop() as number;
    times.pop();
    shape[shape.length - 1] *= last;
  }
  const rank = shape.length;
  const inStride = new Array<number>(rank);
  const outStride = new Array<number>(rank);
  let si = elementBytes;
  let so = elementBytes;
  for (let d = rank - 1; d >= 0; d--) {
    inStride[d] = si;
    outStride[d] = so;
    si *= shape[d];
    so *= shape[d] * times[d];
  }
  const heap = backend.wasm.HEAPU8;
  if (rank === 0) {
    heap.copyWithin(byteOffset(backend, out), byteOffset(backend, x), byteOffset(backend, x) + elementBytes);
    return out;
  }
  const place = (d: number, src: number, dst: number): void => {
    if (d === rank - 1) {
      const row = shape[d] * elementBytes;
      heap.copyWithin(dst, src, src + row);
      replicate(heap, dst, row, times[d]);
      return;
    }
    for (let i = 0; i < shape[d]; i++) place(d + 1, src + i * inStride[d], dst + i * outStride[d]);
    replicate(heap, dst, shape[d] * outStride[d], times[d]);
  };
  place(0, byteOffset(backend, x), byteOffset(backend, out));
  return out;
}

const kernelFunc: KernelFunc = ({ inputs, backend, attrs }) => {
  const x = inputs.x as TensorInfo;
  const reps = (attrs?.reps ?? []) as number[];
  return tile(asWasmBackend(backend), x, reps);
};

export const tileConfig: KernelConfig = {
  kernelName: Tile,
  backendName: 'wasm',
  kernelFunc,
};
