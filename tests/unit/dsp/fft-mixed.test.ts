import { describe, expect, it } from 'vitest';
import { complexFftPlan, realFftPlan } from '../../../src-shared/dsp/fft.js';
import {
  MixedRadixFft,
  MixedRadixRealFft,
  fftRadices,
  isSevenSmooth,
  mixedRadixFftPlan,
  mixedRadixRealFftPlan,
  nextSevenSmooth,
} from '../../../src-shared/dsp/fft-mixed.js';
import { maxDiff, naiveDft, randomSignal } from './helpers.js';

const MIXED_SIZES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 15, 25, 35, 49, 60, 105, 128, 210, 343, 1470, 3528];

describe('mixed-radix complex FFT', () => {
  it.each(MIXED_SIZES)('matches the naive DFT on random input and inverts it, n=%i', (n) => {
    const re = randomSignal(n, 1000 + n);
    const im = randomSignal(n, 2000 + n);
    const expected = naiveDft(re, im);
    const fre = Float64Array.from(re);
    const fim = Float64Array.from(im);
    const plan = new MixedRadixFft(n);
    plan.forward(fre, fim);
    const tolerance = 1e-13 * n;
    expect(maxDiff(fre, expected.re)).toBeLessThan(tolerance);
    expect(maxDiff(fim, expected.im)).toBeLessThan(tolerance);
    plan.inverse(fre, fim);
    expect(maxDiff(fre, re)).toBeLessThan(1e-14 * Math.log2(n + 1) + 1e-15);
    expect(maxDiff(fim, im)).toBeLessThan(1e-14 * Math.log2(n + 1) + 1e-15);
  });

  it.each([2, 16, 1024, 4096, 65536])('agrees with the radix-2 FFT of fft.ts, n=%i', (n) => {
    const re = randomSignal(n, 7 + n);
    const im = randomSignal(n, 8 + n);
    const mixedRe = Float64Array.from(re);
    const mixedIm = Float64Array.from(im);
    mixedRadixFftPlan(n).forward(mixedRe, mixedIm);
    complexFftPlan(n).transform(re, im);
    const tolerance = 1e-14 * n;
    expect(maxDiff(mixedRe, re)).toBeLessThan(tolerance);
    expect(maxDiff(mixedIm, im)).toBeLessThan(tolerance);
  });

  it('puts a bin-centred complex exponential in its bin, n = 2^3 3^3 5 7 = 7560', () => {
    const n = 7560;
    const bin = 1234;
    const re = new Float64Array(n);
    const im = new Float64Array(n);
    for (let t = 0; t < n; t++) {
      const angle = (2 * Math.PI * ((bin * t) % n)) / n;
      re[t] = Math.cos(angle);
      im[t] = Math.sin(angle);
    }
    mixedRadixFftPlan(n).forward(re, im);
    for (let k = 0; k < n; k++) {
      const expected = k === bin ? n : 0;
      expect(Math.abs(re[k] - expected)).toBeLessThan(1e-9);
      expect(Math.abs(im[k])).toBeLessThan(1e-9);
    }
  });

  it('factors sizes into odd radices, then radix 4, then 2; rejects primes above 7, caches plans', () => {
    expect(fftRadices(60_480)).toEqual([7, 5, 3, 3, 3, 4, 4, 4]);
    expect(fftRadices(8)).toEqual([4, 2]);
    expect(fftRadices(1)).toEqual([]);
    expect(isSevenSmooth(44_100)).toBe(true);
    expect(isSevenSmooth(22_051)).toBe(false);
    expect(isSevenSmooth(0)).toBe(false);
    expect(nextSevenSmooth(121)).toBe(125);
    expect(() => new MixedRadixFft(11)).toThrow(RangeError);
    expect(() => new MixedRadixRealFft(15)).toThrow(RangeError);
    expect(() => new MixedRadixRealFft(22)).toThrow(RangeError);
    expect(mixedRadixFftPlan(210)).toBe(mixedRadixFftPlan(210));
    expect(mixedRadixRealFftPlan(210)).toBe(mixedRadixRealFftPlan(210));
  });
});

