import { describe, expect, it } from 'vitest';
import { SEED_LENGTH, seed2376 } from '../../../src-shared/dsp/seed.js';
import { melSpectrogram } from '../../../src-shared/dsp/mel.js';
import { powerToDb } from '../../../src-shared/dsp/db.js';
import { dctRows } from '../../../src-shared/dsp/mfcc.js';
import { rms, zeroCrossingRate } from '../../../src-shared/dsp/features.js';
import { SeedAverages } from '../../../src-shared/model/emotion-averages.js';
import {
  SEED_FULL_FRAMES,
  SEED_HOP_LENGTH,
  SEED_N_MFCC,
  seedFramesForFile,
  seedFramesForSamples,
  seedIndexInfo,
  seedIndexOf,
  seedLayout,
  splitSeedVector,
} from '../../../src-shared/model/seed-layout.js';

/** A deterministic signal with changing pitch and level, so every feature varies over time. */
function chirp(n: number, sr = 22_050): Float32Array {
  const y = new Float32Array(n);
  let phase = 0;
  for (let i = 0; i < n; i++) {
    const t = i / sr;
    phase += (2 * Math.PI * (200 + 1500 * t)) / sr;
    y[i] = 0.5 * Math.sin(phase) * (0.3 + 0.7 * Math.abs(Math.sin(3 * t))) + 0.01 * Math.sin(i * 1.7);
  }
  return y;
}

/** The seed's features computed separately (librosa's calls, as the notebook makes them). */
function reference(y: Float32Array): { zcr: Float64Array; rms: Float64Array; mfcc: Float64Array; nFrames: number } {
  const options = { frameLength: 2048, hopLength: SEED_HOP_LENGTH, center: true };
  const mel = melSpectrogram(y, { sr: 22_050, nFft: 2048, hopLength: SEED_HOP_LENGTH, nMels: 128 });
  powerToDb(mel.data, { ref: 1.0 }, mel.data);
  const mfcc = dctRows(mel, 20);
  return { zcr: zeroCrossingRate(y, options), rms: rms(y, options), mfcc: mfcc.data, nFrames: mfcc.nFrames };
}

