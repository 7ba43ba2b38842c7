import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { EpochRecord } from './trainer.js';

/** What the loop needs, besides tensors, to continue a run exactly where its last epoch ended. */
export interface TrainerState {
  /** Last completed epoch. */
  epoch: number;
  learningRate: number;
  bestValLoss: number;
  bestEpoch: number;
  sinceBest: number;
  sinceLrImproved: number;
  lrBestValLoss: number;
  history: EpochRecord[];
}

interface TensorEntry {
  shape: number[];
  /** Offset in float32 elements into the checkpoint's .bin file. */
  offset: number;
}

interface CheckpointIndex {
  format: 'emotion-studio.checkpoint';
  version: 1;
  state: TrainerState;
  file: string;
  model: TensorEntry[];
  /** Adam's iteration count, then first and second moments in variable order. */
  optimizer: TensorEntry[];
  best: TensorEntry[] | null;
}

const INDEX = 'checkpoint.json';

/**
 * Writes the model's weights, the optimizer's state and the best weights so far after an epoch.
 * The tensors go to a new file first and the index is renamed over the old one last, so a kill at
 * any moment leaves either the previous checkpoint or this one, whole.
 */
export async function saveCheckpoint(dir: string, state: TrainerState, model: tfl.LayersModel, optimizer: tf.Optimizer, best: tf.Tensor[] | null): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const optimizerWeights = (await optimizer.getWeights()).map((named) => named.tensor);
  const groups = [model.getWeights(), optimizerWeights, best ?? []];
  const entries: TensorEntry[][] = [];
  const chunks: Float32Array[] = [];
  let offset = 0;
  for (const group of groups) {
    const list: TensorEntry[] = [];
    for (const tensor of group) {
      const values = Float32Array.from(tensor.dataSync());
      list.push({ shape: tensor.shape, offset });
      chunks.push(values);
      offset += values.length;
    }
    entries.push(list);
  }
  const file = `checkpoint-${state.epoch}.bin`;
  const bytes = Buffer.alloc(offset * 4);
  let at = 0;
  for (const chunk of chunks) {
    Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).copy(bytes, at);
    at += chunk.byteLength;
  }
  writeFileSync(join(dir, `${file}.partial`), bytes);
  renameSync(join(dir, `${file}.partial`), join(dir, file));
  const index: CheckpointIndex = {
    format: 'emotion-studio.checkpoint',
    version: 1,
    state: { ...state, bestValLoss: finiteOr(state.bestValLoss), lrBestValLoss: finiteOr(state.lrBestValLoss) },
    file,
    model: entries[0],
    optimizer: entries[1],
    best: best === null ? null : entries[2],
  };
  writeFileSync(join(dir, `${INDEX}.partial`), JSON.stringify(index));
  renameSync(join(dir, `${INDEX}.partial`), join(dir, INDEX));
  for (const name of readdirSync(dir)) {
    if (/^checkpoint-\d+\.bin(\.partial)?$/.test(name) && name !== file) rmSync(join(dir, name), { force: true });
  }
}

export function hasCheckpoint(dir: string): boolean {
  return existsSync(join(dir, INDEX));
}

/** The last epoch a checkpoint holds, or 0 when there is none. */
export function checkpointEpoch(dir: string): number {
  if (!hasCheckpoint(dir)) return 0;
  return (JSON.parse(readFileSync(join(dir, INDEX), 'utf8')) as CheckpointIndex).state.epoch;
}

/** The epochs a checkpoint holds, as the trainer recorded them, and when it was written (ISO); none when there is no checkpoint. */
export function checkpointHistory(dir: string): { records: EpochRecord[]; savedAt: string } {
  if (!hasCheckpoint(dir)) return { records: [], savedAt: new Date().toISOString() };
  const index = JSON.parse(readFileSync(join(dir, INDEX), 'utf8')) as CheckpointIndex;
  return { records: index.state.history, savedAt: statSync(join(dir, INDEX)).mtime.toISOString() };
}

/** Restores weights and optimizer state into a freshly built model; null when there is no checkpoint. */
export async function loadCheckpoint(
  dir: string,
  model: tfl.LayersModel,
  optimizer: tf.Optimizer,
  variables: tf.Variable[],
): Promise<{ state: TrainerState; bestWeights: tf.Tensor[] | null } | null> {
  if (!hasCheckpoint(dir)) return null;
  const index = JSON.parse(readFileSync(join(dir, INDEX), 'utf8')) as CheckpointIndex;
  if (index.format !== 'emotion-studio.checkpoint' || index.version !== 1) throw new Error(`${join(dir, INDEX)} is not a checkpoint this studio can read`);
  const raw = readFileSync(join(dir, index.file));
  const all = new Float32Array(raw.byteLength / 4);
  new Uint8Array(all.buffer).set(raw);
  const tensor = (entry: TensorEntry) => tf.tensor(all.subarray(entry.offset, entry.offset + entry.shape.reduce((a, b) => a * b, 1)), entry.shape);
  const weights = index.model.map(tensor);
  if (weights.length !== model.getWeights().length) throw new Error(`${join(dir, INDEX)} holds ${weights.length} weight tensors; the model has ${model.getWeights().length}`);
  model.setWeights(weights);
  weights.forEach((t) => t.dispose());
  if (index.optimizer.length === 1 + 2 * variables.length) {
    // Moments are matched to variables by position and renamed, as variable names differ between processes.
    const [iterations, ...moments] = index.optimizer.map(tensor);
    const names = variables.map((variable) => variable.name);
    await optimizer.setWeights([
      { name: 'iter', tensor: iterations },
      ...moments.map((m, i) => ({ name: names[i % names.length], tensor: m })),
    ]);
  }
  const bestWeights = index.best === null ? null : index.best.map(tensor);
  const state = index.state;
  return { state: { ...state, bestValLoss: state.bestValLoss ?? Number.POSITIVE_INFINITY, lrBestValLoss: state.lrBestValLoss ?? Number.POSITIVE_INFINITY }, bestWeights };
}

function finiteOr(value: number): number {
  // JSON has no Infinity: null stands for "none yet".
  return Number.isFinite(value) ? value : (null as unknown as number);
}
