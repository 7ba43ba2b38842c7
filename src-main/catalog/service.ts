import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  catalogArgs,
  type CatalogApi,
  type Clip,
  type ClipPage,
  type ClipStats,
  type Dataset,
  type ImportSummary,
  type LabelEvent,
  type RelabelResult,
} from '../../src-shared/contract/catalog.js';
import { StudioError } from '../../src-shared/contract/result.js';
import type { z } from 'zod';
import type { EventBus } from '../events.js';
import type { CatalogDb } from './db.js';
import { importFolder, type Probe } from './importer.js';
import { CatalogStore, type LabelEventRecord } from './store.js';

export type { Probe, ProbeInfo } from './importer.js';

export interface CatalogServiceOptions {
  /** An open, migrated catalog (openCatalog). The service does not close it. */
  db: CatalogDb;
  /** Where 'job.progress' and 'catalog.changed' go. */
  events: EventBus;
  /** Reads a file's audio facts and SHA-256 (a worker pool in the studio). Rejects on bad audio. */
  probe: Probe;
  /** Files probed at once during an import. */
  importConcurrency?: number;
  /** An import commits after this many files... */
  importBatchSize?: number;
  /** ...or this many milliseconds, whichever comes first. */
  importBatchMs?: number;
}

type Args = { [M in keyof typeof catalogArgs]: z.input<(typeof catalogArgs)[M]> };

/**
 * The catalog behind the contract. Arguments are parsed again here (cheaply) because the CLI
 * and the composition root call the service directly, not only through the dispatcher.
 *
 * Undo and redo work like an editor's: one linear stack of the user's relabels, across clips.
 * Undo reverts the newest change not undone; redo reapplies the oldest undone one; a relabel
 * after undos discards the redo tail. History stays truthful: an undo marks the change undone
 * AND appends a row (source 'user', old → new being the reversal); a redo clears the mark and
 * appends a row repeating the change. So labelHistory(clip) lists every label the clip has had,
 * in order, and `undone` tells which changes are currently reverted. Import labels are not on
 * the stack.
 */
export class CatalogService implements CatalogApi {
  private readonly store: CatalogStore;
  private readonly events: EventBus;
  private readonly probe: Probe;
  private readonly jobs = new Map<string, AbortController>();
  private readonly importConcurrency: number;
  private readonly importBatchSize: number;
  private readonly importBatchMs: number;

  constructor(options: CatalogServiceOptions) {
    this.store = new CatalogStore(options.db);
    this.events = options.events;
    this.probe = options.probe;
    this.importConcurrency = options.importConcurrency ?? 4;
    this.importBatchSize = options.importBatchSize ?? 50;
    this.importBatchMs = options.importBatchMs ?? 250;
  }

  async listDatasets(_args: Args['listDatasets'] = {}): Promise<Dataset[]> {
    return this.store.listDatasets();
  }

  async importFolder(args: Args['importFolder']): Promise<ImportSummary> {
    const { folder, jobId } = parse(catalogArgs.importFolder, args);
    const root = resolve(folder);
    const info = await stat(root).catch(() => null);
    if (info === null) throw new StudioError('NOT_FOUND', `${folder}: no such folder`);
    if (!info.isDirectory()) throw new StudioError('INVALID_ARGUMENT', `${folder}: not a folder`);
    if (this.jobs.has(jobId)) throw new StudioError('CONFLICT', `job ${jobId} is already running`);

    const controller = new AbortController();
    this.jobs.set(jobId, controller);
    try {
      return await importFolder({
        store: this.store,
        probe: this.probe,
        root,
        signal: controller.signal,
        concurrency: this.importConcurrency,
        batchSize: this.importBatchSize,
        batchMs: this.importBatchMs,
        onProgress: (done, total, detail) => this.events.emit('job.progress', { jobId, kind: 'import', done, total, detail }),
        onCommitted: (clipIds) => this.events.emit('catalog.changed', { reason: 'import', clipIds }),
      });
    } finally {
      this.jobs.delete(jobId);
    }
  }

  /** Asks a running import to stop; it then resolves with its partial summary. False when no such job runs. */
  cancelJob(jobId: string): boolean {
    const controller = this.jobs.get(jobId);
    if (controller === undefined || controller.signal.aborted) return false;
    controller.abort();
    return true;
  }

  async queryClips(args: Args['queryClips']): Promise<ClipPage> {
    const query = parse(catalogArgs.queryClips, args);
    const page = this.store.queryClips(query.filter, query.sort, query.descending, query.offset, query.limit);
    return { total: page.total, offset: query.offset, clips: page.clips };
  }

