import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { base64ToBytes } from '../../src-shared/contract/bytes.js';
import type { RunsApi, RunSummary } from '../../src-shared/contract/training.js';
import {
  liveArgs,
  pcm16Base64ToFloat32,
  type FilePrediction,
  type LiveApi,
  type LiveModel,
  type LoadedModel,
  type Prediction,
  type SavedRecording,
  type WindowPrediction,
} from '../../src-shared/contract/live.js';
import { StudioError } from '../../src-shared/contract/result.js';
import { encodeWav16 } from '../audio/wav-encode.js';
import type { CatalogService } from '../catalog/service.js';
import type { BackendInfo } from '../training/backend.js';
import type { ExportedModel } from '../training/inference.js';
import type { AudioWorkers } from '../workers/pool.js';

interface LiveServiceDeps {
  runs: RunsApi;
  catalog: CatalogService;
  workers: AudioWorkers;
  dbPath: string;
}

type Args = { [M in keyof typeof liveArgs]: z.input<(typeof liveArgs)[M]> };

interface Loaded {
  info: LoadedModel;
  exported: ExportedModel;
}

/** Models kept loaded at once; picking a third unloads the least recently used. */
const MAX_LOADED = 2;
/** A saved recording shorter than this is a mistake (an empty window), not a clip. */
const MIN_RECORDING_SEC = 0.1;

/** Recordings live beside their catalog: studio.db → studio-recordings/<label>/live-….wav. */
export function recordingsRoot(dbPath: string): string {
  return join(dirname(dbPath), `${basename(dbPath).replace(/\.[^.]*$/, '')}-recordings`);
}

/**
 * Live classification: a finished run's exported model, fed microphone windows and dropped
 * files. Features come from the model's own pipeline (pipeline.json) in the worker pool, so
 * the model sees what it was trained on; tfjs is loaded on first use only, so a studio that
 * never classifies never pays for it.
 */
export class LiveService implements LiveApi {
  private readonly deps: LiveServiceDeps;
  private readonly loaded = new Map<number, Promise<Loaded>>();

  constructor(deps: LiveServiceDeps) {
    this.deps = deps;
  }

  async models(): Promise<LiveModel[]> {
    const runs = await this.deps.runs.list({});
    return runs
      .filter((run) => run.status === 'finished' && run.modelDir !== null && existsSync(join(run.modelDir, 'manifest.json')))
      .sort((a, b) => (b.finishedAt ?? '').localeCompare(a.finishedAt ?? '') || b.id - a.id)
      .map(liveModel);
  }

  async load(args: Args['load']): Promise<LoadedModel> {
    return (await this.model(liveArgs.load.parse(args).runId)).info;
  }

  async classifyWindow(args: Args['classifyWindow']): Promise<WindowPrediction> {
    const started = performance.now();
    const { runId, audio } = liveArgs.classifyWindow.parse(args);
    const { exported } = await this.model(runId);
    const samples = pcm16Base64ToFloat32(audio.pcm16Base64);
    let energy = 0;
    for (const value of samples) energy += value * value;
    const features = await this.deps.workers.samplesFeatures(samples, audio.sampleRate, exported.pipeline, 'last');
    return { ...(await this.predict(exported, features.values, started)), rms: samples.length > 0 ? Math.sqrt(energy / samples.length) : 0 };
  }

  async classifyFile(args: Args['classifyFile']): Promise<FilePrediction> {
    const started = performance.now();
    const { runId, name, audio } = liveArgs.classifyFile.parse(args);
    const { exported } = await this.model(runId);
    let values: Float32Array;
    if (audio.kind === 'pcm') {
      values = (await this.deps.workers.samplesFeatures(pcm16Base64ToFloat32(audio.pcm16Base64), audio.sampleRate, exported.pipeline, 'file')).values;
    } else {
      // Through a file, so a dropped file takes exactly the decoding and loading path of training.
      const folder = await mkdtemp(join(tmpdir(), 'es-drop-'));
      const path = join(folder, 'dropped');
      try {
        await writeFile(path, base64ToBytes(audio.bytesBase64));
        values = (await this.deps.workers.features(path, exported.pipeline)).values;
      } catch (error) {
        if (error instanceof StudioError) throw new StudioError(error.code, error.message.split(path).join(name));
        throw error;
      } finally {
        await rm(folder, { recursive: true, force: true });
      }
    }
    return { name, ...(await this.predict(exported, values, started)) };
  }

