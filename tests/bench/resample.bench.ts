/**
 * Timing of the soxr-HQ resampler, FIR vs FFT path: `npx tsx tests/bench/resample.bench.ts`.
 * A 2.5 s clip is 120,000 samples at 48 kHz (the RAVDESS rate) resampled to 22050 Hz; a real
 * RAVDESS clip is used when ../shared is present, else noise. Median of 30 runs after warm-up;
 * "first" is one call on a fresh Resampler (tap table, FFT plans and frequency response built).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAudio } from '../../src-main/audio/load.js';
import { Resampler, type ResampleMethod } from '../../src-shared/dsp/resample.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const clipFile = path.resolve(here, '../../../shared/data/ravdess-speech/Actor_01/03-01-05-02-01-01-01.wav');

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
console.log(header);
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
