import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODEL_PRESETS } from '../../../src-shared/model/presets.js';
import { parseModelSpec, type ModelSpec } from '../../../src-shared/model/model-spec.js';
import type { TrainingDataset } from '../../../src-main/training/dataset-files.js';
import { loudnessDataset } from './synthetic.js';
import { resolveConfig } from '../../../src-main/training/service.js';
import { train, type EpochRecord } from '../../../src-main/training/trainer.js';
import { hasCheckpoint } from '../../../src-main/training/checkpoint.js';
import { initBackend } from '../../../src-main/training/backend.js';

/** Short inputs keep the test quick on every backend; the loop does not care about the width. */
const WIDTH = 256;
const TINY: ModelSpec = parseModelSpec({ ...MODEL_PRESETS['tiny-cnn1d'].spec, name: 'tiny-256', inputShape: [WIDTH, 1] });

function dataset(seed: number): TrainingDataset {
  return loudnessDataset(seed, WIDTH, { train: 12, val: 4, test: 4 });
}

let dir: string;
beforeAll(async () => {
  // the fastest backend that loads here (tensorflow, else wasm with our kernels): the cpu backend
  // would take minutes
  await initBackend('auto');
  dir = mkdtempSync(join(tmpdir(), 'es-trainer-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const quiet = { isCancelled: () => false, onProgress: () => {}, onEpoch: () => {} };

function weightsOf(model: { getWeights(): tf.Tensor[] }): Float32Array[] {
  return model.getWeights().map((w) => Float32Array.from(w.dataSync()));
}

function maxDifference(a: Float32Array[], b: Float32Array[]): number {
  let max = 0;
  a.forEach((values, i) => values.forEach((v, j) => (max = Math.max(max, Math.abs(v - b[i][j])))));
  return max;
}

describe('the training loop', () => {
  it('learns a separable task: training loss falls and validation accuracy beats chance', async () => {
    const config = resolveConfig({ preset: 'tiny-cnn1d', epochs: 8, batchSize: 16, earlyStopping: null, seed: 1 });
    const epochs: EpochRecord[] = [];
    const progress: number[] = [];
    const result = await train({ ...quiet, dataset: dataset(1), spec: TINY, config, checkpointDir: join(dir, 'a'), resume: false, onEpoch: (e) => epochs.push(e), onProgress: (p) => progress.push(p.batch) });
    expect(epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(epochs[7].loss).toBeLessThan(epochs[0].loss);
    expect(Math.max(...epochs.map((e) => e.valAcc))).toBeGreaterThan(0.6);
    // 48 training rows in batches of 16: three progress reports per epoch
    expect(progress.slice(0, 3)).toEqual([1, 2, 3]);
    expect(result.model.outputs[0].shape[1]).toBe(4);
    expect(hasCheckpoint(join(dir, 'a'))).toBe(true);
    result.model.dispose();
  });

  it('a run stopped after 2 epochs and resumed from its checkpoint ends with the weights of an uninterrupted run', async () => {
    const data = dataset(2);
    const spec = TINY;
    const base = { preset: 'tiny-cnn1d', batchSize: 16, earlyStopping: null, seed: 5, reduceLrOnPlateau: { factor: 0.5, patience: 1, minLr: 1e-5 } };
    const whole = await train({ ...quiet, dataset: data, spec, config: resolveConfig({ ...base, epochs: 4 }), checkpointDir: join(dir, 'whole'), resume: false });
    const first = await train({ ...quiet, dataset: data, spec, config: resolveConfig({ ...base, epochs: 2 }), checkpointDir: join(dir, 'split'), resume: false });
    first.model.dispose();
    const resumed = await train({ ...quiet, dataset: data, spec, config: resolveConfig({ ...base, epochs: 4 }), checkpointDir: join(dir, 'split'), resume: true });
    expect(resumed.history.map((e) => e.epoch)).toEqual([1, 2, 3, 4]);
    expect(resumed.history.map((e) => e.lr)).toEqual(whole.history.map((e) => e.lr));
    expect(maxDifference(weightsOf(resumed.model), weightsOf(whole.model))).toBeLessThan(1e-5);
    // and a fresh run from the same seed is not the same as a run with another seed
    const other = await train({ ...quiet, dataset: data, spec, config: resolveConfig({ ...base, epochs: 1, seed: 6 }), checkpointDir: join(dir, 'other'), resume: false });
    expect(maxDifference(weightsOf(other.model), weightsOf(whole.model))).toBeGreaterThan(1e-3);
    for (const r of [whole, resumed, other]) r.model.dispose();
  });

  it('summing micro-batch gradients gives the same update as the whole batch', async () => {
    // no BatchNorm here: its statistics are per micro-batch by design
    const spec = parseModelSpec({ ...TINY, name: 'linear', layers: [{ className: 'Flatten' }, { className: 'Dense', config: { units: 4, activation: 'softmax' } }] });
    const data = dataset(3);
    const config = (microBatch: number) => resolveConfig({ preset: 'tiny-cnn1d', epochs: 2, batchSize: 16, earlyStopping: null, microBatch, seed: 3 });
    const whole = await train({ ...quiet, dataset: data, spec, config: config(0), checkpointDir: join(dir, 'm0'), resume: false });
    const micro = await train({ ...quiet, dataset: data, spec, config: config(5), checkpointDir: join(dir, 'm5'), resume: false });
    expect(maxDifference(weightsOf(micro.model), weightsOf(whole.model))).toBeLessThan(1e-5);
    expect(micro.history[1].loss).toBeCloseTo(whole.history[1].loss, 5);
    whole.model.dispose();
    micro.model.dispose();
  });

  it('early stopping ends the run and restores the best epoch\'s weights', async () => {
    const data = dataset(4);
    // a learning rate this large makes validation loss worse after the first epochs
    const config = resolveConfig({ preset: 'tiny-cnn1d', epochs: 30, batchSize: 16, learningRate: 0.5, seed: 4, earlyStopping: { patience: 2, restoreBestWeights: true }, reduceLrOnPlateau: null });
    const result = await train({ ...quiet, dataset: data, spec: TINY, config, checkpointDir: join(dir, 'es'), resume: false });
    expect(result.stoppedBy).toBe('early-stopping');
    expect(result.history.length).toBe(result.bestEpoch + 2);
    const best = result.history[result.bestEpoch - 1];
    expect(best.valLoss).toBe(Math.min(...result.history.map((e) => e.valLoss)));
    result.model.dispose();
  });

  it('stops between batches when cancelled', async () => {
    let batches = 0;
    const config = resolveConfig({ preset: 'tiny-cnn1d', epochs: 5, batchSize: 8, seed: 1 });
    const result = await train({ ...quiet, dataset: dataset(5), spec: TINY, config, checkpointDir: join(dir, 'c'), resume: false, isCancelled: () => batches >= 2, onProgress: () => (batches += 1) });
    expect(result.stoppedBy).toBe('cancelled');
    expect(batches).toBe(2);
    expect(result.history).toEqual([]);
    result.model.dispose();
  });
});
