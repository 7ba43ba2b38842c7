/**
 * Short-time Fourier transform of a real signal (librosa.stft, librosa 0.11
 * defaults: periodic Hann window, center=True, pad_mode='constant').
 */

import { realFftPlan } from './fft.js';
import { assertInteger, centerPadding, frameCount, type FrameMatrix } from './frames.js';
import { hannWindow, padCenter } from './window.js';
import { stftKernelFor, wasmPowerSpectrogram } from './wasm/spectral-kernel.js';

/** STFT parameters, librosa vocabulary. Omitted fields take the documented default. */
export interface StftOptions {
  /** FFT length in samples (n_fft), a power of two. Default 2048 (92.9 ms at 22050 Hz). */
  nFft?: number;
  /** Samples between the starts of consecutive frames. Default floor(winLength / 4) (512 for the defaults, 23.2 ms at 22050 Hz). */
  hopLength?: number;
  /** Hann window length in samples, <= nFft; the window is zero-padded to nFft, centered. Default nFft. */
  winLength?: number;
  /**
   * Pad floor(nFft/2) zeros at each end so frame t is centered on sample
   * t*hopLength (librosa 0.11 pad_mode='constant'). Default true.
   */
  center?: boolean;
}

/** STFT parameters with every default applied. */
export interface ResolvedStftOptions {
  readonly nFft: number;
  readonly hopLength: number;
  readonly winLength: number;
  readonly center: boolean;
}

/** Default FFT length (n_fft). */
export const DEFAULT_N_FFT = 2048;

/** Applies the defaults of `StftOptions` and validates the result. */
export function resolveStftOptions(options: StftOptions = {}): ResolvedStftOptions {
  const nFft = options.nFft ?? DEFAULT_N_FFT;
  const winLength = options.winLength ?? nFft;
  const hopLength = options.hopLength ?? Math.floor(winLength / 4);
  const center = options.center ?? true;
  assertInteger('nFft', nFft, 2);
  assertInteger('winLength', winLength, 1);
  assertInteger('hopLength', hopLength, 1);
  if (winLength > nFft) throw new RangeError(`winLength ${winLength} exceeds nFft ${nFft}`);
  return { nFft, hopLength, winLength, center };
}

const windowCache = new Map<string, Float64Array>();

/** Periodic Hann window of winLength samples centered in nFft samples (cached; do not modify). */
export function analysisWindow(nFft: number, winLength: number): Float64Array {
  const key = `${nFft}:${winLength}`;
  let w = windowCache.get(key);
  if (w === undefined) {
    w = padCenter(hannWindow(winLength, true), nFft);
    windowCache.set(key, w);
  }
  return w;
}

/**
 * Streams the power spectrum |X|^2 of every frame, in frame order, without
 * materializing the spectrogram. This is the shared core of
 * `powerSpectrogram` and the mel features.
 *
 * @param y mono signal (any sample unit; power is in that unit squared)
 * @param visit called with the frame index and its power spectrum
 *   (Float64Array of nFft/2 + 1 bins, 0..sr/2). The buffer is reused for the
 *   next frame: copy what you need to keep.
 * @returns the number of frames
 */
export function forEachPowerFrame(
  y: ArrayLike<number>,
  options: StftOptions,
  visit: (frame: number, power: Float64Array) => void,
): number {
  const { nFft, hopLength, winLength, center } = resolveStftOptions(options);
  const plan = realFftPlan(nFft);
  const window = analysisWindow(nFft, winLength);
  const nFrames = frameCount(y.length, nFft, hopLength, center);
  const pad = centerPadding(nFft, center);
  const frame = new Float64Array(nFft);
  const power = new Float64Array(plan.nFreq);
  const n = y.length;
  for (let t = 0; t < nFrames; t++) {
    const start = t * hopLength - pad;
    if (start >= 0 && start + nFft <= n) {
      plan.windowedPower(y, start, window, power);
    } else {
      // Frame overlaps the zero padding: build it explicitly.
      const lo = Math.max(0, -start);
      const hi = Math.min(nFft, n - start);
      frame.fill(0);
      for (let i = lo; i < hi; i++) frame[i] = y[start + i] * window[i];
      plan.power(frame, power);
    }
    visit(t, power);
  }
  return nFrames;
}

/** Options of `powerSpectrogram`. */
export interface SpectrogramOptions extends StftOptions {
  /** Exponent of the magnitude: 2 (default) for power, 1 for magnitude. */
  power?: number;
}

/**
 * Power (or magnitude) spectrogram, librosa `np.abs(stft(y)) ** power`.
 *
 * @param y mono signal
 * @returns FrameMatrix with nRows = nFft/2 + 1 frequency bins (bin k is
 *   k*sr/nFft Hz) by nFrames = 1 + floor(len/hopLength) frames when centered;
 *   layout `[nFreq][nFrames]`, unit: (sample unit)^power.
 */
export function powerSpectrogram(y: ArrayLike<number>, options: SpectrogramOptions = {}): FrameMatrix {
  const exponent = options.power ?? 2;
  if (!(exponent > 0)) throw new RangeError(`power must be > 0, got ${exponent}`);
  const { nFft, hopLength, winLength, center } = resolveStftOptions(options);
  const nFreq = (nFft >>> 1) + 1;
  const nFrames = frameCount(y.length, nFft, hopLength, center);
  const kernel = stftKernelFor(nFft);
  if (kernel !== null) {
    const geometry = { nFft, hopLength, pad: centerPadding(nFft, center), nFrames, window: analysisWindow(nFft, winLength) };
    const power = wasmPowerSpectrogram(kernel, y, geometry);
    if (exponent !== 2) {
      const half = exponent / 2;
      for (let i = 0; i < power.length; i++) power[i] = Math.pow(power[i], half);
    }
    return { nRows: nFreq, nFrames, data: power };
  }
  const data = new Float64Array(nFreq * nFrames);
  forEachPowerFrame(y, options, (t, power) => {
    if (exponent === 2) {
      for (let k = 0; k < nFreq; k++) data[k * nFrames + t] = power[k];
    } else {
      const half = exponent / 2;
      for (let k = 0; k < nFreq; k++) data[k * nFrames + t] = Math.pow(power[k], half);
    }
  });
  return { nRows: nFreq, nFrames, data };
}
