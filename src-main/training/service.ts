import { createHash } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import type { Clip } from '../../src-shared/contract/catalog.js';
import { StudioError } from '../../src-shared/contract/result.js';
import type { PresetInfo, RunDetail, RunPrediction, RunProgress, RunSplitInfo, RunSummary, RunsApi, TrainingApi, runsArgs, trainingArgs } from '../../src-shared/contract/training.js';
import { FEATURE_SET_SHAPES } from '../../src-shared/dsp/seed.js';
import type { AugmentRecipe } from '../../src-shared/model/augment-recipe.js';
import { FEATURE_PIPELINES } from '../../src-shared/model/feature-pipeline.js';
import { EMOTIONS } from '../../src-shared/model/labels.js';
import { channelLayout, normalizeByGroup } from '../../src-shared/model/normalize.js';
import { inferModelShapes } from '../../src-shared/model/model-spec.js';
import { MODEL_PRESETS, isPresetName } from '../../src-shared/model/presets.js';
import { SplitError, speakerOf, splitByActor, type SplitName } from '../../src-shared/model/splits.js';
import { trainingConfigSchema, type TrainingConfig, type TrainingConfigInput } from '../../src-shared/model/training-config.js';
import type { CatalogService } from '../catalog/service.js';
import type { CatalogDb } from '../catalog/db.js';
import type { EventBus } from '../events.js';
import type { FeatureService } from '../features/service.js';
import { checkpointHistory } from './checkpoint.js';
import { memberCheckpointDir, memberCount, readFinishedMember, resumeEpoch } from './ensemble.js';
import { writeDataset, type SplitData, type TrainingDataset } from './dataset-files.js';
import type { JobOutcome, TrainJob } from './run-job.js';
import { RunsStore } from './runs-store.js';
import type { SpawnTrainer, TrainerProcess } from './spawn.js';

interface TrainingServiceDeps {
  db: CatalogDb;
  catalog: CatalogService;
  features: FeatureService;
  events: EventBus;
  /** Folder under which each run keeps its dataset, checkpoints and exported model. */
  runsRoot: string;
  spawnTrainer: SpawnTrainer;
  studioVersion: string;
}

interface ActiveRun {
  abort: AbortController;
  process: TrainerProcess | null;
  cancelRequested: boolean;
  /** Resolves when the run has left 'running'. */
  done: Promise<void>;
}

/** How long a cancelled training process may take to stop by itself before it is killed. */
const CANCEL_GRACE_MS = 1500;
/** Progress is stored at most this often (events go out at most 4 times a second). */
const PROGRESS_STORE_MS = 1000;
const PROGRESS_EMIT_MS = 250;

/** The training process ended by a signal nobody in the studio sent. */
class TrainerKilled extends Error {}

