/**
 * Frame-wise time-domain features and deltas: zero-crossing rate and RMS
 * (librosa.feature.zero_crossing_rate / rms) and librosa.feature.delta.
 */

import { assertInteger, centerPadding, frameCount, type FrameMatrix } from './frames.js';
import { spectralKernel, wasmRms, wasmZeroCrossingRate } from './wasm/spectral-kernel.js';

/** Framing parameters of the time-domain features, librosa vocabulary. */
export interface FrameOptions {
  /** Samples per frame. Default 2048 (92.9 ms at 22050 Hz). */
  frameLength?: number;
  /** Samples between frame starts. Default 512 (23.2 ms at 22050 Hz). */
  hopLength?: number;
  /** Pad floor(frameLength/2) samples each side so frame t is centered on sample t*hopLength. Default true. */
  center?: boolean;
}

/** Options of `zeroCrossingRate`. */
export interface ZeroCrossingOptions extends FrameOptions {
  /**
   * Samples with |x| <= threshold count as zero (and zero counts as
   * positive). Default 1e-10. For Float32Array input the threshold is
   * rounded to float32 first, as numpy compares in the array's dtype.
   */
  threshold?: number;
}

export const DEFAULT_FRAME_LENGTH = 2048;
export const DEFAULT_HOP_LENGTH = 512;
export const DEFAULT_ZC_THRESHOLD = 1e-10;

/**
 * Zero-crossing rate per frame, librosa.feature.zero_crossing_rate:
 * centering pads with EDGE copies (which add no crossings), a crossing at
 * sample i of a frame (1 <= i < frameLength) is a change of sign bit between
 * x[i-1] and x[i], and the rate is crossings / frameLength.
 *
 * @param y mono signal
 * @returns Float64Array(nFrames), each in [0, 1), nFrames = 1 + floor(len/hopLength) when centered
 */
export function zeroCrossingRate(y: ArrayLike<number>, options: ZeroCrossingOptions = {}): Float64Array {
  const frameLength = options.frameLength ?? DEFAULT_FRAME_LENGTH;
  const hopLength = options.hopLength ?? DEFAULT_HOP_LENGTH;
  const center = options.center ?? true;
  const rawThreshold = options.threshold ?? DEFAULT_ZC_THRESHOLD;
  const threshold = y instanceof Float32Array ? Math.fround(rawThreshold) : rawThreshold;
  const nFrames = frameCount(y.length, frameLength, hopLength, center);
  const pad = centerPadding(frameLength, center);
  const n = y.length;
  const kernel = y instanceof Float32Array ? spectralKernel() : null;
  if (kernel !== null) return wasmZeroCrossingRate(kernel, y as Float32Array, { frameLength, hopLength, pad, nFrames }, threshold);
  const out = new Float64Array(nFrames);
  if (n < 2) return out;

  // Index pairs by the padded position j of their second sample (pair
  // (j-1, j)); edge padding repeats y[0] and y[n-1], so only j = i + pad with
  // 1 <= i < n can cross. Frame t holds pairs t*hop+1 .. t*hop+L-1, i.e.
  // whole blocks of g = gcd(L, hop) positions from t*hop, minus position t*hop.
  const block = gcd(frameLength, hopLength);
  const blocksPerFrame = frameLength / block;
  const blocksPerHop = hopLength / block;
  const nBlocks = (nFrames - 1) * blocksPerHop + blocksPerFrame;
  const limit = nBlocks * block; // first padded position no frame reaches
  const blockCrossings = new Int32Array(nBlocks);
  const last = Math.min(n - 1, limit - 1 - pad);
  if (threshold > 0) {
    // Zeroing |x| <= threshold makes "negative" mean x < -threshold.
    // Branch-free counting per block: crossings are too irregular to predict.
    const below = -threshold;
    let previous = y[0] < below ? 1 : 0;
    let i = 1;
    for (let b = 0; b < nBlocks && i <= last; b++) {
      const end = Math.min(last, (b + 1) * block - 1 - pad);
      let count = 0;
      for (; i <= end; i++) {
        const current = y[i] < below ? 1 : 0;
        count += current ^ previous;
        previous = current;
      }
      blockCrossings[b] = count;
    }
  } else {
    let previousNegative = isNegative(y[0], threshold);
    for (let i = 1; i <= last; i++) {
      const negative = isNegative(y[i], threshold);
      if (negative !== previousNegative) blockCrossings[((i + pad) / block) | 0]++;
      previousNegative = negative;
    }
  }
  for (let t = 0; t < nFrames; t++) {
    const first = t * blocksPerHop;
    let count = 0;
    for (let b = first; b < first + blocksPerFrame; b++) count += blockCrossings[b];
    // The pair ending at the frame's first sample belongs to the previous frame.
    const i = t * hopLength - pad;
    if (i >= 1 && i < n && isNegative(y[i], threshold) !== isNegative(y[i - 1], threshold)) count--;
    out[t] = count / frameLength;
  }
  return out;
}

