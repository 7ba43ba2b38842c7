/**
 * Complex STFT and inverse: against the power spectrogram, a direct DFT and
 * perfect reconstruction.
 */
import { describe, expect, it } from 'vitest';
import { powerSpectrogram } from '../../../src-shared/dsp/index.js';
import { inverseRealFftPlan, istft, stftComplex } from '../../../src-shared/dsp/augment/stft-complex.js';
import { maxAbsError, maxErrorRelativeToPeak, randomSignal, withDspBackend } from './helpers.js';

describe('stftComplex / istft', () => {
  it('|STFT|^2 equals powerSpectrogram in float64 (JavaScript)', () => {
    const y = randomSignal(5000, 1);
    const spec = stftComplex(y, { nFft: 512, hopLength: 128 });
    const power = withDspBackend('js', () => powerSpectrogram(y, { nFft: 512, hopLength: 128 }));
    expect(spec.nFrames).toBe(power.nFrames);
    const mine = spec.re.map((re, i) => re * re + spec.im[i] * spec.im[i]);
    expect(maxAbsError(mine, power.data)).toBeLessThan(1e-9);
  });

  it('|STFT|^2 equals powerSpectrogram to float32 rounding (wasm kernel)', () => {
    const y = randomSignal(5000, 1);
    const spec = stftComplex(y, { nFft: 512, hopLength: 128 });
    const power = withDspBackend('wasm', () => powerSpectrogram(y, { nFft: 512, hopLength: 128 }));
    const mine = spec.re.map((re, i) => re * re + spec.im[i] * spec.im[i]);
    expect(maxErrorRelativeToPeak(power.data, mine)).toBeLessThan(2e-6);
    expect(maxAbsError(mine, power.data)).toBeGreaterThan(0); // it is the float32 kernel that ran
  });

  it('inverse real FFT equals a direct inverse DFT and ignores DC/Nyquist imaginary parts', () => {
    const n = 64;
    const re = randomSignal(n / 2 + 1, 2);
    const im = randomSignal(n / 2 + 1, 3);
    const out = new Float64Array(n);
    inverseRealFftPlan(n).inverse(re, im, 0, 1, out);
    const expected = new Float64Array(n);
    for (let t = 0; t < n; t++) {
      let s = re[0] + (t % 2 === 0 ? re[n / 2] : -re[n / 2]);
      for (let k = 1; k < n / 2; k++) {
        const a = (2 * Math.PI * k * t) / n;
        s += 2 * (re[k] * Math.cos(a) - im[k] * Math.sin(a));
      }
      expected[t] = s / n;
    }
    expect(maxAbsError(out, expected)).toBeLessThan(1e-12);
  });

  it('istft(stft(y), length) reconstructs y', () => {
    const y = randomSignal(10000, 4);
    const spec = stftComplex(y, { nFft: 2048, hopLength: 512 });
    expect(maxAbsError(istft(spec, { hopLength: 512, length: y.length }), y)).toBeLessThan(1e-12);
    const short = istft(spec, { hopLength: 512, length: 3000 });
    expect(maxAbsError(short, y.subarray(0, 3000))).toBeLessThan(1e-12);
    // Longer than the frames reach: zero tail, as librosa.
    const long = istft(spec, { hopLength: 512, length: 12000 });
    expect(long.subarray(10000 + 1024).every((v) => v === 0)).toBe(true);
  });
});
