import type { RunPhase, RunProgress, RunStatus, RunSummary } from '../../../src-shared/contract/index.js';
import type { AugmentRecipe } from '../../../src-shared/model/augment-recipe.js';
import { describeRecipe, recipeCopiesText } from './recipe-choice.js';

export const STATUS_TEXT: Record<RunStatus, string> = {
  queued: 'Queued',
  running: 'Training',
  finished: 'Finished',
  failed: 'Failed',
  cancelled: 'Cancelled',
  interrupted: 'Interrupted',
};

export const PHASE_TEXT: Record<RunPhase, string> = {
  features: 'Computing features',
  loading: 'Loading the model',
  training: 'Training',
  evaluating: 'Evaluating',
  exporting: 'Exporting',
};

/** A run that may still change by itself (its curves grow, its status moves on). */
export function isActive(status: RunStatus): boolean {
  return status === 'queued' || status === 'running';
}

/** Interrupted and cancelled runs continue from their last checkpoint; failed ones start their epochs again. */
export function isResumable(status: RunStatus): boolean {
  return status === 'interrupted' || status === 'cancelled' || status === 'failed';
}

/** "83.3 %" from 0.8333; "–" for null. */
export function formatPercent(value: number | null | undefined, digits = 1): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '–' : `${(value * 100).toFixed(digits)} %`;
}

/** "950 ms", "12.4 s", "3 min 05 s", "1 h 02 min". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const wholeSeconds = Math.round(seconds);
  const minutes = Math.floor(wholeSeconds / 60);
  if (minutes < 60) return `${minutes} min ${String(wholeSeconds % 60).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** "1,234/s" samples per second. */
export function formatRate(samplesPerSec: number | null | undefined): string {
  if (samplesPerSec === null || samplesPerSec === undefined || !Number.isFinite(samplesPerSec)) return '–';
  return `${Math.round(samplesPerSec).toLocaleString('en-US')}/s`;
}

/**
 * How far a run has got, 0..1. Features and evaluation count within their phase; training counts
 * epochs done plus the running epoch's batches, over the configured epochs (early stopping may
 * end it sooner).
 */
export function progressFraction(progress: RunProgress | null, epochsDone: number): number {
  if (progress === null) return 0;
  if (progress.phase === 'features') return progress.total > 0 ? Math.min(1, progress.done / progress.total) : 0;
  if (progress.phase !== 'training') return progress.total > 0 ? Math.min(1, progress.done / progress.total) : progress.phase === 'loading' ? 0 : 1;
  const epochs = Math.max(1, progress.epochs);
  const inEpoch = progress.total > 0 ? progress.done / progress.total : 0;
  const completed = Math.max(epochsDone, progress.epoch - 1);
  const running = progress.epoch > epochsDone ? inEpoch : 0;
  return Math.min(1, (completed + running) / epochs);
}

/** The augmentation of a stored config: a preset name or a saved recipe's name. */
export function augmentationName(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object' && 'name' in value && typeof value.name === 'string') return `recipe "${value.name}"`;
  return 'none';
}

/** A stored config's augmentation that is a recipe (name and copies), not a built-in name. */
export function isRecipe(value: unknown): value is AugmentRecipe {
  return value !== null && typeof value === 'object' && 'name' in value && typeof value.name === 'string' && 'copies' in value && Array.isArray(value.copies);
}

/** A recipe's copies in a few words ("1 extra copy per training clip: pitch +2 st · noise 0.03"); a built-in's name. */
export function augmentationDetail(value: unknown): string {
  return isRecipe(value) ? `${recipeCopiesText(value)}: ${describeRecipe(value)}` : augmentationName(value);
}

/** A readable one-line run title: "#12 tiny-cnn1d 2025-01-03 12:03". */
export function runTitle(run: Pick<RunSummary, 'id' | 'name'>): string {
  return `#${run.id} ${run.name}`;
}

/** Series colours for overlaid runs, distinguishable on the dark background. */
export const RUN_COLOURS = ['#7c9cff', '#f5c542', '#6fd08c', '#ef5b5b', '#a67cf4', '#4fc3c9', '#f2914a', '#e36fb2'];

export function runColour(index: number): string {
  return RUN_COLOURS[index % RUN_COLOURS.length];
}
