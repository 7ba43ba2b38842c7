/**
 * The phase vocoder kernel (src-shared/dsp/wasm/vocoder.c) against the JavaScript
 * `phaseVocoder`: the same float32 roundings in the same order, with atan2, sin and cos of the
 * kernel's own, so the two agree to the last bits of double precision, and the JavaScript still
 * runs where the kernel declines (phases beyond its exact argument reduction, non-finite input).
 */
import { describe, expect, it } from 'vitest';
import { phaseVocoder, timeStretch } from '../../../src-shared/dsp/augment/time-stretch.js';
import { stftComplex, type ComplexFrameMatrix } from '../../../src-shared/dsp/augment/stft-complex.js';
import { vocoderKernel, wasmPhaseVocoder } from '../../../src-shared/dsp/wasm/vocoder-kernel.js';
import { maxErrorRelativeToPeak, randomSignal, withDspBackend } from './helpers.js';

function errorOverPeak(a: ComplexFrameMatrix, b: ComplexFrameMatrix): number {
  let peak = 0;
  let worst = 0;
  for (let i = 0; i < b.re.length; i++) {
    peak = Math.max(peak, Math.hypot(b.re[i], b.im[i]));
    worst = Math.max(worst, Math.abs(a.re[i] - b.re[i]), Math.abs(a.im[i] - b.im[i]));
  }
  return worst / peak;
}

/** A voiced-like test signal: harmonics of a gliding fundamental plus noise. */
function voiced(length: number, seed: number): Float64Array {
  const noise = randomSignal(length, seed);
  const y = new Float64Array(length);
  let phase = 0;
  for (let i = 0; i < length; i++) {
    phase += (2 * Math.PI * (120 + (80 * i) / length)) / 22050;
    for (let h = 1; h <= 12; h++) y[i] += Math.sin(h * phase) / h;
    y[i] = 0.2 * y[i] + 0.01 * noise[i];
  }
  return y;
}

describe('wasm phase vocoder', () => {
  it('loads here', () => {
    expect(withDspBackend('wasm', () => vocoderKernel())).not.toBeNull();
    expect(withDspBackend('js', () => vocoderKernel())).toBeNull();
  });

  it.each([
    [0.8, 'float32'],
    [1.25, 'float32'],
    [0.5, 'float32'],
    [2, 'float32'],
    [1 / 0.9604, 'float32'],
    [0.8, 'float64'],
    [1.5, 'float64'],
  ] as const)('rate %f with %s phases equals the JavaScript', (rate, phasePrecision) => {
    const spec = stftComplex(voiced(22050 * 2, 3), { nFft: 2048, hopLength: 512 });
    const js = withDspBackend('js', () => phaseVocoder(spec, { rate, hopLength: 512, phasePrecision }));
    const wasm = withDspBackend('wasm', () => phaseVocoder(spec, { rate, hopLength: 512, phasePrecision }));
    expect([wasm.nRows, wasm.nFrames]).toEqual([js.nRows, js.nFrames]);
    expect(errorOverPeak(wasm, js)).toBeLessThan(1e-12);
  });

  it('angles of signed zeros and of every quadrant are Math.atan2', () => {
    const values = [0, -0, 1, -1, 1e-30, -1e-30, 3, -3, 0.5, -2.5];
    const n = values.length * values.length;
    const re = new Float64Array(n);
    const im = new Float64Array(n);
    values.forEach((a, i) => values.forEach((b, j) => {
      re[i * values.length + j] = a;
      im[i * values.length + j] = b;
    }));
    // One bin, n frames: rate 1 returns each frame's magnitude at its own accumulated phase.
    const spec = { nRows: 1, nFrames: n, re, im };
    const js = withDspBackend('js', () => phaseVocoder(spec, { rate: 1, hopLength: 4, nFft: 16 }));
    const wasm = withDspBackend('wasm', () => phaseVocoder(spec, { rate: 1, hopLength: 4, nFft: 16 }));
    for (let i = 0; i < n; i++) {
      expect(wasm.re[i]).toBeCloseTo(js.re[i], 14);
      expect(wasm.im[i]).toBeCloseTo(js.im[i], 14);
    }
  });

  it('declines phases beyond its exact reduction and non-finite input; the JavaScript then runs', () => {
    const kernel = withDspBackend('wasm', () => vocoderKernel())!;
    const job = { rate: 1, hopLength: 512, binSpacing: 1 / (2048 / (2 * Math.PI)), single: true };
    const long = { nRows: 1025, nFrames: 4000, re: new Float64Array(1025 * 4000), im: new Float64Array(1025 * 4000) };
    expect(wasmPhaseVocoder(kernel, long, { ...job, nOut: 4000 })).toBeNull();
    const spec = stftComplex(voiced(4096, 1), { nFft: 2048, hopLength: 512 });
    const broken = { ...spec, re: spec.re.slice() };
    broken.re[5] = Number.NaN;
    expect(wasmPhaseVocoder(kernel, broken, { ...job, nOut: spec.nFrames })).toBeNull();
    expect(wasmPhaseVocoder(kernel, spec, { ...job, nOut: spec.nFrames })).not.toBeNull();
    // Through phaseVocoder both still give the JavaScript's answer.
    const js = withDspBackend('js', () => phaseVocoder(broken, { rate: 1, hopLength: 512 }));
    const wasm = withDspBackend('wasm', () => phaseVocoder(broken, { rate: 1, hopLength: 512 }));
    expect(Array.from(wasm.re)).toEqual(Array.from(js.re));
  });

  it('time stretch of a clip-length signal is the same through both', () => {
    const y = Float32Array.from(voiced(55125, 9));
    const js = withDspBackend('js', () => timeStretch(y, 0.9));
    const wasm = withDspBackend('wasm', () => timeStretch(y, 0.9));
    expect(wasm.length).toBe(js.length);
    expect(maxErrorRelativeToPeak(wasm, js)).toBeLessThan(1e-6);
  });
});
