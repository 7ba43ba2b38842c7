import { z } from 'zod';
import { bytesToBase64, float32ToBase64 } from '../../src-shared/contract/bytes.js';
import {
  exploreArgs,
  type AugmentPreview,
  type ClipFeatureDetail,
  type EmotionAverages,
  type ExploreApi,
  type PreviewAudio,
  type SavedRecipe,
} from '../../src-shared/contract/explore.js';
import { StudioError } from '../../src-shared/contract/result.js';
import { SeedAverages } from '../../src-shared/model/emotion-averages.js';
import { FEATURE_PIPELINES } from '../../src-shared/model/feature-pipeline.js';
import { EMOTIONS } from '../../src-shared/model/labels.js';
import { SEED_FULL_FRAMES, SEED_HOP_LENGTH, SEED_N_MFCC, seedFramesForFile, seedFramesForSamples } from '../../src-shared/model/seed-layout.js';
import type { CatalogDb } from '../catalog/db.js';
import type { CatalogService } from '../catalog/service.js';
import type { FeatureService } from '../features/service.js';
import type { AudioWorkers } from '../workers/pool.js';
import type { AugmentPreviewResult, MelParams } from '../workers/audio-worker.js';
import { AugmentRecipeStore } from './augment-recipes.js';
import type { PathPolicy } from './path-policy.js';

interface ExploreServiceDeps {
  /** Refuses a clip whose file lies outside its dataset's folder. */
  paths: PathPolicy;
  db: CatalogDb;
  catalog: CatalogService;
  features: FeatureService;
  workers: AudioWorkers;
}

type Args = { [M in keyof typeof exploreArgs]: z.input<(typeof exploreArgs)[M]> };

/** The seed's pipeline: what the feature view explains and what the preview's 'pipeline' span loads. */
const SEED_PIPELINE = FEATURE_PIPELINES['seed-2376'];
/** Longest stretch the preview's 'whole' span transforms (a phase vocoder over minutes would stall the worker). */
const WHOLE_MAX_SEC = 30;
const PREVIEW_N_FFT = 2048;
const PREVIEW_HOP_LENGTH = 256;
const PREVIEW_TOP_DB = 80;

/**
 * The augmentation preview, saved recipes, and the feature view's data: one clip's seed vector
 * and per-emotion averages over the catalog. DSP runs in the worker pool; averages read the
 * feature cache and compute what it lacks.
 */
export class ExploreService implements ExploreApi {
  private readonly deps: ExploreServiceDeps;
  private readonly recipeStore: AugmentRecipeStore;
  private readonly jobs = new Map<string, AbortController>();

  constructor(deps: ExploreServiceDeps) {
    this.deps = deps;
    this.recipeStore = new AugmentRecipeStore(deps.db);
  }

  async augmentPreview(args: Args['augmentPreview']): Promise<AugmentPreview> {
    const started = performance.now();
    const { clipId, settings, seed, span, nMels } = exploreArgs.augmentPreview.parse(args);
    const clip = await this.deps.catalog.getClip({ clipId });
    await this.deps.paths.checkClip(clip);
    const { sampleRate, offsetSec, durationSec } = SEED_PIPELINE.load;
    if (span === 'pipeline' && clip.durationSec <= offsetSec) {
      throw new StudioError('INVALID_ARGUMENT', `${clip.relPath} lasts ${clip.durationSec.toFixed(2)} s, less than the pipeline's ${offsetSec} s offset: preview the whole clip instead`);
    }
    const load = span === 'pipeline' ? { sampleRate, offsetSec, durationSec } : { sampleRate, offsetSec: 0, durationSec: Math.min(WHOLE_MAX_SEC, clip.durationSec) };
    const mel: MelParams = { sampleRate, nFft: PREVIEW_N_FFT, hopLength: PREVIEW_HOP_LENGTH, nMels, topDb: PREVIEW_TOP_DB };
    const result = await this.deps.workers.augmentPreview(clip.path, load, settings, seed, mel);
    return {
      clipId,
      settings,
      seed,
      offsetSec: load.offsetSec,
      durationSec: load.durationSec,
      sampleRate: result.sampleRate,
      original: previewAudio(result.original, mel),
      transformed: previewAudio(result.transformed, mel),
      durationMs: Math.round(performance.now() - started),
    };
  }

