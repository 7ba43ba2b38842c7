import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEATURE_PIPELINES } from '../../../src-shared/model/feature-pipeline.js';
import { parseModelSpec, type ModelSpec } from '../../../src-shared/model/model-spec.js';
import { MODEL_PRESETS } from '../../../src-shared/model/presets.js';
import { applyScaler } from '../../../src-shared/model/scaler.js';
import { applyLevelView } from '../../../src-shared/model/level-view.js';
import { initBackend } from '../../../src-main/training/backend.js';
import { writeDataset, type TrainingDataset } from '../../../src-main/training/dataset-files.js';
import { loudnessDataset } from './synthetic.js';
import { memberFinalDir, readFinishedMember, resumeEpoch } from '../../../src-main/training/ensemble.js';
import { classify, disposeExported, loadExportedModel } from '../../../src-main/training/inference.js';
import { loadModel } from '../../../src-main/training/model-io.js';
import { runJob, type JobEvents, type TrainJob } from '../../../src-main/training/run-job.js';
import { resolveConfig } from '../../../src-main/training/service.js';
import { predictProbabilities, train } from '../../../src-main/training/trainer.js';
import type { TrainingConfigInput } from '../../../src-shared/model/training-config.js';

/** Tiny inputs and the tiny preset (no Dropout, so a seed fixes a run's weights exactly). */
const WIDTH = 128;
const TINY: ModelSpec = parseModelSpec({ ...MODEL_PRESETS['tiny-cnn1d'].spec, name: 'tiny-128', inputShape: [WIDTH, 1] });

function dataset(seed: number): TrainingDataset {
  // distinct clip ids across splits: the run stores one prediction per clip
  return loudnessDataset(seed, WIDTH, { train: 10, val: 4, test: 4 }, true);
}

