import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAudio } from '../../../src-main/audio/load.js';
import { probeAudio } from '../../../src-main/audio/probe.js';
import { rfft } from '../../../src-shared/dsp/fft.js';
import { amplitudeAt, buildWav, tempDir } from './helpers.js';

/**
 * Every rate from 8 kHz to 192 kHz and every channel count from 1 to 8 loads as the seed
 * pipeline asks (22050 Hz, offset 0.6 s, duration 2.5 s): 55125 samples (55124 from 11025 Hz,
 * as librosa gives), the tone where it was,
 * and the channels mixed to their mean.
 */

let dir = '';
let remove: () => Promise<void> = async () => {};
beforeAll(async () => ({ dir, remove } = await tempDir()));
afterAll(() => remove());

const RATES = [8000, 11_025, 16_000, 22_050, 44_100, 48_000, 96_000, 192_000];
const TONE_HZ = 1000;
const TARGET = 22_050;

/** Channel c: a TONE_HZ sine of amplitude 0.1 (c + 1) (at most 0.8) plus a DC offset, so the mean of the channels is known. */
function toneChannels(channels: number, frames: number, sampleRate: number): { signal: Float64Array[]; amplitude: number; dc: number } {
  const amplitudes = Array.from({ length: channels }, (_, c) => 0.1 * (c + 1));
  const offsets = Array.from({ length: channels }, (_, c) => (c % 2 === 0 ? 0.05 : -0.02));
  const signal = amplitudes.map((a, c) => {
    const y = new Float64Array(frames);
    for (let i = 0; i < frames; i++) y[i] = a * Math.sin((2 * Math.PI * TONE_HZ * i) / sampleRate + c) + offsets[c];
    return y;
  });
  // The phases differ per channel, so the mean's amplitude is |mean of a_c e^{i c}|.
  const re = amplitudes.reduce((sum, a, c) => sum + a * Math.cos(c), 0) / channels;
  const im = amplitudes.reduce((sum, a, c) => sum + a * Math.sin(c), 0) / channels;
  return { signal, amplitude: Math.hypot(re, im), dc: offsets.reduce((s, d) => s + d, 0) / channels };
}

/** Frequency of the largest bin of a Hann-windowed FFT of the first 32768 samples. */
function peakHz(y: Float32Array, sampleRate: number): number {
  const n = 32_768;
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = y[i] * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n));
  const { re, im } = rfft(x);
  let best = 1;
  for (let k = 2; k < re.length; k++) if (re[k] ** 2 + im[k] ** 2 > re[best] ** 2 + im[best] ** 2) best = k;
  return (best * sampleRate) / n;
}

const mean = (y: Float32Array) => y.reduce((s, v) => s + v, 0) / y.length;

describe('rates 8 kHz to 192 kHz, 1 to 8 channels', () => {
  for (const sampleRate of RATES) {
    it(`${sampleRate} Hz, channels 1..8: 2.5 s of the tone, channels mixed to their mean`, async () => {
      for (let channels = 1; channels <= 8; channels++) {
        const frames = Math.round(3.2 * sampleRate);
        const { signal, amplitude, dc } = toneChannels(channels, frames, sampleRate);
        const path = join(dir, `tone-${sampleRate}-${channels}.wav`);
        await writeFile(path, buildWav({ formatTag: 1, bits: 16, channels, sampleRate }, signal));
        expect(await probeAudio(path)).toEqual({ format: 'wav', sampleRate, channels, frames, durationSec: frames / sampleRate });
        const { y, sampleRate: rate, nonFiniteSamples } = await loadAudio(path, { sampleRate: TARGET, offsetSec: 0.6, durationSec: 2.5 });
        const label = `${sampleRate} Hz, ${channels} channels`;
        expect(rate).toBe(TARGET);
        expect(nonFiniteSamples).toBe(0);
        // librosa reads int(2.5 sr) source frames: 27562 at 11025 Hz, which resample to 55124.
        expect(y.length, label).toBe(Math.ceil((Math.trunc(2.5 * sampleRate) * TARGET) / sampleRate));
        if (sampleRate !== 11_025) expect(y.length, label).toBe(55_125);
        expect(Math.abs(peakHz(y, TARGET) - TONE_HZ), label).toBeLessThan(1);
        expect(amplitudeAt(y, TARGET, TONE_HZ), label).toBeCloseTo(amplitude, 2);
        expect(mean(y), label).toBeCloseTo(dc, 3);
      }
    });
  }

  it('a file shorter than offset + duration gives what there is after the offset', async () => {
    for (const sampleRate of [8000, 44_100, 192_000]) {
      const { signal } = toneChannels(2, Math.round(2.0 * sampleRate), sampleRate);
      const path = join(dir, `short-${sampleRate}.wav`);
      await writeFile(path, buildWav({ formatTag: 1, bits: 16, channels: 2, sampleRate }, signal));
      const { y } = await loadAudio(path, { sampleRate: TARGET, offsetSec: 0.6, durationSec: 2.5 });
      expect(Math.abs(y.length - 1.4 * TARGET), `${sampleRate} Hz`).toBeLessThanOrEqual(1);
    }
  });
});
