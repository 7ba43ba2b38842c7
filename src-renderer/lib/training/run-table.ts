import type { RunStatus, RunSummary } from '../../../src-shared/contract/index.js';
import { augmentationName } from './run-format.js';

export const RUN_SORT_KEYS = ['id', 'name', 'status', 'preset', 'epochs', 'learningRate', 'batchSize', 'valAcc', 'testAcc', 'uar', 'macroF1', 'duration', 'backend'] as const;
export type RunSortKey = (typeof RUN_SORT_KEYS)[number];

/** The value a column sorts by; null sorts last whichever the direction. */
function sortValue(run: RunSummary, key: RunSortKey): number | string | null {
  switch (key) {
    case 'id':
      return run.id;
    case 'name':
      return run.name.toLowerCase();
    case 'status':
      return run.status;
    case 'preset':
      return run.preset;
    case 'epochs':
      return run.epochsDone;
    case 'learningRate':
      return run.config.learningRate;
    case 'batchSize':
      return run.config.batchSize;
    case 'valAcc':
      return run.bestValAcc;
    case 'testAcc':
      return run.test?.accuracy ?? null;
    case 'uar':
      return run.test?.uar ?? null;
    case 'macroF1':
      return run.test?.macroF1 ?? null;
    case 'duration':
      return run.durationMs;
    case 'backend':
      return run.backend;
  }
}

export function sortRuns(runs: readonly RunSummary[], key: RunSortKey, descending: boolean): RunSummary[] {
  const direction = descending ? -1 : 1;
  return [...runs].sort((a, b) => {
    const va = sortValue(a, key);
    const vb = sortValue(b, key);
    if (va === null || vb === null) return va === vb ? b.id - a.id : va === null ? 1 : -1;
    const order = typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va).localeCompare(String(vb));
    return order === 0 ? b.id - a.id : order * direction;
  });
}

export interface RunFilter {
  /** Words that must all appear in the run's name, tags, preset, augmentation or backend. */
  text: string;
  status: RunStatus | 'all';
}

export function filterRuns(runs: readonly RunSummary[], filter: RunFilter): RunSummary[] {
  const words = filter.text.toLowerCase().split(/\s+/).filter((word) => word !== '');
  return runs.filter((run) => {
    if (filter.status !== 'all' && run.status !== filter.status) return false;
    if (words.length === 0) return true;
    const haystack = [`#${run.id}`, run.name, run.preset, run.featureSet, augmentationName(run.config.augmentation), run.backend ?? '', ...run.tags.map((tag) => `#${tag} ${tag}`)]
      .join(' ')
      .toLowerCase();
    return words.every((word) => haystack.includes(word));
  });
}

/** Tags typed as "baseline, lr sweep" → ["baseline", "lr-sweep"] (the contract allows 1–50 characters each). */
export function parseTags(text: string): string[] {
  const tags = text
    .split(',')
    .map((tag) => tag.trim().replace(/\s+/g, '-').slice(0, 50))
    .filter((tag) => tag !== '');
  return [...new Set(tags)];
}
