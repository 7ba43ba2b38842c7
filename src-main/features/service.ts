import { z } from 'zod';
import { float32ToBase64 } from '../../src-shared/contract/bytes.js';
import type { Clip } from '../../src-shared/contract/catalog.js';
import { featuresArgs, type ClipFeatures, type ExtractSummary, type FeaturesApi, type PipelineRef } from '../../src-shared/contract/features.js';
import { StudioError } from '../../src-shared/contract/result.js';
import { FEATURE_PIPELINES, pipelineKey, type FeaturePipeline } from '../../src-shared/model/feature-pipeline.js';
import type { CatalogService } from '../catalog/service.js';
import type { PathPolicy } from '../services/path-policy.js';
import type { EventBus } from '../events.js';
import { TASKS_PER_WORKER, type AudioWorkers } from '../workers/pool.js';
import type { FeatureAugment } from '../workers/audio-worker.js';
import type { AugmentSettings } from '../../src-shared/model/augment-recipe.js';
import type { CachedFeatures, FeatureCache } from './cache.js';

interface FeatureServiceDeps {
  catalog: CatalogService;
  cache: FeatureCache;
  workers: AudioWorkers;
  events: EventBus;
  /** Refuses clips whose file lies outside their dataset's folder (a hand-edited catalog). */
  paths?: PathPolicy;
}

/** Clips in flight per worker thread: the tasks it runs at once plus one queued, so no thread waits for a reply to be handled. */
const IN_FLIGHT_PER_THREAD = TASKS_PER_WORKER + 1;
/** Cache writes are batched: one transaction per this many clips or this many milliseconds. */
const BATCH_SIZE = 64;
const BATCH_MS = 500;

function toWorkerAugment(augment: Parameters<FeatureService['runClips']>[5], clip: Clip): FeatureAugment | undefined {
  if (augment === undefined) return undefined;
  const seed = augment.seedOf(clip);
  return augment.recipe === 'seed-x3' ? { recipe: 'seed-x3', seed } : { recipe: 'custom', copies: augment.copies, seed };
}

export function resolvePipeline(ref: PipelineRef): FeaturePipeline {
  if (typeof ref !== 'string') return ref;
  const preset = (FEATURE_PIPELINES as Record<string, FeaturePipeline>)[ref];
  if (preset === undefined) throw new StudioError('INVALID_ARGUMENT', `no feature pipeline named "${ref}"`);
  return preset;
}

/** Features for the catalog's clips: computed in worker threads, cached per clip and pipeline. */
export class FeatureService implements FeaturesApi {
  private readonly deps: FeatureServiceDeps;
  private readonly jobs = new Map<string, AbortController>();

  constructor(deps: FeatureServiceDeps) {
    this.deps = deps;
  }

  async pipelines(): Promise<FeaturePipeline[]> {
    return Object.values(FEATURE_PIPELINES);
  }

  async clipFeatures(args: z.input<typeof featuresArgs.clipFeatures>): Promise<ClipFeatures> {
    const pipeline = resolvePipeline(featuresArgs.clipFeatures.parse(args).pipeline);
    const clip = await this.deps.catalog.getClip({ clipId: args.clipId });
    await this.deps.paths?.checkClip(clip);
    const key = pipelineKey(pipeline);
    const cached = this.deps.cache.get(clip.id, key, clip.contentHash);
    const features = cached ?? (await this.deps.workers.features(clip.path, pipeline));
    if (cached === null) this.deps.cache.put(clip.id, key, clip.contentHash, features);
    return { pipeline, shape: features.shape, valuesBase64: float32ToBase64(features.values), fromCache: cached !== null };
  }

  /** Reads what the cache has and computes the rest, for clips under a filter. */
  async extract(args: z.input<typeof featuresArgs.extract>): Promise<ExtractSummary> {
    const { jobId, filter, pipeline: ref } = featuresArgs.extract.parse(args);
    if (this.jobs.has(jobId)) throw new StudioError('CONFLICT', `a job with id ${jobId} is already running`);
    const pipeline = resolvePipeline(ref);
    const controller = new AbortController();
    this.jobs.set(jobId, controller);
    try {
      return await this.run(jobId, pipeline, filter, controller.signal, () => undefined);
    } finally {
      this.jobs.delete(jobId);
    }
  }

