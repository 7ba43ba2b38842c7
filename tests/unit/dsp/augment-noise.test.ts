/**
 * Seeded noise, time shifts and SpecAugment masks.
 */
import { describe, expect, it } from 'vitest';
import type { FrameMatrix } from '../../../src-shared/dsp/frames.js';
import { Random } from '../../../src-shared/dsp/random.js';
import {
  addNoiseSnr,
  addSeedNoise,
  randomTimeShift,
  roll,
  shiftWithZeros,
  specAugment,
} from '../../../src-shared/dsp/augment/index.js';
import { randomSignal } from './helpers.js';

const speechLike = Float32Array.from(randomSignal(22050, 5), (v, i) => 0.4 * v * Math.sin((Math.PI * i) / 22050));

/** Element-wise identity (NaN-safe via Object.is); faster than toEqual on long arrays. */
function identical(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

function peakAbs(x: ArrayLike<number>): number {
  let p = 0;
  for (let i = 0; i < x.length; i++) p = Math.max(p, Math.abs(x[i]));
  return p;
}

describe('addSeedNoise (notebook: 0.035 * U(0,1) * peak * N(0,1))', () => {
  it('is reproducible for a seed and differs for another', () => {
    expect(addSeedNoise(speechLike, 1).y).toEqual(addSeedNoise(speechLike, 1).y);
    expect(addSeedNoise(speechLike, 1).y).not.toEqual(addSeedNoise(speechLike, 2).y);
  });

  it('draws the amplitude first, then unit normals scaled by it', () => {
    const { y, noiseStd } = addSeedNoise(speechLike, 9);
    const rng = new Random(9);
    expect(noiseStd).toBe(0.035 * rng.uniform() * peakAbs(speechLike));
    // The residual, divided by the amplitude, is the PRNG's normal sequence.
    for (let i = 0; i < 100; i++) expect((y[i] - speechLike[i]) / noiseStd).toBeCloseTo(rng.normal(), 4);
  });

  it('added noise has std = amplitude, zero mean, and the amplitude stays below 0.035 * peak', () => {
    const peak = peakAbs(speechLike);
    let amplitudeSum = 0;
    for (let seed = 0; seed < 200; seed++) {
      const { y, noiseStd } = addSeedNoise(speechLike, seed);
      expect(noiseStd).toBeGreaterThanOrEqual(0);
      expect(noiseStd).toBeLessThan(0.035 * peak);
      amplitudeSum += noiseStd;
      if (seed < 5) {
        let sum = 0;
        let sq = 0;
        let worst = 0;
        for (let i = 0; i < y.length; i++) {
          const d = y[i] - speechLike[i];
          sum += d;
          sq += d * d;
          worst = Math.max(worst, Math.abs(d));
        }
        const std = Math.sqrt(sq / y.length);
        expect(Math.abs(std / noiseStd - 1)).toBeLessThan(0.02);
        expect(Math.abs(sum / y.length)).toBeLessThan(0.03 * noiseStd);
        // 22050 normals: |z| < 5.5 with probability > 0.999.
        expect(worst).toBeLessThan(5.5 * noiseStd);
      }
    }
    // U(0,1) averages 1/2: mean amplitude 0.0175 * peak (standard error 0.0007 * peak over 200 seeds).
    expect(Math.abs(amplitudeSum / 200 / peak - 0.0175)).toBeLessThan(0.003);
  });

  it("peak 'max' uses the signed maximum (np.amax), 'maxAbs' the largest magnitude", () => {
    const x = Float32Array.from([0.1, -0.8, 0.2]);
    const u = new Random(3).uniform();
    expect(addSeedNoise(x, 3).noiseStd).toBe(0.035 * u * Math.fround(0.8));
    expect(addSeedNoise(x, 3, { peak: 'max' }).noiseStd).toBe(0.035 * u * Math.fround(0.2));
  });

  it('addNoiseSnr hits the requested SNR and keeps silence silent', () => {
    for (const snrDb of [0, 10, 30]) {
      const { y } = addNoiseSnr(speechLike, snrDb, 4);
      let signal = 0;
      let noise = 0;
      for (let i = 0; i < y.length; i++) {
        signal += speechLike[i] ** 2;
        noise += (y[i] - speechLike[i]) ** 2;
      }
      expect(Math.abs(10 * Math.log10(signal / noise) - snrDb)).toBeLessThan(0.1);
    }
    expect(addNoiseSnr(new Float32Array(100), 10, 1).y.every((v) => v === 0)).toBe(true);
    expect(addNoiseSnr(speechLike, 10, 1).y).toEqual(addNoiseSnr(speechLike, 10, 1).y);
    expect(addNoiseSnr(speechLike, 10, 1).y).not.toEqual(addNoiseSnr(speechLike, 10, 2).y);
  });
});

describe('time shift', () => {
  const x = Float32Array.from([1, 2, 3, 4, 5]);

  it('roll follows numpy.roll', () => {
    // np.roll([1,2,3,4,5], k) for k = 2, -1, 7, -12, 0.
    expect(Array.from(roll(x, 2))).toEqual([4, 5, 1, 2, 3]);
    expect(Array.from(roll(x, -1))).toEqual([2, 3, 4, 5, 1]);
    expect(Array.from(roll(x, 7))).toEqual([4, 5, 1, 2, 3]);
    expect(Array.from(roll(x, -12))).toEqual([3, 4, 5, 1, 2]);
    expect(Array.from(roll(x, 0))).toEqual([1, 2, 3, 4, 5]);
    expect(roll(new Float32Array(0), 3).length).toBe(0);
  });

  it('shiftWithZeros moves without wrapping', () => {
    expect(Array.from(shiftWithZeros(x, 2))).toEqual([0, 0, 1, 2, 3]);
    expect(Array.from(shiftWithZeros(x, -2))).toEqual([3, 4, 5, 0, 0]);
    expect(Array.from(shiftWithZeros(x, 9))).toEqual([0, 0, 0, 0, 0]);
  });

  it('randomTimeShift draws int(U(-5, 5) * 1000) and rolls by it, reproducibly', () => {
    const signal = Float32Array.from(randomSignal(22050, 8));
    const seen = new Set<number>();
    for (let seed = 0; seed < 50; seed++) {
      const { y, shiftSamples } = randomTimeShift(signal, seed);
      expect(shiftSamples).toBe(Math.trunc(new Random(seed).uniform(-5, 5) * 1000) + 0);
      expect(Math.abs(shiftSamples)).toBeLessThanOrEqual(5000);
      expect(identical(y, roll(signal, shiftSamples))).toBe(true);
      seen.add(Math.sign(shiftSamples));
    }
    expect(seen.has(1) && seen.has(-1)).toBe(true);
    const zero = randomTimeShift(signal, 3, { mode: 'zero' });
    expect(zero.y).toEqual(shiftWithZeros(signal, zero.shiftSamples));
  });
});

describe('specAugment', () => {
  const nRows = 128;
  const nFrames = 108;
  const features: FrameMatrix = { nRows, nFrames, data: Float64Array.from(randomSignal(nRows * nFrames, 6), (v) => v - 40) };

  it('applies the requested number of masks within the width limits, filling exactly their union', () => {
    for (let seed = 0; seed < 40; seed++) {
      const options = { freqMasks: 3, maxFreqWidth: 10, timeMasks: 2, maxTimeWidth: 12, fill: -100 };
      const { features: out, masks } = specAugment(features, seed, options);
      expect(masks.filter((m) => m.axis === 'freq')).toHaveLength(3);
      expect(masks.filter((m) => m.axis === 'time')).toHaveLength(2);
      const rowMasked = new Array(nRows).fill(false);
      const frameMasked = new Array(nFrames).fill(false);
      for (const m of masks) {
        const [limit, size, flags] = m.axis === 'freq' ? [10, nRows, rowMasked] : [12, nFrames, frameMasked];
        expect(m.width).toBeGreaterThanOrEqual(0);
        expect(m.width).toBeLessThanOrEqual(limit);
        expect(m.start).toBeGreaterThanOrEqual(0);
        expect(m.start + m.width).toBeLessThanOrEqual(size);
        for (let i = m.start; i < m.start + m.width; i++) flags[i] = true;
      }
      const expected = features.data.map((v, i) => (rowMasked[Math.floor(i / nFrames)] || frameMasked[i % nFrames] ? -100 : v));
      expect(identical(out.data, expected)).toBe(true);
    }
  });

  it('widths span 0..max over seeds; the input is not modified', () => {
    const before = features.data.slice();
    const widths = new Set<number>();
    for (let seed = 0; seed < 300; seed++) {
      for (const m of specAugment(features, seed, { maxFreqWidth: 4, timeMasks: 0 }).masks) widths.add(m.width);
    }
    expect([...widths].sort()).toEqual([0, 1, 2, 3, 4]);
    expect(features.data).toEqual(before);
  });

  it("fills with the input mean by default, and caps time masks by maxTimeFraction", () => {
    let mean = 0;
    for (const v of features.data) mean += v;
    mean /= features.data.length;
    const { features: out, masks } = specAugment(features, 11, { freqMasks: 1, maxFreqWidth: 128, timeMasks: 0 });
    const m = masks[0];
    if (m.width > 0) expect(out.data[m.start * nFrames]).toBeCloseTo(mean, 12);
    for (let seed = 0; seed < 50; seed++) {
      const r = specAugment(features, seed, { freqMasks: 0, timeMasks: 3, maxTimeWidth: 100, maxTimeFraction: 0.1 });
      for (const mask of r.masks) expect(mask.width).toBeLessThanOrEqual(10);
    }
  });

  it('is reproducible per seed and differs between seeds', () => {
    expect(specAugment(features, 5).features.data).toEqual(specAugment(features, 5).features.data);
    expect(specAugment(features, 5).masks).not.toEqual(specAugment(features, 6).masks);
  });
});
