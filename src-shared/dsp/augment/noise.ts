/**
 * Additive Gaussian noise, seeded and reproducible.
 */

import { Random } from '../random.js';

/** Options of `addSeedNoise`. */
export interface SeedNoiseOptions {
  /** Largest noise amplitude as a fraction of the signal peak. Default 0.035 (the seed notebook). */
  maxRelativeAmplitude?: number;
  /**
   * What "signal peak" means. 'maxAbs' (default): max |x|, so the noise
   * scales with the loudest sample of either sign. 'max': the signed
   * maximum, literally the notebook's np.amax(data) (differs on clips whose
   * largest excursion is negative).
   */
  peak?: 'maxAbs' | 'max';
}

/** Result of a noise augmentation. */
export interface NoiseResult {
  /** The noisy signal, same length as the input. */
  y: Float32Array;
  /** Standard deviation of the added noise, in the signal's unit. */
  noiseStd: number;
}

function peakOf(x: ArrayLike<number>, mode: 'maxAbs' | 'max'): number {
  let peak = mode === 'max' ? -Infinity : 0;
  for (let i = 0; i < x.length; i++) {
    const v = mode === 'max' ? x[i] : Math.abs(x[i]);
    if (v > peak) peak = v;
  }
  return x.length === 0 ? 0 : peak;
}

/**
 * The seed notebook's `noise`: noise_amp = 0.035 * U(0,1) * peak(x), then
 * y[i] = x[i] + noise_amp * N(0,1) independently per sample. The first
 * uniform draw of `seed` picks the amplitude; the normals follow.
 *
 * @param x mono signal
 * @param seed PRNG seed; the same seed gives the same output
 */
export function addSeedNoise(x: ArrayLike<number>, seed: number, options: SeedNoiseOptions = {}): NoiseResult {
  const maxRelative = options.maxRelativeAmplitude ?? 0.035;
  if (!(maxRelative >= 0)) throw new RangeError(`maxRelativeAmplitude must be >= 0, got ${maxRelative}`);
  const rng = new Random(seed);
  const noiseStd = maxRelative * rng.uniform() * peakOf(x, options.peak ?? 'maxAbs');
  const y = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) y[i] = x[i] + noiseStd * rng.normal();
  return { y, noiseStd };
}

/**
 * White Gaussian noise at a given signal-to-noise ratio: the noise power is
 * mean(x^2) / 10^(snrDb/10). A silent input stays silent.
 *
 * @param x mono signal
 * @param snrDb signal-to-noise ratio in dB (e.g. 20: noise 20 dB below the signal's mean power)
 * @param seed PRNG seed
 */
export function addNoiseSnr(x: ArrayLike<number>, snrDb: number, seed: number): NoiseResult {
  if (!Number.isFinite(snrDb)) throw new RangeError(`snrDb must be finite, got ${snrDb}`);
  let energy = 0;
  for (let i = 0; i < x.length; i++) energy += x[i] * x[i];
  const signalPower = x.length === 0 ? 0 : energy / x.length;
  const noiseStd = Math.sqrt(signalPower / Math.pow(10, snrDb / 10));
  const rng = new Random(seed);
  const y = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) y[i] = x[i] + noiseStd * rng.normal();
  return { y, noiseStd };
}
