/**
 * The WebAssembly STFT kernel (src-shared/dsp/wasm/stft.c) against the float64 JavaScript
 * STFT: same frames, same padding, same bins, to float32 rounding, for every shape the kernel
 * handles (frame counts that do not fill its four lanes, signals shorter than a frame, windows
 * shorter than nFft, uncentered frames).
 */
import { describe, expect, it } from 'vitest';
import { melSpectrogram, powerSpectrogram, type FrameMatrix } from '../../../src-shared/dsp/index.js';
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
});
