/**
 * The spectral kernel (spectral.c): power and mel spectrograms of a centered, windowed STFT computed in
 * WebAssembly SIMD, four frames per pass, in single precision as librosa computes the STFT of
 * float32 audio. `powerSpectrogram` and `melSpectrogram` call these when the kernel loads and
 * fall back to their float64 JavaScript implementation otherwise.
 */

import type { ResolvedPowerToDbOptions } from '../db.js';
import type { MelFilterbank } from '../mel.js';
import { loadKernel, type WasmKernel } from './instance.js';
import { WASM_BASE64 } from './spectral.wasm.js';

/** Geometry of one STFT call, librosa vocabulary, defaults already applied. */
export interface StftGeometry {
  readonly nFft: number;
  readonly hopLength: number;
  /** Zeros before the signal (floor(nFft/2) when centered, else 0). */
  readonly pad: number;
  readonly nFrames: number;
  /** The analysis window, nFft values (zero-padded Hann). */
  readonly window: Float64Array;
}

/** The leading arguments of stft_power and stft_mel: signal, geometry and tables. */
type FrameArgs = [y: number, len: number, nFft: number, hop: number, pad: number, nFrames: number, window: number, twiddle: number, split: number];
type StftPowerFn = (...args: [...FrameArgs, scratch: number, out: number]) => void;
type StftMelFn = (...args: [...FrameArgs, nMels: number, start: number, end: number, offset: number, weights: number, scratch: number, out: number]) => void;

interface Tables {
  readonly twiddle: Float32Array;
  readonly split: Float32Array;
}

const tables = new Map<number, Tables>();
const windows = new WeakMap<Float64Array, Float32Array>();
const filterWeights = new WeakMap<MelFilterbank, Float32Array>();

/** Twiddles of the N = nFft/2 point complex FFT and of the real-FFT split step, in float32. */
function tablesFor(nFft: number): Tables {
  let t = tables.get(nFft);
  if (t === undefined) {
    const half = nFft / 2;
    const twiddle = new Float32Array(2 * half);
    for (let k = 0; k < half; k++) {
      const angle = (2 * Math.PI * k) / half;
      twiddle[2 * k] = Math.cos(angle);
      twiddle[2 * k + 1] = -Math.sin(angle);
    }
    const split = new Float32Array(2 * (half + 1));
    for (let k = 0; k <= half; k++) {
      const angle = (2 * Math.PI * k) / nFft;
      split[2 * k] = Math.cos(angle);
      split[2 * k + 1] = -Math.sin(angle);
    }
    t = { twiddle, split };
    tables.set(nFft, t);
  }
  return t;
}

function float32Window(window: Float64Array): Float32Array {
  let w = windows.get(window);
  if (w === undefined) {
    w = Float32Array.from(window);
    windows.set(window, w);
  }
  return w;
}

function float32Weights(fb: MelFilterbank): Float32Array {
  let w = filterWeights.get(fb);
  if (w === undefined) {
    w = Float32Array.from(fb.weights);
    filterWeights.set(fb, w);
  }
  return w;
}

/** The kernel, when it loads; null when the JavaScript implementation should run. */
export function spectralKernel(): WasmKernel | null {
  return loadKernel('spectral', WASM_BASE64);
}

/** The kernel, when it loads and the transform is one it computes (nFft a power of two >= 8). */
export function stftKernelFor(nFft: number): WasmKernel | null {
  if (nFft < 8 || (nFft & (nFft - 1)) !== 0) return null;
  return spectralKernel();
}

const F32 = 4;

function scratchBytes(kernel: WasmKernel, nFft: number): number {
  return F32 * kernel.fn<(nFft: number) => number>('stft_scratch_floats')(nFft);
}

/**
 * Lays out and fills what every STFT call reads (the signal, the window and twiddle tables,
 * scratch), followed by `extraBytes` buffers; returns the call's leading arguments, the scratch
 * offset and the offsets of the extra buffers.
 */
function prepareFrames(kernel: WasmKernel, y: ArrayLike<number>, g: StftGeometry, ...extraBytes: number[]): { args: FrameArgs; scratch: number; extra: number[] } {
  const { twiddle, split } = tablesFor(g.nFft);
  const window = float32Window(g.window);
  const [pY, pWindow, pTwiddle, pSplit, pScratch, ...extra] = kernel.layout(
    F32 * y.length, F32 * g.nFft, F32 * twiddle.length, F32 * split.length, scratchBytes(kernel, g.nFft), ...extraBytes,
  );
  kernel.f32(pY, y.length).set(y);
  kernel.f32(pWindow, g.nFft).set(window);
  kernel.f32(pTwiddle, twiddle.length).set(twiddle);
  kernel.f32(pSplit, split.length).set(split);
  return { args: [pY, y.length, g.nFft, g.hopLength, g.pad, g.nFrames, pWindow, pTwiddle, pSplit], scratch: pScratch, extra };
}

/**
 * Power spectrogram |X|^2, layout `[nFft/2 + 1][nFrames]`, computed by the kernel.
 * @param y mono signal (copied into the kernel's memory as float32)
 */
export function wasmPowerSpectrogram(kernel: WasmKernel, y: ArrayLike<number>, g: StftGeometry): Float64Array {
  const nFreq = g.nFft / 2 + 1;
  const { args, scratch, extra: [pOut] } = prepareFrames(kernel, y, g, F32 * nFreq * g.nFrames);
  kernel.fn<StftPowerFn>('stft_power')(...args, scratch, pOut);
  return Float64Array.from(kernel.f32(pOut, nFreq * g.nFrames));
}

