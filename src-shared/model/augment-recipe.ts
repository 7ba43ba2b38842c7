import { z } from 'zod';
import { reduceNoiseStationary } from '../dsp/augment/denoise.js';
import { addSeedNoise } from '../dsp/augment/noise.js';
import { pitchShift } from '../dsp/augment/pitch-shift.js';
import { roll } from '../dsp/augment/shift.js';
import { timeStretch } from '../dsp/augment/time-stretch.js';

/**
 * One augmented copy of a clip: the transforms the seed notebook explored ("the effect of noise,
 * stretch, shift and pitch"), plus noise reduction. Each field's neutral value turns it off.
 * Shared by the augmentation preview and the training pipeline, so what a user hears is what
 * the model is trained on.
 */
export const augmentSettingsSchema = z.strictObject({
  /** Noise amplitude as a fraction of the clip's peak, times U(0, 1) as in the seed (which used 0.035); 0 = off. */
  noiseAmount: z.number().min(0).max(0.5).default(0),
  /** Time-stretch rate (librosa.effects.time_stretch): 0.8 is slower and longer; 1 = off. */
  stretchRate: z.number().min(0.5).max(2).default(1),
  /** Circular time shift in seconds (np.roll, as the seed); positive = later; 0 = off. */
  shiftSec: z.number().min(-1).max(1).default(0),
  /** Pitch shift in semitones (librosa.effects.pitch_shift); the seed used 0.7; 0 = off. */
  pitchSemitones: z.number().min(-12).max(12).default(0),
  /** Stationary spectral-gating noise reduction (noisereduce) before the other transforms. */
  denoise: z.boolean().default(false),
});
export type AugmentSettings = z.output<typeof augmentSettingsSchema>;
export type AugmentSettingsInput = z.input<typeof augmentSettingsSchema>;

/** A training configuration's augmentation: the original plus one copy per entry, made from training clips only. */
export const augmentRecipeSchema = z.strictObject({
  name: z.string().min(1).max(64).default('custom'),
  copies: z.array(augmentSettingsSchema).min(1).max(8),
});
export type AugmentRecipe = z.output<typeof augmentRecipeSchema>;

/** The seed's recipe expressed as settings (its own code path, seedAugmentedCopies, is exact to the notebook). */
export const SEED_RECIPE: AugmentRecipe = {
  name: 'seed-x3',
  copies: [
    { noiseAmount: 0.035, stretchRate: 1, shiftSec: 0, pitchSemitones: 0, denoise: false },
    { noiseAmount: 0.035, stretchRate: 1, shiftSec: 0, pitchSemitones: 0.7, denoise: false },
  ],
};

export function isNeutral(settings: AugmentSettings): boolean {
  return settings.noiseAmount === 0 && settings.stretchRate === 1 && settings.shiftSec === 0 && settings.pitchSemitones === 0 && !settings.denoise;
}

/**
 * Applies one copy's transforms, in the order denoise → stretch → pitch → shift → noise (noise
 * last, so that stretching does not smear it). `seed` makes the noise reproducible.
 * @param y mono samples at `sampleRate`
 */
export function applyAugment(y: Float32Array, sampleRate: number, settings: AugmentSettings, seed: number): Float32Array {
  let out: Float32Array = y;
  if (settings.denoise) out = reduceNoiseStationary(out, sampleRate);
  if (settings.stretchRate !== 1) out = timeStretch(out, settings.stretchRate);
  if (settings.pitchSemitones !== 0) out = pitchShift(out, sampleRate, settings.pitchSemitones);
  if (settings.shiftSec !== 0) out = roll(out, Math.round(settings.shiftSec * sampleRate));
  if (settings.noiseAmount > 0) out = addSeedNoise(out, seed, { maxRelativeAmplitude: settings.noiseAmount }).y;
  return out === y ? y.slice() : out;
}
