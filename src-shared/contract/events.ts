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

/** Events pushed from the main process to every connected renderer. */
export interface EventMap {
  'job.progress': JobProgress;
  'catalog.changed': CatalogChanged;
}

export type EventName = keyof EventMap;
export const EVENT_NAMES: readonly EventName[] = ['job.progress', 'catalog.changed'];
