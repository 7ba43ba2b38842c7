/**
 * Stationary spectral gating, as noisereduce 3.0
 * `reduce_noise(y, sr, stationary=True)` computes it (SpectralGateStationary).
 */

import { istft, stftComplex, stftWindow, type ComplexFrameMatrix } from './stft-complex.js';

/** Options of `reduceNoiseStationary`; names follow noisereduce, defaults are its defaults. */
export interface SpectralGateOptions {
  /**
   * Clip whose spectrum defines the noise (per-bin mean and std of its dB
   * magnitude). Default: the input itself, which works when speech occupies
   * a minority of each bin's frames.
   */
  noiseClip?: ArrayLike<number>;
  /** Threshold = noise mean + nStdThresh * noise std, per bin, in dB. Default 1.5. */
  nStdThresh?: number;
  /** Fraction of the noise removed: 1 (default) gates fully, 0.5 halves gated bins. */
  propDecrease?: number;
  /** FFT length. Default 1024 (46 ms at 22050 Hz). */
  nFft?: number;
  /** Hann window length, <= nFft. Default nFft. */
  winLength?: number;
  /** Hop in samples. Default floor(winLength / 4) = 256. */
  hopLength?: number;
  /**
   * Half-width of the mask smoothing along frequency, in Hz; becomes
   * n = int(hz / (sr / (nFft / 2))) bins (11 at 22050 Hz), a triangular
   * kernel of 2n + 1 taps. null means n = 1 (taps ½, 1, ½), as in
   * noisereduce: smoothing is off only when both axes come out at n = 1. Default 500.
   */
  freqMaskSmoothHz?: number | null;
  /**
   * Half-width of the mask smoothing along time, in ms; becomes
   * n = int(ms / (hop / sr * 1000)) frames (4 at 22050 Hz), 2n + 1 taps.
   * null means n = 1; see freqMaskSmoothHz. Default 50.
   */
  timeMaskSmoothMs?: number | null;
  /**
   * Zeros noisereduce adds on both sides of each chunk before its STFT.
   * They shift the frame grid (30000 is not a multiple of the hop) and take
   * part in each bin's 80 dB floor, so they matter for exact agreement. Default 30000.
   */
  padding?: number;
  /** Samples per processed chunk; the noise clip is also cut to this length. Default 600000. */
  chunkSize?: number;
}

/** float64 machine epsilon, noisereduce's floor inside the log. */
const EPS = 2.220446049250313e-16;
/** Dynamic range kept per bin below that bin's maximum over time, dB. */
const TOP_DB = 80;

/**
 * noisereduce's _amp_to_db: 20 log10(|X| + eps), then each frequency row is
 * raised to at least (its maximum over time - 80 dB). Written to `out` [nRows][nFrames].
 */
function amplitudeDb(spec: ComplexFrameMatrix, out: Float64Array): Float64Array {
  const { nRows, nFrames, re, im } = spec;
  for (let k = 0; k < nRows; k++) {
    const row = k * nFrames;
    let max = -Infinity;
    for (let t = 0; t < nFrames; t++) {
      const db = 20 * Math.log10(Math.sqrt(re[row + t] * re[row + t] + im[row + t] * im[row + t]) + EPS);
      out[row + t] = db;
      if (db > max) max = db;
    }
    const floor = max - TOP_DB;
    for (let t = 0; t < nFrames; t++) if (out[row + t] < floor) out[row + t] = floor;
  }
  return out;
}

/**
 * noisereduce's smoothing kernel along one axis for n bins: a triangle
 * rising over n + 1 steps and falling over n + 1, 2n + 1 taps
 * (linspace(0, 1, n+1, endpoint=False) ++ linspace(1, 0, n+2), ends dropped).
 * The 2-D kernel is the outer product of the two axes, normalised to sum 1.
 */
function triangle(n: number): Float64Array {
  const taps: number[] = [];
  for (let i = 0; i <= n; i++) taps.push(i / (n + 1));
  for (let i = 0; i < n + 2; i++) taps.push(1 - i / (n + 1));
  return Float64Array.from(taps.slice(1, -1));
}

/**
 * 'same'-size convolution with a symmetric odd kernel and zero boundary,
 * along time (within each row) or along frequency (across rows; whole rows
 * are accumulated so memory is read contiguously).
 */
function convolveAxis(data: Float64Array, nRows: number, nFrames: number, kernel: Float64Array, alongTime: boolean): Float64Array {
  const out = new Float64Array(data.length);
  const half = (kernel.length - 1) >>> 1;
  if (alongTime) {
    for (let r = 0; r < nRows; r++) {
      const base = r * nFrames;
      for (let i = 0; i < nFrames; i++) {
        let sum = 0;
        const lo = Math.max(0, i - half);
        const hi = Math.min(nFrames - 1, i + half);
        for (let j = lo; j <= hi; j++) sum += data[base + j] * kernel[j - i + half];
        out[base + i] = sum;
      }
    }
    return out;
  }
  for (let i = 0; i < nRows; i++) {
    const target = i * nFrames;
    const lo = Math.max(0, i - half);
    const hi = Math.min(nRows - 1, i + half);
    for (let j = lo; j <= hi; j++) {
      const w = kernel[j - i + half];
      const source = j * nFrames;
      for (let t = 0; t < nFrames; t++) out[target + t] += data[source + t] * w;
    }
  }
  return out;
}

