import { z } from 'zod';
import { featurePipelineSchema, FEATURE_PIPELINES, type FeaturePipeline } from '../model/feature-pipeline.js';
import { clipFilterSchema } from './catalog.js';

/** A preset's name, or a whole pipeline spelled out. */
export const pipelineRefSchema = z.union([
  z.enum(Object.keys(FEATURE_PIPELINES) as [string, ...string[]]),
  featurePipelineSchema,
]);
export type PipelineRef = z.infer<typeof pipelineRefSchema>;

export interface ClipFeatures {
  pipeline: FeaturePipeline;
  /** e.g. [2376] for seed-2376, [64, 108] for logmel-64. */
  shape: number[];
  /** float32 little-endian values, row-major in shape's order, base64. */
  valuesBase64: string;
  /** True when read from the cache rather than computed now. */
  fromCache: boolean;
}

export interface ExtractSummary {
  pipeline: FeaturePipeline;
  total: number;
  computed: number;
  cached: number;
  failed: { clipId: number; path: string; reason: string }[];
  durationMs: number;
  cancelled: boolean;
}

export const featuresArgs = {
  pipelines: z.strictObject({}),
  clipFeatures: z.strictObject({ clipId: z.number().int().positive(), pipeline: pipelineRefSchema }),
  extract: z.strictObject({
    jobId: z.string().min(1).max(100),
    pipeline: pipelineRefSchema,
    filter: clipFilterSchema.default({}),
  }),
};

export interface FeaturesApi {
  /** The preset pipelines (seed-2376, logmel-64, logmel-128). */
  pipelines(args: z.input<typeof featuresArgs.pipelines>): Promise<FeaturePipeline[]>;
  /** One clip's features, from the cache when its bytes have not changed. */
  clipFeatures(args: z.input<typeof featuresArgs.clipFeatures>): Promise<ClipFeatures>;
  /** Computes and caches features for every clip under a filter, in worker threads; progress as `job.progress`. */
  extract(args: z.input<typeof featuresArgs.extract>): Promise<ExtractSummary>;
}
