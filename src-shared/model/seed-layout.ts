import { resampledLength } from '../dsp/resample.js';
import { FEATURE_SAMPLE_RATE, LOGMEL_FRAMES, SEED_LENGTH } from '../dsp/seed.js';

/**
 * Where each of the seed vector's 2,376 values comes from, as `seed2376` (src-shared/dsp/seed.ts)
 * writes them: hstack(zcr[T], rms[T], mfcc.T raveled frame-major), zero-padded or cut to 2,376.
 * For the seed's 2.5 s excerpt at 22,050 Hz, T = 108 frames and the blocks fill the vector
 * exactly: ZCR 0–107, RMS 108–215, then MFCC value (frame t, coefficient k) at 216 + 20t + k.
 * A shorter excerpt has fewer frames: the blocks move up and zeros fill the end.
 */

/** Samples between frames of every seed feature (its STFT and the ZCR/RMS framing). */
export const SEED_HOP_LENGTH = 512;
/** Frames of a full excerpt: 1 + floor(2.5 s × 22,050 / 512). */
export const SEED_FULL_FRAMES = LOGMEL_FRAMES;
/** MFCCs per frame: what is left of 22 values per frame after ZCR and RMS. */
export const SEED_N_MFCC = SEED_LENGTH / SEED_FULL_FRAMES - 2;

export type SeedBlockKind = 'zcr' | 'rms' | 'mfcc' | 'padding';

/** A contiguous index range `[start, end)` of the vector. */
export interface SeedBlock {
  kind: SeedBlockKind;
  start: number;
  end: number;
}

export interface SeedLayout {
  /** Always SEED_LENGTH (2,376). */
  length: number;
  /** Frames T the excerpt had. */
  nFrames: number;
  nMfcc: number;
  hopLength: number;
  sampleRate: number;
  /** In vector order; empty blocks are left out. */
  blocks: SeedBlock[];
}

/** What one index of the vector holds. `frame` and `coefficient` are null where they do not apply. */
export interface SeedIndexInfo {
  index: number;
  kind: SeedBlockKind;
  frame: number | null;
  coefficient: number | null;
}

function assertFrames(nFrames: number): void {
  if (!Number.isInteger(nFrames) || nFrames < 1) throw new RangeError(`nFrames must be an integer >= 1, got ${nFrames}`);
}

/** Centered framing: frames of `nSamples` samples at hop 512 (librosa's 1 + len // hop). */
export function seedFramesForSamples(nSamples: number): number {
  return 1 + Math.floor(Math.max(0, nSamples) / SEED_HOP_LENGTH);
}

/**
 * Frames of a file's excerpt as a pipeline loads it (librosa.load: cut int(offset·sr) and
 * int(duration·sr) frames in the file's rate, then resample), from the file's length in frames.
 */
export function seedFramesForFile(fileFrames: number, fileSampleRate: number, load: { sampleRate: number; offsetSec: number; durationSec: number }): number {
  const start = Math.floor(load.offsetSec * fileSampleRate);
  const count = Math.max(0, Math.min(Math.floor(load.durationSec * fileSampleRate), fileFrames - start));
  return seedFramesForSamples(resampledLength(count, fileSampleRate, load.sampleRate));
}

/** The block layout for an excerpt of `nFrames` frames (108 for a full 2.5 s excerpt). */
export function seedLayout(nFrames: number = SEED_FULL_FRAMES): SeedLayout {
  assertFrames(nFrames);
  const blocks: SeedBlock[] = [];
  let at = 0;
  const push = (kind: SeedBlockKind, count: number) => {
    const end = Math.min(SEED_LENGTH, at + count);
    if (end > at) blocks.push({ kind, start: at, end });
    at = end;
  };
  push('zcr', nFrames);
  push('rms', nFrames);
  push('mfcc', nFrames * SEED_N_MFCC);
  push('padding', SEED_LENGTH - at);
  return { length: SEED_LENGTH, nFrames, nMfcc: SEED_N_MFCC, hopLength: SEED_HOP_LENGTH, sampleRate: FEATURE_SAMPLE_RATE, blocks };
}

/** What vector index `index` holds, for an excerpt of `nFrames` frames. */
export function seedIndexInfo(index: number, nFrames: number = SEED_FULL_FRAMES): SeedIndexInfo {
  assertFrames(nFrames);
  if (!Number.isInteger(index) || index < 0 || index >= SEED_LENGTH) throw new RangeError(`index must be an integer in [0, ${SEED_LENGTH}), got ${index}`);
  if (index < nFrames) return { index, kind: 'zcr', frame: index, coefficient: null };
  if (index < 2 * nFrames) return { index, kind: 'rms', frame: index - nFrames, coefficient: null };
  const inMfcc = index - 2 * nFrames;
  if (inMfcc < nFrames * SEED_N_MFCC) {
    return { index, kind: 'mfcc', frame: Math.floor(inMfcc / SEED_N_MFCC), coefficient: inMfcc % SEED_N_MFCC };
  }
  return { index, kind: 'padding', frame: null, coefficient: null };
}

/** The vector index of a value, or null when the vector was cut before it. */
export function seedIndexOf(kind: 'zcr' | 'rms', frame: number, nFrames?: number): number | null;
export function seedIndexOf(kind: 'mfcc', frame: number, nFrames: number | undefined, coefficient: number): number | null;
export function seedIndexOf(kind: 'zcr' | 'rms' | 'mfcc', frame: number, nFrames: number = SEED_FULL_FRAMES, coefficient = 0): number | null {
  assertFrames(nFrames);
  if (!Number.isInteger(frame) || frame < 0 || frame >= nFrames) throw new RangeError(`frame must be an integer in [0, ${nFrames}), got ${frame}`);
  let index: number;
  if (kind === 'zcr') index = frame;
  else if (kind === 'rms') index = nFrames + frame;
  else {
    if (!Number.isInteger(coefficient) || coefficient < 0 || coefficient >= SEED_N_MFCC) {
      throw new RangeError(`coefficient must be an integer in [0, ${SEED_N_MFCC}), got ${coefficient}`);
    }
    index = 2 * nFrames + frame * SEED_N_MFCC + coefficient;
  }
  return index < SEED_LENGTH ? index : null;
}

/** The vector split back into its features; values the vector cut off are NaN. */
export interface SeedParts {
  nFrames: number;
  /** [nFrames] */
  zcr: Float32Array;
  /** [nFrames] */
  rms: Float32Array;
  /** [nMfcc][nFrames], coefficient-major (librosa's mfcc shape), for a heatmap. */
  mfcc: Float32Array;
}

export function splitSeedVector(vector: ArrayLike<number>, nFrames: number = SEED_FULL_FRAMES): SeedParts {
  assertFrames(nFrames);
  if (vector.length !== SEED_LENGTH) throw new RangeError(`a seed vector has ${SEED_LENGTH} values, got ${vector.length}`);
  const read = (index: number | null) => (index === null ? Number.NaN : vector[index]);
  const zcr = new Float32Array(nFrames);
  const rms = new Float32Array(nFrames);
  const mfcc = new Float32Array(SEED_N_MFCC * nFrames);
  for (let t = 0; t < nFrames; t++) {
    zcr[t] = read(seedIndexOf('zcr', t, nFrames));
    rms[t] = read(seedIndexOf('rms', t, nFrames));
    for (let k = 0; k < SEED_N_MFCC; k++) mfcc[k * nFrames + t] = read(seedIndexOf('mfcc', t, nFrames, k));
  }
  return { nFrames, zcr, rms, mfcc };
}
