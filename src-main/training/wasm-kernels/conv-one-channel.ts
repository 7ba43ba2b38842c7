/**
 * Conv2D and FusedConv2D for the wasm backend when the input has one channel (the first layer
 * of every preset: a waveform feature row or a spectrogram). XNNPACK turns that into a GEMM
 * whose reduction is only fH·fW long and runs at ≈2 GFLOP/s; the SIMD loop conv_cin1 keeps 16
 * output channels in registers per pixel. Everything else goes to the backend's own kernels.
 */
import { backend_util, Conv2D, FusedConv2D } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { runOriginal } from './originals.js';
import { simdKernels } from './simd-kernels.js';
import { allocF32, asWasmBackend, byteOffset, release } from './wasm-backend.js';

type Pad = 'valid' | 'same' | number | backend_util.ExplicitPadding;

function oneChannel(kernelName: string): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const a: NamedAttrMap = attrs ?? {};
    const x = inputs.x as TensorInfo;
    const filter = inputs.filter as TensorInfo;
    const bias = inputs.bias;
    const outChannels = filter.shape[3];
    const dilations = (a.dilations ?? 1) as number | [number, number];
    const plain = x.shape.length === 4 && x.shape[3] === 1 && x.dtype === 'float32' && filter.dtype === 'float32'
      && (a.dataFormat ?? 'NHWC') === 'NHWC' && (dilations === 1 || (Array.isArray(dilations) && dilations[0] === 1 && dilations[1] === 1))
      && outChannels % 4 === 0
      && (a.activation === undefined || a.activation === 'linear') && inputs.preluActivationWeights === undefined
      && (bias === undefined || (bias.dtype === 'float32' && bias.shape.reduce((p, d) => p * d, 1) === outChannels));
    const be = asWasmBackend(backend);
    const kernels = plain ? simdKernels(be.wasm) : null;
    if (kernels === null) return runOriginal(kernelName, inputs, backend, a);
    const info = backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number], filter.shape as [number, number, number, number],
      a.strides as number | [number, number], 1, a.pad as Pad, a.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined, false, 'channelsLast',
    );
    const out = allocF32(be, info.outShape);
    const zeros = bias === undefined ? allocF32(be, [outChannels]) : null;
    if (zeros !== null) be.wasm.HEAPF32.fill(0, byteOffset(be, zeros) >>> 2, (byteOffset(be, zeros) >>> 2) + outChannels);
    kernels.conv_cin1(
      byteOffset(be, x), byteOffset(be, filter), byteOffset(be, bias ?? (zeros as TensorInfo)), byteOffset(be, out),
      info.batchSize, info.inHeight, info.inWidth, info.outHeight, info.outWidth, info.filterHeight, info.filterWidth,
      info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left, outChannels,
    );
    if (zeros !== null) release(be, zeros);
    return out;
  };
}

export const conv2dConfig: KernelConfig = { kernelName: Conv2D, backendName: 'wasm', kernelFunc: oneChannel(Conv2D) };
export const fusedConv2dConfig: KernelConfig = { kernelName: FusedConv2D, backendName: 'wasm', kernelFunc: oneChannel(FusedConv2D) };
