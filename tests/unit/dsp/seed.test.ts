import { describe, expect, it } from 'vitest';
import {
  FEATURE_SET_NAMES,
  FEATURE_SET_SHAPES,
  computeFeatureSet,
  logmel,
  melSpectrogram,
  mfcc,
  powerToDb,
  rms,
  seed2376,
  zeroCrossingRate,
} from '../../../src-shared/dsp/index.js';
import { randomSignal } from './helpers.js';

/** 2.5 s of a chirp plus noise at 22050 Hz: 108 frames. */
function clip(samples = 55125): Float32Array {
  const noise = randomSignal(samples, 42);
  return Float32Array.from({ length: samples }, (_, i) => {
    const t = i / 22050;
    return 0.3 * Math.sin(2 * Math.PI * (200 + 400 * t) * t) + 0.02 * noise[i];
  });
}

describe('seed-2376', () => {
  it('lays out zcr[T], rms[T], then MFCCs frame-major for a 2.5 s clip', () => {
    const y = clip();
    const seed = seed2376(y);
    const zcr = zeroCrossingRate(y);
    const energy = rms(y);
    const m = mfcc(y);
    expect(m.nFrames).toBe(108);
    for (let t = 0; t < 108; t++) {
      expect(seed[t]).toBe(Math.fround(zcr[t]));
      expect(seed[108 + t]).toBe(Math.fround(energy[t]));
      for (let c = 0; c < 20; c++) expect(seed[216 + t * 20 + c]).toBe(Math.fround(m.data[c * 108 + t]));
    }
  });

  it('zero-pads a short clip after its own blocks', () => {
    const y = clip(11025); // 22 frames
    const seed = seed2376(y);
    const m = mfcc(y);
    expect(seed[22]).toBe(Math.fround(rms(y)[0]));
    expect(seed[44 + 21 * 20 + 19]).toBe(Math.fround(m.data[19 * 22 + 21]));
    for (let i = 44 + 22 * 20; i < 2376; i++) expect(seed[i]).toBe(0);
  });

  it('truncates a long clip (blocks shift with T, as in the reference definition)', () => {
    const y = clip(22050 * 4); // 173 frames
    const seed = seed2376(y);
    const zcr = zeroCrossingRate(y);
    expect(zcr.length).toBe(173);
    expect(seed[173]).toBe(Math.fround(rms(y)[0]));
    const m = mfcc(y);
    const last = 2375 - 346; // position inside the MFCC block
    expect(seed[2375]).toBe(Math.fround(m.data[(last % 20) * 173 + Math.floor(last / 20)]));
  });

  it('maps NaN to 0', () => {
    const y = clip();
    y[30000] = Number.NaN;
    const seed = seed2376(y);
    expect(seed.every((v) => Number.isFinite(v))).toBe(true);
    expect(seed.some((v) => v !== 0)).toBe(true);
  });
});

describe('logmel', () => {
  it('is power_to_db(mel, ref=max, top_db=80) of a 2.5 s clip, [nMels][108]', () => {
    const y = clip();
    const image = logmel(y, { nMels: 64 });
    const mel = melSpectrogram(y, { nMels: 64 });
    const expected = powerToDb(mel.data, { ref: 'max', topDb: 80 });
    expect(image.length).toBe(64 * 108);
    for (let i = 0; i < image.length; i++) expect(image[i]).toBe(Math.fround(expected[i]));
    expect(Math.max(...image)).toBe(0);
    expect(Math.min(...image)).toBeGreaterThanOrEqual(-80);
  });

  it('pads a short clip as if followed by silence (the -80 dB floor)', () => {
    const y = clip(22050);
    const short = logmel(y, { nMels: 32, nFrames: 108 });
    const padded = new Float32Array(55125);
    padded.set(y);
    const reference = logmel(padded, { nMels: 32, nFrames: 108 });
    for (let i = 0; i < short.length; i++) expect(short[i]).toBeCloseTo(reference[i], 4);
    expect(short[32 * 108 - 1]).toBe(-80);
  });

  it('truncates a long clip to its first frames, with ref=max over the kept frames', () => {
    const y = clip(22050 * 5);
    const image = logmel(y, { nMels: 32, nFrames: 50, ref: 1.0 });
    const mel = melSpectrogram(y, { nMels: 32 });
    const kept = new Float64Array(32 * 50);
    for (let m = 0; m < 32; m++) for (let t = 0; t < 50; t++) kept[m * 50 + t] = mel.data[m * mel.nFrames + t];
    const expected = powerToDb(kept, { ref: 1.0 });
    for (let i = 0; i < image.length; i++) expect(image[i]).toBeCloseTo(expected[i], 4);
  });
});

describe('computeFeatureSet', () => {
  it.each(FEATURE_SET_NAMES)('%s returns its declared shape', (name) => {
    const result = computeFeatureSet(name, clip(30000), 22050);
    expect(result.shape).toEqual(FEATURE_SET_SHAPES[name]);
    expect(result.values.length).toBe(result.shape.reduce((a, b) => a * b, 1));
    expect(result.values.every((v) => Number.isFinite(v))).toBe(true);
  });

  it('seed-2376 equals seed2376 and logmel-128 equals logmel', () => {
    const y = clip();
    expect(computeFeatureSet('seed-2376', y).values).toEqual(seed2376(y));
    expect(computeFeatureSet('logmel-128', y).values).toEqual(logmel(y, { nMels: 128 }));
  });
});
