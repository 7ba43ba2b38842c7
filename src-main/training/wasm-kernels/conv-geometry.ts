/**
 * Convolution geometry shared by the two backprop kernels, computed the way tfjs-core
 * computes it for the forward pass, so that padding and output sizes agree exactly.
 */
import { backend_util } from '@tensorflow/tfjs-core';
import type { NamedAttrMap } from '@tensorflow/tfjs-core';

export interface ConvGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  padTop: number;
  padLeft: number;
  padBottom: number;
  padRight: number;
}

type Pad = 'valid' | 'same' | number | backend_util.ExplicitPadding;

/**
 * Geometry of a 2-D NHWC convolution with dilation 1 (tfjs refuses gradients of dilated
 * convolutions). `xShape` is [batch, inH, inW, inC], `filterShape` [fH, fW, inC, outC].
 */
export function convGeometry(xShape: readonly number[], filterShape: readonly number[], attrs: NamedAttrMap): ConvGeometry {
  const dataFormat = (attrs.dataFormat ?? 'NHWC') as 'NHWC' | 'NCHW';
  if (dataFormat !== 'NHWC') {
    throw new Error(`wasm-kernels: convolution gradients support dataFormat NHWC only, got ${dataFormat}`);
  }
  const strides = attrs.strides as number | [number, number];
  const pad = attrs.pad as Pad;
  const rounding = attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined;
  const info = backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides, 1, pad, rounding, false, 'channelsLast',
  );
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    outChannels: info.outChannels,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
    padBottom: info.padInfo.bottom,
    padRight: info.padInfo.right,
  };
}

/**
 * How many samples one pass may take so that a scratch matrix of `floatsPerSample` floats
 * per sample stays within `budgetFloats` (at least one sample).
 */
export function samplesPerChunk(batch: number, floatsPerSample: number, budgetFloats: number): number {
  return Math.max(1, Math.min(batch, Math.floor(budgetFloats / Math.max(1, floatsPerSample))));
}

/** 16 M floats (64 MB): big enough that XNNPACK's GEMM runs at full speed, small enough for a 4 GB heap. */
export const SCRATCH_BUDGET_FLOATS = 16 * 1024 * 1024;

/**
 * colsᵀ per GEMM call for the filter gradient: XNNPACK's fully-connected operator streams the
 * whole reduction length per output tile, so a shorter one keeps its packed panel in cache.
 */
export const GEMM_CHUNK_FLOATS = 4 * 1024 * 1024;
