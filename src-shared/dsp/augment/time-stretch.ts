/**
 * Time stretching by phase vocoder, librosa.effects.time_stretch and
 * librosa.phase_vocoder (librosa 0.11): the tempo changes, the pitch does not.
 */

import { stftComplex, istft, type ComplexFrameMatrix } from './stft-complex.js';
import { vocoderKernel, wasmPhaseVocoder } from '../wasm/vocoder-kernel.js';

/** Options of `phaseVocoder`. */
export interface PhaseVocoderOptions {
  /** Speed-up factor: > 1 is faster (fewer frames), < 1 slower. */
  rate: number;
  /** Hop of the STFT the matrix came from. Default floor(nFft / 4). */
  hopLength?: number;
  /** FFT length of that STFT. Default 2 * (nRows - 1). */
  nFft?: number;
  /**
   * Arithmetic of the phases. 'float32' (default) reproduces librosa on
   * float32 audio, whose STFT is complex64 and whose phase accumulator is a
   * float32 array: after tens of frames the accumulated phase of high bins
   * reaches 1e4-1e5 rad, where float32 steps are ~0.01 rad, so a float64
   * accumulator audibly agrees but numerically differs from librosa by ~1%.
   * 'float64' keeps full precision.
   */
  phasePrecision?: 'float32' | 'float64';
}

/** numpy.round: half to even. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Phase vocoder, librosa.phase_vocoder(D, rate, hop_length, n_fft).
 *
 * Output frame t reads the input at fractional frame step = t * rate
 * (t < ceil(nFrames / rate)): its magnitude is the linear interpolation of
 * |D| between frames floor(step) and floor(step) + 1 (two zero frames
 * extend the input), its phase is accumulated from the first input frame by
 * adding, per bin, the expected advance hop * 2 pi k / nFft plus the
 * measured deviation of the phase difference between the two frames,
 * wrapped to [-pi, pi].
 *
 * @param spec complex STFT `[nFft/2 + 1][nFrames]`
 * @returns complex STFT `[nFft/2 + 1][ceil(nFrames / rate)]`
 */
export function phaseVocoder(spec: ComplexFrameMatrix, options: PhaseVocoderOptions): ComplexFrameMatrix {
  const { rate } = options;
  if (!(rate > 0) || !Number.isFinite(rate)) throw new RangeError(`rate must be a positive number, got ${rate}`);
  const nFreq = spec.nRows;
  const nFft = options.nFft ?? 2 * (nFreq - 1);
  const hopLength = options.hopLength ?? Math.floor(nFft / 4);
  const single = (options.phasePrecision ?? 'float32') === 'float32';
  // Math.fround called directly (not through a variable) so V8 inlines it.
  const f32 = (x: number): number => (single ? Math.fround(x) : x);
  const nIn = spec.nFrames;
  const nOut = Math.ceil(nIn / rate);
  // np.fft.rfftfreq(n_fft, d=1/(2 pi)) * hop, in numpy's operation order.
  const binSpacing = 1 / (nFft * (1 / (2 * Math.PI)));
  const kernel = vocoderKernel();
  if (kernel !== null) {
    const out = wasmPhaseVocoder(kernel, spec, { nOut, rate, hopLength, binSpacing, single });
    if (out !== null) return { nRows: nFreq, nFrames: nOut, re: out.re, im: out.im };
  }
  const outRe = new Float64Array(nFreq * nOut);
  const outIm = new Float64Array(nFreq * nOut);
  const twoPi = 2 * Math.PI;
  const angle = new Float64Array(nIn + 2);
  const magnitude = new Float64Array(nIn + 2);
  for (let k = 0; k < nFreq; k++) {
    const row = k * nIn;
    for (let t = 0; t < nIn; t++) {
      const re = f32(spec.re[row + t]);
      const im = f32(spec.im[row + t]);
      angle[t] = f32(Math.atan2(im, re));
      magnitude[t] = f32(Math.sqrt(re * re + im * im));
    }
    // The two padding frames are zero: angle 0, magnitude 0.
    angle[nIn] = angle[nIn + 1] = 0;
    magnitude[nIn] = magnitude[nIn + 1] = 0;
    const phiAdvance = hopLength * (k * binSpacing);
    let phase = angle[0];
    const outRow = k * nOut;
    for (let t = 0; t < nOut; t++) {
      const step = t * rate;
      const i0 = Math.floor(step);
      const alpha = step - i0;
      const mag = (1 - alpha) * magnitude[i0] + alpha * magnitude[i0 + 1];
      outRe[outRow + t] = mag * Math.cos(phase);
      outIm[outRow + t] = mag * Math.sin(phase);
      let dphase = f32(angle[i0 + 1] - angle[i0]) - phiAdvance;
      dphase -= twoPi * roundHalfEven(dphase / twoPi);
      phase = f32(phase + (phiAdvance + dphase));
    }
  }
  return { nRows: nFreq, nFrames: nOut, re: outRe, im: outIm };
}

/** Options of `timeStretch`. */
export interface TimeStretchOptions {
  /** FFT length. Default 2048 (92.9 ms at 22050 Hz). */
  nFft?: number;
  /** STFT hop. Default nFft / 4 = 512. */
  hopLength?: number;
  /** See `PhaseVocoderOptions.phasePrecision`. Default 'float32' (librosa on float32 audio). */
  phasePrecision?: 'float32' | 'float64';
}

/**
 * librosa.effects.time_stretch(y, rate): centered STFT (periodic Hann,
 * zero padding), phase vocoder, inverse STFT cut to round(len / rate).
 *
 * @param y mono signal
 * @param rate > 1 speeds up (shorter output), < 1 slows down; the seed
 *   notebook uses 0.8
 * @returns Float32Array of round(y.length / rate) samples
 */
export function timeStretch(y: ArrayLike<number>, rate: number, options: TimeStretchOptions = {}): Float32Array {
  if (!(rate > 0) || !Number.isFinite(rate)) throw new RangeError(`rate must be a positive number, got ${rate}`);
  const nFft = options.nFft ?? 2048;
  const hopLength = options.hopLength ?? Math.floor(nFft / 4);
  const spec = stftComplex(y, { nFft, hopLength });
  const stretched = phaseVocoder(spec, { rate, hopLength, nFft, phasePrecision: options.phasePrecision });
  // Python's round() is half-to-even too.
  const length = roundHalfEven(y.length / rate);
  return Float32Array.from(istft(stretched, { nFft, hopLength, length }));
}

