/**
 * Mel scale and triangular mel filterbank (librosa.filters.mel), stored
 * sparsely: each band keeps only its run of non-zero FFT-bin weights.
 */

import { assertInteger, centerPadding, frameCount, type FrameMatrix } from './frames.js';
import { analysisWindow, forEachPowerFrame, resolveStftOptions, type ResolvedStftOptions, type StftOptions } from './stft.js';
import { stftKernelFor, wasmMelSpectrogram, type StftGeometry } from './wasm/spectral-kernel.js';

/** Slaney (Auditory Toolbox) scale: linear below 1 kHz, logarithmic above. */
const SLANEY_F_SP = 200.0 / 3;
const SLANEY_MIN_LOG_HZ = 1000.0;
const SLANEY_MIN_LOG_MEL = SLANEY_MIN_LOG_HZ / SLANEY_F_SP;
const SLANEY_LOGSTEP = Math.log(6.4) / 27.0;

/**
 * Hz to mel (librosa.hz_to_mel).
 * @param htk true for the HTK formula 2595*log10(1 + f/700); false (default) for Slaney's scale.
 */
export function hzToMel(frequencyHz: number, htk = false): number {
  if (htk) return 2595.0 * Math.log10(1.0 + frequencyHz / 700.0);
  if (frequencyHz >= SLANEY_MIN_LOG_HZ) {
    return SLANEY_MIN_LOG_MEL + Math.log(frequencyHz / SLANEY_MIN_LOG_HZ) / SLANEY_LOGSTEP;
  }
  return frequencyHz / SLANEY_F_SP;
}

/** Mel to Hz (librosa.mel_to_hz), the inverse of `hzToMel` with the same `htk`. */
export function melToHz(mel: number, htk = false): number {
  if (htk) return 700.0 * (Math.pow(10.0, mel / 2595.0) - 1.0);
  if (mel >= SLANEY_MIN_LOG_MEL) {
    return SLANEY_MIN_LOG_HZ * Math.exp(SLANEY_LOGSTEP * (mel - SLANEY_MIN_LOG_MEL));
  }
  return SLANEY_F_SP * mel;
}

/**
 * `count` frequencies in Hz equally spaced on the mel scale from fmin to fmax
 * inclusive (librosa.mel_frequencies; numpy.linspace arithmetic).
 */
export function melFrequencies(count: number, fminHz: number, fmaxHz: number, htk = false): Float64Array {
  const minMel = hzToMel(fminHz, htk);
  const maxMel = hzToMel(fmaxHz, htk);
  const out = new Float64Array(count);
  const step = count > 1 ? (maxMel - minMel) / (count - 1) : 0;
  for (let i = 0; i < count; i++) out[i] = melToHz(i * step + minMel, htk);
  if (count > 1) out[count - 1] = melToHz(maxMel, htk);
  return out;
}

/** Center frequency in Hz of each of the nFft/2 + 1 FFT bins (librosa.fft_frequencies). */
export function fftFrequencies(sr: number, nFft: number): Float64Array {
  const nFreq = (nFft >>> 1) + 1;
  const binHz = 1.0 / (nFft * (1.0 / sr));
  const out = new Float64Array(nFreq);
  for (let k = 0; k < nFreq; k++) out[k] = k * binHz;
  return out;
}

/** Filterbank parameters, librosa vocabulary. */
export interface MelOptions {
  /** Sample rate of the analysed signal in Hz. Default 22050. */
  sr?: number;
  /** FFT length the filterbank applies to. Default 2048. */
  nFft?: number;
  /** Number of mel bands. Default 128. */
  nMels?: number;
  /** Lowest band edge in Hz. Default 0. */
  fmin?: number;
  /** Highest band edge in Hz. Default sr / 2 (Nyquist). */
  fmax?: number;
  /** HTK mel formula instead of Slaney's. Default false (Slaney, librosa's default). */
  htk?: boolean;
  /**
   * 'slaney' (default) scales each triangle by 2/(upper - lower edge in Hz)
   * so every band has about the same area; null leaves peak weights at 1.
   */
  norm?: 'slaney' | null;
}

/** Default sample rate in Hz (librosa's). */
export const DEFAULT_SR = 22050;
/** Default number of mel bands. */
export const DEFAULT_N_MELS = 128;

/**
 * A mel filterbank of nMels bands over nFreq = nFft/2 + 1 FFT bins.
 * Band m has weights `weights[offset[m] + (k - start[m])]` for bins
 * start[m] <= k < end[m] and zero elsewhere.
 */
export interface MelFilterbank {
  readonly nMels: number;
  readonly nFreq: number;
  /** First non-zero bin of each band. Int32Array(nMels). */
  readonly start: Int32Array;
  /** One past the last non-zero bin of each band (start == end for an empty band). */
  readonly end: Int32Array;
  /** Index into `weights` of bin `start[m]`. Int32Array(nMels). */
  readonly offset: Int32Array;
  /** Concatenated non-zero weights of all bands. */
  readonly weights: Float64Array;
}

/**
 * Builds the mel filterbank exactly as librosa.filters.mel does (in float64;
 * librosa rounds the weights to float32).
 */
