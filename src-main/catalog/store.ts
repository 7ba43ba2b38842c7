import type Database from 'better-sqlite3';
import type {
  AudioFormat,
  Clip,
  ClipFilter,
  ClipStats,
  Dataset,
  Gender,
  Intensity,
  LabelEvent,
  LabelSource,
  SortKey,
  VocalChannel,
} from '../../src-shared/contract/catalog.js';
import { BrowseIndex } from './browse-index.js';
import type { CatalogDb } from './db.js';

/** A clip about to be inserted: everything but the id and the label's source (always 'import'), plus its frame count. */
export interface NewClip extends Omit<Clip, 'id' | 'labelSource'> {
  frames: number;
}

export type LabelAction = 'set' | 'undo' | 'redo';

/** A label_events row with the columns the contract's LabelEvent leaves out. */
export interface LabelEventRecord extends LabelEvent {
  action: LabelAction;
  oldSource: LabelSource | null;
  revertsEventId: number | null;
  onStack: boolean;
}

export interface NewLabelEvent {
  clipId: number;
  oldLabel: string | null;
  newLabel: string;
  oldSource: LabelSource | null;
  source: LabelSource;
  action: LabelAction;
  revertsEventId: number | null;
  at: string;
  onStack: boolean;
}

interface ClipRow {
  id: number;
  dataset_id: number;
  path: string;
  rel_path: string;
  content_hash: string;
  format: AudioFormat;
  sample_rate: number;
  channels: number;
  duration_sec: number;
  actor: number | null;
  speaker: string | null;
  gender: Gender | null;
  vocal_channel: VocalChannel | null;
  intensity: Intensity | null;
  statement: number | null;
  repetition: number | null;
  label: string;
  label_source: LabelSource;
}

interface EventRow {
  id: number;
  clip_id: number;
  old_label: string | null;
  new_label: string;
  old_source: LabelSource | null;
  source: LabelSource;
  action: LabelAction;
  reverts_event_id: number | null;
  at: string;
  undone: 0 | 1;
  on_stack: 0 | 1;
}

interface DatasetRow {
  id: number;
  name: string;
  root_path: string;
  kind: Dataset['kind'];
  created_at: string;
  clip_count: number;
}

type Param = string | number | null;

const CLIP_COLUMNS = `id, dataset_id, path, rel_path, content_hash, format, sample_rate, channels, duration_sec,
  actor, speaker, gender, vocal_channel, intensity, statement, repetition, label, label_source`;

/** Prepared statements kept per distinct SQL text; filter shapes are few (lists bind as JSON). */
const STATEMENT_CACHE_LIMIT = 256;

/**
 * Every query of the catalog, over a better-sqlite3 handle. Values are always bound parameters;
 * the only SQL built at run time is the choice among fixed fragments (filter shape, sort column).
 */
export class CatalogStore {
  private readonly statements = new Map<string, Database.Statement>();

  private readonly browse: BrowseIndex;

  constructor(readonly db: CatalogDb) {
    this.browse = new BrowseIndex(db);
  }

