/**
 * Pitch shifting, librosa.effects.pitch_shift (librosa 0.11): time-stretch
 * by 2^(-nSteps/binsPerOctave), then resample back to the original duration.
 */

import { Resampler } from '../resample.js';
import { timeStretch, type TimeStretchOptions } from './time-stretch.js';

/** Options of `pitchShift`. */
export interface PitchShiftOptions extends TimeStretchOptions {
  /** Steps per octave: 12 (default) makes nSteps semitones, 24 quarter-tones. */
  binsPerOctave?: number;
}

/**
 * The shared soxr-HQ resampler takes integer rates; the pitch-shift rate
 * pair sr/rate -> sr is irrational. Both rates are multiplied by this factor
 * and rounded, which changes the ratio by < 1e-11 relative (a drift of
 * < 1e-6 samples over a minute of audio). The resampler's response depends
 * only on the ratio, and at this scale it always uses its interpolated
 * polyphase table, as soxr does for irrational ratios.
 */
const RATE_SCALE = 1_000_000;

/** Resamplers are costly to build (a tap table); keep the last few rate pairs. */
const MAX_CACHED_RESAMPLERS = 8;
const resamplers = new Map<string, Resampler>();

function resamplerFor(srIn: number, srOut: number): Resampler {
  const key = `${srIn}:${srOut}`;
  let r = resamplers.get(key);
  if (r !== undefined) {
    // Refresh its position: Map iteration order is insertion order.
    resamplers.delete(key);
  } else {
    r = new Resampler(srIn, srOut);
    if (resamplers.size >= MAX_CACHED_RESAMPLERS) {
      const oldest = resamplers.keys().next().value;
      if (oldest !== undefined) resamplers.delete(oldest);
    }
  }
  resamplers.set(key, r);
  return r;
}

/**
 * librosa.effects.pitch_shift(y, sr=sampleRate, n_steps=nSteps,
 * bins_per_octave, res_type='soxr_hq'): with rate = 2^(-nSteps/binsPerOctave),
 * y is time-stretched by `rate` (phase vocoder, same duration change as
 * playing it `rate` times faster), resampled from sampleRate/rate to
 * sampleRate (which restores the duration and scales every frequency by
 * 1/rate), and cut or zero-padded to y.length.
 *
 * @param y mono signal at `sampleRate`
 * @param sampleRate Hz, e.g. 22050
 * @param nSteps pitch change in steps (semitones by default), may be
 *   fractional or negative; the seed notebook uses 0.7
 * @returns Float32Array of y.length samples
 */
export function pitchShift(y: ArrayLike<number>, sampleRate: number, nSteps: number, options: PitchShiftOptions = {}): Float32Array {
  const binsPerOctave = options.binsPerOctave ?? 12;
  if (!Number.isInteger(binsPerOctave) || binsPerOctave <= 0) {
    throw new RangeError(`binsPerOctave must be a positive integer, got ${binsPerOctave}`);
  }
  if (!(sampleRate > 0) || !Number.isFinite(nSteps)) {
    throw new RangeError(`need sampleRate > 0 and a finite nSteps, got ${sampleRate}, ${nSteps}`);
  }
  const rate = Math.pow(2, -nSteps / binsPerOctave);
  const stretched = timeStretch(y, rate, options);
  let shifted: Float32Array;
  if (rate === 1) {
    shifted = stretched;
  } else {
    const srOut = Math.round(sampleRate * RATE_SCALE);
    const srIn = Math.round((sampleRate / rate) * RATE_SCALE);
    shifted = resamplerFor(srIn, srOut).process(stretched);
  }
  const out = new Float32Array(y.length);
  out.set(shifted.length > y.length ? shifted.subarray(0, y.length) : shifted);
  return out;
}
