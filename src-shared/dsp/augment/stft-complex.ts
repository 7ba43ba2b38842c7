/**
 * Complex STFT and its inverse with librosa 0.11 conventions (librosa.stft,
 * librosa.istft): periodic Hann window, frames centered with zero padding,
 * inverse by windowed overlap-add normalised by the window sum-square.
 * The phase vocoder, pitch shift and spectral gating build on these.
 */

import { complexFftPlan, realFftPlan, type ComplexFft, isPowerOfTwo } from '../fft.js';
import { centerPadding, frameCount } from '../frames.js';
import { resolveStftOptions, type StftOptions } from '../stft.js';
import { hannWindow, padCenter } from '../window.js';

/**
 * A complex matrix with one column per frame, row-major `[nRows][nFrames]`
 * like `FrameMatrix`: element (bin k, frame t) is `re[k * nFrames + t] + i im[k * nFrames + t]`.
 */
export interface ComplexFrameMatrix {
  readonly nRows: number;
  readonly nFrames: number;
  readonly re: Float64Array;
  readonly im: Float64Array;
}

/** Options of `stftComplex`. */
export interface ComplexStftOptions extends StftOptions {
  /**
   * Factor applied to every coefficient. Default 1 (librosa). scipy.signal.stft
   * with scaling='spectrum' uses 1 / sum(window).
   */
  scale?: number;
}

/** Periodic Hann window of winLength samples centered in nFft samples. */
export function stftWindow(nFft: number, winLength: number): Float64Array {
  return padCenter(hannWindow(winLength, true), nFft);
}

/**
 * Complex STFT, librosa.stft(y, n_fft, hop_length, win_length,
 * window='hann', center, pad_mode='constant').
 *
 * @param y mono signal
 * @returns `[nFft/2 + 1][nFrames]` coefficients, bin k at k*sr/nFft Hz,
 *   frame t centered on sample t*hopLength when centered
 */
export function stftComplex(y: ArrayLike<number>, options: ComplexStftOptions = {}): ComplexFrameMatrix {
  const { nFft, hopLength, winLength, center } = resolveStftOptions(options);
  const scale = options.scale ?? 1;
  const plan = realFftPlan(nFft);
  const window = stftWindow(nFft, winLength);
  const nFrames = frameCount(y.length, nFft, hopLength, center);
  const pad = centerPadding(nFft, center);
  const nFreq = plan.nFreq;
  const re = new Float64Array(nFreq * nFrames);
  const im = new Float64Array(nFreq * nFrames);
  const frame = new Float64Array(nFft);
  const outRe = new Float64Array(nFreq);
  const outIm = new Float64Array(nFreq);
  const n = y.length;
  for (let t = 0; t < nFrames; t++) {
    const start = t * hopLength - pad;
    const lo = Math.max(0, -start);
    const hi = Math.min(nFft, n - start);
    frame.fill(0);
    let silent = true;
    for (let i = lo; i < hi; i++) {
      frame[i] = y[start + i] * window[i];
      if (frame[i] !== 0) silent = false;
    }
    // The transform of an all-zero frame is exactly zero (zero padding, digital silence).
    if (silent) continue;
    plan.forward(frame, outRe, outIm);
    for (let k = 0; k < nFreq; k++) {
      re[k * nFrames + t] = outRe[k] * scale;
      im[k * nFrames + t] = outIm[k] * scale;
    }
  }
  return { nRows: nFreq, nFrames, re, im };
}

/**
 * Inverse real FFT (numpy.fft.irfft with n = size): the imaginary parts of
 * the DC and Nyquist bins are ignored, output scaled by 1/size. Computed
 * through one complex FFT of half the size.
 */
export class InverseRealFft {
  readonly size: number;
  private readonly inner: ComplexFft;
  private readonly zRe: Float64Array;
  private readonly zIm: Float64Array;
  /** cos and sin of 2*pi*k/size, k <= size/2. */
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;

  constructor(size: number) {
    if (!isPowerOfTwo(size) || size < 4) throw new RangeError(`inverse FFT size must be a power of two >= 4, got ${size}`);
    this.size = size;
    const half = size >>> 1;
    this.inner = complexFftPlan(half);
    this.zRe = new Float64Array(half);
    this.zIm = new Float64Array(half);
    this.cos = new Float64Array(half + 1);
    this.sin = new Float64Array(half + 1);
    for (let k = 0; k <= half; k++) {
      this.cos[k] = Math.cos((2 * Math.PI * k) / size);
      this.sin[k] = Math.sin((2 * Math.PI * k) / size);
    }
  }