  /** Runs `fn` in one IMMEDIATE transaction (nested calls become savepoints). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  // ---- datasets

  datasetByRoot(rootPath: string): Dataset | undefined {
    const row = this.get<DatasetRow>(`${DATASET_SELECT} WHERE d.root_path = ?`, rootPath);
    return row && toDataset(row);
  }

  getDataset(id: number): Dataset | undefined {
    const row = this.get<DatasetRow>(`${DATASET_SELECT} WHERE d.id = ?`, id);
    return row && toDataset(row);
  }

  listDatasets(): Dataset[] {
    return this.all<DatasetRow>(`${DATASET_SELECT} ORDER BY d.id`).map(toDataset);
  }

  insertDataset(dataset: { name: string; rootPath: string; kind: Dataset['kind']; createdAt: string }): number {
    const info = this.run(
      'INSERT INTO datasets (name, root_path, kind, created_at) VALUES (?, ?, ?, ?)',
      dataset.name,
      dataset.rootPath,
      dataset.kind,
      dataset.createdAt,
    );
    this.browse.invalidate();
    return Number(info.lastInsertRowid);
  }

  // ---- clips

  getClip(id: number): Clip | undefined {
    const row = this.get<ClipRow>(`SELECT ${CLIP_COLUMNS} FROM clips WHERE id = ?`, id);
    return row && toClip(row);
  }

  clipByPath(path: string): { id: number; contentHash: string } | undefined {
    const row = this.get<{ id: number; content_hash: string }>('SELECT id, content_hash FROM clips WHERE path = ?', path);
    return row && { id: row.id, contentHash: row.content_hash };
  }

  /** Clips of a dataset with exactly this content, oldest first. */
  clipsWithContent(datasetId: number, contentHash: string): { id: number; path: string; relPath: string }[] {
    return this.all<{ id: number; path: string; rel_path: string }>(
      'SELECT id, path, rel_path FROM clips WHERE dataset_id = ? AND content_hash = ? ORDER BY id',
      datasetId,
      contentHash,
    ).map((row) => ({ id: row.id, path: row.path, relPath: row.rel_path }));
  }

  /** Inserts the clip with label_source 'import'; the caller records the import label event. */
  insertClip(clip: NewClip): number {
    const info = this.run(
      `INSERT INTO clips (dataset_id, path, rel_path, content_hash, format, sample_rate, channels, frames, duration_sec,
         actor, speaker, gender, vocal_channel, intensity, statement, repetition, label, label_source)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'import')`,
      clip.datasetId,
      clip.path,
      clip.relPath,
      clip.contentHash,
      clip.format,
      clip.sampleRate,
      clip.channels,
      clip.frames,
      clip.durationSec,
      clip.actor,
      clip.speaker,
      clip.gender,
      clip.vocalChannel,
      clip.intensity,
      clip.statement,
      clip.repetition,
      clip.label,
    );
    this.browse.invalidate();
    return Number(info.lastInsertRowid);
  }

  /** A file that moved or was renamed inside its dataset: same clip, label and history. */
  moveClip(id: number, path: string, relPath: string): void {
    this.run('UPDATE clips SET path = ?, rel_path = ? WHERE id = ?', path, relPath, id);
    this.browse.invalidate();
  }

  /** A file whose bytes changed since import: new audio facts, same label and history. */
  updateClipAudio(
    id: number,
    audio: Pick<NewClip, 'contentHash' | 'format' | 'sampleRate' | 'channels' | 'frames' | 'durationSec'>,
  ): void {
    this.run(
      'UPDATE clips SET content_hash = ?, format = ?, sample_rate = ?, channels = ?, frames = ?, duration_sec = ? WHERE id = ?',
      audio.contentHash,
      audio.format,
      audio.sampleRate,
      audio.channels,
      audio.frames,
      audio.durationSec,
      id,
    );
    this.browse.invalidate();
  }

  setClipLabel(id: number, label: string, source: LabelSource): void {
    this.run('UPDATE clips SET label = ?, label_source = ? WHERE id = ?', label, source, id);
    this.browse.labelChanged(id);
  }

  queryClips(filter: ClipFilter, sort: SortKey, descending: boolean, offset: number, limit: number): { total: number; clips: Clip[] } {
    const { total, ids } = this.browse.query(filter, sort, descending, offset, limit);
    if (ids.length === 0) return { total, clips: [] };
    const rows = this.all<ClipRow>(`SELECT ${CLIP_COLUMNS} FROM clips WHERE id IN (SELECT value FROM json_each(?))`, JSON.stringify(ids));
    const byId = new Map(rows.map((row) => [row.id, row]));
    return { total, clips: ids.flatMap((id) => (byId.has(id) ? [toClip(byId.get(id)!)] : [])) };
  }

  clipStats(filter: ClipFilter): ClipStats {
    return this.browse.stats(filter);
  }


  // ---- label events

