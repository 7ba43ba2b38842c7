import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Resampler } from '../../../src-shared/dsp/resample.js';
import { WasmResamplePlan, resampleKernel } from '../../../src-shared/dsp/wasm/resample-kernel.js';
import { randomSignal, readWav, sharedDir, withDspBackend } from './helpers.js';

/**
 * The resampler's WebAssembly kernel (wasm/resample.c, float32 SIMD) against its float64
 * JavaScript path and the polyphase FIR, which compute the same sum.
 *
 * Bound: the kernel's transforms round in float32. Their error is noise spread over the
 * transform, about eps32 * sqrt(log2 n) relative to the signal's RMS in the transform, which puts
 * it 130-145 dB below the peak of these signals. The test asks for 120 dB of SNR against the
 * JavaScript path (and the FIR) and 1e-6 of the peak for the largest single difference, the same
 * peak bound the FIR-vs-FFT tests use; the filter itself is a 20-bit (120 dB) design and the
 * agreement with librosa is 86-93 dB, so this stays out of sight of both.
 */

const PAIRS: [number, number][] = [
  [48_000, 22_050],
  [44_100, 22_050],
  [16_000, 22_050],
  [8_000, 22_050],
  [96_000, 22_050],
];

const LENGTHS = [256, 257, 1000, 4099, 8191, 30_001, 120_000];

interface Agreement {
  snrDb: number;
  /** max |a - b| / max |b|. */
  peakError: number;
}

function agreement(test: Float32Array, reference: Float32Array): Agreement {
  expect(test.length).toBe(reference.length);
  let signal = 0;
  let noise = 0;
  let peak = 0;
  let worst = 0;
  for (let i = 0; i < reference.length; i++) {
    const d = test[i] - reference[i];
    signal += reference[i] * reference[i];
    noise += d * d;
    peak = Math.max(peak, Math.abs(reference[i]));
    worst = Math.max(worst, Math.abs(d));
  }
  return { snrDb: noise === 0 ? Infinity : 10 * Math.log10(signal / noise), peakError: peak === 0 ? worst : worst / peak };
}

function expectClose(test: Float32Array, reference: Float32Array, label: string): Agreement {
  const a = agreement(test, reference);
  expect(a.snrDb, `${label}: SNR`).toBeGreaterThan(120);
  expect(a.peakError, `${label}: max error / peak`).toBeLessThan(1e-6);
  return a;
}

function float32(x: Float64Array): Float32Array {
  return Float32Array.from(x);
}

/** Sum of sines at a few frequencies (in cycles per sample) with a slow envelope. */
function sines(n: number, seed: number): Float32Array {
  const y = new Float32Array(n);
  const f = [0.0123 + seed * 1e-5, 0.071, 0.2017, 0.3333];
  for (let i = 0; i < n; i++) {
    let v = 0;
    for (let k = 0; k < f.length; k++) v += Math.sin(2 * Math.PI * f[k] * i + k) / (k + 1);
    y[i] = 0.4 * v * (0.6 + 0.4 * Math.sin((2 * Math.PI * i) / 7919));
  }
  return y;
}

/** Speech-like: noise through a slowly varying envelope, with silent stretches. */
function burst(n: number, seed: number): Float32Array {
  const noise = randomSignal(n, seed);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) y[i] = 0.6 * noise[i] * Math.max(0, Math.sin((2 * Math.PI * i) / 9000));
  return y;
}

function bothBackends(resampler: Resampler, x: Float32Array): { js: Float32Array; wasm: Float32Array } {
  return {
    js: withDspBackend('js', () => resampler.process(x, 'fft')),
    wasm: withDspBackend('wasm', () => resampler.process(x, 'fft')),
  };
}

