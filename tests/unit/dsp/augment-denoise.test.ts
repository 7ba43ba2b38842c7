/**
 * Stationary spectral gating against noisereduce 3.0.3 (fixture made by
 * tools/augment_reference.py) and an analytic tone-in-noise case.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { powerSpectrogram } from '../../../src-shared/dsp/index.js';
import { reduceNoiseStationary } from '../../../src-shared/dsp/augment/index.js';
import { maxAbsError, randomSignal } from './helpers.js';

const SR = 22050;
const fixtures = path.join(path.dirname(new URL(import.meta.url).pathname), 'fixtures');

function readFixture(name: string): Float32Array {
  const bytes = readFileSync(path.join(fixtures, name));
  const out = new Float32Array(bytes.byteLength / 4);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(4 * i, true);
  return out;
}

/** tools/augment_reference.py denoise_input(): tones in [4000, 6000) over uniform noise, float32. */
function fixtureInput(): Float32Array {
  const n = 11025;
  const noise = randomSignal(n, 7);
  return Float32Array.from({ length: n }, (_, i) => {
    const tone = i >= 4000 && i < 6000 ? 0.3 * Math.sin((2 * Math.PI * 440 * i) / SR) + 0.1 * Math.sin((2 * Math.PI * 1320 * i) / SR) : 0;
    return tone + 0.05 * noise[i];
  });
}

/** Mean power of bins [lo, hi] over frames [t0, t1) of a 1024-point power spectrogram. */
function bandPower(y: ArrayLike<number>, lo: number, hi: number, t0: number, t1: number): number {
  const spec = powerSpectrogram(y, { nFft: 1024, hopLength: 256 });
  let sum = 0;
  for (let k = lo; k <= hi; k++) for (let t = t0; t < t1; t++) sum += spec.data[k * spec.nFrames + t];
  return sum / ((hi - lo + 1) * (t1 - t0));
}

describe('reduceNoiseStationary (noisereduce reduce_noise, stationary=True)', () => {
  it('matches noisereduce 3.0.3 on the fixture signal', () => {
    const expected = readFixture('denoise-22050.f32le');
    const y = fixtureInput();
    expect(y.length).toBe(expected.length);
    const out = reduceNoiseStationary(y, SR);
    let peak = 0;
    for (const v of expected) peak = Math.max(peak, Math.abs(v));
    // Measured: bit-identical float32 output (error 0).
    expect(maxAbsError(out, expected) / peak).toBeLessThan(1e-6);
  });

  describe('a 1033.59 Hz tone (bin 48) in uniform noise, gated with a separate noise clip', () => {
    const n = SR;
    const toneHz = (48 * SR) / 1024;
    const tone = Float32Array.from({ length: n }, (_, i) => 0.2 * Math.sin((2 * Math.PI * toneHz * i) / SR));
    const noise = randomSignal(n, 21);
    const noisy = Float32Array.from(tone, (v, i) => v + 0.05 * noise[i]);
    const noiseClip = Float32Array.from(randomSignal(n, 22), (v) => 0.05 * v);
    // Interior frames only: the gate's time smoothing fades the clip edges.
    const [t0, t1] = [10, 76];
    const db = (ratio: number): number => 10 * Math.log10(ratio);

    it('keeps the tone bin and lowers noise bins by more than 10 dB (no mask smoothing)', () => {
      const out = reduceNoiseStationary(noisy, SR, { noiseClip, freqMaskSmoothHz: null, timeMaskSmoothMs: null });
      expect(Math.abs(db(bandPower(out, 48, 48, t0, t1) / bandPower(tone, 48, 48, t0, t1)))).toBeLessThan(0.5);
      // Bins far from the tone (beyond any leakage): noise only.
      expect(db(bandPower(noisy, 100, 500, t0, t1) / bandPower(out, 100, 500, t0, t1))).toBeGreaterThan(10);
    });

    it('with the default ±500 Hz mask smoothing loses 11.48 dB on bins 47-49, as noisereduce does', () => {
      // noisereduce 3.0.3 on this signal (same mulberry32 noise, float32):
      // bins 47-49 at -11.4808 dB re. the clean tone, bins 100-500 down 26.389 dB.
      // A tone only a few bins wide is averaged with the gated bins around it.
      const out = reduceNoiseStationary(noisy, SR, { noiseClip });
      expect(db(bandPower(out, 47, 49, t0, t1) / bandPower(tone, 47, 49, t0, t1))).toBeCloseTo(-11.4808, 3);
      expect(db(bandPower(noisy, 100, 500, t0, t1) / bandPower(out, 100, 500, t0, t1))).toBeCloseTo(26.389, 2);
    });
  });

  it('without smoothing and with propDecrease 0 it returns the input', () => {
    const y = fixtureInput();
    const out = reduceNoiseStationary(y, SR, { propDecrease: 0, freqMaskSmoothHz: null, timeMaskSmoothMs: null });
    expect(maxAbsError(out, y)).toBeLessThan(1e-6);
  });

  it('rejects smoothing narrower than one bin or frame, as noisereduce does', () => {
    const y = fixtureInput();
    expect(() => reduceNoiseStationary(y, SR, { freqMaskSmoothHz: 10 })).toThrow(RangeError);
    expect(() => reduceNoiseStationary(y, SR, { timeMaskSmoothMs: 5 })).toThrow(RangeError);
  });
});