  async saveRecording(args: Args['saveRecording']): Promise<SavedRecording> {
    const { audio, label } = liveArgs.saveRecording.parse(args);
    const samples = pcm16Base64ToFloat32(audio.pcm16Base64);
    if (samples.length < MIN_RECORDING_SEC * audio.sampleRate) {
      throw new StudioError('INVALID_ARGUMENT', `the recording is ${(samples.length / audio.sampleRate).toFixed(2)} s long; record at least ${MIN_RECORDING_SEC} s`);
    }
    const root = recordingsRoot(this.deps.dbPath);
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').replace(/\..*$/, '');
    const fileName = `live-${stamp}-${Math.random().toString(36).slice(2, 8)}.wav`;
    const path = join(root, label, fileName);
    try {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, encodeWav16(samples, audio.sampleRate));
    } catch (error) {
      throw new StudioError('IO_ERROR', `could not write ${path}: ${error instanceof Error ? error.message : String(error)}`);
    }
    // Importing the recordings folder (one subfolder per label) makes the file a clip like any other.
    const summary = await this.deps.catalog.importFolder({ folder: root, jobId: `recording-${fileName}` });
    const failure = summary.failed.find((failed) => failed.path === path);
    if (failure !== undefined) throw new StudioError('DECODE_FAILED', `${path}: not imported (${failure.reason})`);
    const page = await this.deps.catalog.queryClips({ filter: { text: fileName }, limit: 10 });
    const clip = page.clips.find((candidate) => candidate.path === path);
    if (clip === undefined) throw new StudioError('INTERNAL', `${path} was written and imported but is not in the catalog`);
    return { clip, path };
  }

  private async predict(exported: ExportedModel, values: Float32Array, started: number): Promise<Prediction> {
    const width = exported.inputShape.reduce((a, b) => a * b, 1);
    if (values.length !== width) {
      throw new StudioError('INTERNAL', `${exported.dir}: the pipeline gave ${values.length} values, the model takes ${width}`);
    }
    const { classify } = await import('../training/inference.js');
    const probabilities = Array.from(classify(exported, values));
    let best = 0;
    for (let i = 1; i < probabilities.length; i++) if (probabilities[i] > probabilities[best]) best = i;
    return {
      labels: exported.labels,
      probabilities,
      predicted: exported.labels[best],
      confidence: probabilities[best],
      durationMs: Math.round(performance.now() - started),
    };
  }

  /** The run's exported model, loaded once and kept (the least recently used one goes past MAX_LOADED). */
  private async model(runId: number): Promise<Loaded> {
    let pending = this.loaded.get(runId);
    if (pending === undefined) {
      pending = this.loadRun(runId);
      pending.catch(() => this.loaded.delete(runId));
    } else {
      this.loaded.delete(runId);
    }
    this.loaded.set(runId, pending);
    for (const [id, evicted] of this.loaded) {
      if (this.loaded.size <= MAX_LOADED) break;
      this.loaded.delete(id);
      void evicted.then((model) => model.exported.members.forEach((member) => member.model.dispose())).catch(() => undefined);
    }
    return pending;
  }

  private async loadRun(runId: number): Promise<Loaded> {
    const run = await this.deps.runs.get({ runId });
    if (run.status !== 'finished' || run.modelDir === null) {
      throw new StudioError('INVALID_ARGUMENT', `run ${runId} ("${run.name}") has no exported model: it is ${run.status}`);
    }
    if (!existsSync(join(run.modelDir, 'manifest.json'))) {
      throw new StudioError('NOT_FOUND', `run ${runId} ("${run.name}"): its model folder ${run.modelDir} is missing or incomplete (no manifest.json)`);
    }
    const [{ initBackend }, { loadExportedModel }] = await Promise.all([import('../training/backend.js'), import('../training/inference.js')]);
    let backend: BackendInfo;
    try {
      backend = await initBackend('auto');
    } catch (error) {
      throw new StudioError('INTERNAL', `no tfjs backend could be loaded to classify: ${error instanceof Error ? error.message : String(error)}`);
    }
    let exported: ExportedModel;
    try {
      exported = await loadExportedModel(run.modelDir);
    } catch (error) {
      throw new StudioError('DECODE_FAILED', `run ${runId} ("${run.name}"): ${error instanceof Error ? error.message : String(error)}`);
    }
    return {
      exported,
      info: {
        ...liveModel(run),
        labels: exported.labels,
        pipeline: exported.pipeline,
        inputShape: exported.inputShape,
        backend: `${backend.name} (${backend.version})`,
      },
    };
  }
}

function liveModel(run: RunSummary): LiveModel {
  return {
    runId: run.id,
    name: run.name,
    preset: run.preset,
    featureSet: run.featureSet,
    finishedAt: run.finishedAt,
    testAccuracy: run.test?.accuracy ?? null,
  };
}
