/**
 * Timing of the soxr-HQ resampler, FIR vs FFT path: `npx tsx tests/bench/resample.bench.ts`.
 * A 2.5 s clip is 120,000 samples at 48 kHz (the RAVDESS rate) resampled to 22050 Hz; a real
 * RAVDESS clip is used when ../shared is present, else noise. Median of 30 runs after warm-up;
 * "first" is one call on a fresh Resampler (tap table, FFT plans and frequency response built).
 * The FIR/FFT table runs the JavaScript implementations; a second table puts the FFT path's
 * JavaScript and WebAssembly backends side by side, interleaved round by round.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAudio } from '../../src-main/audio/load.js';
import { Resampler, type ResampleMethod } from '../../src-shared/dsp/resample.js';
import { type DspBackend, setDspBackend } from '../../src-shared/dsp/wasm/instance.js';
import { resampleKernel } from '../../src-shared/dsp/wasm/resample-kernel.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const ravdessDir = path.resolve(here, '../../../shared/data/ravdess-speech');
const clipFile = path.join(ravdessDir, 'Actor_01/03-01-05-02-01-01-01.wav');

function noise(n: number): Float32Array {
  let state = 12345;
  return Float32Array.from({ length: n }, () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state / 2 ** 32) * 0.5 - 0.25;
  });
}

/** `n` samples at `sampleRate`: the RAVDESS clip at its own rate, repeated as needed, or noise. */
async function signal(n: number, sampleRate: number): Promise<Float32Array> {
  if (!existsSync(clipFile)) return noise(n);
  const { y } = await loadAudio(clipFile, { sampleRate, offsetSec: 0 });
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += y.length) out.set(y.subarray(0, Math.min(y.length, n - i)), i);
  return out;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

function time(resampler: Resampler, x: Float32Array, method: ResampleMethod, runs: number): number {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    resampler.process(x, method);
    samples.push(performance.now() - start);
  }
  return median(samples);
}

function firstCall(srIn: number, srOut: number, x: Float32Array, method: ResampleMethod): number {
  const start = performance.now();
  new Resampler(srIn, srOut).process(x, method);
  return performance.now() - start;
}

const rows: string[] = [];
const header = `${'case'.padEnd(30)} ${'fir ms'.padStart(9)} ${'fft ms'.padStart(9)} ${'speed-up'.padStart(9)} ${'fir first'.padStart(10)} ${'fft first'.padStart(10)}`;
async function bench(label: string, srIn: number, srOut: number, seconds: number, runs: number): Promise<void> {
  const x = await signal(Math.round(seconds * srIn), srIn);
  const firFirst = firstCall(srIn, srOut, x, 'fir');
  const fftFirst = firstCall(srIn, srOut, x, 'fft');
  const resampler = new Resampler(srIn, srOut);
  for (let i = 0; i < Math.min(5, runs); i++) {
    resampler.process(x, 'fir');
    resampler.process(x, 'fft');
  }
  const fir = time(resampler, x, 'fir', runs);
  const fft = time(resampler, x, 'fft', runs);
  const row = `${label.padEnd(30)} ${fir.toFixed(2).padStart(9)} ${fft.toFixed(2).padStart(9)} ${(fir / fft).toFixed(1).padStart(8)}x ${firFirst.toFixed(1).padStart(10)} ${fftFirst.toFixed(1).padStart(10)}`;
  rows.push(row);
  console.log(row);
}

console.log(`signal: ${existsSync(clipFile) ? clipFile : 'noise (../shared missing)'}`);
setDspBackend('js');
console.log(`JavaScript backend\n${header}`);
await bench('2.5 s 48000 -> 22050', 48_000, 22_050, 2.5, 30);
await bench('2.5 s 44100 -> 22050', 44_100, 22_050, 2.5, 30);
await bench('2.5 s 16000 -> 22050', 16_000, 22_050, 2.5, 30);
await bench('2.5 s 96000 -> 22050', 96_000, 22_050, 2.5, 30);
await bench('2.5 s 8000 -> 22050', 8_000, 22_050, 2.5, 30);
await bench('0.05 s 48000 -> 22050', 48_000, 22_050, 0.05, 30);
await bench('60 s 48000 -> 22050', 48_000, 22_050, 60, 5);
await bench('60 s 44100 -> 22050', 44_100, 22_050, 60, 5);

