import { z } from 'zod';
import { LABEL_PATTERN } from '../model/labels.js';

export const AUDIO_FORMATS = ['wav', 'flac', 'mp3', 'ogg'] as const;
export type AudioFormat = (typeof AUDIO_FORMATS)[number];

export type LabelSource = 'import' | 'user' | 'model';
export type Gender = 'male' | 'female';
export type VocalChannel = 'speech' | 'song';
export type Intensity = 'normal' | 'strong';

export interface Dataset {
  id: number;
  name: string;
  /** Absolute folder the dataset was imported from; clip paths are relative to it. */
  rootPath: string;
  /** How labels were read: RAVDESS file names, or one subfolder per label. */
  kind: 'ravdess' | 'folders';
  createdAt: string;
  clipCount: number;
}

export interface Clip {
  id: number;
  datasetId: number;
  /** Absolute path of the audio file. */
  path: string;
  /** Path relative to the dataset root, with forward slashes. */
  relPath: string;
  /** SHA-256 of the file's bytes, hex; re-importing the same content is a no-op. */
  contentHash: string;
  format: AudioFormat;
  sampleRate: number;
  channels: number;
  durationSec: number;
  /** RAVDESS actor number (1..24), or null when the dataset does not say. */
  actor: number | null;
  /** Speaker id as text: "actor-07" for RAVDESS, else the dataset's own id if any. */
  speaker: string | null;
  gender: Gender | null;
  vocalChannel: VocalChannel | null;
  intensity: Intensity | null;
  statement: number | null;
  repetition: number | null;
  label: string;
  labelSource: LabelSource;
}

export interface LabelEvent {
  id: number;
  clipId: number;
  /** null for the label given at import. */
  oldLabel: string | null;
  newLabel: string;
  source: LabelSource;
  /** ISO-8601 time of the change. */
  at: string;
  /** True once the change has been undone (and not redone). */
  undone: boolean;
  /** 'set': a label given (import, user, model); 'undo' / 'redo': the row records an undo or redo. */
  action: 'set' | 'undo' | 'redo';
}

export const SORT_KEYS = ['id', 'path', 'label', 'actor', 'duration', 'intensity'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

const labelSchema = z.string().regex(LABEL_PATTERN, 'a label is 1-64 lowercase letters, digits, _ or -');
const idSchema = z.number().int().positive();

export const clipFilterSchema = z.strictObject({
  datasetId: idSchema.optional(),
  labels: z.array(labelSchema).max(64).optional(),
  actors: z.array(z.number().int().min(0).max(100_000)).max(1000).optional(),
  gender: z.enum(['male', 'female']).optional(),
  vocalChannel: z.enum(['speech', 'song']).optional(),
  intensity: z.enum(['normal', 'strong']).optional(),
  /** Substring of the relative path (case-insensitive). */
  text: z.string().max(200).optional(),
});
export type ClipFilter = z.infer<typeof clipFilterSchema>;

export const clipQuerySchema = z.strictObject({
  filter: clipFilterSchema.default({}),
  sort: z.enum(SORT_KEYS).default('id'),
  descending: z.boolean().default(false),
  offset: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(1000).default(100),
});
export type ClipQuery = z.input<typeof clipQuerySchema>;

export interface ClipPage {
  /** Number of clips that match the filter, across all pages. */
  total: number;
  offset: number;
  clips: Clip[];
}

export interface ClipStats {
  total: number;
  byLabel: Record<string, number>;
  actors: number[];
  labels: string[];
}

export interface ImportSummary {
  datasetId: number | null;
  imported: number;
  /** Files whose content was already in the catalog. */
  skipped: number;
  failed: { path: string; reason: string }[];
  /**
   * Imported files whose bytes equal an earlier clip's (`sameAs`): kept, since corpora do hold
   * identical recordings, but worth a look (a conflicting label, or leakage across a split).
   */
  duplicates: { path: string; sameAs: string }[];
  byLabel: Record<string, number>;
  durationMs: number;
  cancelled: boolean;
}

export interface RelabelResult {
  clip: Clip;
  event: LabelEvent;
}

export const catalogArgs = {
  listDatasets: z.strictObject({}),
  importFolder: z.strictObject({
    folder: z.string().min(1).max(4096),
    /** Chosen by the caller so that it can follow `job.progress` and cancel. */
    jobId: z.string().min(1).max(100),
  }),
  queryClips: clipQuerySchema,
  clipStats: z.strictObject({ filter: clipFilterSchema.default({}) }),
  getClip: z.strictObject({ clipId: idSchema }),
  relabel: z.strictObject({ clipId: idSchema, label: labelSchema }),
  undo: z.strictObject({}),
  redo: z.strictObject({}),
  labelHistory: z.strictObject({ clipId: idSchema }),
};

export interface CatalogApi {
  listDatasets(args: z.input<typeof catalogArgs.listDatasets>): Promise<Dataset[]>;
  /** Imports a folder; progress comes as `job.progress`; a cancel returns the partial summary. */
  importFolder(args: z.input<typeof catalogArgs.importFolder>): Promise<ImportSummary>;
  queryClips(args: z.input<typeof catalogArgs.queryClips>): Promise<ClipPage>;
  clipStats(args: z.input<typeof catalogArgs.clipStats>): Promise<ClipStats>;
  getClip(args: z.input<typeof catalogArgs.getClip>): Promise<Clip>;
  /** Records a user relabel with its history row; relabelling to the same label is a no-op event. */
  relabel(args: z.input<typeof catalogArgs.relabel>): Promise<RelabelResult>;
  /** Undoes the newest label change not yet undone; null when there is none. */
  undo(args: z.input<typeof catalogArgs.undo>): Promise<RelabelResult | null>;
  redo(args: z.input<typeof catalogArgs.redo>): Promise<RelabelResult | null>;
  labelHistory(args: z.input<typeof catalogArgs.labelHistory>): Promise<LabelEvent[]>;
}
