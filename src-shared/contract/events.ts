import type { RunEpoch, RunProgress, RunStatus } from './training.js';

export interface JobProgress {
  jobId: string;
  kind: 'import' | 'features';
  done: number;
  total: number;
  /** What is being worked on now, for the progress line. */
  detail: string;
}

export interface CatalogChanged {
  reason: 'import' | 'relabel' | 'undo' | 'redo';
  clipIds: number[];
}

export interface TrainingProgressEvent {
  runId: number;
  progress: RunProgress;
}

export interface TrainingEpochEvent {
  runId: number;
  epoch: RunEpoch;
}

export interface RunChanged {
  runId: number;
  /** null when the run was deleted. */
  status: RunStatus | null;
}

/** Events pushed from the main process to every connected renderer. */
export interface EventMap {
  'job.progress': JobProgress;
  'catalog.changed': CatalogChanged;
  'training.progress': TrainingProgressEvent;
  'training.epoch': TrainingEpochEvent;
  'run.changed': RunChanged;
}

export type EventName = keyof EventMap;
export const EVENT_NAMES: readonly EventName[] = ['job.progress', 'catalog.changed', 'training.progress', 'training.epoch', 'run.changed'];
