/**
 * Timing of the pure DSP core: `npx tsx tests/bench/dsp-core.bench.ts`.
 * Uses a 2.5 s RAVDESS reference clip when ../shared is present, else noise.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { logmel, melSpectrogram, mfcc, realFftPlan, rms, seed2376, zeroCrossingRate } from '../../src-shared/dsp/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const clipFile = path.resolve(here, '../../../shared/reference/librosa/ravdess-03-01-05-02-01-01-01.f32le');

function loadClip(): Float32Array {
  if (existsSync(clipFile)) {
    const bytes = readFileSync(clipFile);
    return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  }
  return Float32Array.from({ length: 55125 }, () => Math.random() * 2 - 1);
}

function time(name: string, run: () => unknown, iterations = 500): void {
  for (let i = 0; i < 100; i++) run();
  const start = performance.now();
  for (let i = 0; i < iterations; i++) run();
  const ms = (performance.now() - start) / iterations;
  console.log(`${name.padEnd(28)} ${ms.toFixed(3)} ms`);
}

const y = loadClip();
const plan = realFftPlan(2048);
const frame = Float64Array.from({ length: 2048 }, () => Math.random());
const power = new Float64Array(plan.nFreq);
console.log(`clip: ${y.length} samples (${(y.length / 22050).toFixed(2)} s at 22050 Hz)`);
time('real FFT 2048 (power)', () => plan.power(frame, power), 20000);
time('melSpectrogram 128', () => melSpectrogram(y));
time('mfcc 20', () => mfcc(y));
time('zeroCrossingRate', () => zeroCrossingRate(y));
time('rms', () => rms(y));
time('seed2376', () => seed2376(y));
time('logmel 64x108', () => logmel(y, { nMels: 64 }));
time('logmel 128x108', () => logmel(y, { nMels: 128 }));
