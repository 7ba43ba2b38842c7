/**
 * Test helpers for the DSP suite: locating the shared librosa reference
 * data, a minimal WAV reader (the audio decoding module is separate work),
 * and error measures.
 */

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setDspBackend, type DspBackend } from '../../../src-shared/dsp/wasm/instance.js';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '../../..');
export const sharedDir = path.resolve(repoRoot, '../shared');
export const referenceDir = path.join(sharedDir, 'reference', 'librosa');
export const hasReference = existsSync(path.join(referenceDir, 'README.json'));
/** Test-name suffix saying what a skipped suite needs. */
export const referenceNote = hasReference ? '' : ` (skipped: missing ${referenceDir})`;

if (!hasReference) {
  console.warn(`DSP reference tests skipped: librosa reference folder not found at ${referenceDir}`);
}

export function readJson<T>(name: string): T {
  return JSON.parse(readFileSync(path.join(referenceDir, name), 'utf8')) as T;
}

/** Raw little-endian float32 samples (librosa.load output dumped with tofile). */
export function readF32le(name: string): Float32Array {
  const bytes = readFileSync(path.join(referenceDir, name));
  const out = new Float32Array(bytes.byteLength / 4);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(4 * i, true);
  return out;
}

export interface WavData {
  sampleRate: number;
  channels: number;
  /** First channel, as float32 (PCM16 scaled by 1/32768, as soundfile/librosa do). */
  samples: Float32Array;
}

/** Reads a RIFF WAV with 16-bit PCM or 32-bit float samples. */
export function readWav(file: string): WavData {
  const bytes = readFileSync(file);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (offset: number): string => bytes.toString('ascii', offset, offset + 4);
  if (tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new Error(`${file} is not a RIFF/WAVE file`);
  let format = 0;
  let channels = 0;
  let sampleRate = 0;
  let bitsPerSample = 0;
  let offset = 12;
  while (offset + 8 <= bytes.length) {
    const id = tag(offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === 'fmt ') {
      format = view.getUint16(body, true);
      channels = view.getUint16(body + 2, true);
      sampleRate = view.getUint32(body + 4, true);
      bitsPerSample = view.getUint16(body + 14, true);
      if (format === 0xfffe) format = view.getUint16(body + 24, true);
    } else if (id === 'data') {
      const frameBytes = (bitsPerSample / 8) * channels;
      const frames = Math.floor(Math.min(size, bytes.length - body) / frameBytes);
      const samples = new Float32Array(frames);
      for (let i = 0; i < frames; i++) {
        const at = body + i * frameBytes;
        if (format === 1 && bitsPerSample === 16) samples[i] = view.getInt16(at, true) / 32768;
        else if (format === 3 && bitsPerSample === 32) samples[i] = view.getFloat32(at, true);
        else throw new Error(`unsupported WAV encoding: format ${format}, ${bitsPerSample} bits`);
      }
      return { sampleRate, channels, samples };
    }
    offset = body + size + (size % 2);
  }
  throw new Error(`${file} has no data chunk`);
}

/** Largest |a[i] - b[i]|; throws on a length mismatch. */
export function maxAbsError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != ${expected.length}`);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const e = Math.abs(actual[i] - expected[i]);
    if (!(e <= worst)) worst = e; // NaN propagates as the worst error
  }
  return worst;
}

/**
 * Largest |a - b| / max(|b|, floor): relative error, with `floor` guarding
 * values that are zero in the reference.
 */
export function maxRelError(actual: ArrayLike<number>, expected: ArrayLike<number>, floor: number): number {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != ${expected.length}`);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const e = Math.abs(actual[i] - expected[i]) / Math.max(Math.abs(expected[i]), floor);
    if (!(e <= worst)) worst = e;
  }
  return worst;
}

/** Flattens a JSON matrix (array of rows) into one row-major array. */
export function flatten(rows: number[][]): Float64Array {
  const nCols = rows[0]?.length ?? 0;
  const out = new Float64Array(rows.length * nCols);
  rows.forEach((row, r) => {
    if (row.length !== nCols) throw new Error('ragged matrix');
    out.set(row, r * nCols);
  });
  return out;
}

/** Deterministic uniform numbers in [-1, 1) (mulberry32). */
export function randomSignal(length: number, seed: number): Float64Array {
  let state = seed >>> 0;
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

/** O(n^2) DFT straight from the definition: the second implementation. */
export function naiveDft(re: ArrayLike<number>, im: ArrayLike<number>): { re: Float64Array; im: Float64Array } {
  const n = re.length;
  const outRe = new Float64Array(n);
  const outIm = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let sr = 0;
    let si = 0;
    for (let t = 0; t < n; t++) {
      // Reduce k*t mod n first so the angle stays accurate for large n.
      const angle = (-2 * Math.PI * ((k * t) % n)) / n;
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      sr += re[t] * c - im[t] * s;
      si += re[t] * s + im[t] * c;
    }
    outRe[k] = sr;
    outIm[k] = si;
  }
  return { re: outRe, im: outIm };
}

export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>, count = a.length): number {
  let worst = 0;
  for (let i = 0; i < count; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

/** The DSP implementations that can compute the same quantity: WebAssembly kernels and JavaScript. */
export const DSP_BACKENDS: readonly DspBackend[] = ['js', 'wasm'];

/** Runs `body` with `backend` selected, restoring the previous choice after. */
export function withDspBackend<T>(backend: DspBackend, body: () => T): T {
  const previous = setDspBackend(backend);
  try {
    return body();
  } finally {
    setDspBackend(previous);
  }
}

/**
 * Largest |a - b| relative to the largest |b|: float32 kernels are compared with float64 ones by
 * this, since their rounding scales with the signal's peak, not with each small value.
 */
export function maxErrorRelativeToPeak(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let peak = 0;
  for (let i = 0; i < b.length; i++) peak = Math.max(peak, Math.abs(b[i]));
  return maxAbsError(a, b) / peak;
}
