/**
 * The phase vocoder (vocoder.c) in WebAssembly: the same arithmetic and float32 roundings as
 * `phaseVocoder`, with atan2, sin and cos of its own. `phaseVocoder` calls it when it loads and
 * the phases stay within the range its argument reduction handles exactly.
 */

import type { ComplexFrameMatrix } from '../augment/stft-complex.js';
import { loadKernel, type WasmKernel } from './instance.js';
import { WASM_BASE64 } from './vocoder.wasm.js';

/** The kernel, when it loads; null when the JavaScript implementation should run. */
export function vocoderKernel(): WasmKernel | null {
  return loadKernel('vocoder', WASM_BASE64);
}

type VocoderFn = (
  re: number, im: number, nFreq: number, nIn: number, nOut: number, rate: number, hop: number, binSpacing: number,
  single: number, angle: number, magnitude: number, outRe: number, outIm: number,
) => number;

/** What the vocoder needs beside the spectrogram. */
export interface VocoderJob {
  readonly nOut: number;
  readonly rate: number;
  readonly hopLength: number;
  readonly binSpacing: number;
  /** float32 roundings as librosa on float32 audio */
  readonly single: boolean;
}

/**
 * The stretched spectrogram, or null when the kernel cannot take this input: phases that may
 * outgrow its exact argument reduction (long signals: a bin advances up to hop * pi + pi per
 * frame), or a non-finite value in the input.
 */
export function wasmPhaseVocoder(kernel: WasmKernel, spec: ComplexFrameMatrix, job: VocoderJob): { re: Float64Array; im: Float64Array } | null {
  const nFreq = spec.nRows;
  const nIn = spec.nFrames;
  const perFrame = job.hopLength * ((nFreq - 1) * job.binSpacing) + Math.PI;
  const phaseBound = (Math.PI + job.nOut * perFrame) * (1 + 1e-6);
  if (!(phaseBound < kernel.fn<() => number>('vocoder_phase_limit')())) return null;
  const cells = nFreq * nIn;
  const outCells = nFreq * job.nOut;
  const [pRe, pIm, pAngle, pMagnitude, pOutRe, pOutIm] = kernel.layout(8 * cells, 8 * cells, 8 * (nIn + 2), 8 * (nIn + 2), 8 * outCells, 8 * outCells);
  kernel.f64(pRe, cells).set(spec.re.subarray(0, cells));
  kernel.f64(pIm, cells).set(spec.im.subarray(0, cells));
  const failed = kernel.fn<VocoderFn>('phase_vocoder')(
    pRe, pIm, nFreq, nIn, job.nOut, job.rate, job.hopLength, job.binSpacing, job.single ? 1 : 0, pAngle, pMagnitude, pOutRe, pOutIm,
  );
  if (failed !== 0) return null;
  return { re: kernel.f64(pOutRe, outCells).slice(), im: kernel.f64(pOutIm, outCells).slice() };
}