let root: string;
beforeAll(async () => {
  await initBackend('auto');
  root = mkdtempSync(join(tmpdir(), 'es-ensemble-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const BASE: TrainingConfigInput = { preset: 'tiny-cnn1d', epochs: 3, batchSize: 8, earlyStopping: null, seed: 11, exportFloat16: true };

function job(name: string, data: TrainingDataset, config: TrainingConfigInput, resume = false, views: 'same' | 'alternate' = 'same'): TrainJob {
  const runDir = join(root, name);
  const dataDir = join(runDir, 'data');
  if (!resume) writeDataset(dataDir, data);
  return {
    runId: 1,
    runName: name,
    dataDir,
    checkpointDir: join(runDir, 'checkpoint'),
    exportDir: join(runDir, 'model'),
    // 'alternate' is refused for seed-2376 by resolveConfig; the engine itself takes any rows
    config: { ...resolveConfig(config), memberViews: views },
    spec: TINY,
    pipeline: FEATURE_PIPELINES['seed-2376'],
    resume,
    manifest: {},
  };
}

interface Recorded {
  epochs: { epoch: number; member: number }[];
  members: Set<string>;
}

function recorder(): { events: JobEvents; seen: Recorded } {
  const seen: Recorded = { epochs: [], members: new Set() };
  return {
    seen,
    events: {
      backend: () => {},
      phase: () => {},
      progress: (p) => seen.members.add(`${p.member}/${p.members}`),
      epoch: (record) => seen.epochs.push({ epoch: record.epoch, member: record.member }),
    },
  };
}

function weights(model: { getWeights(): tf.Tensor[] }): Float32Array[] {
  return model.getWeights().map((w) => Float32Array.from(w.dataSync()));
}

function maxDifference(a: Float32Array[], b: Float32Array[]): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  a.forEach((values, i) => values.forEach((v, j) => (max = Math.max(max, Math.abs(v - b[i][j])))));
  return max;
}

/** What a single run with this seed ends with: the reference for the member trained with it. */
async function singleRun(data: TrainingDataset, seed: number, name: string): Promise<Float32Array[]> {
  return (await singleRunWithScaler(data, seed, name)).weights;
}

async function singleRunWithScaler(data: TrainingDataset, seed: number, name: string, epochs = 3): Promise<{ weights: Float32Array[]; mean: number[] }> {
  const result = await train({
    dataset: data,
    spec: TINY,
    config: resolveConfig({ ...BASE, epochs, seed, members: 1 }),
    checkpointDir: join(root, name),
    resume: false,
    isCancelled: () => false,
    onProgress: () => {},
    onEpoch: () => {},
  });
  const values = weights(result.model);
  result.model.dispose();
  return { weights: values, mean: result.scaler.mean };
}

describe('ensembles (config.members)', () => {
  it('trains each member as the single run with seed + index would, numbers epochs across the run, and exports members whose mean is the run\'s prediction', async () => {
    const data = dataset(1);
    const { events, seen } = recorder();
    const outcome = await runJob(job('three', data, { ...BASE, members: 3 }), events, () => false);

    expect(seen.epochs).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9].map((epoch) => ({ epoch, member: Math.ceil(epoch / 3) })));
    expect([...seen.members]).toEqual(['1/3', '2/3', '3/3']);
    expect(outcome.epochsRun).toBe(9);
    const modelDir = outcome.modelDir as string;
    const manifest = JSON.parse(readFileSync(join(modelDir, 'manifest.json'), 'utf8')) as { members: number; files: { model: string[]; scaler: string[] }; float16: { sizeRatio: number } };
    expect(manifest.members).toBe(3);
    expect(manifest.files.model).toEqual(['members/1/model.json', 'members/2/model.json', 'members/3/model.json']);
    expect(manifest.files.scaler).toEqual(['members/1/scaler.json', 'members/2/scaler.json', 'members/3/scaler.json']);
    expect(manifest.float16.sizeRatio).toBe(0.5);

    // member i is exactly the single run seeded seed + i (different seeds: different models)
    const members = await Promise.all([1, 2, 3].map((i) => loadModel(join(modelDir, 'members', String(i)))));
    for (let i = 0; i < 3; i++) expect(maxDifference(weights(members[i]), await singleRun(data, 11 + i, `single-${i}`))).toBeLessThan(1e-5);
    expect(maxDifference(weights(members[0]), weights(members[1]))).toBeGreaterThan(1e-3);

    // the exported ensemble classifies with the members' mean, which is what the run stored
    const exported = await loadExportedModel(modelDir);
    expect(exported.members).toHaveLength(3);
    expect(exported.members.map((member) => member.view)).toEqual(['absolute', 'absolute', 'absolute']);
    const test = data.splits.test;
    const ensemble = classify(exported, test.x);
    const scaledX = applyScaler(exported.members[0].scaler, test.x.slice());
    const perMember = members.map((model) => predictProbabilities(model, [WIDTH, 1], scaledX, 64));
    let worst = 0;
    for (let i = 0; i < ensemble.length; i++) worst = Math.max(worst, Math.abs(ensemble[i] - (perMember[0][i] + perMember[1][i] + perMember[2][i]) / 3));
    expect(worst).toBeLessThan(1e-5);
    const stored = outcome.predictions.filter((p) => p.split === 'test');
    expect(stored).toHaveLength(test.y.length);
    stored.forEach((p, row) => p.probabilities.forEach((value, c) => expect(Math.abs(value - ensemble[row * 4 + c])).toBeLessThan(2e-6)));

    const half = await loadExportedModel(modelDir, { float16: true });
    expect(half.members).toHaveLength(3);
    disposeExported(half);
    disposeExported(exported);
    members.forEach((model) => model.dispose());
  });

  it('a run stopped during its second member resumes there: the first member is kept, not retrained, and the epochs continue', async () => {
    const data = dataset(2);
    const config = { ...BASE, members: 3 };
    const first = recorder();
    let stop = false;
    const stopped = await runJob(
      job('resume', data, config),
      { ...first.events, epoch: (record) => ((stop = record.member === 2), first.events.epoch(record)) },
      () => stop,
    );
    expect(stopped.stoppedBy).toBe('cancelled');
    expect(first.seen.epochs.map((e) => `${e.member}:${e.epoch}`)).toEqual(['1:1', '1:2', '1:3', '2:4']);
    const checkpointDir = join(root, 'resume', 'checkpoint');
    expect(readFinishedMember(checkpointDir, 0, 3)).toEqual({ epochsRun: 3, bestEpoch: 3, stoppedBy: 'max-epochs' });
    expect(readFinishedMember(checkpointDir, 1, 3)).toBeNull();
    // what the studio drops stored epochs after before it resumes: member 1's 3 and member 2's 1
    expect(resumeEpoch(checkpointDir, 3)).toBe(4);
    const kept = await loadModel(memberFinalDir(checkpointDir, 0, 3));

    const second = recorder();
    const outcome = await runJob(job('resume', data, config, true), second.events, () => false);
    expect(second.seen.epochs.map((e) => `${e.member}:${e.epoch}`)).toEqual(['2:5', '2:6', '3:7', '3:8', '3:9']);
    expect(outcome.epochsRun).toBe(9);
    const exported = await loadExportedModel(outcome.modelDir as string);
    expect(maxDifference(weights(exported.members[0].model), weights(kept))).toBe(0);
    // the resumed member ends as an uninterrupted run with its seed
    expect(maxDifference(weights(exported.members[1].model), await singleRun(data, 12, 'single-resume'))).toBeLessThan(1e-5);
    expect(existsSync(join(outcome.modelDir as string, 'members', '3', 'model.json'))).toBe(true);
    disposeExported(exported);
    kept.dispose();
  });

  it('one member is a plain model folder, as before ensembles', async () => {
    const outcome = await runJob(job('one', dataset(3), { ...BASE, epochs: 1, members: 1 }), recorder().events, () => false);
    const modelDir = outcome.modelDir as string;
    expect(existsSync(join(modelDir, 'model.json'))).toBe(true);
    expect(existsSync(join(modelDir, 'members'))).toBe(false);
    expect(existsSync(join(root, 'one', 'checkpoint', 'member-1'))).toBe(false);
    const exported = await loadExportedModel(modelDir);
    expect(exported.members).toHaveLength(1);
    disposeExported(exported);
  });

  it("'alternate' views: the second member trains on each row relative to its peak, with its own scaler, and inference gives it the same view", async () => {
    const data = dataset(4);
    const outcome = await runJob(job('views', data, { ...BASE, epochs: 2, members: 2 }, false, 'alternate'), recorder().events, () => false);
    const modelDir = outcome.modelDir as string;
    const manifest = JSON.parse(readFileSync(join(modelDir, 'manifest.json'), 'utf8')) as { memberViews: string[] };
    expect(manifest.memberViews).toEqual(['absolute', 'relative']);

    // member 2 is the single run (seed + 1) on the peak-relative rows, and its scaler was fitted on them
    const relative: TrainingDataset = {
      ...data,
      splits: {
        train: { ...data.splits.train, x: applyLevelView('relative', data.splits.train.x, WIDTH) },
        val: { ...data.splits.val, x: applyLevelView('relative', data.splits.val.x, WIDTH) },
        test: { ...data.splits.test, x: applyLevelView('relative', data.splits.test.x, WIDTH) },
      },
    };
    const reference = await singleRunWithScaler(relative, 12, 'single-relative', 2);
    const exported = await loadExportedModel(modelDir);
    expect(exported.members.map((member) => member.view)).toEqual(['absolute', 'relative']);
    expect(maxDifference(weights(exported.members[1].model), reference.weights)).toBeLessThan(1e-5);
    expect(exported.members[1].scaler.mean).toEqual(reference.mean);
    expect(Math.abs(exported.members[1].scaler.mean[0] - exported.members[0].scaler.mean[0])).toBeGreaterThan(0.1);

    // classify = mean of member 1 on the scaled rows and member 2 on the scaled peak-relative rows
    const raw = data.splits.test.x;
    const first = predictProbabilities(exported.members[0].model, [WIDTH, 1], applyScaler(exported.members[0].scaler, raw.slice()), 64);
    const second = predictProbabilities(exported.members[1].model, [WIDTH, 1], applyScaler(exported.members[1].scaler, applyLevelView('relative', raw, WIDTH)), 64);
    const ensemble = classify(exported, raw);
    let worst = 0;
    for (let i = 0; i < ensemble.length; i++) worst = Math.max(worst, Math.abs(ensemble[i] - (first[i] + second[i]) / 2));
    expect(worst).toBeLessThan(1e-5);
    disposeExported(exported);
  });

  it("refuses 'alternate' views for features that are not log-mel images", () => {
    expect(() => resolveConfig({ preset: 'small-cnn1d', members: 2, memberViews: 'alternate' })).toThrow(/not a log-mel feature set/);
    expect(resolveConfig({ preset: 'mel-tcnn', members: 2, memberViews: 'alternate' }).memberViews).toBe('alternate');
  });
});
