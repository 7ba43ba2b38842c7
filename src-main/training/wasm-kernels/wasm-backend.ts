/**
 * Typed access to the parts of tfjs-backend-wasm 4.22 that our kernels use: the tensor
 * registry (`dataIdMap`), the Emscripten heap and the C exports (XNNPACK convolution and
 * fully-connected, the native transpose).
 *
 * The package's own types describe `BackendWasm` through `@types/emscripten`; a small
 * structural interface keeps our kernels independent of those and of `any`.
 */
import type { DataType, TensorInfo } from '@tensorflow/tfjs-core';

/** One entry of the backend's registry: where a tensor's bytes live on the wasm heap. */
export interface WasmTensorData {
  id: number;
  memoryOffset: number;
  shape: number[];
  dtype: DataType;
  refCount: number;
}

/** The Emscripten module of tfjs-backend-wasm, reduced to what we call. */
export interface WasmModule {
  /**
   * Views of the heap. Read them again after any allocation: heap growth replaces the buffer
   * (and detaches the old one, unless the heap is shared).
   */
  HEAPU8: Uint8Array;
  HEAP32: Int32Array;
  HEAPF32: Float32Array;
  _malloc(bytes: number): number;
  _free(pointer: number): void;
  /** (xId, batch, inH, inW, filterId, fH, fW, padT, padR, padB, padL, isSamePad, dilH, dilW, strideH, strideW, inC, outC, outId) */
  _Conv2D(...args: number[]): void;
  /** (xId, xShapePtr, rank, cppDType, outId, permPtr, rank) */
  _Transpose(...args: number[]): void;
  /** (aId, aShapePtr, 3, bId, bShapePtr, 3, transposeA, transposeB, outId) */
  _BatchMatMul(...args: number[]): void;
  tfjs: {
    registerTensor(id: number, size: number, memoryOffset: number): void;
    disposeData(id: number): void;
    getThreadsCount(): number;
  };
}

export interface WasmRegistry {
  get(dataId: object): WasmTensorData | undefined;
  has(dataId: object): boolean;
  delete(dataId: object): boolean;
}

/** The `BackendWasm` instance a kernel receives as `backend`. */
export interface WasmBackend {
  wasm: WasmModule;
  dataIdMap: WasmRegistry;
  makeOutput(shape: number[], dtype: DataType, memoryOffset?: number): TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
  incRef(dataId: object): void;
}

/** Narrows the `backend: {}` a kernel function receives; throws if it is not the wasm backend. */
export function asWasmBackend(backend: object): WasmBackend {
  const candidate = backend as Partial<WasmBackend>;
  if (candidate.wasm === undefined || candidate.dataIdMap === undefined || typeof candidate.makeOutput !== 'function') {
    throw new Error('wasm-kernels: kernel called with a backend that is not tfjs-backend-wasm');
  }
  return candidate as WasmBackend;
}

/** Must match the enum in tfjs-backend-wasm's cc/backend.h. */
export const CPP_DTYPE: Readonly<Record<string, number>> = { float32: 0, int32: 1, bool: 2 };

function entry(backend: WasmBackend, info: TensorInfo): WasmTensorData {
  const data = backend.dataIdMap.get(info.dataId);
  if (data === undefined) throw new Error('wasm-kernels: tensor is not registered with the wasm backend');
  return data;
}

export function tensorId(backend: WasmBackend, info: TensorInfo): number {
  return entry(backend, info).id;
}

/** Byte offset of a tensor's data on the wasm heap. */
export function byteOffset(backend: WasmBackend, info: TensorInfo): number {
  return entry(backend, info).memoryOffset;
}

/** Float index (into HEAPF32) of a float32 tensor's first element. */
export function f32Index(backend: WasmBackend, info: TensorInfo): number {
  return entry(backend, info).memoryOffset >>> 2;
}

/** A new float32 tensor on the wasm heap, contents undefined (malloc, not calloc). */
export function allocF32(backend: WasmBackend, shape: number[]): TensorInfo {
  return backend.makeOutput(shape, 'float32');
}

export function release(backend: WasmBackend, info: TensorInfo): void {
  backend.disposeData(info.dataId);
}

/**
 * Registers `shape` as a tensor over existing heap bytes (a sub-range of another tensor) so
 * that the C kernels can read or write it without a copy. Must be given back with
 * {@link returnView}, never `disposeData`: the bytes belong to the parent's allocation.
 */