  async clipStats(args: Args['clipStats']): Promise<ClipStats> {
    return this.store.clipStats(parse(catalogArgs.clipStats, args).filter);
  }

  async getClip(args: Args['getClip']): Promise<Clip> {
    return this.requireClip(parse(catalogArgs.getClip, args).clipId);
  }

  /** Relabelling to the label the clip already has records nothing and returns its latest event. */
  async relabel(args: Args['relabel']): Promise<RelabelResult> {
    const { clipId, label } = parse(catalogArgs.relabel, args);
    const result = this.store.transaction(() => {
      const clip = this.requireClip(clipId);
      if (clip.label === label) {
        const latest = this.store.latestLabelEvent(clipId);
        if (latest === undefined) throw new StudioError('INTERNAL', `clip ${clipId} has no label history`);
        return { clip, event: latest, changed: false };
      }
      this.store.dropRedoTail();
      const event = this.store.insertLabelEvent({
        clipId,
        oldLabel: clip.label,
        newLabel: label,
        oldSource: clip.labelSource,
        source: 'user',
        action: 'set',
        revertsEventId: null,
        at: new Date().toISOString(),
        onStack: true,
      });
      this.store.setClipLabel(clipId, label, 'user');
      return { clip: { ...clip, label, labelSource: 'user' as const }, event, changed: true };
    });
    if (result.changed) this.events.emit('catalog.changed', { reason: 'relabel', clipIds: [clipId] });
    return { clip: result.clip, event: toLabelEvent(result.event) };
  }

  /** Reverts the newest change not undone; returns that change (now undone: true), or null. */
  async undo(_args: Args['undo'] = {}): Promise<RelabelResult | null> {
    return this.step('undo');
  }

  /** Reapplies the oldest undone change still on the stack; returns it (undone: false), or null. */
  async redo(_args: Args['redo'] = {}): Promise<RelabelResult | null> {
    return this.step('redo');
  }

  async labelHistory(args: Args['labelHistory']): Promise<LabelEvent[]> {
    const { clipId } = parse(catalogArgs.labelHistory, args);
    this.requireClip(clipId);
    return this.store.labelHistory(clipId).map(toLabelEvent);
  }

  private step(action: 'undo' | 'redo'): RelabelResult | null {
    const result = this.store.transaction(() => {
      const target = action === 'undo' ? this.store.undoCandidate() : this.store.redoCandidate();
      if (target === undefined) return null;
      const clip = this.requireClip(target.clipId);
      // Undo restores the label and source the clip had before the change; redo reapplies it.
      const label = action === 'undo' ? (target.oldLabel ?? clip.label) : target.newLabel;
      const source = action === 'undo' ? (target.oldSource ?? clip.labelSource) : target.source;
      this.store.insertLabelEvent({
        clipId: clip.id,
        oldLabel: clip.label,
        newLabel: label,
        oldSource: clip.labelSource,
        source: 'user',
        action,
        revertsEventId: target.id,
        at: new Date().toISOString(),
        onStack: false,
      });
      this.store.setUndone(target.id, action === 'undo');
      this.store.setClipLabel(clip.id, label, source);
      const event: LabelEventRecord = { ...target, undone: action === 'undo' };
      return { clip: { ...clip, label, labelSource: source }, event };
    });
    if (result === null) return null;
    this.events.emit('catalog.changed', { reason: action, clipIds: [result.clip.id] });
    return { clip: result.clip, event: toLabelEvent(result.event) };
  }

  private requireClip(clipId: number): Clip {
    const clip = this.store.getClip(clipId);
    if (clip === undefined) throw new StudioError('NOT_FOUND', `clip ${clipId} not found`);
    return clip;
  }
}

/** The contract's shape only: the bookkeeping columns stay in the catalog. */
function toLabelEvent(event: LabelEventRecord): LabelEvent {
  return {
    id: event.id,
    clipId: event.clipId,
    oldLabel: event.oldLabel,
    newLabel: event.newLabel,
    source: event.source,
    at: event.at,
    undone: event.undone,
    action: event.action,
  };
}

function parse<S extends z.ZodType>(schema: S, args: unknown): z.output<S> {
  const parsed = schema.safeParse(args ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ` : '';
    throw new StudioError('INVALID_ARGUMENT', `${where}${issue?.message ?? 'invalid arguments'}`);
  }
  return parsed.data;
}