describe('resampler wasm kernel', () => {
  it('loads here (a null kernel would silently test the JavaScript path twice)', () => {
    const kernel = withDspBackend('wasm', () => resampleKernel());
    expect(kernel).not.toBeNull();
    expect(kernel!.fn<() => number>('resample_real_bytes')()).toBe(4);
    // And the 'js' backend switches it off.
    expect(withDspBackend('js', () => resampleKernel())).toBeNull();
  });

  for (const [srIn, srOut] of PAIRS) {
    it(`${srIn} -> ${srOut}: noise and sines of many lengths match the JavaScript path`, () => {
      const resampler = new Resampler(srIn, srOut);
      for (const n of LENGTHS) {
        for (const [kind, x] of [
          ['noise', float32(randomSignal(n, n + srIn))],
          ['sines', sines(n, n)],
        ] as const) {
          const { js, wasm } = bothBackends(resampler, x);
          expect(wasm.length).toBe(resampler.outputLength(n));
          expectClose(wasm, js, `${kind} n=${n}`);
        }
      }
    });
  }

  it('matches the polyphase FIR (the second implementation) at every rate pair', () => {
    for (const [srIn, srOut] of PAIRS) {
      const resampler = new Resampler(srIn, srOut);
      const x = burst(50_001, srIn);
      const fir = resampler.process(x, 'fir');
      const wasm = withDspBackend('wasm', () => resampler.process(x, 'fft'));
      expectClose(wasm, fir, `${srIn} -> ${srOut}`);
    }
  });

  it('long inputs: segments (seams included) match the one-transform JavaScript path', () => {
    // 60 s at 48 kHz, and 200,000 samples at 8 kHz (551,250 outputs): many segments in the kernel.
    for (const [srIn, n] of [
      [48_000, 60 * 48_000],
      [8_000, 200_000],
      [44_100, 1_200_000],
    ] as const) {
      const resampler = new Resampler(srIn, 22_050);
      const x = burst(n, srIn);
      const { js, wasm } = bothBackends(resampler, x);
      expectClose(wasm, js, `${srIn} -> 22050, n=${n}`);
    }
  });

  it('digital silence stays exactly zero, beside and between sound', () => {
    const n = 60_000;
    const x = new Float32Array(n);
    const loud = float32(randomSignal(10_000, 5));
    x.set(loud, 5_000);
    x.set(loud, 40_000);
    for (const [srIn, srOut] of PAIRS) {
      const resampler = new Resampler(srIn, srOut);
      const fir = resampler.process(x, 'fir');
      const wasm = withDspBackend('wasm', () => resampler.process(x, 'fft'));
      expectClose(wasm, fir, `${srIn} -> ${srOut}`);
      // Wherever the FIR's output is exactly zero, the kernel's is too.
      let zeros = 0;
      const notZero: number[] = [];
      for (let i = 0; i < fir.length; i++) {
        if (fir[i] !== 0) continue;
        zeros++;
        if (wasm[i] !== 0) notZero.push(i);
      }
      expect(notZero, `${srIn} -> ${srOut}: outputs the FIR leaves at zero`).toEqual([]);
      expect(zeros).toBeGreaterThan(fir.length / 4);
    }
    // All silence: all zeros.
    const silent = withDspBackend('wasm', () => new Resampler(48_000, 22_050).process(new Float32Array(120_000), 'fft'));
    expect(silent.every((v) => v === 0)).toBe(true);
  });

  it('writes only the requested outputs of a period, at any offset', () => {
    const kernel = withDspBackend('wasm', () => resampleKernel())!;
    const n = 3 * 320 * 32;
    const nOut = 3 * 147 * 32;
    const response = new Float64Array(n / 2 + 1).fill(1);
    const plan = new WasmResamplePlan(kernel, n, nOut, response, 240.5);
    const x = float32(randomSignal(n - 500, 3));
    const all = new Float32Array(nOut);
    plan.run(kernel, x, all);
    for (const [first, count] of [
      [0, 1],
      [1, 2],
      [7, 1000],
      [nOut - 3, 3],
    ]) {
      const part = new Float32Array(count);
      plan.run(kernel, x, part, first);
      expect(part).toEqual(all.subarray(first, first + count));
    }
    expect(() => plan.run(kernel, x, new Float32Array(4), nOut - 3)).toThrow(/outside/);
  });

  it('plan images stay correct when the arena is re-laid for a larger plan', () => {
    const small = new Resampler(48_000, 22_050);
    const large = new Resampler(96_000, 22_050);
    const xs = burst(2_000, 1);
    const xl = burst(400_000, 2);
    withDspBackend('wasm', () => {
      const before = small.process(xs, 'fft');
      large.process(xl, 'fft');
      expect(small.process(xs, 'fft')).toEqual(before);
    });
  });

  const clipFile = path.join(sharedDir, 'data/ravdess-speech/Actor_01/03-01-05-02-01-01-01.wav');
  const clipMissing = existsSync(clipFile) ? null : `missing ${path.dirname(path.dirname(clipFile))}`;
  it.skipIf(clipMissing !== null)(`a RAVDESS clip at every rate pair (${clipMissing ?? 'clip present'})`, () => {
    const y = readWav(clipFile).samples;
    for (const [srIn, srOut] of PAIRS) {
      // The same samples relabelled as srIn: real speech spectra at each ratio.
      const resampler = new Resampler(srIn, srOut);
      const { js, wasm } = bothBackends(resampler, y);
      expectClose(wasm, js, `${srIn} -> ${srOut}`);
    }
  });
});