export function borrowView(backend: WasmBackend, byteOffsetOfView: number, shape: number[]): TensorInfo {
  return backend.makeOutput(shape, 'float32', byteOffsetOfView);
}

export function returnView(backend: WasmBackend, view: TensorInfo): void {
  const data = backend.dataIdMap.get(view.dataId);
  if (data === undefined) return;
  // Unregisters the id on the C side (which also drops XNNPACK operators cached for it)
  // without freeing, then forgets it on the JS side.
  backend.wasm.tfjs.disposeData(data.id);
  backend.dataIdMap.delete(view.dataId);
}

const scratchByModule = new WeakMap<WasmModule, number>();
const SCRATCH_INTS = 32;

/** Int32 slots on the heap for passing shapes and permutations to the C exports. */
function scratch(module: WasmModule): number {
  let pointer = scratchByModule.get(module);
  if (pointer === undefined) {
    pointer = module._malloc(SCRATCH_INTS * 4);
    scratchByModule.set(module, pointer);
  }
  return pointer;
}

function writeInts(module: WasmModule, at: number, values: readonly number[]): void {
  module.HEAP32.set(values, at >>> 2);
}

/**
 * Native N-d transpose of a float32 tensor into a new tensor. Size-one dimensions are dropped
 * first, as the backend's own Transpose does: the C loop is much faster at lower rank.
 */
export function transposeNative(backend: WasmBackend, x: TensorInfo, perm: readonly number[]): TensorInfo {
  const outShape = perm.map((p) => x.shape[p]);
  const out = allocF32(backend, outShape);
  const kept = x.shape.map((d, i) => (d === 1 ? -1 : i)).filter((i) => i >= 0);
  const shape = kept.map((i) => x.shape[i]);
  const order = perm.filter((p) => x.shape[p] !== 1);
  const rank = shape.length;
  if (rank <= 1 || order.every((p, i) => i === 0 || p > order[i - 1])) {
    // The permutation only moves size-one dimensions: the bytes are already in order.
    backend.wasm.HEAPF32.copyWithin(f32Index(backend, out), f32Index(backend, x), f32Index(backend, x) + shape.reduce((a, b) => a * b, 1));
    return out;
  }
  const compactPerm = order.map((p) => kept.indexOf(p));
  const base = scratch(backend.wasm);
  writeInts(backend.wasm, base, shape);
  writeInts(backend.wasm, base + 16 * 4, compactPerm);
  backend.wasm._Transpose(tensorId(backend, x), base, rank, CPP_DTYPE.float32, tensorId(backend, out), base + 16 * 4, rank);
  return out;
}

/**
 * out[M,N] = a[M,K] · b[K,N] through XNNPACK's fully-connected operator, which the wasm
 * backend uses only for batch 1 without transpose flags (every other case runs a naive
 * triple loop). `b` is packed as the operator's weights and the packed copy is cached
 * under b's tensor id until that id is disposed.
 */
export function matMulNative(backend: WasmBackend, a: TensorInfo, b: TensorInfo, out: TensorInfo, m: number, k: number, n: number): void {
  const base = scratch(backend.wasm);
  writeInts(backend.wasm, base, [1, m, k]);
  writeInts(backend.wasm, base + 4 * 4, [1, k, n]);
  backend.wasm._BatchMatMul(tensorId(backend, a), base, 3, tensorId(backend, b), base + 4 * 4, 3, 0, 0, tensorId(backend, out));
}

export interface NativeConv2DParams {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  filterHeight: number;
  filterWidth: number;
  outChannels: number;
  padTop: number;
  padRight: number;
  padBottom: number;
  padLeft: number;
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
}

/**
 * XNNPACK NHWC convolution with explicit padding: x [batch, inH, inW, inC], filter
 * [fH, fW, inC, outC] into `out`, whose shape the caller computed. The operator is cached
 * under the filter's id, so pass a filter that is disposed (or a weight that changes) soon.
 */
export function conv2dNative(backend: WasmBackend, x: TensorInfo, filter: TensorInfo, out: TensorInfo, p: NativeConv2DParams): void {
  backend.wasm._Conv2D(
    tensorId(backend, x), p.batch, p.inHeight, p.inWidth,
    tensorId(backend, filter), p.filterHeight, p.filterWidth,
    p.padTop, p.padRight, p.padBottom, p.padLeft, 0,
    p.dilationHeight, p.dilationWidth, p.strideHeight, p.strideWidth,
    p.inChannels, p.outChannels, tensorId(backend, out),
  );
}