/** numpy.signbit after zeroing |x| <= threshold (threshold 0 keeps -0.0 negative, as numpy does). */
function isNegative(x: number, threshold: number): boolean {
  if (threshold > 0 && Math.abs(x) <= threshold) return false;
  return x < 0 || (x === 0 && 1 / x < 0);
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/**
 * Root-mean-square per frame, librosa.feature.rms(y=...): centering pads
 * with zeros (pad_mode='constant'), rms = sqrt(mean(x^2)) over frameLength samples.
 *
 * @param y mono signal
 * @returns Float64Array(nFrames) in the signal's unit
 */
export function rms(y: ArrayLike<number>, options: FrameOptions = {}): Float64Array {
  const frameLength = options.frameLength ?? DEFAULT_FRAME_LENGTH;
  const hopLength = options.hopLength ?? DEFAULT_HOP_LENGTH;
  const center = options.center ?? true;
  const nFrames = frameCount(y.length, frameLength, hopLength, center);
  const pad = centerPadding(frameLength, center);
  const n = y.length;
  // Frames start on multiples of the hop and span whole blocks of gcd(frame, hop)
  // samples, so each sample is squared once and each frame sums a few block
  // sums: exact, with no running-sum cancellation in silent stretches.
  const block = gcd(frameLength, hopLength);
  const blocksPerFrame = frameLength / block;
  const blocksPerHop = hopLength / block;
  const nBlocks = (nFrames - 1) * blocksPerHop + blocksPerFrame;
  const kernel = y instanceof Float32Array ? spectralKernel() : null;
  if (kernel !== null) return wasmRms(kernel, y as Float32Array, { frameLength, hopLength, pad, nFrames }, nBlocks);
  const blockSums = new Float64Array(nBlocks);
  for (let b = 0; b < nBlocks; b++) {
    const lo = Math.max(0, b * block - pad);
    const hi = Math.min(n, (b + 1) * block - pad);
    let acc = 0;
    for (let i = lo; i < hi; i++) acc += y[i] * y[i];
    blockSums[b] = acc;
  }
  const out = new Float64Array(nFrames);
  for (let t = 0; t < nFrames; t++) {
    let acc = 0;
    const first = t * blocksPerHop;
    for (let b = first; b < first + blocksPerFrame; b++) acc += blockSums[b];
    out[t] = Math.sqrt(acc / frameLength);
  }
  return out;
}

/** Options of `delta`. */
export interface DeltaOptions {
  /** Savitzky-Golay window in frames, odd and >= 3. Default 9. */
  width?: number;
  /** Derivative order (1 = delta, 2 = delta-delta); also the fitted polynomial degree. Default 1. */
  order?: number;
}

/**
 * Savitzky-Golay coefficients c[j], j = 0..width-1 (offset k = j - h), such that
 * sum_k c[k] x[t+k] is the order-th derivative at t of the degree-`order`
 * least-squares polynomial through x[t-h..t+h].
 */
export function savgolDerivativeCoefficients(width: number, order: number): Float64Array {
  const h = (width - 1) / 2;
  // Monic polynomials orthogonal on k = -h..h (symmetric grid: no alpha term):
  // q_{j+1}(k) = k q_j(k) - beta_j q_{j-1}(k), beta_j = |q_j|^2 / |q_{j-1}|^2.
  let previous = new Float64Array(width);
  let current = new Float64Array(width).fill(1);
  let previousNorm = 0;
  let currentNorm = width;
  for (let j = 0; j < order; j++) {
    const beta = j === 0 ? 0 : currentNorm / previousNorm;
    const next = new Float64Array(width);
    let nextNorm = 0;
    for (let i = 0; i < width; i++) {
      next[i] = (i - h) * current[i] - beta * previous[i];
      nextNorm += next[i] * next[i];
    }
    previous = current;
    previousNorm = currentNorm;
    current = next;
    currentNorm = nextNorm;
  }
  // The fit's leading coefficient is <x, q_order> / |q_order|^2; its
  // order-th derivative is order! times that.
  let factorial = 1;
  for (let j = 2; j <= order; j++) factorial *= j;
  const coefficients = new Float64Array(width);
  for (let i = 0; i < width; i++) coefficients[i] = (factorial * current[i]) / currentNorm;
  return coefficients;
}

/**
 * Delta features along the frame axis, librosa.feature.delta(width, order,
 * mode='interp'): a Savitzky-Golay derivative filter of polynomial degree
 * `order`. In 'interp' mode the first and last floor(width/2) frames take
 * the derivative of the polynomial fitted to the first/last `width` frames,
 * which for degree == order is constant, i.e. equal to the nearest full-window value.
 *
 * @param data FrameMatrix `[nRows][nFrames]`, e.g. MFCCs
 * @returns FrameMatrix of the same shape, in data units per frame^order
 * @throws RangeError when width > nFrames (librosa raises too)
 */
export function delta(data: FrameMatrix, options: DeltaOptions = {}): FrameMatrix {
  const width = options.width ?? 9;
  const order = options.order ?? 1;
  assertInteger('width', width, 3);
  if (width % 2 !== 1) throw new RangeError(`width must be odd, got ${width}`);
  assertInteger('order', order, 1);
  if (order >= width) throw new RangeError(`order ${order} must be < width ${width}`);
  const { nRows, nFrames } = data;
  if (width > nFrames) {
    throw new RangeError(`delta width ${width} exceeds the ${nFrames} frames available`);
  }
  const c = savgolDerivativeCoefficients(width, order);
  const h = (width - 1) / 2;
  const out = new Float64Array(nRows * nFrames);
  for (let r = 0; r < nRows; r++) {
    const base = r * nFrames;
    for (let t = h; t < nFrames - h; t++) {
      let acc = 0;
      for (let j = 0; j < width; j++) acc += c[j] * data.data[base + t - h + j];
      out[base + t] = acc;
    }
    const head = out[base + h];
    const tail = out[base + nFrames - 1 - h];
    for (let t = 0; t < h; t++) {
      out[base + t] = head;
      out[base + nFrames - 1 - t] = tail;
    }
  }
  return { nRows, nFrames, data: out };
}
