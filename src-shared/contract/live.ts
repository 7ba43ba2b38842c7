import { z } from 'zod';
import { LABEL_PATTERN } from '../model/labels.js';
import type { FeaturePipeline } from '../model/feature-pipeline.js';
import { base64ToBytes, bytesToBase64 } from './bytes.js';
import type { Clip } from './catalog.js';

/** A finished run whose exported model can classify. */
export interface LiveModel {
  runId: number;
  name: string;
  preset: string;
  featureSet: string;
  finishedAt: string | null;
  /** Held-out speakers' accuracy, when the run measured it. */
  testAccuracy: number | null;
}

/** A model loaded for classification. */
export interface LoadedModel extends LiveModel {
  labels: string[];
  pipeline: FeaturePipeline;
  inputShape: number[];
  /** The tfjs backend it runs on, e.g. "wasm (tfjs-backend-wasm 4.22.0, SIMD, 1 thread)". */
  backend: string;
}

export interface Prediction {
  labels: string[];
  /** One per label, summing to 1. */
  probabilities: number[];
  predicted: string;
  confidence: number;
  /** Time the main process spent on features and the model. */
  durationMs: number;
}

export interface WindowPrediction extends Prediction {
  /** RMS level of the window (0..1 full scale), so a silent window can be told apart. */
  rms: number;
}

export interface FilePrediction extends Prediction {
  name: string;
}

export interface SavedRecording {
  clip: Clip;
  path: string;
}

/** Largest base64 payload: a browser-mode WebSocket frame is at most 1 MiB, envelope included. */
export const MAX_AUDIO_BASE64 = 1_000_000;
/** Bytes of a dropped file sent as is (decoded in the main process, as training decodes); larger files are decoded by the renderer. */
export const MAX_FILE_BYTES = Math.floor((MAX_AUDIO_BASE64 * 3) / 4) - 4096;

const runId = z.number().int().positive();
const sampleRate = z.number().int().min(8000).max(192_000);
const base64 = z
  .string()
  .min(4)
  .max(MAX_AUDIO_BASE64, `audio too long for one message (at most ${MAX_AUDIO_BASE64} base64 characters)`)
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not base64');

/** Samples as 16-bit PCM: half the bytes of float32 and all a microphone has. */
export const pcmAudioSchema = z.strictObject({ sampleRate, pcm16Base64: base64 });
export type PcmAudio = z.infer<typeof pcmAudioSchema>;

export const liveArgs = {
  models: z.strictObject({}),
  load: z.strictObject({ runId }),
  /** One rolling window of microphone audio; the model's pipeline takes its last `load.durationSec` seconds. */
  classifyWindow: z.strictObject({ runId, audio: pcmAudioSchema }),
  /** A dropped file: its bytes (decoded and cut as the pipeline loads a file), or samples the renderer decoded. */
  classifyFile: z.strictObject({
    runId,
    name: z.string().min(1).max(260),
    audio: z.union([z.strictObject({ kind: z.literal('file'), bytesBase64: base64 }), z.strictObject({ kind: z.literal('pcm'), ...pcmAudioSchema.shape })]),
  }),
  /** Writes the audio as a WAV into the studio's recordings folder and imports it with `label`. */
  saveRecording: z.strictObject({
    audio: pcmAudioSchema,
    label: z.string().regex(LABEL_PATTERN, 'a label is 1-64 lowercase letters, digits, _ or -'),
  }),
};

export interface LiveApi {
  /** Finished runs that exported a model, newest first. */
  models(args: z.input<typeof liveArgs.models>): Promise<LiveModel[]>;
  /** Loads a run's exported model (kept loaded for the next calls). */
  load(args: z.input<typeof liveArgs.load>): Promise<LoadedModel>;
  classifyWindow(args: z.input<typeof liveArgs.classifyWindow>): Promise<WindowPrediction>;
  classifyFile(args: z.input<typeof liveArgs.classifyFile>): Promise<FilePrediction>;
  saveRecording(args: z.input<typeof liveArgs.saveRecording>): Promise<SavedRecording>;
}

/** Samples in [-1, 1] as 16-bit PCM little-endian, base64 (rounded, clipped: as encodeWav16 writes). */
export function float32ToPcm16Base64(samples: Float32Array): string {
  const bytes = new Uint8Array(samples.length * 2);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i];
    const q = v !== v ? 0 : Math.round(v * 32768);
    view.setInt16(2 * i, q > 32767 ? 32767 : q < -32768 ? -32768 : q, true);
  }
  return bytesToBase64(bytes);
}

/** The inverse of float32ToPcm16Base64: q / 32768. */
export function pcm16Base64ToFloat32(base64Text: string): Float32Array {
  const bytes = base64ToBytes(base64Text);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const samples = new Float32Array(bytes.byteLength >> 1);
  for (let i = 0; i < samples.length; i++) samples[i] = view.getInt16(2 * i, true) / 32768;
  return samples;
}
