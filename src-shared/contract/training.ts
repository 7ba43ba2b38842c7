import { z } from 'zod';
import type { EvaluationMetrics } from '../model/metrics.js';
import type { TrainingConfig } from '../model/training-config.js';
import { trainingConfigSchema } from '../model/training-config.js';

export type RunStatus = 'queued' | 'running' | 'finished' | 'failed' | 'cancelled' | 'interrupted';
export type RunPhase = 'features' | 'loading' | 'training' | 'evaluating' | 'exporting';

export interface RunEpoch {
  /** Counts across the run: an ensemble's next member continues after the previous member's last epoch. */
  epoch: number;
  /** Which member of an ensemble (1-based); 1 for a single model. */
  member: number;
  loss: number;
  acc: number;
  valLoss: number | null;
  valAcc: number | null;
  lr: number;
  durationMs: number;
  samplesPerSec: number;
  at: string;
}

/** The latest progress of a running run: also stored, so a reopened window shows it as it is. */
export interface RunProgress {
  phase: RunPhase;
  /** 'features': clips done of total; 'training': batches of the epoch. */
  done: number;
  total: number;
  epoch: number;
  epochs: number;
  loss: number | null;
  acc: number | null;
  samplesPerSec: number | null;
  etaSec: number | null;
  /** An ensemble's member in training (1-based) and how many it has; absent for a single model. */
  member?: number;
  members?: number;
  at: string;
}

export interface RunHeadline {
  accuracy: number;
  uar: number;
  macroF1: number;
}

export interface RunSummary {
  id: number;
  name: string;
  status: RunStatus;
  preset: string;
  featureSet: string;
  tags: string[];
  config: TrainingConfig;
  backend: string | null;
  backendVersion: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  bestEpoch: number | null;
  bestValLoss: number | null;
  bestValAcc: number | null;
  /** Held-out speakers' figures, once the run finished. */
  test: RunHeadline | null;
  error: string | null;
  progress: RunProgress | null;
  /** Epochs completed (and stored) so far. */
  epochsDone: number;
  modelDir: string | null;
}

export interface RunSplitInfo {
  groups: Record<'train' | 'val' | 'test', string[]>;
  clips: Record<'train' | 'val' | 'test', number>;
  /** Rows including augmented copies. */
  rows: Record<'train' | 'val' | 'test', number>;
  fingerprint: string;
}

export interface RunDetail extends RunSummary {
  epochs: RunEpoch[];
  labels: string[] | null;
  split: RunSplitInfo | null;
  metrics: {
    val: EvaluationMetrics;
    test: EvaluationMetrics;
    float16?: { sizeRatio: number; testAccuracy: number; accuracyChange: number; predictionsChanged: number } | null;
  } | null;
}

export interface RunPrediction {
  clipId: number;
  relPath: string;
  actor: number | null;
  split: 'train' | 'val' | 'test';
  /** The label when the run used the clip, and the clip's label now (they differ after a relabel). */
  label: string;
  currentLabel: string;
  predicted: string;
  confidence: number;
  loss: number;
  probabilities: number[];
}

export interface PresetInfo {
  name: string;
  title: string;
  description: string;
  featureSet: string;
  params: { total: number; trainable: number; nonTrainable: number };
  layers: { index: number; className: string; outputShape: number[]; params: number }[];
  defaults: Record<string, unknown>;
}

const runId = z.number().int().positive();

export const trainingArgs = {
  presets: z.strictObject({}),
  start: z.strictObject({ config: trainingConfigSchema, name: z.string().min(1).max(200).optional() }),
  cancel: z.strictObject({ runId }),
  resume: z.strictObject({ runId }),
};

export const runsArgs = {
  list: z.strictObject({}),
  get: z.strictObject({ runId }),
  update: z.strictObject({ runId, name: z.string().min(1).max(200).optional(), tags: z.array(z.string().min(1).max(50)).max(50).optional() }),
  delete: z.strictObject({ runId }),
  predictions: z.strictObject({
    runId,
    split: z.enum(['train', 'val', 'test']).optional(),
    label: z.string().max(64).optional(),
    predicted: z.string().max(64).optional(),
    /** 'loss': likely mislabels first; 'confidence': the model's surest first. */
    sort: z.enum(['clip', 'loss', 'confidence']).default('clip'),
    limit: z.number().int().min(1).max(5000).default(500),
  }),
};

export interface TrainingApi {
  /** Model presets with parameter counts and layer shapes (the seed's shows 7,193,736). */
  presets(args: z.input<typeof trainingArgs.presets>): Promise<PresetInfo[]>;
  /** Queues a run and starts it in the training process; progress as `training.progress`. */
  start(args: z.input<typeof trainingArgs.start>): Promise<{ runId: number }>;
  /** Stops a running run within 2 s; it keeps its last checkpoint. */
  cancel(args: z.input<typeof trainingArgs.cancel>): Promise<{ cancelled: boolean }>;
  /** Continues an interrupted or cancelled run from its last checkpoint. */
  resume(args: z.input<typeof trainingArgs.resume>): Promise<{ runId: number }>;
}

export interface RunsApi {
  list(args: z.input<typeof runsArgs.list>): Promise<RunSummary[]>;
  get(args: z.input<typeof runsArgs.get>): Promise<RunDetail>;
  update(args: z.input<typeof runsArgs.update>): Promise<RunSummary>;
  /** Deletes the run's records, checkpoints and exported model. */
  delete(args: z.input<typeof runsArgs.delete>): Promise<{ deleted: boolean }>;
  predictions(args: z.input<typeof runsArgs.predictions>): Promise<RunPrediction[]>;
}
