import { addSeedNoise } from '../dsp/augment/noise.js';
import { pitchShift } from '../dsp/augment/pitch-shift.js';

/** The seed notebook's pitch shift for its third copy, in semitones. */
export const SEED_PITCH_STEPS = 0.7;

/**
 * The seed's ×3 augmentation of one loaded clip: the original, a noisy copy (amplitude
 * 0.035 · U(0,1) · max|x|) and a pitch-shifted (+0.7 semitones) copy of the noisy one.
 * `seed` makes the noise reproducible; each clip should get its own seed.
 */
export function seedAugmentedCopies(y: Float32Array, sampleRate: number, seed: number): Float32Array[] {
  const noisy = addSeedNoise(y, seed).y;
  return [y, noisy, pitchShift(noisy, sampleRate, SEED_PITCH_STEPS)];
}