describe('the seed vector layout', () => {
  it('is derived from seed.ts: 108 frames × (ZCR + RMS + 20 MFCC) = 2,376', () => {
    expect(SEED_FULL_FRAMES).toBe(108);
    expect(SEED_N_MFCC).toBe(20);
    expect(SEED_FULL_FRAMES * (2 + SEED_N_MFCC)).toBe(SEED_LENGTH);
    expect(seedFramesForSamples(Math.floor(2.5 * 22_050))).toBe(108);
    const layout = seedLayout();
    expect(layout.blocks).toEqual([
      { kind: 'zcr', start: 0, end: 108 },
      { kind: 'rms', start: 108, end: 216 },
      { kind: 'mfcc', start: 216, end: 2376 },
    ]);
  });

  it('maps every index to a distinct (block, frame, coefficient) and back', () => {
    const seen = new Set<string>();
    for (let index = 0; index < SEED_LENGTH; index++) {
      const info = seedIndexInfo(index);
      expect(info.kind).not.toBe('padding');
      seen.add(`${info.kind}:${info.frame}:${info.coefficient}`);
      const back = info.kind === 'mfcc' ? seedIndexOf('mfcc', info.frame as number, undefined, info.coefficient as number) : seedIndexOf(info.kind as 'zcr' | 'rms', info.frame as number);
      expect(back).toBe(index);
    }
    expect(seen.size).toBe(SEED_LENGTH);
    expect(seedIndexInfo(216)).toEqual({ index: 216, kind: 'mfcc', frame: 0, coefficient: 0 });
    expect(seedIndexInfo(216 + 20 * 5 + 3)).toEqual({ index: 319, kind: 'mfcc', frame: 5, coefficient: 3 });
    expect(seedIndexInfo(2375)).toEqual({ index: 2375, kind: 'mfcc', frame: 107, coefficient: 19 });
  });

  it('agrees with seed2376 on a full 2.5 s excerpt: splitting the vector gives the separately computed features', () => {
    const y = chirp(Math.floor(2.5 * 22_050));
    const vector = seed2376(y);
    const ref = reference(y);
    expect(ref.nFrames).toBe(108);
    const parts = splitSeedVector(vector);
    for (let t = 0; t < 108; t++) {
      expect(parts.zcr[t]).toBeCloseTo(ref.zcr[t], 6);
      expect(parts.rms[t]).toBeCloseTo(ref.rms[t], 6);
      for (let k = 0; k < 20; k++) expect(parts.mfcc[k * 108 + t]).toBeCloseTo(ref.mfcc[k * 108 + t], 3);
    }
  });

  it('agrees with seed2376 on a short excerpt: blocks move up and zeros pad the end', () => {
    const y = chirp(22_050); // 1 s: 44 frames
    const nFrames = seedFramesForSamples(y.length);
    expect(nFrames).toBe(44);
    const vector = seed2376(y);
    const ref = reference(y);
    const layout = seedLayout(nFrames);
    expect(layout.blocks).toEqual([
      { kind: 'zcr', start: 0, end: 44 },
      { kind: 'rms', start: 44, end: 88 },
      { kind: 'mfcc', start: 88, end: 88 + 44 * 20 },
      { kind: 'padding', start: 968, end: 2376 },
    ]);
    const parts = splitSeedVector(vector, nFrames);
    for (let t = 0; t < nFrames; t++) {
      expect(parts.rms[t]).toBeCloseTo(ref.rms[t], 6);
      expect(parts.mfcc[19 * nFrames + t]).toBeCloseTo(ref.mfcc[19 * nFrames + t], 3);
    }
    expect(vector.subarray(968).every((value) => value === 0)).toBe(true);
  });

  it('counts frames of a file excerpt as librosa.load cuts it (offset and duration in the file rate, then resample)', () => {
    const load = { sampleRate: 22_050, offsetSec: 0.6, durationSec: 2.5 };
    expect(seedFramesForFile(48_000 * 4, 48_000, load)).toBe(108);
    // 1.6 s file: 1.0 s after the offset → 22,050 samples → 44 frames
    expect(seedFramesForFile(48_000 * 1.6, 48_000, load)).toBe(44);
    expect(seedFramesForFile(1000, 48_000, load)).toBe(1);
  });

  it('rejects indices and frames outside the vector', () => {
    expect(() => seedIndexInfo(2376)).toThrow(RangeError);
    expect(() => seedIndexOf('zcr', 108)).toThrow(RangeError);
    expect(() => seedIndexOf('mfcc', 0, 108, 20)).toThrow(RangeError);
    expect(() => splitSeedVector(new Float32Array(10))).toThrow(/2376/);
  });
});

describe('per-emotion averages', () => {
  it('averages MFCC per coefficient over frames and clips, and RMS per frame over clips', () => {
    const averages = new SeedAverages();
    const vector = (zcr: number, level: number, mfccOf: (k: number) => number) => {
      const v = new Float32Array(SEED_LENGTH);
      for (let t = 0; t < 108; t++) {
        v[t] = zcr;
        v[108 + t] = level * (t + 1);
        for (let k = 0; k < 20; k++) v[216 + t * 20 + k] = mfccOf(k);
      }
      return v;
    };
    averages.add('sad', vector(0.1, 1, (k) => k));
    averages.add('sad', vector(0.3, 3, (k) => -k));
    averages.add('angry', vector(0.5, 2, () => 7));
    const [angry, sad] = averages.result(['angry', 'sad']);
    expect(sad.label).toBe('sad');
    expect(sad.clips).toBe(2);
    expect(sad.mfccMean.every((value) => Math.abs(value) < 1e-9)).toBe(true);
    expect(sad.mfccStd[4]).toBeCloseTo(4, 9);
    expect(sad.rmsContour[0]).toBeCloseTo(2, 6);
    expect(sad.rmsContour[107]).toBeCloseTo(216, 4);
    expect(sad.zcrContour[50]).toBeCloseTo(0.2, 6);
    expect(angry.mfccMean).toEqual(Array(20).fill(7));
    expect(angry.mfccStd.every((value) => value < 1e-9)).toBe(true);
  });

  it('uses each clip its own frames: a short clip counts only for the frames it has', () => {
    const averages = new SeedAverages();
    const full = new Float32Array(SEED_LENGTH);
    full.fill(1, 108, 216);
    const short = new Float32Array(SEED_LENGTH);
    short.fill(3, 44, 88); // rms of a 44-frame excerpt
    averages.add('calm', full, 108);
    averages.add('calm', short, 44);
    const [calm] = averages.result();
    expect(calm.rmsContour[0]).toBe(2);
    expect(calm.rmsContour[43]).toBe(2);
    expect(calm.rmsContour[44]).toBe(1);
  });
});
