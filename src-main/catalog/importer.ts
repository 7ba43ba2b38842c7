import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, extname, join, relative, sep } from 'node:path';
import { AUDIO_FORMATS, type AudioFormat, type Dataset, type ImportSummary } from '../../src-shared/contract/catalog.js';
import { normaliseLabel } from '../../src-shared/model/labels.js';
import { parseRavdessName, type RavdessName } from '../../src-shared/model/ravdess.js';
import type { CatalogStore, NewClip } from './store.js';

/** What probing a file tells the catalog; decoding and hashing happen elsewhere (a worker pool). */
export interface ProbeInfo {
  format: AudioFormat;
  sampleRate: number;
  channels: number;
  frames: number;
  durationSec: number;
  /** SHA-256 of the file's bytes, lowercase hex. */
  sha256: string;
}

export type Probe = (path: string) => Promise<ProbeInfo>;

export interface ImportOptions {
  store: CatalogStore;
  probe: Probe;
  /** Absolute, resolved folder. */
  root: string;
  signal: AbortSignal;
  /** Files probed at once. */
  concurrency: number;
  /** A batch is committed when it holds this many files... */
  batchSize: number;
  /** ...or when this long has passed since the last commit. */
  batchMs: number;
  /** Called after each commit (and once before the first): files done so far, all committed. */
  onProgress(done: number, total: number, detail: string): void;
  /** Called after each commit with the clips it inserted or updated. */
  onCommitted(clipIds: number[]): void;
}

const AUDIO_EXTENSIONS = new Set(AUDIO_FORMATS.map((format) => `.${format}`));

interface Task {
  path: string;
  relPath: string;
  label: string;
  ravdess: RavdessName | null;
}

/** A file that is finished (probed or failed) but not yet committed. */
type Outcome = { task: Task; info: ProbeInfo } | { path: string; relPath: string; reason: string };

/**
 * Imports every audio file under `root` into the dataset of that root (created on the first
 * commit). Probes run `concurrency` at a time; results are committed in batches, each in one
 * transaction, and progress is reported only after a commit, so a crash loses nothing that was
 * reported done. An abort stops new probes, commits what finished and returns cancelled: true.
 */
