import { z } from 'zod';
import { augmentSettingsSchema, type AugmentRecipe, type AugmentSettings } from '../model/augment-recipe.js';
import type { EmotionAverage } from '../model/emotion-averages.js';
import type { FeaturePipeline } from '../model/feature-pipeline.js';
import type { MelSpectrogram } from './audio.js';
import { clipFilterSchema } from './catalog.js';
import type { ExtractSummary } from './features.js';

export type { EmotionAverage } from '../model/emotion-averages.js';

/** One side of the A/B comparison. */
export interface PreviewAudio {
  /** 16-bit PCM mono WAV at the preview's rate, base64. */
  wavBase64: string;
  durationSec: number;
  /** On one dB scale shared with the other side (ref = the louder side's maximum), so colours compare. */
  mel: MelSpectrogram;
}

export interface AugmentPreview {
  clipId: number;
  settings: AugmentSettings;
  seed: number;
  /** The stretch of the file both sides come from: the pipeline's excerpt, or the whole clip. */
  offsetSec: number;
  durationSec: number | null;
  sampleRate: number;
  original: PreviewAudio;
  transformed: PreviewAudio;
  durationMs: number;
}

/** A named augmentation recipe saved for training (a TrainingConfig's `augmentation`). */
export interface SavedRecipe {
  id: number;
  recipe: AugmentRecipe;
  createdAt: string;
  updatedAt: string;
}

/**
 * One clip's seed-2376 features, for the feature view. Split the vector with
 * `splitSeedVector(values, nFrames)` (src-shared/model/seed-layout.ts), the same layout map the
 * diagram draws, so the heatmap and the curves are exactly what the model reads.
 */
export interface ClipFeatureDetail {
  clipId: number;
  pipeline: FeaturePipeline;
  /** The 2,376 float32 values, little-endian, base64. */
  valuesBase64: string;
  /** Frames T of this clip's excerpt (108 for a full 2.5 s). */
  nFrames: number;
  /** Samples the excerpt had at the pipeline's rate (fewer than 2.5 s when the file is short). */
  nSamples: number;
}

export interface EmotionAverages {
  pipeline: FeaturePipeline;
  nFrames: number;
  nMfcc: number;
  hopLength: number;
  sampleRate: number;
  labels: EmotionAverage[];
  /** How the features were had: from the cache, computed now, or not at all. */
  extract: ExtractSummary;
}

const idSchema = z.number().int().positive();

/** Recipe names: what a run config shows; letters, digits, spaces and - _ . ( ). */
export const recipeNameSchema = z
  .string()
  .trim()
  .min(1, 'a recipe needs a name')
  .max(64, 'a recipe name has at most 64 characters')
  .regex(/^[\p{L}\p{N} _.()-]+$/u, 'a recipe name may hold letters, digits, spaces and - _ . ( )');

export const exploreArgs = {
  augmentPreview: z.strictObject({
    clipId: idSchema,
    settings: augmentSettingsSchema,
    /** Seeds the noise; the same seed gives the same noise. */
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
    /** 'pipeline': the seed's excerpt (0.6 s + 2.5 s at 22,050 Hz), what training transforms; 'whole': the clip (first 30 s). */
    span: z.enum(['pipeline', 'whole']).default('pipeline'),
    nMels: z.number().int().min(16).max(256).default(96),
  }),
  recipes: z.strictObject({}),
  saveRecipe: z.strictObject({
    name: recipeNameSchema,
    copies: z.array(augmentSettingsSchema).min(1).max(8),
    /** Overwrite a recipe of the same name instead of failing with CONFLICT. */
    replace: z.boolean().default(false),
  }),
  deleteRecipe: z.strictObject({ id: idSchema }),
  clipFeatureDetail: z.strictObject({ clipId: idSchema }),
  /** Per-emotion seed-feature averages over the clips under `filter`; progress as `job.progress` (kind 'features'). */
  emotionAverages: z.strictObject({ jobId: z.string().min(1).max(100), filter: clipFilterSchema.default({}) }),
  /** Stops a running emotionAverages job; it then resolves with what it had. */
  cancel: z.strictObject({ jobId: z.string().min(1).max(100) }),
};

export interface ExploreApi {
  /** The clip and the clip with `settings` applied (applyAugment, as training applies it), computed in a worker thread. */
  augmentPreview(args: z.input<typeof exploreArgs.augmentPreview>): Promise<AugmentPreview>;
  recipes(args: z.input<typeof exploreArgs.recipes>): Promise<SavedRecipe[]>;
  saveRecipe(args: z.input<typeof exploreArgs.saveRecipe>): Promise<SavedRecipe>;
  deleteRecipe(args: z.input<typeof exploreArgs.deleteRecipe>): Promise<{ deleted: boolean }>;
  clipFeatureDetail(args: z.input<typeof exploreArgs.clipFeatureDetail>): Promise<ClipFeatureDetail>;
  emotionAverages(args: z.input<typeof exploreArgs.emotionAverages>): Promise<EmotionAverages>;
  cancel(args: z.input<typeof exploreArgs.cancel>): Promise<{ cancelled: boolean }>;
}
