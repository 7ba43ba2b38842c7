import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as tfl from '@tensorflow/tfjs-layers';
import { checkpointEpoch } from './checkpoint.js';
import { loadModel, saveModel } from './model-io.js';
import { applyLevelView, type LevelView } from '../../src-shared/model/level-view.js';
import { applyScaler, type StandardScaler } from '../../src-shared/model/scaler.js';
import { predictProbabilities } from './trainer.js';

/**
 * Ensembles: a run with `members` > 1 trains that many models one after another on the same
 * split (seeds seed, seed + 1, …), each with its own early stopping, and averages their class
 * probabilities. Each member checkpoints in its own folder; a member that finished leaves its
 * final weights and a `member.json` there, so a resumed run skips it and continues the next.
 */

/** How many members a config asks for (runs stored before ensembles existed have none: 1). */
export function memberCount(config: { members?: number }): number {
  return Math.max(1, Math.trunc(config.members ?? 1));
}

/** The checkpoint folder of member `index` (0-based); a single model keeps the run's own folder. */
export function memberCheckpointDir(checkpointDir: string, index: number, members: number): string {
  return members === 1 ? checkpointDir : join(checkpointDir, `member-${index + 1}`);
}

/** Where a finished member's weights and record live. */
export function memberFinalDir(checkpointDir: string, index: number, members: number): string {
  return join(memberCheckpointDir(checkpointDir, index, members), 'final');
}

export interface FinishedMember {
  /** Epochs the member ran (the run's epoch numbers continue from one member to the next). */
  epochsRun: number;
  /** The member's own best epoch, counted from its first. */
  bestEpoch: number;
  stoppedBy: 'early-stopping' | 'max-epochs';
}

const RECORD = 'member.json';

/** Records that a member finished; written after its weights, so a record always has them. */
export function writeFinishedMember(checkpointDir: string, index: number, members: number, record: FinishedMember): void {
  writeFileSync(join(memberFinalDir(checkpointDir, index, members), RECORD), JSON.stringify(record));
}

/** The member's record when it finished training, else null. */
export function readFinishedMember(checkpointDir: string, index: number, members: number): FinishedMember | null {
  const path = join(memberFinalDir(checkpointDir, index, members), RECORD);
  if (members === 1 || !existsSync(path)) return null;
  return JSON.parse(readFileSync(path, 'utf8')) as FinishedMember;
}

/**
 * The run-wide number of the last epoch a resume starts after: the epochs of every finished member
 * plus those in the current member's checkpoint. Stored epochs after it are a discarded timeline.
 */
export function resumeEpoch(checkpointDir: string, members: number): number {
  let total = 0;
  for (let index = 0; index < members; index++) {
    const finished = readFinishedMember(checkpointDir, index, members);
    if (finished === null) return total + checkpointEpoch(memberCheckpointDir(checkpointDir, index, members));
    total += finished.epochsRun;
  }
  return total;
}

/** A trained member: its model, the scaler fitted on what it read, and how it reads the features. */
export interface EnsembleMember {
  model: tfl.LayersModel;
  scaler: StandardScaler;
  view: LevelView;
}

/**
 * The mean of the members' class probabilities, [rows][k], for raw (unscaled) feature rows: each
 * member sees them through its view and its own scaler.
 */
export function ensembleProbabilities(members: readonly EnsembleMember[], inputShape: number[], raw: Float32Array, batch: number): Float32Array {
  if (members.length === 0) throw new Error('an ensemble needs at least one model');
  const width = inputShape.reduce((a, b) => a * b, 1);
  let sum: Float32Array | null = null;
  for (const member of members) {
    const viewed = applyLevelView(member.view, raw, width);
    const x = applyScaler(member.scaler, viewed === raw ? raw.slice() : viewed);
    const next = predictProbabilities(member.model, inputShape, x, batch);
    if (sum === null) sum = next;
    else for (let i = 0; i < sum.length; i++) sum[i] += next[i];
  }
  const total = sum as Float32Array;
  if (members.length > 1) for (let i = 0; i < total.length; i++) total[i] /= members.length;
  return total;
}

/** A model folder's relative paths of its members: '.' for a single model, members/1 … members/K otherwise. */
export function memberPaths(members: number): string[] {
  return members === 1 ? ['.'] : Array.from({ length: members }, (_, i) => join('members', String(i + 1)));
}

/**
 * Saves the members into `dir` (replacing it): a single model as model.json + weights.bin, an
 * ensemble as members/1 … members/K, each a tfjs layers model. Returns the total weight bytes.
 */
export async function saveMembers(models: readonly tfl.LayersModel[], dir: string, options: { float16?: boolean } = {}): Promise<{ dir: string; weightsBytes: number }> {
  if (models.length === 1) return saveModel(models[0], dir, options);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const paths = memberPaths(models.length);
  let weightsBytes = 0;
  for (let i = 0; i < models.length; i++) weightsBytes += (await saveModel(models[i], join(dir, paths[i]), options)).weightsBytes;
  return { dir, weightsBytes };
}

/** Loads what saveMembers wrote; `members` comes from the export's manifest. */
export async function loadMembers(dir: string, members: number): Promise<tfl.LayersModel[]> {
  const models: tfl.LayersModel[] = [];
  try {
    for (const path of memberPaths(members)) models.push(await loadModel(join(dir, path)));
  } catch (error) {
    models.forEach((model) => model.dispose());
    throw error;
  }
  return models;
}
