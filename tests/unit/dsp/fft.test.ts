import { describe, expect, it } from 'vitest';
import { ComplexFft, RealFft, complexFftPlan, realFftPlan, rfft } from '../../../src-shared/dsp/index.js';
import { maxDiff, naiveDft, randomSignal } from './helpers.js';

describe('complex FFT', () => {
  it.each([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024])('matches the naive DFT on random input, n=%i', (n) => {
    const re = randomSignal(n, 1000 + n);
    const im = randomSignal(n, 2000 + n);
    const expected = naiveDft(re, im);
    const fre = Float64Array.from(re);
    const fim = Float64Array.from(im);
    new ComplexFft(n).transform(fre, fim);
    const tolerance = 1e-12 * n;
    expect(maxDiff(fre, expected.re)).toBeLessThan(tolerance);
    expect(maxDiff(fim, expected.im)).toBeLessThan(tolerance);
  });

  it('caches one plan per size', () => {
    expect(complexFftPlan(64)).toBe(complexFftPlan(64));
    expect(realFftPlan(64)).toBe(realFftPlan(64));
    expect(realFftPlan(64)).not.toBe(realFftPlan(128));
  });

  it('rejects sizes that are not powers of two', () => {
    expect(() => new ComplexFft(12)).toThrow(RangeError);
    expect(() => new RealFft(1)).toThrow(RangeError);
    expect(() => new RealFft(1000)).toThrow(RangeError);
  });
});

describe('real FFT', () => {
  it.each([2, 4, 8, 16, 32, 64, 256, 512, 2048, 4096])('matches the naive DFT on random input, n=%i', (n) => {
    const x = randomSignal(n, 3000 + n);
    const expected = naiveDft(x, new Float64Array(n));
    const { re, im } = rfft(x);
    expect(re.length).toBe(n / 2 + 1);
    const tolerance = 1e-12 * n;
    expect(maxDiff(re, expected.re)).toBeLessThan(tolerance);
    expect(maxDiff(im, expected.im)).toBeLessThan(tolerance);
  });

  it.each([2, 8, 64, 1024, 2048])('power() equals |forward()|^2 and windowedPower() equals power() of the product, n=%i', (n) => {
    const plan = realFftPlan(n);
    const signal = randomSignal(n + 37, 77 + n);
    const window = randomSignal(n, 99 + n).map((v) => Math.abs(v));
    const offset = 29;
    const product = new Float64Array(n);
    for (let i = 0; i < n; i++) product[i] = signal[offset + i] * window[i];
    const re = new Float64Array(plan.nFreq);
    const im = new Float64Array(plan.nFreq);
    plan.forward(product, re, im);
    const power = new Float64Array(plan.nFreq);
    plan.power(product, power);
    const windowed = new Float64Array(plan.nFreq);
    plan.windowedPower(signal, offset, window, windowed);
    for (let k = 0; k < plan.nFreq; k++) {
      const expected = re[k] * re[k] + im[k] * im[k];
      expect(Math.abs(power[k] - expected)).toBeLessThan(1e-9 * (1 + expected));
      expect(Math.abs(windowed[k] - expected)).toBeLessThan(1e-9 * (1 + expected));
    }
    expect(() => plan.windowedPower(signal, signal.length - n + 1, window, windowed)).toThrow(RangeError);
  });

  it("satisfies Parseval's theorem: sum x^2 = (|X0|^2 + 2 sum |Xk|^2 + |X_{n/2}|^2) / n", () => {
    for (const n of [16, 1024, 8192]) {
      const x = randomSignal(n, 5 + n);
      const plan = realFftPlan(n);
      const power = new Float64Array(plan.nFreq);
      plan.power(x, power);
      let timeEnergy = 0;
      for (const v of x) timeEnergy += v * v;
      let freqEnergy = power[0] + power[n / 2];
      for (let k = 1; k < n / 2; k++) freqEnergy += 2 * power[k];
      expect(Math.abs(freqEnergy / n - timeEnergy) / timeEnergy).toBeLessThan(1e-12);
    }
  });

  it('puts a bin-centred sine entirely in its bin with power (A n / 2)^2', () => {
    const n = 1024;
    const bin = 37;
    const amplitude = 0.8;
    const x = new Float64Array(n);
    for (let t = 0; t < n; t++) x[t] = amplitude * Math.sin((2 * Math.PI * bin * t) / n + 0.3);
    const { re, im } = rfft(x);
    let peak = 0;
    for (let k = 0; k <= n / 2; k++) {
      const p = re[k] * re[k] + im[k] * im[k];
      if (p > re[peak] * re[peak] + im[peak] * im[peak]) peak = k;
      if (k !== bin) expect(p).toBeLessThan(1e-18 * n * n);
    }
    expect(peak).toBe(bin);
    const expected = ((amplitude * n) / 2) ** 2;
    expect(Math.abs(re[bin] ** 2 + im[bin] ** 2 - expected) / expected).toBeLessThan(1e-12);
  });
});
