/**
 * The WebAssembly spectral kernel (src-shared/dsp/wasm/spectral.c) against the float64
 * JavaScript DSP: the STFT to float32 rounding for every shape the kernel handles (frame counts
 * that do not fill its four lanes, signals shorter than a frame, windows shorter than nFft,
 * uncentered frames), MFCCs to float32 rounding of the mel power, ZCR and RMS exactly.
 */
import { describe, expect, it } from 'vitest';
import { melSpectrogram, mfcc, powerSpectrogram, rms, zeroCrossingRate, type FrameMatrix } from '../../../src-shared/dsp/index.js';
import { stftKernelFor } from '../../../src-shared/dsp/wasm/spectral-kernel.js';
import { maxErrorRelativeToPeak, randomSignal, withDspBackend } from './helpers.js';

function both(compute: () => FrameMatrix): { js: FrameMatrix; wasm: FrameMatrix } {
  return { js: withDspBackend('js', compute), wasm: withDspBackend('wasm', compute) };
}

/** float32 has 24-bit mantissas; an FFT of n points adds about log2(n) roundings. */
const F32_BOUND = 2e-6;

describe('wasm STFT kernel', () => {
  it('loads here (the JavaScript fallback would hide a broken kernel)', () => {
    expect(withDspBackend('wasm', () => stftKernelFor(2048))).not.toBeNull();
    expect(withDspBackend('js', () => stftKernelFor(2048))).toBeNull();
    expect(withDspBackend('wasm', () => stftKernelFor(1000))).toBeNull();
  });

  it.each([8, 16, 32, 64, 256, 512, 1024, 2048, 4096])('power spectrogram matches float64, nFft %i', (nFft) => {
    const y = randomSignal(9 * nFft + 7, nFft);
    const hopLength = Math.max(1, nFft / 4 - 1);
    const { js, wasm } = both(() => powerSpectrogram(y, { nFft, hopLength }));
    expect([wasm.nRows, wasm.nFrames]).toEqual([js.nRows, js.nFrames]);
    expect(maxErrorRelativeToPeak(wasm.data, js.data)).toBeLessThan(F32_BOUND);
    // Every frame, not just the loud ones: compare each frame to its own peak.
    for (let t = 0; t < js.nFrames; t++) {
      const a = new Float64Array(js.nRows);
      const b = new Float64Array(js.nRows);
      for (let k = 0; k < js.nRows; k++) {
        a[k] = wasm.data[k * js.nFrames + t];
        b[k] = js.data[k * js.nFrames + t];
      }
      expect(maxErrorRelativeToPeak(a, b)).toBeLessThan(F32_BOUND);
    }
  });

  it.each([
    ['1 frame (shorter than nFft, centered)', 300, {}],
    ['2 frames', 600, {}],
    ['3 frames', 1100, {}],
    ['5 frames', 2100, {}],
    ['uncentered', 5000, { center: false }],
    ['window shorter than nFft', 5000, { winLength: 1500 }],
    ['hop longer than nFft', 20000, { hopLength: 3000 }],
  ] as const)('%s', (_, length, options) => {
    const y = randomSignal(length, length);
    const { js, wasm } = both(() => powerSpectrogram(y, { nFft: 2048, ...options }));
    expect([wasm.nRows, wasm.nFrames]).toEqual([js.nRows, js.nFrames]);
    expect(maxErrorRelativeToPeak(wasm.data, js.data)).toBeLessThan(F32_BOUND);
  });

  it('takes float64 arrays and plain arrays as the JavaScript path does', () => {
    const y32 = randomSignal(4000, 3);
    const expected = withDspBackend('js', () => powerSpectrogram(y32, { nFft: 512 }));
    for (const y of [Float64Array.from(y32), Array.from(y32)]) {
      const got = withDspBackend('wasm', () => powerSpectrogram(y, { nFft: 512 }));
      expect(maxErrorRelativeToPeak(got.data, expected.data)).toBeLessThan(F32_BOUND);
    }
  });

  it('a sine peaks in its bin and the rest stays 100 dB below', () => {
    const nFft = 2048;
    const sr = 22050;
    const bin = 93;
    const y = new Float32Array(20 * 512);
    for (let i = 0; i < y.length; i++) y[i] = Math.sin((2 * Math.PI * bin * sr * i) / nFft / sr);
    const power = withDspBackend('wasm', () => powerSpectrogram(y, { nFft, hopLength: 512 }));
    const t = 10;
    let peakBin = 0;
    for (let k = 0; k < power.nRows; k++) if (power.data[k * power.nFrames + t] > power.data[peakBin * power.nFrames + t]) peakBin = k;
    expect(peakBin).toBe(bin);
    // Hann leaks into the two neighbours only; beyond them lies float32 noise.
    const peak = power.data[bin * power.nFrames + t];
    for (let k = 0; k < power.nRows; k++) {
      if (Math.abs(k - bin) > 1) expect(power.data[k * power.nFrames + t]).toBeLessThan(peak * 1e-10);
    }
  });

  it.each([
    [22050, 2048, 512, 128],
    [22050, 2048, 512, 64],
    [16000, 1024, 256, 40],
    [44100, 4096, 1024, 128],
  ])('mel spectrogram matches float64 (sr %i, nFft %i, hop %i, %i bands)', (sr, nFft, hopLength, nMels) => {
    const y = randomSignal(sr * 2 + 13, sr);
    const { js, wasm } = both(() => melSpectrogram(y, { sr, nFft, hopLength, nMels }));
    expect([wasm.nRows, wasm.nFrames]).toEqual([js.nRows, js.nFrames]);
    for (let m = 0; m < js.nRows; m++) {
      const a = wasm.data.subarray(m * js.nFrames, (m + 1) * js.nFrames);
      const b = js.data.subarray(m * js.nFrames, (m + 1) * js.nFrames);
      expect(maxErrorRelativeToPeak(a, b)).toBeLessThan(F32_BOUND);
    }
  });

  it.each([
    ['ref 1.0, topDb 80 (librosa default)', {}],
    ['ref max', { ref: 'max' as const }],
    ['no topDb', { topDb: null }],
    ['amin 1e-5, topDb 40', { amin: 1e-5, topDb: 40 }],
  ])('MFCCs match float64, %s', (_, db) => {
    const y = randomSignal(22050 * 2 + 5, 7).map((v, i) => v * (i < 20000 ? 1e-4 : 1));
    const { js, wasm } = both(() => mfcc(y, { sr: 22050, nMfcc: 20, db }));
    expect([wasm.nRows, wasm.nFrames]).toEqual([js.nRows, js.nFrames]);
    // dB of float32 mel power: 10 log10(1 + 1e-6) is 4e-6 dB, and the DCT sums 128 of them.
    let worst = 0;
    for (let i = 0; i < js.data.length; i++) worst = Math.max(worst, Math.abs(wasm.data[i] - js.data[i]));
    expect(worst).toBeLessThan(1e-4);
    expect(worst).toBeGreaterThan(0);
  });

  it('MFCCs of digital silence and of a NaN follow the JavaScript path', () => {
    const silent = new Float32Array(6000);
    const { js, wasm } = both(() => mfcc(silent, { sr: 22050 }));
    // Every band at the amin floor (-100 dB): the same numbers up to the DCT's summation order.
    for (let i = 0; i < js.data.length; i++) expect(wasm.data[i]).toBeCloseTo(js.data[i], 9);
    const broken = randomSignal(6000, 2);
    broken[3000] = Number.NaN;
    const nan = both(() => mfcc(broken, { sr: 22050 }));
    for (let i = 0; i < nan.js.data.length; i++) expect(Number.isNaN(nan.wasm.data[i])).toBe(Number.isNaN(nan.js.data[i]));
  });

  const framings = [
    { frameLength: 2048, hopLength: 512, center: true },
    { frameLength: 2048, hopLength: 512, center: false },
    { frameLength: 1000, hopLength: 300, center: true },
    { frameLength: 7, hopLength: 3, center: true },
  ];

  it.each(framings)('ZCR equals the JavaScript count exactly (%o)', (framing) => {
    const y = randomSignal(20000, 11);
    for (let i = 0; i < y.length; i += 97) y[i] = 0;
    for (let i = 5; i < y.length; i += 89) y[i] = -0;
    for (let i = 7; i < y.length; i += 83) y[i] = 1e-12 * (i % 2 === 0 ? 1 : -1);
    y[1234] = Number.NaN;
    for (const threshold of [1e-10, 0, 0.3]) {
      const { js, wasm } = {
        js: withDspBackend('js', () => zeroCrossingRate(y, { ...framing, threshold })),
        wasm: withDspBackend('wasm', () => zeroCrossingRate(y, { ...framing, threshold })),
      };
      expect(Array.from(wasm)).toEqual(Array.from(js));
    }
  });

  it.each(framings)('RMS equals the JavaScript sums exactly (%o)', (framing) => {
    const y = randomSignal(20000, 12);
    const js = withDspBackend('js', () => rms(y, framing));
    const wasm = withDspBackend('wasm', () => rms(y, framing));
    expect(Array.from(wasm)).toEqual(Array.from(js));
  });

  it('ZCR and RMS of one- and two-sample signals', () => {
    for (const y of [Float32Array.of(0.5), Float32Array.of(0.5, -0.5)]) {
      for (const f of [zeroCrossingRate, rms]) {
        const js = withDspBackend('js', () => f(y, { frameLength: 4, hopLength: 2 }));
        const wasm = withDspBackend('wasm', () => f(y, { frameLength: 4, hopLength: 2 }));
        expect(Array.from(wasm)).toEqual(Array.from(js));
      }
    }
  });
});