/**
 * Removes stationary noise by spectral gating (noisereduce 3.0,
 * reduce_noise(y, sr, stationary=True) with every other argument at its default):
 *
 * 1. Noise profile: STFT of the noise clip (scipy.signal.stft: periodic
 *    Hann, centered with zeros, scaled by 1/sum(window)), dB magnitude per
 *    bin and frame, per-bin mean and standard deviation over frames;
 *    threshold = mean + nStdThresh * std.
 * 2. Each chunk, padded with `padding` zeros on both sides, gets the same
 *    STFT; a bin-frame is kept (mask 1) when its dB exceeds its bin's
 *    threshold, else gated (mask 1 - propDecrease).
 * 3. The mask is smoothed by a normalised 2-D triangular kernel spanning
 *    ±freqMaskSmoothHz and ±timeMaskSmoothMs, multiplied into the STFT,
 *    and the chunk is resynthesised (scipy.signal.istft) and unpadded.
 *
 * @param y mono signal
 * @param sampleRate Hz (sets the smoothing widths)
 * @returns Float32Array of y.length samples
 */
export function reduceNoiseStationary(y: ArrayLike<number>, sampleRate: number, options: SpectralGateOptions = {}): Float32Array {
  const nFft = options.nFft ?? 1024;
  const winLength = options.winLength ?? nFft;
  const hopLength = options.hopLength ?? Math.floor(winLength / 4);
  const nStdThresh = options.nStdThresh ?? 1.5;
  const propDecrease = options.propDecrease ?? 1.0;
  const padding = options.padding ?? 30000;
  const chunkSize = options.chunkSize ?? 600000;
  const freqHz = options.freqMaskSmoothHz === undefined ? 500 : options.freqMaskSmoothHz;
  const timeMs = options.timeMaskSmoothMs === undefined ? 50 : options.timeMaskSmoothMs;
  if (!(sampleRate > 0)) throw new RangeError(`sampleRate must be > 0, got ${sampleRate}`);
  if (!Number.isInteger(padding) || padding < 0) throw new RangeError(`padding must be a non-negative integer, got ${padding}`);
  if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new RangeError(`chunkSize must be a positive integer, got ${chunkSize}`);

  // Smoothing widths in bins and frames, with noisereduce's arithmetic and its minimum of one.
  const nGradFreq = freqHz === null ? 1 : Math.trunc(freqHz / (sampleRate / (nFft / 2)));
  const nGradTime = timeMs === null ? 1 : Math.trunc(timeMs / ((hopLength / sampleRate) * 1000));
  if (nGradFreq < 1) throw new RangeError(`freqMaskSmoothHz must be at least ${Math.trunc(sampleRate / (nFft / 2))} Hz`);
  if (nGradTime < 1) throw new RangeError(`timeMaskSmoothMs must be at least ${Math.trunc((hopLength / sampleRate) * 1000)} ms`);
  const smooth = !(nGradFreq === 1 && nGradTime === 1);
  const freqKernel = triangle(nGradFreq);
  const timeKernel = triangle(nGradTime);
  let kernelSum = 0;
  for (const a of freqKernel) for (const b of timeKernel) kernelSum += a * b;
  for (let i = 0; i < timeKernel.length; i++) timeKernel[i] /= kernelSum;

  let windowSum = 0;
  for (const w of stftWindow(nFft, winLength)) windowSum += w;
  const stftOptions = { nFft, hopLength, winLength, center: true, scale: 1 / windowSum };

  // 1. Noise statistics per bin.
  const noiseSource = options.noiseClip ?? y;
  const noise = Float64Array.from({ length: Math.min(noiseSource.length, chunkSize) }, (_, i) => noiseSource[i]);
  const noiseSpec = stftComplex(noise, stftOptions);
  const noiseDb = amplitudeDb(noiseSpec, new Float64Array(noiseSpec.re.length));
  const nFreq = noiseSpec.nRows;
  const threshold = new Float64Array(nFreq);
  for (let k = 0; k < nFreq; k++) {
    const row = k * noiseSpec.nFrames;
    let mean = 0;
    for (let t = 0; t < noiseSpec.nFrames; t++) mean += noiseDb[row + t];
    mean /= noiseSpec.nFrames;
    let variance = 0;
    for (let t = 0; t < noiseSpec.nFrames; t++) variance += (noiseDb[row + t] - mean) ** 2;
    threshold[k] = mean + Math.sqrt(variance / noiseSpec.nFrames) * nStdThresh;
  }

  // 2-3. Gate each chunk.
  const n = y.length;
  const out = new Float32Array(n);
  const chunkSpans: Array<[number, number]> = [];
  if (n <= chunkSize) chunkSpans.push([0, n]);
  else for (let start = 0; start < n; start += chunkSize) chunkSpans.push([start, start + chunkSize]);
  for (const [start, end] of chunkSpans) {
    const padded = new Float64Array(end - start + 2 * padding);
    for (let i = start; i < Math.min(end, n); i++) padded[i - start + padding] = y[i];
    const spec = stftComplex(padded, stftOptions);
    const db = amplitudeDb(spec, new Float64Array(spec.re.length));
    let mask: Float64Array = new Float64Array(db.length);
    for (let k = 0; k < spec.nRows; k++) {
      const row = k * spec.nFrames;
      for (let t = 0; t < spec.nFrames; t++) mask[row + t] = (db[row + t] > threshold[k] ? 1 : 0) * propDecrease + (1 - propDecrease);
    }
    if (smooth) {
      mask = convolveAxis(mask, spec.nRows, spec.nFrames, freqKernel, false);
      mask = convolveAxis(mask, spec.nRows, spec.nFrames, timeKernel, true);
    }
    for (let i = 0; i < mask.length; i++) {
      spec.re[i] *= mask[i];
      spec.im[i] *= mask[i];
    }
    const resynth = istft(spec, { nFft, hopLength, winLength, center: true, length: (spec.nFrames - 1) * hopLength, scale: windowSum });
    for (let i = start; i < Math.min(end, n); i++) {
      const j = i - start + padding;
      out[i] = j < resynth.length ? resynth[j] : 0;
    }
  }
  return out;
}
