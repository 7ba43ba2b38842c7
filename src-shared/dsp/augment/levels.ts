/**
 * Silence trimming (librosa.effects.trim) and level normalisation.
 */

import { rms } from '../features.js';

/** Options of `trimSilence`, librosa vocabulary. */
export interface TrimOptions {
  /** Frames quieter than this many dB below the loudest frame are silence. Default 60. */
  topDb?: number;
  /** RMS frame length in samples. Default 2048 (92.9 ms at 22050 Hz). */
  frameLength?: number;
  /** Hop between RMS frames in samples. Default 512 (23.2 ms at 22050 Hz). */
  hopLength?: number;
}

/** Result of `trimSilence`: y = input[startSample, endSample). */
export interface TrimResult {
  y: Float32Array;
  startSample: number;
  endSample: number;
}

/**
 * librosa.effects.trim(y, top_db, ref=np.max, frame_length, hop_length):
 * frame-wise RMS (centered, zero padded), in dB relative to the loudest
 * frame (amplitude_to_db: 20 log10 with amin 1e-5); frames above -topDb are
 * non-silent. The kept span runs from the first non-silent frame's sample
 * (frame * hop) to one frame past the last, capped at the signal length.
 * The threshold is relative, so a digitally silent clip is kept whole (every
 * frame is at 0 dB re. its own maximum); only topDb = 0, where no frame is
 * strictly above the threshold, gives the empty span [0, 0).
 */
export function trimSilence(y: ArrayLike<number>, options: TrimOptions = {}): TrimResult {
  const topDb = options.topDb ?? 60;
  const frameLength = options.frameLength ?? 2048;
  const hopLength = options.hopLength ?? 512;
  if (!(topDb >= 0)) throw new RangeError(`topDb must be >= 0, got ${topDb}`);
  const frames = rms(y, { frameLength, hopLength, center: true });
  const amin = 1e-5;
  let ref = 0;
  for (let t = 0; t < frames.length; t++) if (frames[t] > ref) ref = frames[t];
  // power_to_db(S^2, ref=ref^2, amin=amin^2), as amplitude_to_db does.
  const refDb = 10 * Math.log10(Math.max(amin * amin, ref * ref));
  let first = -1;
  let last = -1;
  for (let t = 0; t < frames.length; t++) {
    const db = 10 * Math.log10(Math.max(amin * amin, frames[t] * frames[t])) - refDb;
    if (db > -topDb) {
      if (first < 0) first = t;
      last = t;
    }
  }
  const startSample = first < 0 ? 0 : first * hopLength;
  const endSample = first < 0 ? 0 : Math.min(y.length, (last + 1) * hopLength);
  const kept = new Float32Array(endSample - startSample);
  for (let i = startSample; i < endSample; i++) kept[i - startSample] = y[i];
  return { y: kept, startSample, endSample };
}

function scaled(y: ArrayLike<number>, gain: number): Float32Array {
  const out = new Float32Array(y.length);
  for (let i = 0; i < y.length; i++) out[i] = y[i] * gain;
  return out;
}

/** Linear gain for a level in dB full scale: 10^(dbfs/20). */
export function dbfsToGain(dbfs: number): number {
  return Math.pow(10, dbfs / 20);
}

/**
 * Scales the signal so max |y| = 10^(targetDbfs/20) (0 dBFS = 1.0, full
 * scale of float audio). Silent input is returned unchanged.
 * @param targetDbfs peak level in dBFS, <= 0 to avoid clipping; default -1
 */
export function peakNormalize(y: ArrayLike<number>, targetDbfs = -1): Float32Array {
  let peak = 0;
  for (let i = 0; i < y.length; i++) peak = Math.max(peak, Math.abs(y[i]));
  return scaled(y, peak > 0 ? dbfsToGain(targetDbfs) / peak : 1);
}

/**
 * Scales the signal so its RMS over the whole clip is 10^(targetDbfs/20)
 * (a full-scale sine has RMS -3.01 dBFS). No limiter: loud targets on
 * peaky signals can exceed ±1. Silent input is returned unchanged.
 * @param targetDbfs RMS level in dBFS; default -20
 */
export function rmsNormalize(y: ArrayLike<number>, targetDbfs = -20): Float32Array {
  let energy = 0;
  for (let i = 0; i < y.length; i++) energy += y[i] * y[i];
  const level = y.length === 0 ? 0 : Math.sqrt(energy / y.length);
  return scaled(y, level > 0 ? dbfsToGain(targetDbfs) / level : 1);
}
