import { z } from 'zod';
import { clipFilterSchema } from '../contract/catalog.js';
import { FEATURE_SET_NAMES, type FeatureSetName } from '../dsp/seed.js';
import { augmentRecipeSchema } from './augment-recipe.js';
import { modelSpecSchema } from './model-spec.js';

const actorList = z.array(z.number().int().min(0).max(100_000)).max(1000);

/**
 * How clips are divided between training, validation and test. Every split keeps a speaker (or,
 * for clips with no speaker id, a source clip) on one side only; augmented copies are made after
 * the split, from training clips only.
 */
export const splitSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('actors'),
    /** Held-out speakers for the test set; default: the last two actors present. */
    testActors: actorList.optional(),
    /** Speakers for validation (early stopping, learning-rate schedule); default: the two before the test actors. */
    valActors: actorList.optional(),
  }),
  z.strictObject({
    kind: z.literal('kfold'),
    /** Number of folds; the actors present are dealt into this many groups in order. */
    folds: z.number().int().min(2).max(100),
    /** This run's test fold, 0-based; validation is the next fold, training the rest. */
    fold: z.number().int().min(0).max(99),
  }),
]);
export type SplitConfig = z.infer<typeof splitSchema>;

export const AUGMENTATIONS = ['none', 'seed-x3'] as const;
export type AugmentationName = (typeof AUGMENTATIONS)[number];

/** Everything a run depends on. Stored with the run and in its exported manifest. */
export const trainingConfigSchema = z.strictObject({
  /** Model preset name (src-shared/model/presets.ts). */
  preset: z.string().min(1).max(64),
  /** A custom model (ModelSpec JSON) trained with the preset's defaults; its input must fit the feature set. */
  spec: modelSpecSchema.optional(),
  /** Feature set the model reads; default: the preset's. */
  featureSet: z.enum(FEATURE_SET_NAMES as unknown as [FeatureSetName, ...FeatureSetName[]]).optional(),
  /** Which catalog clips take part (before the split). */
  filter: clipFilterSchema.default({}),
  split: splitSchema.default({ kind: 'actors' }),
  /**
   * Copies made from training clips only: 'seed-x3' is the seed's original + noise + noise&pitch;
   * a recipe (e.g. saved from the augmentation preview) adds one copy per settings entry.
   */
  augmentation: z.union([z.enum(AUGMENTATIONS), augmentRecipeSchema]).optional(),
  /**
   * Per-channel normalisation before the scaler (src-shared/model/normalize.ts): 'speaker' uses
   * each speaker's own clips' statistics (no labels), 'utterance' each clip's own; default 'none'.
   */
  normalization: z.enum(['none', 'utterance', 'speaker']).optional(),
  /** Time and frequency masking on spectrogram inputs (training batches only). */
  specAugment: z.boolean().optional(),
  /**
   * Frequency warping of spectrogram inputs (training batches only): each example's band axis is
   * stretched by a factor in [1 − w, 1 + w]; 0 turns it off. Default: the preset's.
   */
  frequencyWarp: z.number().min(0).max(0.3).optional(),
  /** Mixup alpha (Beta(α, α) mixing of pairs within a batch); 0 turns it off. */
  mixup: z.number().min(0).max(2).optional(),
  epochs: z.number().int().min(1).max(1000).optional(),
  /** Default: the preset's (64 for the seed's models). */
  batchSize: z.number().int().min(1).max(1024).optional(),
  learningRate: z.number().positive().max(1).optional(),
  /** Categorical cross-entropy label smoothing, 0..0.5. */
  labelSmoothing: z.number().min(0).max(0.5).optional(),
  /** 'balanced' weighs each class by n / (k · n_class) of the training set. Default: the preset's. */
  classWeights: z.enum(['none', 'balanced']).optional(),
  /** EarlyStopping on validation loss; default: the preset's patience (5 for the seed's models), restoring the best weights. */
  earlyStopping: z
    .strictObject({ patience: z.number().int().min(1).max(1000).default(5), restoreBestWeights: z.boolean().default(true) })
    .nullable()
    .optional(),
  reduceLrOnPlateau: z
    .strictObject({
      factor: z.number().gt(0).lt(1).default(0.5),
      patience: z.number().int().min(1).max(1000).default(3),
      minLr: z.number().min(0).default(1e-6),
    })
    .nullable()
    .default({ factor: 0.5, patience: 3, minLr: 1e-6 }),
  /**
   * Models trained one after another on the same split, seeds seed, seed + 1, …, whose class
   * probabilities are averaged: an ensemble. Each member has its own early stopping. Default: the preset's.
   */
  members: z.number().int().min(1).max(16).optional(),
  /**
   * What an ensemble's members read: 'same' the features as they are; 'alternate' (log-mel sets)
   * the 2nd, 4th, … member the image relative to its peak (src-shared/model/level-view.ts). Default: the preset's.
   */
  memberViews: z.enum(['same', 'alternate']).optional(),
  /** Seeds weight initialisation, shuffling, augmentation noise, dropout masks. */
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(42),
  /** Samples per forward/backward pass; gradients of a batch are accumulated over micro-batches. 0 = automatic. */
  microBatch: z.number().int().min(0).max(1024).default(0),
  /** Backend to train on; 'auto' takes the fastest that loads. */
  backend: z.enum(['auto', 'tensorflow', 'wasm', 'cpu']).default('auto'),
  /** Also write a float16-quantized copy of the exported model. */
  exportFloat16: z.boolean().default(true),
});

export type TrainingConfigInput = z.input<typeof trainingConfigSchema>;
/** A config with every preset default filled in: what the engine runs and stores. */
export type TrainingConfig = Required<Omit<z.infer<typeof trainingConfigSchema>, 'featureSet' | 'spec'>> & { featureSet: FeatureSetName; spec?: z.infer<typeof modelSpecSchema> };
