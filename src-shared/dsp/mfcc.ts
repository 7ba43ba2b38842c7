/**
 * DCT-II and mel-frequency cepstral coefficients (librosa.feature.mfcc with
 * dct_type=2, norm='ortho', lifter=0).
 */

import { powerToDb, resolvePowerToDbOptions, type PowerToDbOptions } from './db.js';
import { assertInteger, type FrameMatrix } from './frames.js';
import { melPlan, melSpectrogram, type MelSpectrogramOptions } from './mel.js';
import { stftKernelFor, wasmMfcc } from './wasm/spectral-kernel.js';

/**
 * First `nOut` rows of the orthonormal DCT-II matrix of size nIn
 * (scipy.fft.dct(type=2, norm='ortho')):
 * D[k][n] = s_k * cos(pi * k * (2n + 1) / (2 * nIn)), s_0 = sqrt(1/nIn), s_k = sqrt(2/nIn).
 *
 * @returns Float64Array, layout `[nOut][nIn]`
 */
export function dctOrthoMatrix(nOut: number, nIn: number): Float64Array {
  assertInteger('nIn', nIn, 1);
  assertInteger('nOut', nOut, 0);
  if (nOut > nIn) throw new RangeError(`cannot take ${nOut} DCT rows of size ${nIn}`);
  const d = new Float64Array(nOut * nIn);
  for (let k = 0; k < nOut; k++) {
    const scale = Math.sqrt((k === 0 ? 1 : 2) / nIn);
    for (let n = 0; n < nIn; n++) {
      d[k * nIn + n] = scale * Math.cos((Math.PI * k * (2 * n + 1)) / (2 * nIn));
    }
  }
  return d;
}

const dctCache = new Map<string, Float64Array>();

function cachedDct(nOut: number, nIn: number): Float64Array {
  const key = `${nOut}:${nIn}`;
  let d = dctCache.get(key);
  if (d === undefined) {
    d = dctOrthoMatrix(nOut, nIn);
    dctCache.set(key, d);
  }
  return d;
}

/** Default number of cepstral coefficients. */
export const DEFAULT_N_MFCC = 20;

/**
 * Orthonormal DCT-II along the rows (the mel axis) of a log-mel
 * spectrogram, keeping the first nMfcc coefficients. Only those rows of the
 * DCT are computed.
 *
 * @param logMel FrameMatrix `[nMels][nFrames]` in dB
 * @param nMfcc number of coefficients (<= nMels). Default 20.
 * @returns FrameMatrix `[nMfcc][nFrames]`
 */
export function dctRows(logMel: FrameMatrix, nMfcc = DEFAULT_N_MFCC): FrameMatrix {
  const { nRows: nMels, nFrames, data } = logMel;
  const dct = cachedDct(nMfcc, nMels);
  const out = new Float64Array(nMfcc * nFrames);
  // D[k][N-1-n] = (-1)^k D[k][n]: even rows see x[n] + x[N-1-n], odd rows
  // x[n] - x[N-1-n], halving the multiply-adds. An odd N adds its middle term
  // (zero on odd rows).
  const pairs = nMels >>> 1;
  const middle = nMels % 2 === 1 ? pairs : -1;
  const sums = new Float64Array(pairs);
  const differences = new Float64Array(pairs);
  for (let t = 0; t < nFrames; t++) {
    for (let n = 0; n < pairs; n++) {
      const a = data[n * nFrames + t];
      const b = data[(nMels - 1 - n) * nFrames + t];
      sums[n] = a + b;
      differences[n] = a - b;
    }
    const centre = middle >= 0 ? data[middle * nFrames + t] : 0;
    for (let k = 0; k < nMfcc; k++) {
      const row = k * nMels;
      const folded = (k & 1) === 0 ? sums : differences;
      let acc0 = 0;
      let acc1 = 0;
      let n = 0;
      for (; n + 1 < pairs; n += 2) {
        acc0 += dct[row + n] * folded[n];
        acc1 += dct[row + n + 1] * folded[n + 1];
      }
      if (n < pairs) acc0 += dct[row + n] * folded[n];
      if (middle >= 0 && (k & 1) === 0) acc0 += dct[row + middle] * centre;
      out[k * nFrames + t] = acc0 + acc1;
    }
  }
  return { nRows: nMfcc, nFrames, data: out };
}

/** Options of `mfcc`: the mel spectrogram's, the dB conversion's and nMfcc. */
export interface MfccOptions extends MelSpectrogramOptions {
  /** Number of coefficients kept. Default 20. */
  nMfcc?: number;
  /** power_to_db settings; librosa's defaults (ref=1.0, amin=1e-10, topDb=80) when omitted. */
  db?: PowerToDbOptions;
}

/**
 * MFCCs: DCT-II (ortho) of power_to_db(mel power spectrogram), first nMfcc rows.
 * With the defaults this is librosa.feature.mfcc(y=y, sr=22050): 128 Slaney
 * mel bands, nFft 2048, hop 512, centered, dB re. 1.0 clipped at 80 dB below the max.
 *
 * @param y mono signal sampled at `options.sr`
 * @returns FrameMatrix `[nMfcc][nFrames]`
 */
export function mfcc(y: ArrayLike<number>, options: MfccOptions = {}): FrameMatrix {
  const nMfcc = options.nMfcc ?? DEFAULT_N_MFCC;
  const { stft, fb, geometry } = melPlan(y.length, options);
  const kernel = stftKernelFor(stft.nFft);
  if (kernel !== null) {
    const dct = cachedDct(nMfcc, fb.nMels);
    const db = resolvePowerToDbOptions(options.db);
    return { nRows: nMfcc, nFrames: geometry.nFrames, data: wasmMfcc(kernel, y, geometry, fb, db, dct, nMfcc) };
  }
  const mel = melSpectrogram(y, options);
  powerToDb(mel.data, options.db ?? {}, mel.data);
  return dctRows(mel, nMfcc);
}