/** A preset's defaults, then the user's values: the config the engine runs and stores. */
export function resolveConfig(input: TrainingConfigInput): TrainingConfig {
  const result = trainingConfigSchema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.') || 'config'}: ${issue.message}`);
    throw new StudioError('INVALID_ARGUMENT', `training config: ${problems.join('; ')}`);
  }
  const parsed = result.data;
  if (!isPresetName(parsed.preset)) throw new StudioError('INVALID_ARGUMENT', `no model preset named "${parsed.preset}" (presets: ${Object.keys(MODEL_PRESETS).join(', ')})`);
  const preset = MODEL_PRESETS[parsed.preset];
  const featureSet = parsed.featureSet ?? preset.featureSet;
  if (parsed.spec !== undefined) {
    const width = FEATURE_SET_SHAPES[featureSet].reduce((a, b) => a * b, 1);
    const inputs = parsed.spec.inputShape.reduce((a, b) => a * b, 1);
    if (inputs !== width) throw new StudioError('INVALID_ARGUMENT', `spec ${parsed.spec.name} takes ${parsed.spec.inputShape.join('×')} inputs; ${featureSet} features are ${FEATURE_SET_SHAPES[featureSet].join('×')}`);
  } else if (featureSet !== preset.featureSet) {
    throw new StudioError('INVALID_ARGUMENT', `preset ${preset.name} reads ${preset.featureSet} features, not ${featureSet}`);
  }
  const memberViews = parsed.memberViews ?? preset.defaults.memberViews;
  if (memberViews === 'alternate' && !featureSet.startsWith('logmel')) {
    throw new StudioError('INVALID_ARGUMENT', `memberViews: 'alternate' reads log-mel images relative to their peak; ${featureSet} is not a log-mel feature set`);
  }
  return {
    ...parsed,
    featureSet,
    augmentation: parsed.augmentation ?? preset.defaults.augmentation,
    specAugment: parsed.specAugment ?? preset.defaults.specAugment,
    mixup: parsed.mixup ?? preset.defaults.mixup,
    frequencyWarp: parsed.frequencyWarp ?? preset.defaults.frequencyWarp,
    epochs: parsed.epochs ?? preset.defaults.epochs,
    batchSize: parsed.batchSize ?? preset.defaults.batchSize,
    learningRate: parsed.learningRate ?? preset.defaults.learningRate,
    labelSmoothing: parsed.labelSmoothing ?? preset.defaults.labelSmoothing,
    normalization: parsed.normalization ?? 'none',
    earlyStopping: parsed.earlyStopping === undefined ? { patience: preset.defaults.patience, restoreBestWeights: true } : parsed.earlyStopping,
    members: parsed.members ?? preset.defaults.members,
    memberViews,
    classWeights: parsed.classWeights ?? preset.defaults.classWeights,
  };
}

/** Labels in RAVDESS code order first, then any others alphabetically. */
export function labelOrder(labels: Iterable<string>): string[] {
  const present = new Set(labels);
  return [...EMOTIONS.filter((e) => present.has(e)), ...[...present].filter((l) => !(EMOTIONS as readonly string[]).includes(l)).sort()];
}

/**
 * Training runs: the studio side. Prepares a leak-free dataset through the cached feature
 * pipeline, starts the training process, and writes what it reports into the catalog as it
 * happens. One run trains at a time; others wait as 'queued'.
 */
export class TrainingService implements TrainingApi, RunsApi {
  private readonly deps: TrainingServiceDeps;
  readonly store: RunsStore;
  private readonly active = new Map<number, ActiveRun>();
  private queue: Promise<void> = Promise.resolve();

  constructor(deps: TrainingServiceDeps) {
    this.deps = deps;
    this.store = new RunsStore(deps.db);
    this.store.markOrphans(isProcessAlive);
  }

  async presets(): Promise<PresetInfo[]> {
    return Object.values(MODEL_PRESETS).map((preset) => {
      const shapes = inferModelShapes(preset.spec);
      return {
        name: preset.name,
        title: preset.title,
        description: preset.description,
        featureSet: preset.featureSet,
        params: { total: shapes.total, trainable: shapes.trainable, nonTrainable: shapes.nonTrainable },
        layers: shapes.layers.map((layer) => ({ index: layer.index, className: layer.className, outputShape: layer.outputShape, params: layer.params })),
        defaults: { ...preset.defaults },
      };
    });
  }

  async start(args: z.input<typeof trainingArgs.start>): Promise<{ runId: number }> {
    const config = resolveConfig(args.config);
    const name = args.name ?? `${config.preset} ${new Date().toISOString().slice(0, 16).replace('T', ' ')}`;
    const runId = this.store.create(name, config, (id) => join(this.deps.runsRoot, String(id)));
    this.deps.events.emit('run.changed', { runId, status: 'queued' });
    this.enqueue(runId, false);
    return { runId };
  }

  async resume(args: z.input<typeof trainingArgs.resume>): Promise<{ runId: number }> {
    const row = this.store.row(args.runId);
    if (!['interrupted', 'cancelled', 'failed'].includes(row.status)) {
      throw new StudioError('CONFLICT', `run ${args.runId} is ${row.status}; only an interrupted, cancelled or failed run can be resumed`);
    }
    this.store.setStatus(args.runId, 'queued', { error: null });
    this.deps.events.emit('run.changed', { runId: args.runId, status: 'queued' });
    this.enqueue(args.runId, true);
    return { runId: args.runId };
  }