/**
 * Lays out and fills what `stft_mel` reads (`prepareFrames` and the filterbank), followed by
 * `extraBytes` buffers, and returns a call of `stft_mel` into a buffer of the caller's and the
 * offsets of the extra buffers.
 */
function prepareMel(
  kernel: WasmKernel, y: ArrayLike<number>, g: StftGeometry, fb: MelFilterbank, ...extraBytes: number[]
): { melInto(out: number): void; extra: number[] } {
  const weights = float32Weights(fb);
  const { args, scratch, extra: [pStart, pEnd, pOffset, pWeights, ...extra] } = prepareFrames(
    kernel, y, g, 4 * fb.nMels, 4 * fb.nMels, 4 * fb.nMels, F32 * Math.max(1, weights.length), ...extraBytes,
  );
  kernel.i32(pStart, fb.nMels).set(fb.start);
  kernel.i32(pEnd, fb.nMels).set(fb.end);
  kernel.i32(pOffset, fb.nMels).set(fb.offset);
  kernel.f32(pWeights, weights.length).set(weights);
  const stftMel = kernel.fn<StftMelFn>('stft_mel');
  return { melInto: (out) => stftMel(...args, fb.nMels, pStart, pEnd, pOffset, pWeights, scratch, out), extra };
}

/**
 * Mel power spectrogram, layout `[nMels][nFrames]`, computed by the kernel.
 * @param fb a filterbank for this nFft (fb.nFreq = nFft/2 + 1)
 */
export function wasmMelSpectrogram(kernel: WasmKernel, y: ArrayLike<number>, g: StftGeometry, fb: MelFilterbank): Float64Array {
  const { melInto, extra: [pOut] } = prepareMel(kernel, y, g, fb, F32 * fb.nMels * g.nFrames);
  melInto(pOut);
  return Float64Array.from(kernel.f32(pOut, fb.nMels * g.nFrames));
}

type MelToMfccFn = (
  mel: number, nMels: number, nFrames: number, amin: number, refIsMax: number, refDb: number, topDb: number,
  dct: number, nMfcc: number, db: number, out: number,
) => void;

/**
 * MFCCs (librosa.feature.mfcc): the mel spectrogram, power_to_db and the orthonormal DCT-II in
 * the kernel. The mel power is float32 as librosa's; dB and the DCT run in float64.
 * @param dct the DCT matrix `[nMfcc][nMels]`
 * @returns `[nMfcc][nFrames]`
 */
export function wasmMfcc(
  kernel: WasmKernel, y: ArrayLike<number>, g: StftGeometry, fb: MelFilterbank, db: ResolvedPowerToDbOptions, dct: Float64Array, nMfcc: number,
): Float64Array {
  const stride = g.nFrames + (g.nFrames % 2);
  const { melInto, extra: [pMel, pDct, pDb, pOut] } = prepareMel(
    kernel, y, g, fb, F32 * fb.nMels * g.nFrames, 8 * dct.length, 8 * fb.nMels * stride, 8 * nMfcc * stride,
  );
  kernel.f64(pDct, dct.length).set(dct);
  melInto(pMel);
  const refDb = db.ref === 'max' ? 0 : 10 * Math.log10(Math.max(db.amin, Math.abs(db.ref)));
  kernel.fn<MelToMfccFn>('mel_to_mfcc')(
    pMel, fb.nMels, g.nFrames, db.amin, db.ref === 'max' ? 1 : 0, refDb, db.topDb ?? -1, pDct, nMfcc, pDb, pOut,
  );
  const strided = kernel.f64(pOut, nMfcc * stride);
  const out = new Float64Array(nMfcc * g.nFrames);
  for (let k = 0; k < nMfcc; k++) out.set(strided.subarray(k * stride, k * stride + g.nFrames), k * g.nFrames);
  return out;
}

/** Framing of the time-domain features: frame t covers samples t * hop - pad .. + frameLength - 1. */
export interface FrameGeometry {
  readonly frameLength: number;
  readonly hopLength: number;
  readonly pad: number;
  readonly nFrames: number;
}

type ZcrFn = (y: number, n: number, frame: number, hop: number, pad: number, nFrames: number, threshold: number, prefix: number, out: number) => void;
type RmsFn = (y: number, n: number, frame: number, hop: number, pad: number, nFrames: number, blockSums: number, out: number) => void;

/**
 * Zero-crossing rate per frame of a float32 signal (edge padding), as `zeroCrossingRate`.
 * @param threshold compared in float32, as numpy compares a float32 array
 */
export function wasmZeroCrossingRate(kernel: WasmKernel, y: Float32Array, g: FrameGeometry, threshold: number): Float64Array {
  const [pY, pPrefix, pOut] = kernel.layout(F32 * y.length, 4 * y.length, 8 * g.nFrames);
  kernel.f32(pY, y.length).set(y);
  kernel.fn<ZcrFn>('zero_crossing_rate')(pY, y.length, g.frameLength, g.hopLength, g.pad, g.nFrames, threshold, pPrefix, pOut);
  return kernel.f64(pOut, g.nFrames).slice();
}

/** RMS per frame of a float32 signal (zero padding), as `rms`: the same sums in the same order. */
export function wasmRms(kernel: WasmKernel, y: Float32Array, g: FrameGeometry, nBlocks: number): Float64Array {
  const [pY, pBlocks, pOut] = kernel.layout(F32 * y.length, 8 * nBlocks, 8 * g.nFrames);
  kernel.f32(pY, y.length).set(y);
  kernel.fn<RmsFn>('rms_frames')(pY, y.length, g.frameLength, g.hopLength, g.pad, g.nFrames, pBlocks, pOut);
  return kernel.f64(pOut, g.nFrames).slice();
}
