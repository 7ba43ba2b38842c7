import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { evaluate, argmaxRows, type EvaluationMetrics } from '../../src-shared/model/metrics.js';
import type { FeaturePipeline } from '../../src-shared/model/feature-pipeline.js';
import type { ModelSpec } from '../../src-shared/model/model-spec.js';
import type { SplitName } from '../../src-shared/model/splits.js';
import { applyLevelView, memberView, type LevelView } from '../../src-shared/model/level-view.js';
import type { StandardScaler } from '../../src-shared/model/scaler.js';
import type { TrainingConfig } from '../../src-shared/model/training-config.js';
import { initBackend, maxMicroBatch, type BackendInfo } from './backend.js';
import { readDataset, type SplitData, type TrainingDataset } from './dataset-files.js';
import { rowLosses } from './loss.js';
import {
  type EnsembleMember,
  ensembleProbabilities,
  loadMembers,
  memberCheckpointDir,
  memberCount,
  memberFinalDir,
  memberPaths,
  readFinishedMember,
  saveMembers,
  writeFinishedMember,
} from './ensemble.js';
import { loadModel, saveModel } from './model-io.js';
import { train, withClasses, type BatchProgress, type EpochRecord } from './trainer.js';

/** Everything the training process needs; the parent prepares the dataset files first. */
export interface TrainJob {
  runId: number;
  runName: string;
  dataDir: string;
  checkpointDir: string;
  exportDir: string;
  config: TrainingConfig;
  spec: ModelSpec;
  pipeline: FeaturePipeline;
  resume: boolean;
  /** Written into the export's manifest as given (dataset name, split groups, studio version…). */
  manifest: Record<string, unknown>;
}

export interface ClipPrediction {
  clipId: number;
  split: SplitName;
  label: string;
  predicted: string;
  confidence: number;
  loss: number;
  probabilities: number[];
}

export interface JobOutcome {
  stoppedBy: 'early-stopping' | 'max-epochs' | 'cancelled';
  bestEpoch: number;
  epochsRun: number;
  metrics: { val: EvaluationMetrics; test: EvaluationMetrics } | null;
  predictions: ClipPrediction[];
  modelDir: string | null;
  float16: { dir: string; sizeRatio: number; testAccuracy: number; accuracyChange: number; predictionsChanged: number } | null;
}

export interface JobEvents {
  backend(info: BackendInfo): void;
  phase(phase: 'loading' | 'training' | 'evaluating' | 'exporting'): void;
  /** An ensemble's progress also says which member trains (1-based) of how many. */
  progress(progress: BatchProgress & { member?: number; members?: number }): void;
  /** `epoch` counts across the run: an ensemble's second member continues after the first's last. */
  epoch(record: EpochRecord & { member: number }): void;
}

/** Bytes of activations and their gradients per sample, roughly: what decides wasm's micro-batch. */
function bytesPerSample(spec: ModelSpec): number {
  const inputs = spec.inputShape.reduce((a, b) => a * b, 1);
  // Conv stacks hold a few hundred activations per input value at their widest; measured ≈ 230 MB
  // per sample for the seed CNN (2376 inputs, 512 channels): scale by the widest layer.
  const widest = Math.max(1, ...spec.layers.map((layer) => Number((layer.config as { filters?: number }).filters ?? 0)));
  return inputs * widest * 4 * 48;
}

