import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { StudioError, type ErrorCode } from '../../src-shared/contract/result.js';
import { computeFeatureSet, melSpectrogram, powerToDb } from '../../src-shared/dsp/index.js';
import type { FeaturePipeline } from '../../src-shared/model/feature-pipeline.js';
import { applyAugment, type AugmentSettings } from '../../src-shared/model/augment-recipe.js';
import { seedAugmentedCopies } from '../../src-shared/model/seed-recipe.js';
import { decodeFile, readAll } from '../audio/decode.js';
import { loadAudio } from '../audio/load.js';
import { probeAudio, probeBytes, type AudioInfo } from '../audio/probe.js';
import { encodeWav16 } from '../audio/wav-encode.js';

/**
 * The worker-thread entry (bundled as out/main/audio-worker.js): decoding and DSP for the
 * catalog and the clip view. Each thread keeps its own wasm decoders. Failures come back as
 * data, because an Error crossing a thread loses its code.
 */

/** Longest stretch of a file the clip view decodes for playback and the spectrogram. */
export const VIEW_MAX_SEC = 600;

export interface MelParams {
  sampleRate: number;
  nFft: number;
  hopLength: number;
  nMels: number;
  topDb: number;
}

export type AudioTask =
  | { kind: 'probe'; path: string }
  | { kind: 'clipAudio'; path: string }
  | { kind: 'mel'; path: string; params: MelParams }
  | { kind: 'features'; path: string; pipeline: FeaturePipeline; augment?: FeatureAugment };

/** 'seed-x3': the notebook's exact copies; 'custom': the original plus one copy per settings entry. */
export type FeatureAugment = { recipe: 'seed-x3'; seed: number } | { recipe: 'custom'; copies: AugmentSettings[]; seed: number };

export interface ProbeResult extends AudioInfo {
  /** SHA-256 of the file's bytes, lowercase hex. */
  sha256: string;
}

export interface ClipAudioResult {
  wav: Uint8Array;
  sampleRate: number;
  durationSec: number;
}

export interface MelResult {
  /** dB values, [nMels][nFrames]. */
  db: Float32Array;
  nMels: number;
  nFrames: number;
  dbMin: number;
  dbMax: number;
}

export interface FeaturesResult {
  shape: number[];
  values: Float32Array;
}

export type AudioTaskResult = ProbeResult | ClipAudioResult | MelResult | FeaturesResult;
export type WorkerReply = { ok: true; value: AudioTaskResult } | { ok: false; code: ErrorCode; message: string };

/** Files up to this size are read once for both the hash and the probe; larger ones are streamed twice. */
const READ_ONCE_BYTES = 64 * 1024 * 1024;

/** The import's probe: the file's SHA-256 and its audio facts, in memory bounded for any file size. */
async function probeWithHash(path: string): Promise<ProbeResult> {
  const { size } = await stat(path);
  if (size <= READ_ONCE_BYTES) {
    const bytes = await readAll(path);
    return { ...(await probeBytes(bytes, path)), sha256: createHash('sha256').update(bytes).digest('hex') };
  }
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return { ...(await probeAudio(path)), sha256: hash.digest('hex') };
}

async function perform(task: AudioTask): Promise<AudioTaskResult> {
  switch (task.kind) {
    case 'probe':
      return probeWithHash(task.path);
    case 'clipAudio': {
      const decoded = await decodeFile(task.path, { mono: true, durationSec: VIEW_MAX_SEC });
      return { wav: encodeWav16(decoded.data[0], decoded.sampleRate), sampleRate: decoded.sampleRate, durationSec: decoded.frames / decoded.sampleRate };
    }
    case 'mel': {
      const { sampleRate, nFft, hopLength, nMels, topDb } = task.params;
      const { y } = await loadAudio(task.path, { sampleRate, durationSec: VIEW_MAX_SEC });
      const mel = melSpectrogram(y, { sr: sampleRate, nFft, hopLength, nMels });
      const db = powerToDb(mel.data, { ref: 'max', topDb }, mel.data);
      let dbMin = Infinity;
      let dbMax = -Infinity;
      for (const value of db) {
        if (value < dbMin) dbMin = value;
        if (value > dbMax) dbMax = value;
      }
      return { db: Float32Array.from(db), nMels: mel.nRows, nFrames: mel.nFrames, dbMin, dbMax };
    }
    case 'features':
      return extractFeatures(task.path, task.pipeline, task.augment);
    default:
      throw new StudioError('INVALID_ARGUMENT', `audio worker: unknown task ${JSON.stringify(task)}`);
  }
}

/**
 * One clip through a feature pipeline: load as librosa.load would, then the feature set. With an
 * augmentation recipe the result holds one row per copy: shape [copies, ...featureShape].
 */
export async function extractFeatures(
  path: string,
  pipeline: FeaturePipeline,
  augment?: FeatureAugment,
): Promise<FeaturesResult> {
  const { sampleRate, offsetSec, durationSec } = pipeline.load;
  const { y } = await loadAudio(path, { sampleRate, offsetSec, durationSec });
  if (augment === undefined) return computeFeatureSet(pipeline.featureSet, y, sampleRate);
  const signals =
    augment.recipe === 'seed-x3'
      ? seedAugmentedCopies(y, sampleRate, augment.seed)
      : [y, ...augment.copies.map((settings, i) => applyAugment(y, sampleRate, settings, augment.seed * 31 + i))];
  // a stretched copy is longer or shorter: the feature set pads or cuts it to the pipeline's duration
  const copies = signals.map((copy) => computeFeatureSet(pipeline.featureSet, copy, sampleRate));
  const values = new Float32Array(copies.reduce((sum, copy) => sum + copy.values.length, 0));
  copies.forEach((copy, i) => values.set(copy.values, i * copy.values.length));
  return { shape: [copies.length, ...copies[0].shape], values };
}

export default async function run(task: AudioTask): Promise<WorkerReply> {
  try {
    return { ok: true, value: await perform(task) };
  } catch (error) {
    if (error instanceof StudioError) return { ok: false, code: error.code, message: error.message };
    const errno = (error as NodeJS.ErrnoException).code;
    const code: ErrorCode = errno === 'ENOENT' ? 'NOT_FOUND' : errno === 'EACCES' || errno === 'EISDIR' ? 'IO_ERROR' : 'INTERNAL';
    return { ok: false, code, message: error instanceof Error ? error.message : String(error) };
  }
}
