/**
 * The fixed-size feature sets that models consume: the seed model's
 * 2376-value vector and log-mel images. Each is defined at 22050 Hz; callers
 * resample first (the filterbank follows `sr`, so other rates give
 * different features, not an error).
 */

import { powerToDb, type PowerToDbOptions } from './db.js';
import { rms, zeroCrossingRate } from './features.js';
import { melSpectrogram } from './mel.js';
import { mfcc } from './mfcc.js';

/** Sample rate every feature set is defined at, in Hz. */
export const FEATURE_SAMPLE_RATE = 22050;
/** Length of the seed vector: 22 values per frame for 108 frames (2.5 s at 22050 Hz, hop 512). */
export const SEED_LENGTH = 2376;
/** Frames of a log-mel image: 1 + floor(2.5 s * 22050 / 512) = 108. */
export const LOGMEL_FRAMES = 108;

const SEED_N_FFT = 2048;
const SEED_HOP_LENGTH = 512;
const SEED_N_MELS = 128;
const SEED_N_MFCC = 20;

/**
 * Replaces NaN by 0 and +-Infinity by the largest finite float32 (numpy.nan_to_num
 * for float32), writing float32 values.
 */
function toFiniteFloat32(values: Float64Array, out: Float32Array, outOffset: number, count: number): void {
  const big = 3.4028234663852886e38;
  for (let i = 0; i < count; i++) {
    const v = values[i];
    out[outOffset + i] = v !== v ? 0 : v > big ? big : v < -big ? -big : v;
  }
}

/**
 * The seed model's feature vector:
 * hstack(zcr[T], rms[T], mfcc.T raveled frame-major [t0c0..t0c19, t1c0, ...]),
 * zero-padded or truncated to 2376 values, NaN -> 0.
 *
 * Features use nFft = frameLength = 2048, hop 512, centered frames, 128 Slaney
 * mel bands (fmin 0, fmax sr/2), dB re. 1.0 with topDb 80, 20 ortho DCT-II
 * coefficients: librosa 0.11 defaults. A 2.5 s clip at 22050 Hz has T = 108
 * frames and fills the vector exactly; for other lengths the blocks shift
 * (zcr takes T values, then rms T values) before padding/truncation, as in
 * the reference definition.
 *
 * @param y mono signal in [-1, 1] at `sr` (22050 Hz for the seed model)
 * @param sr sample rate in Hz. Default 22050.
 * @returns Float32Array(2376)
 */
export function seed2376(y: ArrayLike<number>, sr = FEATURE_SAMPLE_RATE): Float32Array {
  const zcr = zeroCrossingRate(y, { frameLength: SEED_N_FFT, hopLength: SEED_HOP_LENGTH, center: true });
  const energy = rms(y, { frameLength: SEED_N_FFT, hopLength: SEED_HOP_LENGTH, center: true });
  const coefficients = mfcc(y, { sr, nFft: SEED_N_FFT, hopLength: SEED_HOP_LENGTH, nMels: SEED_N_MELS, nMfcc: SEED_N_MFCC, db: { ref: 1.0 } });
  const nFrames = zcr.length;

  const out = new Float32Array(SEED_LENGTH);
  toFiniteFloat32(zcr, out, 0, Math.min(nFrames, SEED_LENGTH));
  if (nFrames < SEED_LENGTH) toFiniteFloat32(energy, out, nFrames, Math.min(nFrames, SEED_LENGTH - nFrames));
  // Transpose [nMfcc][nFrames] to frame-major, stopping at the vector's end.
  const frameMajor = new Float64Array(SEED_N_MFCC);
  let position = 2 * nFrames;
  for (let t = 0; t < nFrames && position < SEED_LENGTH; t++) {
    for (let c = 0; c < SEED_N_MFCC; c++) frameMajor[c] = coefficients.data[c * nFrames + t];
    const count = Math.min(SEED_N_MFCC, SEED_LENGTH - position);
    toFiniteFloat32(frameMajor, out, position, count);
    position += count;
  }
  return out;
}

/** Options of `logmel`. */
export interface LogMelOptions {
  /** Sample rate of `y` in Hz. Default 22050. */
  sr?: number;
  /** Mel bands. Default 128. */
  nMels?: number;
  /** Output frames: a short clip is extended with silence, a long one truncated. Default 108 (2.5 s). */
  nFrames?: number;
  /** FFT length. Default 2048. */
  nFft?: number;
  /** Hop in samples. Default 512. */
  hopLength?: number;
  /** Lowest mel edge in Hz. Default 0. */
  fmin?: number;
  /** Highest mel edge in Hz. Default sr / 2. */
  fmax?: number;
  /**
   * dB reference. Default 'max': the loudest cell is 0 dB and values lie in
   * [-topDb, 0], which makes the image independent of recording gain.
   * Use 1.0 for absolute dB as in `seed2376`'s MFCCs.
   */
  ref?: PowerToDbOptions['ref'];
  /** Dynamic range below the maximum in dB. Default 80. */
  topDb?: number | null;
}

