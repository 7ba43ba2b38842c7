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
import { resample } from '../audio/resample.js';

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
  | { kind: 'features'; path: string; pipeline: FeaturePipeline; augment?: FeatureAugment }
  | { kind: 'augmentPreview'; path: string; load: PreviewLoad; settings: AugmentSettings; seed: number; mel: MelParams }
  | { kind: 'seedDetail'; path: string; pipeline: FeaturePipeline }
  | { kind: 'samplesFeatures'; samples: Float32Array; sampleRate: number; pipeline: FeaturePipeline; cut: 'file' | 'last' };

/** The stretch of a file the augmentation preview loads: at `sampleRate`, from `offsetSec`, `durationSec` long (to the end when absent). */
export interface PreviewLoad {
  sampleRate: number;
  offsetSec: number;
  durationSec?: number;
}

/** One side of the preview: the playable WAV and its mel spectrogram in dB. */
interface PreviewSide {
  wav: Uint8Array;
  durationSec: number;
  mel: MelResult;
}

export interface AugmentPreviewResult {
  sampleRate: number;
  original: PreviewSide;
  transformed: PreviewSide;
}

export interface SeedDetailResult {
  /** The seed-2376 vector. */
  values: Float32Array;
  /** Samples of the excerpt at the pipeline's rate (decides the frame count). */
  nSamples: number;
}

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

export type AudioTaskResult = ProbeResult | ClipAudioResult | MelResult | FeaturesResult | AugmentPreviewResult | SeedDetailResult;
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
    case 'augmentPreview':
      return augmentPreview(task.path, task.load, task.settings, task.seed, task.mel);
    case 'seedDetail': {
      const { sampleRate, offsetSec, durationSec } = task.pipeline.load;
      const { y } = await loadAudio(task.path, { sampleRate, offsetSec, durationSec });
      return { values: computeFeatureSet('seed-2376', y, sampleRate).values, nSamples: y.length };
    }
    case 'samplesFeatures':
      return samplesFeatures(task.samples, task.sampleRate, task.pipeline, task.cut);
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

/**
 * The augmentation preview: the excerpt as training loads it and the same excerpt through
 * applyAugment, with mel spectrograms on one dB scale (ref = the louder side's peak power).
 */
async function augmentPreview(path: string, load: PreviewLoad, settings: AugmentSettings, seed: number, params: MelParams): Promise<AugmentPreviewResult> {
  const { y } = await loadAudio(path, { sampleRate: load.sampleRate, offsetSec: load.offsetSec, ...(load.durationSec === undefined ? {} : { durationSec: load.durationSec }) });
  if (y.length === 0) throw new StudioError('DECODE_FAILED', `${path}: no audio after ${load.offsetSec} s`);
  const transformed = applyAugment(y, load.sampleRate, settings, seed);
  const melOptions = { sr: load.sampleRate, nFft: params.nFft, hopLength: params.hopLength, nMels: params.nMels };
  const powers = [melSpectrogram(y, melOptions), melSpectrogram(transformed, melOptions)];
  let peak = 0;
  for (const mel of powers) for (const value of mel.data) if (value > peak) peak = value;
  const [original, changed] = powers.map((mel, i): PreviewSide => {
    const signal = i === 0 ? y : transformed;
    const db = powerToDb(mel.data, { ref: peak > 0 ? peak : 1, topDb: null }, mel.data);
    const floor = -params.topDb;
    for (let k = 0; k < db.length; k++) if (db[k] < floor) db[k] = floor;
    // Both sides keep the range [-topDb, 0] re. the shared peak, so one colour is one level on both.
    return {
      wav: encodeWav16(signal, load.sampleRate),
      durationSec: signal.length / load.sampleRate,
      mel: { db: Float32Array.from(db), nMels: mel.nRows, nFrames: mel.nFrames, dbMin: floor, dbMax: 0 },
    };
  });
  return { sampleRate: load.sampleRate, original, transformed: changed };
}

/**
 * Features of samples held in memory (a microphone window, a file the renderer decoded), as the
 * pipeline computes them from a file: resampled to its rate (soxr-HQ response) and cut. 'file'
 * cuts as librosa.load does (offset, then duration, in the source rate); 'last' keeps the last
 * `durationSec` seconds, since a rolling window is already the excerpt and its newest audio counts.
 */
export function samplesFeatures(samples: Float32Array, sampleRate: number, pipeline: FeaturePipeline, cut: 'file' | 'last'): FeaturesResult {
  const { offsetSec, durationSec } = pipeline.load;
  const length = Math.floor(durationSec * sampleRate);
  let excerpt: Float32Array;
  if (cut === 'file') {
    const start = Math.min(samples.length, Math.floor(offsetSec * sampleRate));
    excerpt = samples.subarray(start, Math.min(samples.length, start + length));
  } else {
    excerpt = samples.subarray(Math.max(0, samples.length - length));
  }
  const clean = new Float32Array(excerpt.length);
  for (let i = 0; i < excerpt.length; i++) clean[i] = Number.isFinite(excerpt[i]) ? excerpt[i] : 0;
  const y = sampleRate === pipeline.load.sampleRate ? clean : resample(clean, sampleRate, pipeline.load.sampleRate);
  return computeFeatureSet(pipeline.featureSet, y, pipeline.load.sampleRate);
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