  async recipes(): Promise<SavedRecipe[]> {
    return this.recipeStore.list();
  }

  async saveRecipe(args: Args['saveRecipe']): Promise<SavedRecipe> {
    const { name, copies, replace } = exploreArgs.saveRecipe.parse(args);
    return this.recipeStore.save({ name, copies }, replace);
  }

  async deleteRecipe(args: Args['deleteRecipe']): Promise<{ deleted: boolean }> {
    return { deleted: this.recipeStore.delete(exploreArgs.deleteRecipe.parse(args).id) };
  }

  async clipFeatureDetail(args: Args['clipFeatureDetail']): Promise<ClipFeatureDetail> {
    const { clipId } = exploreArgs.clipFeatureDetail.parse(args);
    const clip = await this.deps.catalog.getClip({ clipId });
    await this.deps.paths.checkClip(clip);
    const detail = await this.deps.workers.seedDetail(clip.path, SEED_PIPELINE);
    return {
      clipId,
      pipeline: SEED_PIPELINE,
      valuesBase64: float32ToBase64(detail.values),
      nFrames: seedFramesForSamples(detail.nSamples),
      nSamples: detail.nSamples,
    };
  }

  async emotionAverages(args: Args['emotionAverages']): Promise<EmotionAverages> {
    const { jobId, filter } = exploreArgs.emotionAverages.parse(args);
    if (this.jobs.has(jobId)) throw new StudioError('CONFLICT', `a job with id ${jobId} is already running`);
    const controller = new AbortController();
    this.jobs.set(jobId, controller);
    try {
      const averages = new SeedAverages();
      const extract = await this.deps.features.run(jobId, SEED_PIPELINE, filter, controller.signal, (clip, features) => {
        // The cache keeps the vector only; the excerpt's frame count follows from the file's length.
        const fileFrames = Math.round(clip.durationSec * clip.sampleRate);
        averages.add(clip.label, features.values, seedFramesForFile(fileFrames, clip.sampleRate, SEED_PIPELINE.load));
      });
      return {
        pipeline: SEED_PIPELINE,
        nFrames: SEED_FULL_FRAMES,
        nMfcc: SEED_N_MFCC,
        hopLength: SEED_HOP_LENGTH,
        sampleRate: SEED_PIPELINE.load.sampleRate,
        labels: averages.result(EMOTIONS),
        extract,
      };
    } finally {
      this.jobs.delete(jobId);
    }
  }

  async cancel(args: Args['cancel']): Promise<{ cancelled: boolean }> {
    return { cancelled: this.cancelJob(exploreArgs.cancel.parse(args).jobId) };
  }

  cancelJob(jobId: string): boolean {
    const controller = this.jobs.get(jobId);
    if (controller === undefined || controller.signal.aborted) return false;
    controller.abort();
    return true;
  }
}

function previewAudio(side: AugmentPreviewResult['original'], params: MelParams): PreviewAudio {
  return {
    wavBase64: bytesToBase64(side.wav),
    durationSec: side.durationSec,
    mel: {
      sampleRate: params.sampleRate,
      nFft: params.nFft,
      hopLength: params.hopLength,
      nMels: side.mel.nMels,
      nFrames: side.mel.nFrames,
      fmin: 0,
      fmax: params.sampleRate / 2,
      dbBase64: float32ToBase64(side.mel.db),
      dbMin: side.mel.dbMin,
      dbMax: side.mel.dbMax,
    },
  };
}
