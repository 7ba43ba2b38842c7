import { describe, expect, it } from 'vitest';
import { applyScaler, fitScaler } from '../../../src-shared/model/scaler.js';
import { frequencyWarp, mixup, specAugment } from '../../../src-shared/model/batch-augment.js';
import { Random } from '../../../src-shared/dsp/random.js';

describe('StandardScaler', () => {
  it('standardises each column to mean 0 and unit population std, like scikit-learn', () => {
    const random = new Random(1);
    const width = 5;
    const rows = 400;
    const x = new Float32Array(rows * width);
    for (let i = 0; i < x.length; i++) x[i] = random.normal(i % width, 1 + (i % width));
    const scaler = fitScaler(x, width);
    const y = applyScaler(scaler, x.slice());
    for (let j = 0; j < width; j++) {
      let sum = 0;
      let sq = 0;
      for (let r = 0; r < rows; r++) sum += y[r * width + j];
      const mean = sum / rows;
      for (let r = 0; r < rows; r++) sq += (y[r * width + j] - mean) ** 2;
      expect(Math.abs(mean)).toBeLessThan(1e-5);
      expect(Math.sqrt(sq / rows)).toBeCloseTo(1, 4);
    }
  });

  it('maps NaN and Inf to 0, passes a constant column through centred, and is fitted on what it is given only', () => {
    const x = Float32Array.from([1, 7, 3, 7, Number.NaN, 7, Number.POSITIVE_INFINITY, 7]);
    const scaler = fitScaler(x, 2);
    // column 0 is fitted on 1, 3, 0, 0 (non-finite values count as 0)
    expect(scaler.mean[0]).toBeCloseTo(1, 12);
    expect(scaler.scale[0]).toBeCloseTo(Math.sqrt((0 + 4 + 1 + 1) / 4), 12);
    expect(scaler.scale[1]).toBe(1);
    const y = applyScaler(scaler, x.slice());
    expect(y.every(Number.isFinite)).toBe(true);
    expect(Array.from(y.filter((_, i) => i % 2 === 1))).toEqual([0, 0, 0, 0]);
    expect(y[4]).toBeCloseTo(-1 / scaler.scale[0], 6);
    // another split's values are scaled with the training statistics, not their own
    const val = applyScaler(scaler, Float32Array.from([100, 7]));
    expect(val[0]).toBeCloseTo((100 - scaler.mean[0]) / scaler.scale[0], 4);
  });

  it('refuses data that is not whole rows', () => {
    expect(() => fitScaler(new Float32Array(5), 2)).toThrow(/not whole rows/);
  });
});

describe('batch augmentation', () => {
  it('mixup mixes rows and their targets with one λ ≥ 0.5, keeping targets distributions', () => {
    const random = new Random(3);
    const x = Float32Array.from([1, 1, 0, 0, 5, 5]);
    const targets = Float32Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    mixup(random, 0.4, x, 2, targets, 3);
    for (let i = 0; i < 3; i++) {
      const row = targets.subarray(i * 3, i * 3 + 3);
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
      expect(Math.max(...row)).toBeGreaterThanOrEqual(0.5 - 1e-6);
      expect(row[i]).toBe(Math.max(...row));
    }
    expect(Array.from(x)).not.toEqual([1, 1, 0, 0, 5, 5]);
  });

  it('SpecAugment zeroes whole mel bands and whole frame ranges, nothing else', () => {
    const random = new Random(9);
    const bands = 16;
    const frames = 40;
    const x = new Float32Array(bands * frames).fill(1);
    specAugment(random, x, bands, frames, { maxBands: 4, maxFrames: 6, masks: 1 });
    const zero = (b: number, t: number) => x[b * frames + t] === 0;
    const zeroBands = Array.from({ length: bands }, (_, b) => Array.from({ length: frames }, (_, t) => t).every((t) => zero(b, t)));
    const zeroFrames = Array.from({ length: frames }, (_, t) => Array.from({ length: bands }, (_, b) => b).every((b) => zero(b, t)));
    for (let b = 0; b < bands; b++) for (let t = 0; t < frames; t++) if (zero(b, t)) expect(zeroBands[b] || zeroFrames[t]).toBe(true);
    expect(zeroBands.filter(Boolean).length).toBeLessThanOrEqual(4);
    expect(zeroFrames.filter(Boolean).length).toBeLessThanOrEqual(6);
  });

  it('frequency warping moves a band by the factor it draws, per example, and keeps every frame and value range', () => {
    const bands = 64;
    const frames = 5;
    // three examples, each with one bright band (40) in every frame, the rest 0
    const example = new Float32Array(bands * frames);
    example.fill(1, 40 * frames, 41 * frames);
    const x = new Float32Array(3 * bands * frames);
    for (let e = 0; e < 3; e++) x.set(example, e * bands * frames);
    frequencyWarp(new Random(4), x, bands, frames, 0.2);
    // the factors the same stream draws: band b reads b / α, so the bright band lands near 40 α
    const draws = new Random(4);
    for (let e = 0; e < 3; e++) {
      const alpha = 1 + (2 * draws.uniform() - 1) * 0.2;
      const row = x.subarray(e * bands * frames, (e + 1) * bands * frames);
      const energy = Array.from({ length: bands }, (_, b) => row[b * frames]);
      const centre = energy.reduce((sum, v, b) => sum + v * b, 0) / energy.reduce((a, b) => a + b, 0);
      expect(Math.abs(centre - 40 * alpha)).toBeLessThan(1);
      // every frame of a band gets the same treatment, and interpolation stays within [0, 1]
      for (let b = 0; b < bands; b++) for (let t = 1; t < frames; t++) expect(row[b * frames + t]).toBe(row[b * frames]);
      expect(Math.min(...row)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...row)).toBeLessThanOrEqual(1);
    }
    // different examples drew different factors
    const centres = [0, 1, 2].map((e) => x.subarray(e * bands * frames, (e + 1) * bands * frames).indexOf(Math.max(...x.subarray(e * bands * frames, (e + 1) * bands * frames))));
    expect(new Set(centres).size).toBeGreaterThan(1);
    // 0 leaves the batch alone
    const untouched = example.slice();
    frequencyWarp(new Random(1), untouched, bands, frames, 0);
    expect(untouched).toEqual(example);
  });
});
