import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAudio } from '../../../src-main/audio/load.js';
import { Resampler } from '../../../src-shared/dsp/resample.js';
import { missing, ravdessDir } from './helpers.js';

/**
 * FFT path vs polyphase FIR on real speech: RAVDESS clips (48 kHz) at their own rate and, with
 * the same samples relabelled, at the other input rates we meet.
 */
const CLIPS = ['Actor_01/03-01-05-02-01-01-01.wav', 'Actor_02/03-01-04-01-02-02-02.wav', 'Actor_07/03-01-08-02-01-01-07.flac'];
const RATES = [48_000, 44_100, 16_000, 96_000, 8_000];
const skip = missing(ravdessDir);

describe.skipIf(skip !== null)(`FFT vs FIR resampling on RAVDESS clips (${skip ?? 'data present'})`, () => {
  for (const clip of CLIPS) {
    it(clip, async () => {
      const { y, sampleRate } = await loadAudio(join(ravdessDir, clip), { sampleRate: null });
      expect(sampleRate).toBe(48_000);
      for (const srIn of RATES) {
        const resampler = new Resampler(srIn, 22_050);
        const fir = resampler.process(y, 'fir');
        const fft = resampler.process(y, 'fft');
        expect(fft.length).toBe(fir.length);
        let peak = 0;
        let worst = 0;
        for (let i = 0; i < fir.length; i++) {
          peak = Math.max(peak, Math.abs(fir[i]));
          worst = Math.max(worst, Math.abs(fir[i] - fft[i]));
        }
        expect(worst / peak, `${srIn} -> 22050`).toBeLessThan(1e-6);
      }
    });
  }
});
