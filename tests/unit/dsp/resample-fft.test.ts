import { describe, expect, it } from 'vitest';
import { Resampler, resample } from '../../../src-shared/dsp/resample.js';
import { randomSignal } from './helpers.js';

/**
 * The FFT path against the polyphase FIR, its second implementation: both compute
 * sum_j x[j] h(j - o * srIn / srOut), so they must agree to rounding on any input.
 */

/** max |a - b| / max |a|. */
function relativeError(a: Float32Array, b: Float32Array): number {
  expect(b.length).toBe(a.length);
  let peak = 0;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    peak = Math.max(peak, Math.abs(a[i]));
    worst = Math.max(worst, Math.abs(a[i] - b[i]));
  }
  return worst / peak;
}

function float32(x: Float64Array): Float32Array {
  return Float32Array.from(x);
}

/** Speech-like test signal: noise through a slowly varying envelope, with silent stretches. */
function burst(n: number, seed: number): Float32Array {
  const noise = randomSignal(n, seed);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) y[i] = 0.6 * noise[i] * Math.max(0, Math.sin((2 * Math.PI * i) / 9000));
  return y;
}

const PAIRS: [number, number][] = [
  [48_000, 22_050],
  [44_100, 22_050],
  [16_000, 22_050],
  [96_000, 22_050],
  [8_000, 22_050],
];

describe('FFT resampling equals the polyphase FIR', () => {
  for (const [srIn, srOut] of PAIRS) {
    it(`${srIn} -> ${srOut}: random signals of many lengths (within 1e-6 of the peak)`, () => {
      const resampler = new Resampler(srIn, srOut);
      expect(resampler.fftCapable).toBe(true);
      for (const n of [1, 2, 7, 255, 256, 1000, 4099, 30_001, 120_000]) {
        const x = float32(randomSignal(n, n + srIn));
        const fir = resampler.process(x, 'fir');
        const fft = resampler.process(x, 'fft');
        expect(fft.length, `n=${n}`).toBe(resampler.outputLength(n));
        expect(relativeError(fir, fft), `n=${n}`).toBeLessThan(1e-6);
      }
    });
  }

  it('no wraparound: energy at both ends of the input stays at its own end', () => {
    const x = new Float32Array(20_000);
    x[0] = 1;
    x[1] = -0.5;
    x[x.length - 1] = 0.75;
    for (const [srIn, srOut] of PAIRS) {
      const resampler = new Resampler(srIn, srOut);
      const fir = resampler.process(x, 'fir');
      const fft = resampler.process(x, 'fft');
      expect(relativeError(fir, fft), `${srIn} -> ${srOut}`).toBeLessThan(1e-6);
      // The middle of the output is silent in both: far from either impulse.
      const mid = fft.length >> 1;
      for (let i = mid - 100; i < mid + 100; i++) expect(Math.abs(fft[i])).toBeLessThan(1e-7);
    }
  });

  it('long inputs go in overlapping segments with the same result (seams included)', () => {
    // 200,000 samples at 8 kHz make 551,250 outputs and 1.2 M samples at 44.1 kHz a 1.2 M-point
    // transform: both above the one-shot limit, so the segmented path runs.
    for (const [srIn, n] of [
      [8_000, 200_000],
      [44_100, 1_200_000],
    ] as const) {
      const resampler = new Resampler(srIn, 22_050);
      const x = burst(n, srIn);
      const fir = resampler.process(x, 'fir');
      const fft = resampler.process(x, 'fft');
      expect(relativeError(fir, fft), `${srIn} -> 22050`).toBeLessThan(1e-6);
    }
  });

  it("'auto' takes the FFT from a few hundred samples on, and the FIR where there is no FFT path", () => {
    const r = new Resampler(48_000, 22_050);
    expect(r.methodFor(100)).toBe('fir');
    expect(r.methodFor(120_000)).toBe('fft');
    const x = burst(5000, 3);
    expect(resample(x, 48_000, 22_050)).toEqual(r.process(x, 'fft'));
    expect(relativeError(resample(x, 48_000, 22_050, 'fir'), resample(x, 48_000, 22_050, 'fft'))).toBeLessThan(1e-6);
    // 22051 is prime and needs more than 2048 phases: only the interpolated FIR applies.
    const odd = new Resampler(44_100, 22_051);
    expect(odd.fftCapable).toBe(false);
    expect(odd.methodFor(120_000)).toBe('fir');
    expect(() => odd.process(x, 'fft')).toThrow(/no FFT path/);
  });

  it('shares a plan between nearby lengths (a longer padding) with the same result', () => {
    const r = new Resampler(48_000, 22_050);
    for (const n of [200_000, 199_000, 190_000, 185_000, 181_000, 150_000]) {
      const x = burst(n, n);
      expect(relativeError(r.process(x, 'fir'), r.process(x, 'fft')), `n=${n}`).toBeLessThan(1e-6);
    }
  });

  it('keeps results stable across plan reuse and many lengths (cache eviction)', () => {
    const r = new Resampler(96_000, 22_050);
    const x = burst(50_000, 9);
    const first = r.process(x, 'fft');
    for (let n = 10_000; n < 400_000; n += 23_456) r.process(burst(n, n), 'fft');
    expect(r.process(x, 'fft')).toEqual(first);
  });
});