describe('mixed-radix real FFT', () => {
  it.each([2, 4, 6, 10, 14, 30, 70, 98, 210, 1470, 3528])('matches the naive DFT and irfft inverts it, n=%i', (n) => {
    const x = randomSignal(n, 3000 + n);
    const expected = naiveDft(x, new Float64Array(n));
    const plan = new MixedRadixRealFft(n);
    const re = new Float64Array(plan.nFreq);
    const im = new Float64Array(plan.nFreq);
    plan.forward(x, re, im);
    const tolerance = 1e-13 * n;
    expect(maxDiff(re, expected.re)).toBeLessThan(tolerance);
    expect(maxDiff(im, expected.im)).toBeLessThan(tolerance);
    const back = new Float64Array(n);
    plan.inverse(re, im, back);
    expect(maxDiff(back, x)).toBeLessThan(1e-14 * Math.log2(n) + 1e-15);
    plan.inverse(re, im, back, 3);
    expect(maxDiff(back, x.map((v) => 3 * v))).toBeLessThan(1e-13);
  });

  it('reads short inputs as zero-padded (odd lengths too)', () => {
    const n = 420;
    const plan = mixedRadixRealFftPlan(n);
    for (const length of [0, 1, 101, 200]) {
      const x = randomSignal(length, 11 + length);
      const padded = new Float64Array(n);
      padded.set(x);
      const a = { re: new Float64Array(plan.nFreq), im: new Float64Array(plan.nFreq) };
      const b = { re: new Float64Array(plan.nFreq), im: new Float64Array(plan.nFreq) };
      plan.forward(x, a.re, a.im);
      plan.forward(padded, b.re, b.im);
      expect(maxDiff(a.re, b.re)).toBe(0);
      expect(maxDiff(a.im, b.im)).toBe(0);
    }
  });

  it.each([2, 8, 1024, 32768])('agrees with the radix-2 real FFT of fft.ts, n=%i', (n) => {
    const x = randomSignal(n, 40 + n);
    const reference = realFftPlan(n);
    const plan = mixedRadixRealFftPlan(n);
    const re = new Float64Array(plan.nFreq);
    const im = new Float64Array(plan.nFreq);
    const refRe = new Float64Array(plan.nFreq);
    const refIm = new Float64Array(plan.nFreq);
    plan.forward(x, re, im);
    reference.forward(x, refRe, refIm);
    expect(maxDiff(re, refRe)).toBeLessThan(1e-14 * n);
    expect(maxDiff(im, refIm)).toBeLessThan(1e-14 * n);
  });
});

describe('mixed-radix irfft output ranges', () => {
  it('writes any sample range, to float64 or float32, with an extra scale', () => {
    const n = 210;
    const plan = mixedRadixRealFftPlan(n);
    const x = randomSignal(n, 5);
    const re = new Float64Array(plan.nFreq);
    const im = new Float64Array(plan.nFreq);
    plan.forward(x, re, im);
    for (const [first, count] of [
      [0, 210],
      [1, 209],
      [1, 208],
      [0, 1],
      [7, 0],
      [100, 55],
      [209, 1],
    ]) {
      const out64 = new Float64Array(count);
      plan.inverse(re, im, out64, 2, first, count);
      const out32 = new Float32Array(count);
      plan.inverse(re, im, out32, 1, first, count);
      for (let i = 0; i < count; i++) {
        expect(Math.abs(out64[i] - 2 * x[first + i])).toBeLessThan(1e-13);
        expect(Math.abs(out32[i] - x[first + i])).toBeLessThan(1e-7);
      }
    }
    expect(() => plan.inverse(re, im, new Float64Array(10), 1, 205, 10)).toThrow(RangeError);
    expect(() => plan.inverse(re, im, new Float64Array(5), 1, 0, 10)).toThrow(RangeError);
  });
});