  /**
   * @param re real parts of bins 0..size/2, read at `re[offset + k * stride]`
   * @param im imaginary parts, same indexing
   * @param out `size` real samples
   */
  inverse(re: Float64Array, im: Float64Array, offset: number, stride: number, out: Float64Array): void {
    const n = this.size;
    const half = n >>> 1;
    const zr = this.zRe;
    const zi = this.zIm;
    // With X[k] the spectrum, E[k] = (X[k] + conj X[h-k]) / 2 is the DFT of the even samples and
    // O[k] = (X[k] - conj X[h-k]) e^{+2 pi i k/n} / 2 that of the odd samples; z = even + i odd
    // has DFT E + iO. The inverse is conj(FFT(conj(.)))/h, so conjugated values go in.
    for (let k = 0; k < half; k++) {
      const j = half - k;
      const ar = re[offset + k * stride];
      const ai = k === 0 ? 0 : im[offset + k * stride];
      const br = re[offset + j * stride];
      const bi = j === half ? 0 : -im[offset + j * stride];
      const er = 0.5 * (ar + br);
      const ei = 0.5 * (ai + bi);
      const dr = 0.5 * (ar - br);
      const di = 0.5 * (ai - bi);
      const c = this.cos[k];
      const s = this.sin[k];
      const or = dr * c - di * s;
      const oi = dr * s + di * c;
      // Z = E + iO, stored conjugated.
      zr[k] = er - oi;
      zi[k] = -(ei + or);
    }
    this.inner.transform(zr, zi);
    const scale = 1 / half;
    for (let m = 0; m < half; m++) {
      out[2 * m] = zr[m] * scale;
      out[2 * m + 1] = -zi[m] * scale;
    }
  }
}

const inversePlans = new Map<number, InverseRealFft>();

/** Cached inverse real FFT plan for `size`. */
export function inverseRealFftPlan(size: number): InverseRealFft {
  let plan = inversePlans.get(size);
  if (plan === undefined) {
    plan = new InverseRealFft(size);
    inversePlans.set(size, plan);
  }
  return plan;
}

/** Options of `istft`. */
export interface IstftOptions {
  /** FFT length; default 2 * (nRows - 1). */
  nFft?: number;
  /** Hop in samples; default floor(winLength / 4). */
  hopLength?: number;
  /** Hann window length, <= nFft; default nFft. */
  winLength?: number;
  /** The frames were centered (the first nFft/2 output samples are padding). Default true. */
  center?: boolean;
  /**
   * Output length in samples. Default (undefined): nFft + hop*(nFrames-1),
   * minus nFft (both paddings) when centered. When given, frames that cannot
   * reach the output are skipped and the output is zero-padded or cut, as librosa does.
   */
  length?: number;
  /** Factor applied to the coefficients before inversion. Default 1 (librosa). */
  scale?: number;
}

/**
 * Inverse STFT, librosa.istft: overlap-add of the windowed inverse FFT of
 * each frame, divided by the sum of squared windows wherever that sum exceeds
 * the float32 `tiny` (1.1755e-38).
 *
 * @param spec `[nFft/2 + 1][nFrames]`
 * @returns Float64Array signal
 */
export function istft(spec: ComplexFrameMatrix, options: IstftOptions = {}): Float64Array {
  const nFft = options.nFft ?? 2 * (spec.nRows - 1);
  const { hopLength, winLength, center } = resolveStftOptions({
    nFft,
    hopLength: options.hopLength,
    winLength: options.winLength,
    center: options.center,
  });
  if ((nFft >>> 1) + 1 !== spec.nRows) throw new RangeError(`spectrum has ${spec.nRows} bins, nFft ${nFft} needs ${(nFft >>> 1) + 1}`);
  const scale = options.scale ?? 1;
  const pad = centerPadding(nFft, center);
  let nFrames = spec.nFrames;
  let length: number;
  if (options.length !== undefined) {
    length = options.length;
    if (!Number.isInteger(length) || length < 0) throw new RangeError(`length must be a non-negative integer, got ${length}`);
    const padded = length + 2 * pad;
    nFrames = Math.min(nFrames, Math.ceil(padded / hopLength));
  } else {
    length = nFft + hopLength * (nFrames - 1) - 2 * pad;
  }
  const window = stftWindow(nFft, winLength);
  const plan = inverseRealFftPlan(nFft);
  const full = nFft + hopLength * Math.max(0, nFrames - 1);
  const acc = new Float64Array(Math.max(full, length + pad));
  const norm = new Float64Array(acc.length);
  const frame = new Float64Array(nFft);
  for (let t = 0; t < nFrames; t++) {
    const start = t * hopLength;
    for (let i = 0; i < nFft; i++) norm[start + i] += window[i] * window[i];
    // An all-zero frame adds nothing (zero padding, fully gated frames).
    let silent = true;
    for (let k = 0; k < spec.nRows && silent; k++) {
      const i = k * spec.nFrames + t;
      if (spec.re[i] !== 0 || spec.im[i] !== 0) silent = false;
    }
    if (silent) continue;
    plan.inverse(spec.re, spec.im, t, spec.nFrames, frame);
    for (let i = 0; i < nFft; i++) acc[start + i] += frame[i] * window[i] * scale;
  }
  const out = new Float64Array(length);
  const tiny = 1.1754943508222875e-38;
  for (let i = 0; i < length; i++) {
    const s = norm[i + pad];
    out[i] = s > tiny ? acc[i + pad] / s : acc[i + pad];
  }
  return out;
}