export function melFilterbank(options: MelOptions = {}): MelFilterbank {
  const sr = options.sr ?? DEFAULT_SR;
  const nFft = options.nFft ?? 2048;
  const nMels = options.nMels ?? DEFAULT_N_MELS;
  const fmin = options.fmin ?? 0;
  const fmax = options.fmax ?? sr / 2;
  const htk = options.htk ?? false;
  const norm = options.norm === undefined ? 'slaney' : options.norm;
  if (!(sr > 0)) throw new RangeError(`sr must be > 0, got ${sr}`);
  assertInteger('nFft', nFft, 2);
  assertInteger('nMels', nMels, 1);
  if (!(fmin >= 0 && fmax > fmin)) throw new RangeError(`need 0 <= fmin < fmax, got ${fmin}, ${fmax}`);

  const nFreq = (nFft >>> 1) + 1;
  const fftFreqs = fftFrequencies(sr, nFft);
  const edges = melFrequencies(nMels + 2, fmin, fmax, htk);
  const start = new Int32Array(nMels);
  const end = new Int32Array(nMels);
  const offset = new Int32Array(nMels);
  const dense = new Float64Array(nFreq);
  const packed: number[] = [];
  for (let m = 0; m < nMels; m++) {
    const lowerWidth = edges[m + 1] - edges[m];
    const upperWidth = edges[m + 2] - edges[m + 1];
    const scale = norm === 'slaney' ? 2.0 / (edges[m + 2] - edges[m]) : 1;
    let first = -1;
    let last = -1;
    for (let k = 0; k < nFreq; k++) {
      // librosa: max(0, min(-(edge_m - f)/lowerWidth, (edge_{m+2} - f)/upperWidth))
      const lower = -(edges[m] - fftFreqs[k]) / lowerWidth;
      const upper = (edges[m + 2] - fftFreqs[k]) / upperWidth;
      const w = Math.max(0, Math.min(lower, upper)) * scale;
      dense[k] = w;
      if (w > 0) {
        if (first < 0) first = k;
        last = k;
      }
    }
    offset[m] = packed.length;
    if (first >= 0) {
      start[m] = first;
      end[m] = last + 1;
      for (let k = first; k <= last; k++) packed.push(dense[k]);
    }
  }
  return { nMels, nFreq, start, end, offset, weights: Float64Array.from(packed) };
}

/** The filterbank as a dense matrix, layout `[nMels][nFreq]` (librosa's shape). */
export function melFilterbankDense(fb: MelFilterbank): Float64Array {
  const out = new Float64Array(fb.nMels * fb.nFreq);
  for (let m = 0; m < fb.nMels; m++) {
    for (let k = fb.start[m]; k < fb.end[m]; k++) {
      out[m * fb.nFreq + k] = fb.weights[fb.offset[m] + k - fb.start[m]];
    }
  }
  return out;
}

/**
 * Projects one power spectrum onto the mel bands.
 * @param spectrum nFreq power values of one frame
 * @param out receives nMels values at out[outOffset + m * outStride]
 */
export function applyMelFilterbank(
  fb: MelFilterbank,
  spectrum: Float64Array,
  out: Float64Array,
  outOffset = 0,
  outStride = 1,
): void {
  const { start, end, offset, weights } = fb;
  for (let m = 0; m < fb.nMels; m++) {
    let acc = 0;
    const s = start[m];
    const base = offset[m] - s;
    for (let k = s, e = end[m]; k < e; k++) acc += weights[base + k] * spectrum[k];
    out[outOffset + m * outStride] = acc;
  }
}

const filterbankCache = new Map<string, MelFilterbank>();

/** `melFilterbank` memoized on its resolved parameters. */
export function cachedMelFilterbank(options: MelOptions = {}): MelFilterbank {
  const sr = options.sr ?? DEFAULT_SR;
  const key = [
    sr,
    options.nFft ?? 2048,
    options.nMels ?? DEFAULT_N_MELS,
    options.fmin ?? 0,
    options.fmax ?? sr / 2,
    options.htk ?? false,
    options.norm === undefined ? 'slaney' : options.norm,
  ].join(':');
  let fb = filterbankCache.get(key);
  if (fb === undefined) {
    fb = melFilterbank(options);
    filterbankCache.set(key, fb);
  }
  return fb;
}

/** What a mel spectrogram of a signal of some length needs: resolved STFT options, filterbank, frames. */
export interface MelPlan {
  readonly stft: ResolvedStftOptions;
  readonly fb: MelFilterbank;
  readonly geometry: StftGeometry;
}

/** Resolves and validates mel spectrogram options for a signal of `length` samples. */
export function melPlan(length: number, options: MelSpectrogramOptions = {}): MelPlan {
  const stft = resolveStftOptions(options);
  const fb = cachedMelFilterbank({ ...options, nFft: stft.nFft });
  const nFrames = frameCount(length, stft.nFft, stft.hopLength, stft.center);
  const window = analysisWindow(stft.nFft, stft.winLength);
  return { stft, fb, geometry: { nFft: stft.nFft, hopLength: stft.hopLength, pad: centerPadding(stft.nFft, stft.center), nFrames, window } };
}

/** Parameters of `melSpectrogram`: the STFT's and the filterbank's. */
export interface MelSpectrogramOptions extends StftOptions, Omit<MelOptions, 'nFft'> {}

/**
 * Mel power spectrogram (librosa.feature.melspectrogram with power=2).
 *
 * @param y mono signal sampled at `sr`
 * @returns FrameMatrix of nRows = nMels bands by nFrames frames, layout
 *   `[nMels][nFrames]`, unit: (sample unit)^2 weighted by the filterbank.
 */
export function melSpectrogram(y: ArrayLike<number>, options: MelSpectrogramOptions = {}): FrameMatrix {
  const { stft, fb, geometry } = melPlan(y.length, options);
  const nFrames = geometry.nFrames;
  const kernel = stftKernelFor(stft.nFft);
  if (kernel !== null) return { nRows: fb.nMels, nFrames, data: wasmMelSpectrogram(kernel, y, geometry, fb) };
  const data = new Float64Array(fb.nMels * nFrames);
  forEachPowerFrame(y, stft, (t, power) => applyMelFilterbank(fb, power, data, t, nFrames));
  return { nRows: fb.nMels, nFrames, data };
}