/** Trains (every member of an ensemble in turn), evaluates on validation and test, exports. Runs in the training process. */
export async function runJob(job: TrainJob, events: JobEvents, isCancelled: () => boolean): Promise<JobOutcome> {
  const backend = await initBackend(job.config.backend);
  events.backend(backend);
  events.phase('loading');
  const dataset = readDataset(job.dataDir);
  events.phase('training');
  const members = memberCount(job.config);
  const trained: EnsembleMember[] = [];
  const disposeAll = () => trained.forEach((member) => member.model.dispose());
  const width = dataset.featureShape.reduce((a, b) => a * b, 1);
  // a member with the relative view trains on the same rows relative to their peaks
  let relative: TrainingDataset | null = null;
  const datasetFor = (view: LevelView): TrainingDataset => {
    if (view === 'absolute') return dataset;
    relative ??= { ...dataset, splits: mapSplits(dataset, (data) => ({ ...data, x: applyLevelView('relative', data.x, width) })) };
    return relative;
  };
  let epochsBefore = 0;
  let last: { stoppedBy: JobOutcome['stoppedBy']; bestEpoch: number } = { stoppedBy: 'max-epochs', bestEpoch: 0 };
  const memberSeconds: number[] = [];
  for (let index = 0; index < members; index++) {
    const view = memberView(index, job.config.memberViews);
    const finished = job.resume ? readFinishedMember(job.checkpointDir, index, members) : null;
    if (finished !== null) {
      const finalDir = memberFinalDir(job.checkpointDir, index, members);
      const scaler = JSON.parse(readFileSync(join(finalDir, 'scaler.json'), 'utf8')) as StandardScaler;
      trained.push({ model: await loadModel(finalDir), scaler, view });
      epochsBefore += finished.epochsRun;
      last = { stoppedBy: finished.stoppedBy, bestEpoch: epochsBefore - finished.epochsRun + finished.bestEpoch };
      continue;
    }
    const offset = epochsBefore;
    const member = index + 1;
    const started = performance.now();
    const result = await train({
      dataset: datasetFor(view),
      spec: job.spec,
      config: { ...job.config, seed: job.config.seed + index },
      checkpointDir: memberCheckpointDir(job.checkpointDir, index, members),
      resume: job.resume,
      maxMicroBatch: maxMicroBatch(backend, bytesPerSample(job.spec)),
      isCancelled,
      onProgress: (progress) => {
        if (members === 1) return events.progress(progress);
        // the members still to train take about as long as those done (or this one, projected)
        const current = (performance.now() - started) / 1000 + progress.etaSec;
        const perMember = memberSeconds.length > 0 ? memberSeconds.reduce((a, b) => a + b, 0) / memberSeconds.length : current;
        events.progress({ ...progress, member, members, etaSec: progress.etaSec + (members - member) * perMember });
      },
      onEpoch: (record) => events.epoch({ ...record, epoch: record.epoch + offset, member }),
    });
    if (result.stoppedBy === 'cancelled') {
      result.model.dispose();
      disposeAll();
      return { stoppedBy: 'cancelled', bestEpoch: 0, epochsRun: offset + result.history.length, metrics: null, predictions: [], modelDir: null, float16: null };
    }
    trained.push({ model: result.model, scaler: result.scaler, view });
    epochsBefore += result.history.length;
    last = { stoppedBy: result.stoppedBy, bestEpoch: offset + result.bestEpoch };
    memberSeconds.push((performance.now() - started) / 1000);
    if (members > 1) {
      const finalDir = memberFinalDir(job.checkpointDir, index, members);
      await saveModel(result.model, finalDir);
      writeFileSync(join(finalDir, 'scaler.json'), JSON.stringify(result.scaler));
      writeFinishedMember(job.checkpointDir, index, members, { epochsRun: result.history.length, bestEpoch: result.bestEpoch, stoppedBy: result.stoppedBy });
    }
  }
  const outcome: JobOutcome = {
    stoppedBy: last.stoppedBy,
    bestEpoch: last.bestEpoch,
    epochsRun: epochsBefore,
    metrics: null,
    predictions: [],
    modelDir: null,
    float16: null,
  };

  events.phase('evaluating');
  const k = dataset.labels.length;
  const spec = withClasses(job.spec, k);
  const perSplit = {} as Record<SplitName, { rows: number[]; x: Float32Array; probabilities: Float32Array; metrics: EvaluationMetrics }>;
  for (const split of ['train', 'val', 'test'] as const) {
    const data = dataset.splits[split];
    const { rows, x } = originals(data);
    const probabilities = ensembleProbabilities(trained, spec.inputShape, x, 256);
    const truth = rows.map((row) => data.y[row]);
    const metrics = evaluate(dataset.labels, truth, argmaxRows(probabilities, k), rows.map((row) => data.speakers[row]));
    perSplit[split] = { rows, x, probabilities, metrics };
    const losses = rowLosses(probabilities, truth, k);
    rows.forEach((row, i) => {
      const p = Array.from(probabilities.subarray(i * k, (i + 1) * k));
      const best = p.indexOf(Math.max(...p));
      outcome.predictions.push({
        clipId: data.clipIds[row],
        split,
        label: dataset.labels[data.y[row]],
        predicted: dataset.labels[best],
        confidence: p[best],
        loss: losses[i],
        probabilities: p.map((v) => Math.round(v * 1e6) / 1e6),
      });
    });
  }
  outcome.metrics = { val: perSplit.val.metrics, test: perSplit.test.metrics };

  events.phase('exporting');
  const saved = await saveMembers(trained.map((member) => member.model), job.exportDir);
  outcome.modelDir = saved.dir;
  const manifest: Record<string, unknown> = {
    format: 'emotion-studio.model',
    version: 1,
    runId: job.runId,
    name: job.runName,
    createdAt: new Date().toISOString(),
    preset: job.config.preset,
    spec,
    inputShape: spec.inputShape,
    featurePipeline: job.pipeline,
    labels: dataset.labels,
    config: job.config,
    backend: { name: backend.name, version: backend.version },
    dataset: { fingerprint: dataset.fingerprint, ...job.manifest },
    training: { epochs: epochsBefore, bestEpoch: last.bestEpoch, stoppedBy: last.stoppedBy },
    members,
    memberViews: trained.map((member) => member.view),
    metrics: { val: headline(perSplit.val.metrics), test: headline(perSplit.test.metrics) },
    versions: { tfjs: tf.version_core, node: process.versions.node },
    files: { model: memberPaths(members).map((path) => join(path, 'model.json')), scaler: memberPaths(members).map((path) => join(path, 'scaler.json')), labels: 'labels.json', pipeline: 'pipeline.json' },
  };
  // each model's scaler beside it (a single model's path is '.')
  memberPaths(members).forEach((path, i) => writeFileSync(join(saved.dir, path, 'scaler.json'), JSON.stringify(trained[i].scaler)));
  writeFileSync(join(saved.dir, 'labels.json'), JSON.stringify(dataset.labels));
  writeFileSync(join(saved.dir, 'pipeline.json'), JSON.stringify(job.pipeline, null, 2));

  if (job.config.exportFloat16) {
    const half = await saveMembers(trained.map((member) => member.model), join(saved.dir, 'float16'), { float16: true });
    const reloaded = (await loadMembers(half.dir, members)).map((model, i) => ({ ...trained[i], model }));
    const test = perSplit.test;
    const predicted = argmaxRows(ensembleProbabilities(reloaded, spec.inputShape, test.x, 256), k);
    reloaded.forEach((member) => member.model.dispose());
    const fullPredicted = argmaxRows(perSplit.test.probabilities, k);
    const truth = test.rows.map((row) => dataset.splits.test.y[row]);
    const testAccuracy = truth.length === 0 ? 0 : predicted.filter((p, i) => p === truth[i]).length / truth.length;
    outcome.float16 = {
      dir: half.dir,
      sizeRatio: half.weightsBytes / saved.weightsBytes,
      testAccuracy,
      accuracyChange: testAccuracy - perSplit.test.metrics.accuracy,
      predictionsChanged: predicted.filter((p, i) => p !== fullPredicted[i]).length,
    };
    const { dir: _absolute, ...float16 } = outcome.float16;
    manifest.float16 = { dir: 'float16', ...float16 };
  }
  writeFileSync(join(saved.dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  disposeAll();
  return outcome;
}

/** A split's original clips (not augmented copies: those are not clips anyone can listen to), raw. */
function originals(data: SplitData): { rows: number[]; x: Float32Array } {
  const rows = data.copy.flatMap((copy, i) => (copy === 0 ? [i] : []));
  const width = data.x.length / Math.max(1, data.y.length);
  const x = new Float32Array(rows.length * width);
  rows.forEach((row, i) => x.set(data.x.subarray(row * width, (row + 1) * width), i * width));
  return { rows, x };
}

function mapSplits(dataset: TrainingDataset, map: (data: SplitData) => SplitData): TrainingDataset['splits'] {
  return { train: map(dataset.splits.train), val: map(dataset.splits.val), test: map(dataset.splits.test) };
}

function headline(metrics: EvaluationMetrics): { n: number; accuracy: number; uar: number; macroF1: number } {
  return { n: metrics.n, accuracy: metrics.accuracy, uar: metrics.uar, macroF1: metrics.macroF1 };
}