// Whole RAVDESS files vary in length (about 3 to 5.3 s): plans are built for the first lengths
// and shared by lengths close to them. Mean over a fresh Resampler, plan building included.
{
  const source = await signal(5.5 * 48_000, 48_000);
  let state = 7;
  const lengths = Array.from({ length: 300 }, () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return Math.round((2.9 + (state / 2 ** 32) * 2.4) * 48_000);
  });
  const clips = lengths.map((n) => source.subarray(0, n));
  const mean = (method: ResampleMethod, count: number): number => {
    const resampler = new Resampler(48_000, 22_050);
    const start = performance.now();
    for (let i = 0; i < count; i++) resampler.process(clips[i], method);
    return (performance.now() - start) / count;
  };
  const fir = mean('fir', 60);
  const fft = mean('fft', 60);
  const fftAll = mean('fft', clips.length);
  console.log(`${'3-5.3 s files 48000 -> 22050'.padEnd(30)} ${fir.toFixed(2).padStart(9)} ${fft.toFixed(2).padStart(9)} ${(fir / fft).toFixed(1).padStart(8)}x  (mean over 60 files, table/plans built on the way; fft over ${clips.length}: ${fftAll.toFixed(2)} ms)`);
}

// Memory of the FFT path on a long input: segments keep the work buffers bounded. Exact with
// `npx tsx --expose-gc tests/bench/resample.bench.ts`, which lets the numbers exclude garbage.
const gc = (globalThis as { gc?: () => void }).gc;
const long = await signal(60 * 48_000, 48_000);
const resampler = new Resampler(48_000, 22_050);
gc?.();
const before = process.memoryUsage().arrayBuffers;
const y = resampler.process(long, 'fft');
gc?.();
const after = process.memoryUsage().arrayBuffers;
const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
console.log(
  `60 s at 48 kHz, fft on a fresh Resampler: typed-array memory grew by ${mib(after - before)} (output ${mib(y.byteLength)}; FFT plans and work buffers already exist from the cases above)${gc ? '' : ' [no --expose-gc: includes garbage]'}`,
);

// JavaScript vs WebAssembly FFT path. Each round times every case once with each backend, in
// alternating order, so load from other processes on the machine hits both alike; medians.
setDspBackend('wasm');
if (resampleKernel() === null) {
  console.log('\nwasm kernel did not load here: no JS/wasm comparison');
} else {
  const cases: { label: string; srIn: number; clips: Float32Array[] }[] = [];
  for (const [srIn, seconds] of [
    [48_000, 2.5],
    [44_100, 2.5],
    [16_000, 2.5],
    [96_000, 2.5],
    [8_000, 2.5],
    [48_000, 0.05],
    [48_000, 60],
  ] as const) {
    cases.push({ label: `${seconds} s ${srIn} -> 22050`, srIn, clips: [await signal(Math.round(seconds * srIn), srIn)] });
  }
  // RAVDESS 2.5 s crops as librosa.load(offset=0.6, duration=2.5) takes them, one file per actor.
  if (existsSync(ravdessDir)) {
    const crops: Float32Array[] = [];
    for (const actor of readdirSync(ravdessDir).filter((name) => name.startsWith('Actor_')).sort()) {
      const file = readdirSync(path.join(ravdessDir, actor)).sort()[0];
      const { y } = await loadAudio(path.join(ravdessDir, actor, file), { sampleRate: null, offsetSec: 0.6, durationSec: 2.5 });
      crops.push(y);
    }
    cases.push({ label: `RAVDESS crops (${crops.length} files)`, srIn: 48_000, clips: crops });
  }
  const rounds = 25;
  console.log(`\nFFT path, JavaScript vs WebAssembly (ms per clip, median of ${rounds} interleaved rounds)`);
  console.log(`${'case'.padEnd(30)} ${'js ms'.padStart(9)} ${'wasm ms'.padStart(9)} ${'speed-up'.padStart(9)}`);
  for (const { label, srIn, clips } of cases) {
    const resampler = new Resampler(srIn, 22_050);
    const samples: Record<DspBackend, number[]> = { js: [], wasm: [] };
    const once = (backend: DspBackend): void => {
      setDspBackend(backend);
      for (const clip of clips) {
        const start = performance.now();
        resampler.process(clip, 'fft');
        samples[backend].push(performance.now() - start);
      }
    };
    const long = clips[0].length > 10 * 48_000;
    const n = long ? 7 : rounds;
    for (let round = -3; round < n; round++) {
      const order: DspBackend[] = round % 2 === 0 ? ['js', 'wasm'] : ['wasm', 'js'];
      for (const backend of order) once(backend);
      // The first rounds warm up plans and JIT, and are dropped.
      if (round < 0) samples.js.length = samples.wasm.length = 0;
    }
    const js = median(samples.js);
    const wasm = median(samples.wasm);
    console.log(`${label.padEnd(30)} ${js.toFixed(2).padStart(9)} ${wasm.toFixed(2).padStart(9)} ${(js / wasm).toFixed(1).padStart(8)}x`);
  }
}
