import { describe, expect, it } from 'vitest';
import { Resampler, resample, resampledLength } from '../../../src-main/audio/resample.js';

function sine(n: number, sampleRate: number, hz: number, amplitude = 0.5, phase = 0): Float32Array {
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) y[i] = amplitude * Math.sin((2 * Math.PI * hz * i) / sampleRate + phase);
  return y;
}

/** Largest |y[i] - expected(i)| away from the edges, where the zero padding makes a transient. */
function maxErrorInside(y: Float32Array, edge: number, expected: (i: number) => number): number {
  let worst = 0;
  for (let i = edge; i < y.length - edge; i++) worst = Math.max(worst, Math.abs(y[i] - expected(i)));
  return worst;
}

function rmsInside(y: Float32Array, edge: number): number {
  let sum = 0;
  for (let i = edge; i < y.length - edge; i++) sum += y[i] * y[i];
  return Math.sqrt(sum / (y.length - 2 * edge));
}

const RATES = [8_000, 16_000, 44_100, 48_000, 96_000, 192_000];

describe('resampler', () => {
  it('output length is ceil(n * srOut / srIn), as soxr and librosa', () => {
    expect(resampledLength(120_000, 48_000, 22_050)).toBe(55_125);
    expect(resampledLength(120_001, 48_000, 22_050)).toBe(55_126);
    expect(resampledLength(1, 48_000, 22_050)).toBe(1);
    expect(resampledLength(0, 48_000, 22_050)).toBe(0);
    expect(resampledLength(40_000, 16_000, 22_050)).toBe(55_125);
    expect(resampledLength(7, 8_000, 22_050)).toBe(Math.ceil((7 * 22_050) / 8_000));
    for (const sr of RATES) expect(resample(new Float32Array(1000), sr, 22_050)).toHaveLength(Math.ceil((1000 * 22_050) / sr - 1e-12));
  });

  for (const srIn of RATES) {
    for (const method of ['fir', 'fft'] as const) {
      it(`${srIn} -> 22050 (${method}): passband tones keep amplitude and phase, tones above the new Nyquist vanish`, () => {
        const n = Math.round(srIn * 0.5);
        const resampler = new Resampler(srIn, 22_050);
        const edge = Math.ceil((resampler.halfTaps * 22_050) / srIn) + 2;
        // Both well inside the passband of the lower Nyquist frequency.
        for (const hz of [440, 0.8 * Math.min(srIn, 22_050) / 2]) {
          const y = resampler.process(sine(n, srIn, hz), method);
          const error = maxErrorInside(y, edge, (i) => 0.5 * Math.sin((2 * Math.PI * hz * i) / 22_050));
          expect(error, `${hz} Hz`).toBeLessThan(2e-4);
        }
        if (srIn > 22_050) {
          // 12 kHz and up must not alias back: the stopband starts at the output Nyquist frequency.
          for (const hz of [11_100, 12_000, Math.min(20_000, srIn / 2 - 100)]) {
            const y = resampler.process(sine(n, srIn, hz), method);
            const db = 20 * Math.log10(rmsInside(y, edge) / (0.5 / Math.SQRT2) + 1e-30);
            expect(db, `${hz} Hz`).toBeLessThan(-100);
          }
        }
      });
    }
  }

  it('has unit gain at DC, and exact (147/320) and interpolated (fine-phase) paths agree', () => {
    const ones = new Float32Array(48_000).fill(0.25);
    const y = resample(ones, 48_000, 22_050);
    expect(maxErrorInside(y, 200, () => 0.25)).toBeLessThan(1e-6);
    // 44100 -> 22051 reduces to 22051/44100: too many phases, so the table is interpolated.
    const fine = new Resampler(44_100, 22_051);
    expect(fine.exact).toBe(false);
    const hz = 3000;
    const z = fine.process(sine(44_100, 44_100, hz));
    expect(maxErrorInside(z, 300, (i) => 0.5 * Math.sin((2 * Math.PI * hz * i) / 22_051))).toBeLessThan(2e-4);
    expect(new Resampler(48_000, 22_050).exact).toBe(true);
  });

  it.each(['fir', 'fft'] as const)('is linear phase with no delay: an impulse stays centred (%s)', (method) => {
    const x = new Float32Array(4800);
    x[2400] = 1;
    const y = resample(x, 48_000, 24_000, method);
    let peak = 0;
    for (let i = 1; i < y.length; i++) if (Math.abs(y[i]) > Math.abs(y[peak])) peak = i;
    expect(peak).toBe(1200);
    for (let k = 1; k < 100; k++) expect(y[1200 + k]).toBeCloseTo(y[1200 - k], 7);
  });

  it('rejects nonsense rates', () => {
    expect(() => new Resampler(0, 22_050)).toThrow(/positive integers/);
    expect(() => new Resampler(44_100.5, 22_050)).toThrow(/positive integers/);
  });
});
