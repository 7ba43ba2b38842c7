import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { StudioError, type ErrorCode } from '../../../src-shared/contract/result.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const sharedDir = resolve(repoRoot, '../shared');
export const ravdessDir = join(sharedDir, 'data/ravdess-speech');
export const librosaRefDir = join(sharedDir, 'reference/librosa');

/** Why a test needing `folder` is skipped, or null when it is there. */
export function missing(folder: string): string | null {
  return existsSync(folder) ? null : `needs ${folder} (the shared data folder next to the repo)`;
}

export async function tempDir(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'es-audio-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export interface WavSpec {
  formatTag: 1 | 3;
  bits: 8 | 16 | 24 | 32 | 64;
  channels: number;
  sampleRate: number;
  extensible?: boolean;
  /** Chunks written between fmt and data (odd sizes exercise the pad byte). */
  extraChunks?: { id: string; size: number }[];
  /** Overrides for damaged-file tests. */
  blockAlign?: number;
  declaredDataBytes?: number;
}

/** Integer code of a sample for a `bits`-bit PCM file (what a careful writer would store). */
export function quantise(v: number, bits: number): number {
  const full = 2 ** (bits - 1);
  return Math.max(-full, Math.min(full - 1, Math.round(v * full)));
}

/** Writes interleaved `signal[channel][frame]` as a WAV file of the given layout. */
export function buildWav(spec: WavSpec, signal: Float64Array[]): Uint8Array {
  const frames = signal[0]?.length ?? 0;
  const bytesPerSample = spec.bits / 8;
  const blockAlign = spec.blockAlign ?? spec.channels * bytesPerSample;
  const dataBytes = frames * spec.channels * bytesPerSample;
  const fmtSize = spec.extensible ? 40 : 16;
  const extras = spec.extraChunks ?? [];
  const extraBytes = extras.reduce((sum, c) => sum + 8 + c.size + (c.size & 1), 0);
  const total = 12 + 8 + fmtSize + extraBytes + 8 + dataBytes;
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  const ascii = (at: number, s: string) => [...s].forEach((ch, i) => (out[at + i] = ch.charCodeAt(0)));
  ascii(0, 'RIFF');
  dv.setUint32(4, total - 8, true);
  ascii(8, 'WAVE');
  let at = 12;
  ascii(at, 'fmt ');
  dv.setUint32(at + 4, fmtSize, true);
  dv.setUint16(at + 8, spec.extensible ? 0xfffe : spec.formatTag, true);
  dv.setUint16(at + 10, spec.channels, true);
  dv.setUint32(at + 12, spec.sampleRate, true);
  dv.setUint32(at + 16, spec.sampleRate * blockAlign, true);
  dv.setUint16(at + 20, blockAlign, true);
  dv.setUint16(at + 22, spec.bits, true);
  if (spec.extensible) {
    dv.setUint16(at + 24, 22, true);
    dv.setUint16(at + 26, spec.bits, true);
    dv.setUint32(at + 28, 0, true);
    const guid = [spec.formatTag, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];
    guid.forEach((b, i) => (out[at + 32 + i] = b));
  }
  at += 8 + fmtSize;
  for (const chunk of extras) {
    ascii(at, chunk.id);
    dv.setUint32(at + 4, chunk.size, true);
    for (let i = 0; i < chunk.size; i++) out[at + 8 + i] = 0x41 + (i % 26);
    at += 8 + chunk.size + (chunk.size & 1);
  }
  ascii(at, 'data');
  dv.setUint32(at + 4, spec.declaredDataBytes ?? dataBytes, true);
  at += 8;
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < spec.channels; c++) {
      const v = signal[c][i];
      if (spec.formatTag === 3) {
        if (spec.bits === 32) dv.setFloat32(at, v, true);
        else dv.setFloat64(at, v, true);
      } else if (spec.bits === 8) {
        out[at] = quantise(v, 8) + 128;
      } else if (spec.bits === 16) {
        dv.setInt16(at, quantise(v, 16), true);
      } else if (spec.bits === 24) {
        const q = quantise(v, 24);
        out[at] = q & 0xff;
        out[at + 1] = (q >> 8) & 0xff;
        out[at + 2] = (q >> 16) & 0xff;
      } else {
        dv.setInt32(at, quantise(v, 32), true);
      }
      at += bytesPerSample;
    }
  }
  return out;
}

/** A distinct, deterministic test signal per channel: two sines and a small ramp, |v| < 0.95. */
export function testSignal(channels: number, frames: number, sampleRate: number): Float64Array[] {
  return Array.from({ length: channels }, (_, c) => {
    const y = new Float64Array(frames);
    for (let i = 0; i < frames; i++) {
      const t = i / sampleRate;
      y[i] = 0.6 * Math.sin(2 * Math.PI * (220 + 110 * c) * t) + 0.3 * Math.sin(2 * Math.PI * 3000 * t + c) + 0.04 * ((i % 50) / 50 - 0.5);
    }
    return y;
  });
}

/** Asserts that `promise` rejects with a StudioError of `code` whose message names `path` and matches `reason`. */
export async function expectStudioError(promise: Promise<unknown>, code: ErrorCode, path: string, reason?: RegExp): Promise<void> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, `expected a ${code} error for ${path}`).toBeInstanceOf(StudioError);
  const studioError = error as StudioError;
  expect(studioError.code).toBe(code);
  expect(studioError.message).toContain(path);
  if (reason) expect(studioError.message).toMatch(reason);
}

export function readF32(bytes: Uint8Array): Float32Array {
  const copy = bytes.slice();
  return new Float32Array(copy.buffer, 0, copy.length >> 2);
}

export function snrDb(reference: Float32Array, test: Float32Array): number {
  let signal = 0;
  let noise = 0;
  for (let i = 0; i < reference.length; i++) {
    signal += reference[i] ** 2;
    noise += (reference[i] - test[i]) ** 2;
  }
  return 10 * Math.log10(signal / noise);
}

/** Amplitude of `hz` in y (single-bin DFT), to check the decoded content, not just its shape. */
export function amplitudeAt(y: Float32Array, sampleRate: number, hz: number): number {
  let re = 0;
  let im = 0;
  for (let i = 0; i < y.length; i++) {
    re += y[i] * Math.cos((2 * Math.PI * hz * i) / sampleRate);
    im += y[i] * Math.sin((2 * Math.PI * hz * i) / sampleRate);
  }
  return (2 * Math.hypot(re, im)) / y.length;
}