  insertLabelEvent(event: NewLabelEvent): LabelEventRecord {
    const info = this.run(
      `INSERT INTO label_events (clip_id, old_label, new_label, old_source, source, action, reverts_event_id, at, undone, on_stack)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?)`,
      event.clipId,
      event.oldLabel,
      event.newLabel,
      event.oldSource,
      event.source,
      event.action,
      event.revertsEventId,
      event.at,
      event.onStack ? 1 : 0,
    );
    return { ...event, id: Number(info.lastInsertRowid), undone: false };
  }

  getLabelEvent(id: number): LabelEventRecord | undefined {
    const row = this.get<EventRow>('SELECT * FROM label_events WHERE id = ?', id);
    return row && toEvent(row);
  }

  latestLabelEvent(clipId: number): LabelEventRecord | undefined {
    const row = this.get<EventRow>('SELECT * FROM label_events WHERE clip_id = ? ORDER BY id DESC LIMIT 1', clipId);
    return row && toEvent(row);
  }

  labelHistory(clipId: number): LabelEventRecord[] {
    return this.all<EventRow>('SELECT * FROM label_events WHERE clip_id = ? ORDER BY id', clipId).map(toEvent);
  }

  /** The change an undo would revert: the newest on the stack not yet undone. */
  undoCandidate(): LabelEventRecord | undefined {
    const row = this.get<EventRow>('SELECT * FROM label_events WHERE on_stack = 1 AND undone = 0 ORDER BY id DESC LIMIT 1');
    return row && toEvent(row);
  }

  /** The change a redo would reapply: the oldest undone one still on the stack. */
  redoCandidate(): LabelEventRecord | undefined {
    const row = this.get<EventRow>('SELECT * FROM label_events WHERE on_stack = 1 AND undone = 1 ORDER BY id ASC LIMIT 1');
    return row && toEvent(row);
  }

  setUndone(eventId: number, undone: boolean): void {
    this.run('UPDATE label_events SET undone = ? WHERE id = ?', undone ? 1 : 0, eventId);
  }

  /** A new change after undos discards the redo tail (the rows stay in the history, still undone). */
  dropRedoTail(): void {
    this.run('UPDATE label_events SET on_stack = 0 WHERE on_stack = 1 AND undone = 1');
  }

  // ---- statement helpers

  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      if (this.statements.size >= STATEMENT_CACHE_LIMIT) this.statements.clear();
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private get<T>(sql: string, ...params: Param[]): T | undefined {
    return this.statement(sql).get(...params) as T | undefined;
  }

  private all<T>(sql: string, ...params: Param[]): T[] {
    return this.statement(sql).all(...params) as T[];
  }

  private run(sql: string, ...params: Param[]): Database.RunResult {
    return this.statement(sql).run(...params);
  }
}

const DATASET_SELECT = `SELECT d.id, d.name, d.root_path, d.kind, d.created_at,
  (SELECT count(*) FROM clips c WHERE c.dataset_id = d.id) AS clip_count FROM datasets d`;

function toClip(row: ClipRow): Clip {
  return {
    id: row.id,
    datasetId: row.dataset_id,
    path: row.path,
    relPath: row.rel_path,
    contentHash: row.content_hash,
    format: row.format,
    sampleRate: row.sample_rate,
    channels: row.channels,
    durationSec: row.duration_sec,
    actor: row.actor,
    speaker: row.speaker,
    gender: row.gender,
    vocalChannel: row.vocal_channel,
    intensity: row.intensity,
    statement: row.statement,
    repetition: row.repetition,
    label: row.label,
    labelSource: row.label_source,
  };
}

function toEvent(row: EventRow): LabelEventRecord {
  return {
    id: row.id,
    clipId: row.clip_id,
    oldLabel: row.old_label,
    newLabel: row.new_label,
    source: row.source,
    at: row.at,
    undone: row.undone === 1,
    action: row.action,
    oldSource: row.old_source,
    revertsEventId: row.reverts_event_id,
    onStack: row.on_stack === 1,
  };
}

function toDataset(row: DatasetRow): Dataset {
  return {
    id: row.id,
    name: row.name,
    rootPath: row.root_path,
    kind: row.kind,
    createdAt: row.created_at,
    clipCount: row.clip_count,
  };
}