/**
 * Log-mel image of a fixed size, in dB.
 *
 * A short clip is treated as followed by digital silence (zeros), so frames
 * past its end take the floor value (max - topDb with the defaults). Frames
 * past nFrames are dropped before the dB conversion, so ref='max' and topDb
 * refer to the kept frames only. Slaney mel, norm='slaney', centered Hann STFT.
 *
 * @param y mono signal at `options.sr`
 * @returns Float32Array, layout `[nMels][nFrames]`, in dB
 */
export function logmel(y: ArrayLike<number>, options: LogMelOptions = {}): Float32Array {
  const sr = options.sr ?? FEATURE_SAMPLE_RATE;
  const nMels = options.nMels ?? SEED_N_MELS;
  const nFrames = options.nFrames ?? LOGMEL_FRAMES;
  const nFft = options.nFft ?? SEED_N_FFT;
  const hopLength = options.hopLength ?? SEED_HOP_LENGTH;
  if (!Number.isInteger(nFrames) || nFrames < 1) throw new RangeError(`nFrames must be an integer >= 1, got ${nFrames}`);
  // The last kept frame is centered on (nFrames-1)*hop and reads up to nFft/2 past it;
  // later samples cannot change the output, so skip them.
  const needed = (nFrames - 1) * hopLength + Math.floor(nFft / 2);
  // A short clip is extended with zeros (silence) so the frames near its end
  // see what they would see in a longer recording.
  const signal = y.length > needed ? sliceOf(y, needed) : y.length < needed ? zeroExtended(y, needed) : y;
  const mel = melSpectrogram(signal, {
    sr,
    nFft,
    hopLength,
    nMels,
    ...(options.fmin === undefined ? {} : { fmin: options.fmin }),
    ...(options.fmax === undefined ? {} : { fmax: options.fmax }),
  });
  const fixed = new Float64Array(nMels * nFrames);
  for (let m = 0; m < nMels; m++) {
    for (let t = 0; t < nFrames; t++) fixed[m * nFrames + t] = mel.data[m * mel.nFrames + t];
  }
  powerToDb(fixed, { ref: options.ref ?? 'max', topDb: options.topDb === undefined ? 80 : options.topDb }, fixed);
  const out = new Float32Array(fixed.length);
  toFiniteFloat32(fixed, out, 0, fixed.length);
  return out;
}

function zeroExtended(y: ArrayLike<number>, length: number): Float32Array | Float64Array {
  const out = y instanceof Float64Array ? new Float64Array(length) : new Float32Array(length);
  for (let i = 0; i < y.length; i++) out[i] = y[i];
  return out;
}

function sliceOf(y: ArrayLike<number>, length: number): ArrayLike<number> {
  if (y instanceof Float32Array || y instanceof Float64Array) return y.subarray(0, length);
  return Array.prototype.slice.call(y, 0, length) as number[];
}

/** Names of the feature sets a model can be trained on. */
export type FeatureSetName = 'seed-2376' | 'logmel-64' | 'logmel-128' | 'logmel-64-abs';

/** Every feature set name, in a stable order. */
export const FEATURE_SET_NAMES: readonly FeatureSetName[] = ['seed-2376', 'logmel-64', 'logmel-128', 'logmel-64-abs'];

/** Shape of each feature set's output: `[2376]` or `[nMels, nFrames]`. */
export const FEATURE_SET_SHAPES: Readonly<Record<FeatureSetName, readonly number[]>> = {
  'seed-2376': [SEED_LENGTH],
  'logmel-64': [64, LOGMEL_FRAMES],
  'logmel-128': [128, LOGMEL_FRAMES],
  'logmel-64-abs': [64, LOGMEL_FRAMES],
};

/** A computed feature set: row-major values of the given shape. */
export interface FeatureSet {
  shape: number[];
  values: Float32Array;
}

/**
 * Computes a named feature set with its fixed defaults: 'seed-2376' is
 * `seed2376(y, sr)`; 'logmel-64' / 'logmel-128' are `logmel` with 64 / 128
 * bands, 108 frames, nFft 2048, hop 512, ref='max', topDb 80; 'logmel-64-abs' is
 * 'logmel-64' in absolute dB (ref 1.0, as seed-2376's MFCCs), so it keeps how loud the voice
 * is — in RAVDESS an actor's angry clips average 20 dB above their calm ones.
 *
 * @param y mono signal at `sr`
 * @param sr sample rate in Hz (the sets are defined at 22050). Default 22050.
 */
export function computeFeatureSet(name: FeatureSetName, y: ArrayLike<number>, sr = FEATURE_SAMPLE_RATE): FeatureSet {
  switch (name) {
    case 'seed-2376':
      return { shape: [...FEATURE_SET_SHAPES[name]], values: seed2376(y, sr) };
    case 'logmel-64':
      return { shape: [...FEATURE_SET_SHAPES[name]], values: logmel(y, { sr, nMels: 64, nFrames: LOGMEL_FRAMES }) };
    case 'logmel-128':
      return { shape: [...FEATURE_SET_SHAPES[name]], values: logmel(y, { sr, nMels: 128, nFrames: LOGMEL_FRAMES }) };
    case 'logmel-64-abs':
      return { shape: [...FEATURE_SET_SHAPES[name]], values: logmel(y, { sr, nMels: 64, nFrames: LOGMEL_FRAMES, ref: 1 }) };
    default: {
      const unknown: never = name;
      throw new RangeError(`unknown feature set ${String(unknown)}`);
    }
  }
}