  /**
   * The extraction loop, also used by the engine to assemble a dataset: `onFeatures` receives
   * each clip's features as they arrive (cached or computed), in no particular order.
   */
  async run(
    jobId: string,
    pipeline: FeaturePipeline,
    filter: z.infer<typeof featuresArgs.extract>['filter'],
    signal: AbortSignal,
    onFeatures: (clip: Clip, features: CachedFeatures) => void,
  ): Promise<ExtractSummary> {
    return this.runClips(jobId, pipeline, await this.allClips(filter), signal, onFeatures);
  }

  /**
   * The extraction loop over given clips. With `augment`, each clip yields its augmented copies
   * ([copies, ...shape]); they are cached under the pipeline key extended by the recipe and the
   * clip's own seed, `augment.seedOf(clip)`, so another seed never reads them.
   */
  async runClips(
    jobId: string,
    pipeline: FeaturePipeline,
    clips: readonly Clip[],
    signal: AbortSignal,
    onFeatures: (clip: Clip, features: CachedFeatures) => void,
    augment?: { recipe: 'seed-x3'; seedOf: (clip: Clip) => number } | { recipe: 'custom'; copies: AugmentSettings[]; seedOf: (clip: Clip) => number },
  ): Promise<ExtractSummary> {
    const started = performance.now();
    const baseKey = pipelineKey(pipeline);
    const recipeKey = augment === undefined ? '' : augment.recipe === 'seed-x3' ? 'seed-x3' : JSON.stringify(augment.copies);
    const keyOf = (clip: Clip) => (augment === undefined ? baseKey : `${baseKey}|augment=${recipeKey}|seed=${augment.seedOf(clip)}`);
    const summary: ExtractSummary = { pipeline, total: clips.length, computed: 0, cached: 0, failed: [], durationMs: 0, cancelled: false };
    const progress = (detail: string) =>
      this.deps.events.emit('job.progress', { jobId, kind: 'features', done: summary.computed + summary.cached + summary.failed.length, total: summary.total, detail });

    const toCompute: Clip[] = [];
    const refusal = this.deps.paths === undefined ? () => null : await this.deps.paths.clipChecker();
    for (const clip of clips) {
      const refused = refusal(clip);
      if (refused !== null) {
        summary.failed.push({ clipId: clip.id, path: clip.path, reason: refused });
        continue;
      }
      const cached = this.deps.cache.get(clip.id, keyOf(clip), clip.contentHash);
      if (cached === null) {
        toCompute.push(clip);
      } else {
        summary.cached += 1;
        onFeatures(clip, cached);
      }
    }
    progress(`${summary.cached} cached, ${toCompute.length} to compute`);

    let pending: { clipId: number; key: string; contentHash: string; features: CachedFeatures }[] = [];
    let lastFlush = performance.now();
    const flush = () => {
      if (pending.length > 0) this.deps.cache.putMany(pending);
      pending = [];
      lastFlush = performance.now();
    };
    let next = 0;
    const lane = async (): Promise<void> => {
      while (!signal.aborted && next < toCompute.length) {
        const clip = toCompute[next++];
        try {
          const features = await this.deps.workers.features(clip.path, pipeline, toWorkerAugment(augment, clip));
          pending.push({ clipId: clip.id, key: keyOf(clip), contentHash: clip.contentHash, features });
          summary.computed += 1;
          onFeatures(clip, features);
        } catch (error) {
          summary.failed.push({ clipId: clip.id, path: clip.path, reason: error instanceof Error ? error.message : String(error) });
        }
        if (pending.length >= BATCH_SIZE || performance.now() - lastFlush >= BATCH_MS) {
          flush();
          progress(clip.relPath);
        }
      }
    };
    const lanes = Math.max(1, this.deps.workers.threads) * IN_FLIGHT_PER_THREAD;
    await Promise.all(Array.from({ length: lanes }, lane));
    flush();
    progress('done');
    summary.cancelled = signal.aborted && next < toCompute.length;
    summary.durationMs = Math.round(performance.now() - started);
    return summary;
  }

  cancelJob(jobId: string): boolean {
    const controller = this.jobs.get(jobId);
    controller?.abort();
    return controller !== undefined;
  }

  private async allClips(filter: z.infer<typeof featuresArgs.extract>['filter']): Promise<Clip[]> {
    const clips: Clip[] = [];
    for (;;) {
      const page = await this.deps.catalog.queryClips({ filter, sort: 'id', descending: false, offset: clips.length, limit: 1000 });
      clips.push(...page.clips);
      if (page.clips.length === 0 || clips.length >= page.total) return clips;
    }
  }
}
