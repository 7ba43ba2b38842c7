import { z } from 'zod';
import { FEATURE_SET_NAMES, FEATURE_SET_SHAPES, type FeatureSetName } from '../dsp/seed.js';

/**
 * A feature pipeline: how a clip becomes a model input. It is stored with every trained model,
 * so inference recomputes exactly the features the model was trained on, and it keys the feature
 * cache, so a changed parameter can never serve stale features.
 */
export const featurePipelineSchema = z.strictObject({
  /** Name shown in the UI; presets use the feature set's name. */
  name: z.string().min(1).max(64),
  /** Bumped whenever the computation behind these parameters changes. */
  version: z.literal(1),
  load: z.strictObject({
    /** Rate the clip is resampled to (soxr-HQ response), Hz. */
    sampleRate: z.number().int().min(8000).max(48_000),
    /** Start of the excerpt in the file, seconds (librosa.load offset). */
    offsetSec: z.number().min(0).max(3600),
    /** Length of the excerpt, seconds (librosa.load duration); shorter clips are zero-padded by the feature set. */
    durationSec: z.number().positive().max(600),
  }),
  featureSet: z.enum(FEATURE_SET_NAMES as unknown as [FeatureSetName, ...FeatureSetName[]]),
});

export type FeaturePipeline = z.infer<typeof featurePipelineSchema>;

/** The seed notebook's loading: librosa.load(sr=22050, offset=0.6, duration=2.5). */
const SEED_LOAD = { sampleRate: 22_050, offsetSec: 0.6, durationSec: 2.5 } as const;

export const FEATURE_PIPELINES: Record<FeatureSetName, FeaturePipeline> = {
  'seed-2376': { name: 'seed-2376', version: 1, load: { ...SEED_LOAD }, featureSet: 'seed-2376' },
  'logmel-64': { name: 'logmel-64', version: 1, load: { ...SEED_LOAD }, featureSet: 'logmel-64' },
  'logmel-128': { name: 'logmel-128', version: 1, load: { ...SEED_LOAD }, featureSet: 'logmel-128' },
  'logmel-64-abs': { name: 'logmel-64-abs', version: 1, load: { ...SEED_LOAD }, featureSet: 'logmel-64-abs' },
};

/** Shape of one clip's features under a pipeline, e.g. [2376] or [64, 108]. */
export function pipelineShape(pipeline: FeaturePipeline): number[] {
  return [...FEATURE_SET_SHAPES[pipeline.featureSet]];
}

/**
 * The cache key: the parameters that decide the values, in a fixed order (the name is a label and
 * does not change a value, so two names for the same computation share their cache).
 */
export function pipelineKey(pipeline: FeaturePipeline): string {
  const { load } = pipeline;
  return `v${pipeline.version}|${pipeline.featureSet}|sr=${load.sampleRate}|offset=${load.offsetSec}|duration=${load.durationSec}`;
}