  async cancel(args: z.input<typeof trainingArgs.cancel>): Promise<{ cancelled: boolean }> {
    const run = this.active.get(args.runId);
    if (run === undefined) return { cancelled: false };
    run.cancelRequested = true;
    run.abort.abort();
    if (run.process !== null) {
      const process = run.process;
      process.send({ type: 'cancel' });
      setTimeout(() => process.kill(), CANCEL_GRACE_MS).unref();
    }
    return { cancelled: true };
  }

  /** Resolves when the run is no longer queued or running (tests, the CLI). */
  async settled(runId: number): Promise<RunSummary> {
    for (;;) {
      const run = this.active.get(runId);
      if (run !== undefined) await run.done;
      const summary = this.store.get(runId);
      if (summary.status !== 'queued' && summary.status !== 'running') return summary;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async list(): Promise<RunSummary[]> {
    return this.store.list();
  }

  async get(args: z.input<typeof runsArgs.get>): Promise<RunDetail> {
    return this.store.get(args.runId);
  }

  async update(args: z.input<typeof runsArgs.update>): Promise<RunSummary> {
    this.store.update(args.runId, args);
    this.deps.events.emit('run.changed', { runId: args.runId, status: this.store.row(args.runId).status });
    return this.store.get(args.runId);
  }

  async delete(args: z.input<typeof runsArgs.delete>): Promise<{ deleted: boolean }> {
    if (this.active.has(args.runId)) throw new StudioError('CONFLICT', `run ${args.runId} is training; cancel it before deleting it`);
    const row = this.store.row(args.runId);
    const deleted = this.store.delete(args.runId);
    if (row.run_dir !== null && row.run_dir.startsWith(this.deps.runsRoot)) rmSync(row.run_dir, { recursive: true, force: true });
    this.deps.events.emit('run.changed', { runId: args.runId, status: null });
    return { deleted };
  }

  async predictions(args: z.input<typeof runsArgs.predictions>): Promise<RunPrediction[]> {
    return this.store.predictions({ ...args, sort: args.sort ?? 'clip', limit: args.limit ?? 500 });
  }

  /** Cancels what is running and waits for it to stop (studio shutdown). */
  async close(): Promise<void> {
    const runs = [...this.active.entries()];
    await Promise.all(runs.map(([runId]) => this.cancel({ runId })));
    await Promise.all(runs.map(([, run]) => run.done));
  }

  private enqueue(runId: number, resume: boolean): void {
    let finish = () => {};
    const active: ActiveRun = { abort: new AbortController(), process: null, cancelRequested: false, done: new Promise<void>((resolve) => (finish = resolve)) };
    this.active.set(runId, active);
    this.queue = this.queue.then(async () => {
      try {
        if (active.cancelRequested) {
          this.setStatus(runId, 'cancelled');
        } else {
          await this.execute(runId, resume, active);
        }
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        // a training process killed from outside (the OOM killer, kill -9) is an interruption, resumable from its checkpoint
        const status = active.cancelRequested ? 'cancelled' : error instanceof TrainerKilled ? 'interrupted' : 'failed';
        this.setStatus(runId, status, active.cancelRequested ? undefined : message);
      } finally {
        this.active.delete(runId);
        finish();
      }
    });
  }

  private setStatus(runId: number, status: RunSummary['status'], error?: string): void {
    this.store.setStatus(runId, status, { error: error ?? null, ownerPid: status === 'running' || status === 'queued' ? process.pid : null });
    this.deps.events.emit('run.changed', { runId, status });
  }

  private async execute(runId: number, resume: boolean, active: ActiveRun): Promise<void> {
    const row = this.store.row(runId);
    const config = JSON.parse(row.config_json) as TrainingConfig;
    const runDir = row.run_dir ?? join(this.deps.runsRoot, String(runId));
    const dataDir = join(runDir, 'data');
    const checkpointDir = join(runDir, 'checkpoint');
    this.setStatus(runId, 'running');

    if (!resume || !existsSync(join(dataDir, 'meta.json'))) {
      const prepared = await this.prepare(runId, config, active.abort.signal);
      if (prepared === null || active.cancelRequested) {
        this.setStatus(runId, 'cancelled');
        return;
      }
      writeDataset(dataDir, prepared.dataset);
      this.store.setPrepared(runId, prepared.split, prepared.dataset.labels);
    }
    const fromEpoch = resume ? resumeEpoch(checkpointDir, memberCount(config)) : 0;
    if (!resume) rmSync(checkpointDir, { recursive: true, force: true });
    this.store.dropEpochsAfter(runId, fromEpoch);
    if (resume) this.restoreCheckpointedEpochs(runId, checkpointDir, memberCount(config), fromEpoch);

    const preset = MODEL_PRESETS[config.preset as keyof typeof MODEL_PRESETS];
    const split = this.store.get(runId).split;
    const job: TrainJob = {
      runId,
      runName: row.name,
      dataDir,
      checkpointDir,
      exportDir: join(runDir, 'model'),
      config,
      spec: config.spec ?? preset.spec,
      pipeline: FEATURE_PIPELINES[config.featureSet],
      resume,
      manifest: { split, studioVersion: this.deps.studioVersion },
    };
    const outcome = await this.runProcess(runId, job, active);
    if (outcome === null || outcome.stoppedBy === 'cancelled') {
      this.store.setStatus(runId, 'cancelled');
      this.deps.events.emit('run.changed', { runId, status: 'cancelled' });
      return;
    }
    this.store.finish(runId, outcome);
    this.deps.events.emit('run.changed', { runId, status: 'finished' });
  }

  /**
   * Writes back epochs that the checkpoint a resume starts from holds but the catalog lacks. The
   * training process reports an epoch, then checkpoints it; a studio killed in between never
   * records the report, and a training process whose studio died notices only between steps, so
   * it can checkpoint an epoch nobody recorded. Without this, the resumed timeline would skip it.
   */
  private restoreCheckpointedEpochs(runId: number, checkpointDir: string, members: number, fromEpoch: number): void {
    const stored = new Set(this.store.get(runId).epochs.map((epoch) => epoch.epoch));
    let offset = 0;
    for (let index = 0; index < members; index++) {
      const finished = readFinishedMember(checkpointDir, index, members);
      if (finished !== null) {
        offset += finished.epochsRun;
        continue;
      }
      const { records, savedAt } = checkpointHistory(memberCheckpointDir(checkpointDir, index, members));
      for (const record of records) {
        const epoch = offset + record.epoch;
        if (epoch > fromEpoch || stored.has(epoch)) continue;
        const restored = { ...record, epoch, member: index + 1, valLoss: Number.isFinite(record.valLoss) ? record.valLoss : null, valAcc: Number.isFinite(record.valAcc) ? record.valAcc : null, at: savedAt };
        this.store.addEpoch(runId, restored);
        this.deps.events.emit('training.epoch', { runId, epoch: restored });
      }
      return;
    }
  }

  /** Runs the training process to its end; null when it was cancelled before reporting an outcome. */
  private runProcess(runId: number, job: TrainJob, active: ActiveRun): Promise<JobOutcome | null> {
    return new Promise((resolve, reject) => {
      const child = this.deps.spawnTrainer();
      active.process = child;
      let outcome: JobOutcome | null = null;
      let failure: string | null = null;
      let lastStored = 0;
      let lastEmitted = 0;
      let phase: RunProgress['phase'] = 'loading';
      const progress = (p: Omit<RunProgress, 'at' | 'phase'>, force = false) => {
        const now = Date.now();
        const full: RunProgress = { ...p, phase, at: new Date(now).toISOString() };
        if (force || now - lastEmitted >= PROGRESS_EMIT_MS) {
          lastEmitted = now;
          this.deps.events.emit('training.progress', { runId, progress: full });
        }
        if (force || now - lastStored >= PROGRESS_STORE_MS) {
          lastStored = now;
          this.store.setProgress(runId, full);
        }
      };
      child.onMessage((raw) => {
        const message = raw as { type: string; [key: string]: unknown };
        switch (message.type) {
          case 'backend': {
            const info = message.info as { name: string; version: string; warning?: string };
            this.store.setBackend(runId, info.name, info.version);
            this.deps.events.emit('run.changed', { runId, status: 'running' });
            break;
          }
          case 'phase':
            phase = message.phase as RunProgress['phase'];
            progress({ done: 0, total: 0, epoch: 0, epochs: job.config.epochs, loss: null, acc: null, samplesPerSec: null, etaSec: null }, true);
            break;
          case 'progress': {
            const p = message.progress as { epoch: number; epochs: number; batch: number; batches: number; loss: number; acc: number; samplesPerSec: number; etaSec: number; member?: number; members?: number };
            const ensemble = p.member === undefined ? {} : { member: p.member, members: p.members };
            progress({ done: p.batch, total: p.batches, epoch: p.epoch, epochs: p.epochs, loss: p.loss, acc: p.acc, samplesPerSec: p.samplesPerSec, etaSec: p.etaSec, ...ensemble }, p.batch === p.batches);
            break;
          }
          case 'epoch': {
            const r = message.record as { epoch: number; member?: number; loss: number; acc: number; valLoss: number; valAcc: number; lr: number; durationMs: number; samplesPerSec: number };
            const epoch = { ...r, member: r.member ?? 1, valLoss: Number.isFinite(r.valLoss) ? r.valLoss : null, valAcc: Number.isFinite(r.valAcc) ? r.valAcc : null, at: new Date().toISOString() };
            this.store.addEpoch(runId, epoch);
            this.deps.events.emit('training.epoch', { runId, epoch });
            break;
          }
          case 'done':
            outcome = message.outcome as JobOutcome;
            break;
          case 'error':
            failure = String(message.message);
            break;
        }
      });
      child.onExit((code, signal, detail) => {
        active.process = null;
        if (outcome !== null) resolve(outcome);
        else if (active.cancelRequested) resolve(null);
        else if (failure !== null) reject(new Error(failure));
        else if (signal !== null) reject(new TrainerKilled(`the training process was killed (signal ${signal}); resume continues from its last checkpoint`));
        else reject(new Error(`the training process ended without a result (exit code ${code})${detail === '' ? '' : `: ${detail.split('\n').slice(-3).join(' ')}`}`));
      });
      child.send({ type: 'start', job });
      if (active.cancelRequested) {
        child.send({ type: 'cancel' });
        setTimeout(() => child.kill(), CANCEL_GRACE_MS).unref();
      }
    });
  }

  /** The run's clips, split by speaker, with features from the cache or computed now. */
  private async prepare(runId: number, config: TrainingConfig, signal: AbortSignal): Promise<{ dataset: TrainingDataset; split: RunSplitInfo } | null> {
    const clips = await this.allClips(config);
    if (clips.length === 0) throw new StudioError('INVALID_ARGUMENT', 'no clips match the run\'s filter: import a corpus first');
    let assignment;
    try {
      assignment = splitByActor(clips, config.split);
    } catch (error) {
      if (error instanceof SplitError) throw new StudioError('INVALID_ARGUMENT', `split: ${error.message}`);
      throw error;
    }
    const byId = new Map(clips.map((clip) => [clip.id, clip]));
    const splitClips = (name: SplitName) => assignment[name].map((id) => byId.get(id) as Clip);
    const labels = labelOrder(clips.filter((clip) => !assignment.excluded.includes(clip.id)).map((clip) => clip.label));
    const pipeline = FEATURE_PIPELINES[config.featureSet];
    const total = clips.length - assignment.excluded.length;
    let done = 0;
    const report = () => {
      const at = new Date().toISOString();
      const p: RunProgress = { phase: 'features', done, total, epoch: 0, epochs: config.epochs, loss: null, acc: null, samplesPerSec: null, etaSec: null, at };
      this.deps.events.emit('training.progress', { runId, progress: p });
      this.store.setProgress(runId, p);
    };
    let lastReport = 0;
    const features = new Map<number, { shape: number[]; values: Float32Array }>();
    const collect = (clip: Clip, value: { shape: number[]; values: Float32Array }) => {
      features.set(clip.id, value);
      done += 1;
      if (Date.now() - lastReport > PROGRESS_EMIT_MS) {
        lastReport = Date.now();
        report();
      }
    };
    const augmented = config.augmentation !== 'none';
    const failed: { clipId: number; reason: string }[] = [];
    const jobId = `run-${runId}`;
    const plain = [...splitClips('val'), ...splitClips('test'), ...(augmented ? [] : splitClips('train'))];
    failed.push(...(await this.deps.features.runClips(jobId, pipeline, plain, signal, collect)).failed);
    if (augmented) {
      const seedOf = (clip: Clip) => (config.seed * 1_000_003 + clip.id) % 2_147_483_647;
      const augment = config.augmentation === 'seed-x3' ? { recipe: 'seed-x3' as const, seedOf } : { recipe: 'custom' as const, copies: (config.augmentation as AugmentRecipe).copies, seedOf };
      failed.push(...(await this.deps.features.runClips(jobId, pipeline, splitClips('train'), signal, collect, augment)).failed);
    }
    report();
    if (signal.aborted) return null;
    if (failed.length > 0) {
      const first = failed[0];
      throw new StudioError('INVALID_ARGUMENT', `${failed.length} clip(s) could not be read, e.g. clip ${first.clipId}: ${first.reason}`);
    }

    const featureShape = [...FEATURE_SET_SHAPES[config.featureSet]];
    const width = featureShape.reduce((a, b) => a * b, 1);
    const hash = createHash('sha256');
    const layout = channelLayout(config.featureSet, featureShape);
    const build = (name: SplitName): SplitData => {
      const rows: { clip: Clip; copy: number; values: Float32Array }[] = [];
      for (const clip of splitClips(name)) {
        const value = features.get(clip.id);
        if (value === undefined) continue;
        const copies = value.values.length / width;
        for (let copy = 0; copy < copies; copy++) rows.push({ clip, copy, values: value.values.subarray(copy * width, (copy + 1) * width) });
        hash.update(`${name}|${clip.id}|${clip.label}|${clip.contentHash}\n`);
      }
      const x = new Float32Array(rows.length * width);
      rows.forEach((row, i) => x.set(row.values, i * width));
      if (config.normalization !== 'none') {
        const groupOf = (i: number) => (config.normalization === 'speaker' ? (speakerOf(rows[i].clip) ?? `clip-${rows[i].clip.id}`) : `row-${i}`);
        normalizeByGroup(x, width, rows.length, layout, groupOf, (i) => rows[i].copy === 0);
      }
      return {
        x,
        y: Int32Array.from(rows, (row) => labels.indexOf(row.clip.label)),
        clipIds: rows.map((row) => row.clip.id),
        copy: rows.map((row) => row.copy),
        speakers: rows.map((row) => speakerOf(row.clip)),
      };
    };
    const splits = { train: build('train'), val: build('val'), test: build('test') };
    const fingerprint = hash.digest('hex');
    const split: RunSplitInfo = {
      groups: assignment.groups,
      clips: { train: assignment.train.length, val: assignment.val.length, test: assignment.test.length },
      rows: { train: splits.train.y.length, val: splits.val.y.length, test: splits.test.y.length },
      fingerprint,
    };
    return { dataset: { featureShape, labels, splits, fingerprint }, split };
  }

  private async allClips(config: TrainingConfig): Promise<Clip[]> {
    const clips: Clip[] = [];
    for (;;) {
      const page = await this.deps.catalog.queryClips({ filter: config.filter, sort: 'id', descending: false, offset: clips.length, limit: 1000 });
      clips.push(...page.clips);
      if (page.clips.length === 0 || clips.length >= page.total) return clips;
    }
  }
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