export async function importFolder(options: ImportOptions): Promise<ImportSummary> {
  const started = performance.now();
  const { store, root } = options;
  const summary: ImportSummary = {
    datasetId: null,
    imported: 0,
    skipped: 0,
    failed: [],
    duplicates: [],
    byLabel: {},
    durationMs: 0,
    cancelled: false,
  };

  const { files, unreadable } = await walkAudioFiles(root);
  summary.failed.push(...unreadable);
  const existing = store.datasetByRoot(root);
  summary.datasetId = existing?.id ?? null;
  const kind = existing?.kind ?? chooseKind(files.map((file) => basename(file)));
  const total = files.length;

  const pending: Outcome[] = [];
  const tasks: Task[] = [];
  for (const path of files) {
    const relPath = relative(root, path).split(sep).join('/');
    const labelled = labelFor(kind, relPath);
    if ('reason' in labelled) pending.push({ path, relPath, reason: labelled.reason });
    else tasks.push({ path, relPath, ...labelled });
  }

  let done = 0;
  let lastCommit = performance.now();
  options.onProgress(0, total, `${total} audio files found`);

  const commit = (): void => {
    lastCommit = performance.now();
    if (pending.length === 0) return;
    const batch = pending.splice(0);
    const changed: number[] = [];
    store.transaction(() => {
      for (const outcome of batch) {
        if ('reason' in outcome) {
          summary.failed.push({ path: outcome.path, reason: outcome.reason });
          continue;
        }
        summary.datasetId ??= store.insertDataset({ name: basename(root) || root, rootPath: root, kind, createdAt: new Date().toISOString() });
        const datasetId = summary.datasetId;
        try {
          // A savepoint per file: a row the schema refuses fails that file, not the batch.
          const result = store.transaction(() => commitClip(store, datasetId, outcome.task, outcome.info));
          if (result.kind === 'skipped') {
            summary.skipped += 1;
          } else if (result.kind === 'moved') {
            summary.skipped += 1;
            changed.push(result.clipId);
          } else {
            if (result.sameAs !== null) summary.duplicates.push({ path: outcome.task.path, sameAs: result.sameAs });
            summary.imported += 1;
            summary.byLabel[result.label] = (summary.byLabel[result.label] ?? 0) + 1;
            changed.push(result.clipId);
          }
        } catch (error) {
          summary.failed.push({ path: outcome.task.path, reason: `not stored: ${errorMessage(error)}` });
        }
      }
    });
    done += batch.length;
    const last = batch[batch.length - 1];
    options.onProgress(done, total, 'task' in last ? last.task.relPath : last.relPath);
    if (changed.length > 0) options.onCommitted(changed);
  };

  let next = 0;
  const worker = async (): Promise<void> => {
    while (!options.signal.aborted && next < tasks.length) {
      const task = tasks[next++];
      try {
        const info = checkedProbe(await options.probe(task.path));
        pending.push({ task, info });
      } catch (error) {
        pending.push({ path: task.path, relPath: task.relPath, reason: errorMessage(error) });
      }
      if (pending.length >= options.batchSize || performance.now() - lastCommit >= options.batchMs) commit();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  commit();
  // Which twin was stored first depends on which worker finished first: report each pair the
  // same way every time, the path that sorts first as the original.
  summary.duplicates = summary.duplicates
    .map(({ path, sameAs }) => (sameAs <= path ? { path, sameAs } : { path: sameAs, sameAs: path }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

  summary.cancelled = options.signal.aborted && done < total;
  summary.durationMs = Math.round(performance.now() - started);
  return summary;
}

type CommitResult =
  | { kind: 'skipped' }
  | { kind: 'moved'; clipId: number }
  /** sameAs: the path of an earlier clip with byte-identical content, if any. */
  | { kind: 'stored'; clipId: number; label: string; sameAs: string | null };

function commitClip(store: CatalogStore, datasetId: number, task: Task, info: ProbeInfo): CommitResult {
  const known = store.clipByPath(task.path);
  if (known !== undefined) {
    if (known.contentHash === info.sha256) return { kind: 'skipped' };
    // Same file, new bytes: keep the clip, its label and its history; refresh the audio facts.
    store.updateClipAudio(known.id, { contentHash: info.sha256, ...audioFacts(info) });
    return { kind: 'stored', clipId: known.id, label: store.getClip(known.id)?.label ?? task.label, sameAs: null };
  }
  const twins = store.clipsWithContent(datasetId, info.sha256);
  const moved = twins.find((twin) => !existsSync(twin.path));
  if (moved !== undefined) {
    store.moveClip(moved.id, task.path, task.relPath);
    return { kind: 'moved', clipId: moved.id };
  }
  const r = task.ravdess;
  const clip: NewClip = {
    datasetId,
    path: task.path,
    relPath: task.relPath,
    contentHash: info.sha256,
    ...audioFacts(info),
    actor: r?.actor ?? null,
    speaker: r?.speaker ?? null,
    gender: r?.gender ?? null,
    vocalChannel: r?.vocalChannel ?? null,
    intensity: r?.intensity ?? null,
    statement: r?.statement ?? null,
    repetition: r?.repetition ?? null,
    label: task.label,
  };
  const clipId = store.insertClip(clip);
  store.insertLabelEvent({
    clipId,
    oldLabel: null,
    newLabel: task.label,
    oldSource: null,
    source: 'import',
    action: 'set',
    revertsEventId: null,
    at: new Date().toISOString(),
    onStack: false,
  });
  return { kind: 'stored', clipId, label: task.label, sameAs: twins[0]?.path ?? null };
}

function audioFacts(info: ProbeInfo): Pick<NewClip, 'format' | 'sampleRate' | 'channels' | 'frames' | 'durationSec'> {
  return { format: info.format, sampleRate: info.sampleRate, channels: info.channels, frames: info.frames, durationSec: info.durationSec };
}

/** The probe runs elsewhere; what it returns is checked before it reaches the catalog. */
function checkedProbe(info: ProbeInfo): ProbeInfo {
  const problems: string[] = [];
  if (!(AUDIO_FORMATS as readonly string[]).includes(info.format)) problems.push(`format ${String(info.format)}`);
  if (!Number.isInteger(info.sampleRate) || info.sampleRate <= 0) problems.push(`sample rate ${info.sampleRate}`);
  if (!Number.isInteger(info.channels) || info.channels <= 0) problems.push(`channels ${info.channels}`);
  if (!Number.isInteger(info.frames) || info.frames < 0) problems.push(`frames ${info.frames}`);
  if (!Number.isFinite(info.durationSec) || info.durationSec < 0) problems.push(`duration ${info.durationSec}`);
  if (!/^[0-9a-f]{64}$/.test(info.sha256)) problems.push('sha256');
  if (problems.length > 0) throw new Error(`probe returned an invalid ${problems.join(', ')}`);
  return info;
}

/**
 * A folder is a RAVDESS dataset when most of its audio files carry RAVDESS names; a stray
 * badly named file then fails on its own instead of turning every file's label into "actor_01".
 */
export function chooseKind(fileNames: string[]): Dataset['kind'] {
  const ravdess = fileNames.filter((name) => parseRavdessName(name).ok).length;
  return ravdess > 0 && ravdess * 2 >= fileNames.length ? 'ravdess' : 'folders';
}

/** The label of a file and any RAVDESS facts its name carries, or why it has no label. */
export function labelFor(kind: Dataset['kind'], relPath: string): { label: string; ravdess: RavdessName | null } | { reason: string } {
  const parsed = parseRavdessName(relPath);
  const ravdess = parsed.ok ? parsed.value : null;
  if (kind === 'ravdess') return parsed.ok ? { label: parsed.value.emotion, ravdess } : { reason: parsed.reason };
  const parts = relPath.split('/');
  if (parts.length < 2) return { reason: 'no label: the file is not inside a folder named after its label' };
  const folder = parts[parts.length - 2];
  const label = normaliseLabel(folder);
  if (label === null) return { reason: `no label: folder name "${folder}" is not a label (1-64 letters, digits, _ or -)` };
  return { label, ravdess };
}

/**
 * Audio files (by extension, any case) under `root`, sorted. Names starting with "." are
 * skipped (macOS "._x.wav" resource forks would otherwise fail as corrupt audio); symbolic links
 * to files are followed, links to folders are not (they could loop). Unreadable folders are
 * reported instead of ending the walk.
 */
export async function walkAudioFiles(root: string): Promise<{ files: string[]; unreadable: { path: string; reason: string }[] }> {
  const files: string[] = [];
  const unreadable: { path: string; reason: string }[] = [];
  const folders = [root];
  for (let folder = folders.pop(); folder !== undefined; folder = folders.pop()) {
    let entries;
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch (error) {
      unreadable.push({ path: folder, reason: `folder not readable: ${errorMessage(error)}` });
      continue;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const path = join(folder, entry.name);
      if (entry.isDirectory()) folders.push(path);
      else if (AUDIO_EXTENSIONS.has(extname(entry.name).toLowerCase())) {
        if (entry.isFile() || (entry.isSymbolicLink() && (await stat(path).then((s) => s.isFile(), () => false)))) files.push(path);
      }
    }
  }
  files.sort();
  return { files, unreadable };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
