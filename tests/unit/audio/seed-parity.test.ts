import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAudio } from '../../../src-main/audio/load.js';
import { librosaRefDir, missing, ravdessDir } from './helpers.js';

/**
 * The resampler's contract: the seed feature vector (zcr[108], rms[108], mfcc frame-major
 * [108][20]) of our load of the ORIGINAL file, against librosa's seed vector of its own load:
 * MFCC mean |d| <= 0.15 and max |d| <= 0.5, ZCR max |d| <= 0.05, RMS max |d| <= 5e-4.
 * The features come from src-shared/dsp (written in parallel); when that module does not load,
 * the test says so and skips.
 */
let seed2376: ((y: Float32Array, sr?: number) => Float32Array) | null = null;
let dspProblem = 'src-shared/dsp does not export seed2376';
try {
  const dsp = (await import('../../../src-shared/dsp/index.js')) as { seed2376?: (y: Float32Array, sr?: number) => Float32Array };
  if (typeof dsp.seed2376 === 'function') seed2376 = dsp.seed2376;
} catch (error) {
  dspProblem = `src-shared/dsp failed to load: ${error instanceof Error ? error.message : String(error)}`;
}

const CLIPS = [
  { file: 'Actor_01/03-01-05-02-01-01-01.wav', json: 'ravdess-03-01-05-02-01-01-01.json' },
  { file: 'Actor_02/03-01-04-01-02-02-02.wav', json: 'ravdess-03-01-04-01-02-02-02.json' },
  { file: 'Actor_07/03-01-08-02-01-01-07.flac', json: 'ravdess-03-01-08-02-01-01-07.json' },
];
const T = 108;
const skip = missing(librosaRefDir) ?? missing(ravdessDir) ?? (seed2376 === null ? dspProblem : null);

describe.skipIf(skip !== null)(`seed-2376 of our load vs librosa (${skip ?? 'reference and dsp present'})`, () => {
  for (const clip of CLIPS) {
    it(clip.file, async () => {
      const reference = JSON.parse(await readFile(join(librosaRefDir, clip.json), 'utf8')) as { seed_2376: number[] };
      const { y } = await loadAudio(join(ravdessDir, clip.file), { sampleRate: 22_050, offsetSec: 0.6, durationSec: 2.5 });
      const ours = seed2376!(y, 22_050);
      expect(ours).toHaveLength(2376);
      const delta = (from: number, to: number) => {
        let sum = 0;
        let max = 0;
        for (let i = from; i < to; i++) {
          const d = Math.abs(ours[i] - reference.seed_2376[i]);
          sum += d;
          max = Math.max(max, d);
        }
        return { mean: sum / (to - from), max };
      };
      const zcr = delta(0, T);
      const rms = delta(T, 2 * T);
      const mfcc = delta(2 * T, 2376);
      console.info(
        `${clip.file}: MFCC mean ${mfcc.mean.toFixed(4)} max ${mfcc.max.toFixed(4)}, ZCR max ${zcr.max.toFixed(5)}, RMS max ${rms.max.toExponential(2)}`,
      );
      expect(mfcc.mean).toBeLessThanOrEqual(0.15);
      expect(mfcc.max).toBeLessThanOrEqual(0.5);
      expect(zcr.max).toBeLessThanOrEqual(0.05);
      expect(rms.max).toBeLessThanOrEqual(5e-4);
    });
  }
});
