/**
 * Agreement with librosa 0.11 on the shared reference signals. librosa
 * computed in float32 and we compute in float64, so the bounds leave room
 * for float32 rounding (README.json: ~1e-4 on MFCC, ~5e-5 relative on mel power).
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setDspBackend, type DspBackend } from '../../../src-shared/dsp/wasm/instance.js';
import {
  applyMelFilterbank,
  melFilterbank,
  melSpectrogram,
  mfcc,
  powerSpectrogram,
  powerToDb,
  rms,
  seed2376,
  zeroCrossingRate,
} from '../../../src-shared/dsp/index.js';
import {
  DSP_BACKENDS,
  flatten,
  hasReference,
  maxAbsError,
  maxRelError,
  readF32le,
  readJson,
  readWav,
  referenceDir,
  referenceNote,
} from './helpers.js';

interface SyntheticReference {
  stft_power_frames_0_10_20: Record<string, number[]>;
  mel_power: number[][];
  mel_db: number[][];
  mfcc: number[][];
  zcr: number[];
  rms: number[];
  seed_2376: number[];
  n_frames: number;
}

interface RavdessReference {
  loaded_samples: number;
  mel_db: number[][];
  mfcc: number[][];
  zcr: number[];
  rms: number[];
  seed_2376: number[];
  n_frames: number;
}

const RAVDESS = ['ravdess-03-01-05-02-01-01-01', 'ravdess-03-01-04-01-02-02-02', 'ravdess-03-01-08-02-01-01-07'];

/** Relative-error floor for mel power: far below any value that survives top_db. */
const MEL_POWER_FLOOR = 1e-10;

// Every bound holds for both implementations: the float64 JavaScript DSP and the wasm kernels.
describe.each(DSP_BACKENDS)('%s DSP', (backend) => {
  let previous: DspBackend = 'wasm';
  beforeAll(() => {
    previous = setDspBackend(backend);
  });
  afterAll(() => {
    setDspBackend(previous);
  });

  describe.skipIf(!hasReference)(`librosa reference: synthetic-22050.wav${referenceNote}`, () => {
    const ref = hasReference ? readJson<SyntheticReference>('synthetic-22050.json') : null;
    const wav = hasReference ? readWav(path.join(referenceDir, 'synthetic-22050.wav')) : null;

    it('reads the 22050 Hz mono PCM16 file', () => {
      expect(wav!.sampleRate).toBe(22050);
      expect(wav!.channels).toBe(1);
      expect(1 + Math.floor(wav!.samples.length / 512)).toBe(ref!.n_frames);
    });

    it('STFT power frames 0, 10, 20 within 1e-6 of each frame peak', () => {
      const spec = powerSpectrogram(wav!.samples, { nFft: 2048, hopLength: 512 });
      expect(spec.nFrames).toBe(ref!.n_frames);
      for (const [frame, expected] of Object.entries(ref!.stft_power_frames_0_10_20)) {
        const t = Number(frame);
        const actual = Array.from({ length: spec.nRows }, (_, k) => spec.data[k * spec.nFrames + t]);
        const peak = Math.max(...expected, 1e-30);
        expect(maxAbsError(actual, expected) / peak).toBeLessThan(1e-6);
      }
    });

    it('mel filterbank maps the reference STFT frames to the reference mel frames (1e-4 relative)', () => {
      const fb = melFilterbank({ sr: 22050, nFft: 2048, nMels: 128 });
      const melRef = ref!.mel_power;
      for (const [frame, spectrum] of Object.entries(ref!.stft_power_frames_0_10_20)) {
        const t = Number(frame);
        const projected = new Float64Array(128);
        applyMelFilterbank(fb, Float64Array.from(spectrum), projected);
        const expected = melRef.map((row) => row[t]);
        expect(maxRelError(projected, expected, MEL_POWER_FLOOR)).toBeLessThan(1e-4);
      }
    });

    it('mel power within 1e-4 relative', () => {
      const mel = melSpectrogram(wav!.samples, { sr: 22050 });
      expect([mel.nRows, mel.nFrames]).toEqual([128, ref!.n_frames]);
      expect(maxRelError(mel.data, flatten(ref!.mel_power), MEL_POWER_FLOOR)).toBeLessThan(1e-4);
    });

    it('mel dB within 1e-3 dB', () => {
      const mel = melSpectrogram(wav!.samples, { sr: 22050 });
      expect(maxAbsError(powerToDb(mel.data), flatten(ref!.mel_db))).toBeLessThan(1e-3);
    });

    it('MFCC within 1e-3', () => {
      const m = mfcc(wav!.samples, { sr: 22050 });
      expect([m.nRows, m.nFrames]).toEqual([20, ref!.n_frames]);
      expect(maxAbsError(m.data, flatten(ref!.mfcc))).toBeLessThan(1e-3);
    });

    it('ZCR and RMS within 1e-6', () => {
      expect(maxAbsError(zeroCrossingRate(wav!.samples), ref!.zcr)).toBeLessThan(1e-6);
      expect(maxAbsError(rms(wav!.samples), ref!.rms)).toBeLessThan(1e-6);
    });

    it('seed-2376 vector: every element within 1e-3', () => {
      expect(maxAbsError(seed2376(wav!.samples, 22050), ref!.seed_2376)).toBeLessThan(1e-3);
    });
  });

  describe.skipIf(!hasReference)(`librosa reference: RAVDESS clips loaded at 22050 Hz${referenceNote}`, () => {
    describe.each(RAVDESS)('%s', (name) => {
      const ref = hasReference ? readJson<RavdessReference>(`${name}.json`) : null;
      const y = hasReference ? readF32le(`${name}.f32le`) : new Float32Array(0);

      it('has the loaded length and frame count', () => {
        expect(y.length).toBe(ref!.loaded_samples);
        expect(ref!.n_frames).toBe(108);
      });

      it('mel dB within 1e-3 dB and MFCC within 1e-3', () => {
        const mel = melSpectrogram(y, { sr: 22050 });
        expect(maxAbsError(powerToDb(mel.data), flatten(ref!.mel_db))).toBeLessThan(1e-3);
        expect(maxAbsError(mfcc(y, { sr: 22050 }).data, flatten(ref!.mfcc))).toBeLessThan(1e-3);
      });

      it('ZCR and RMS within 1e-6', () => {
        expect(maxAbsError(zeroCrossingRate(y), ref!.zcr)).toBeLessThan(1e-6);
        expect(maxAbsError(rms(y), ref!.rms)).toBeLessThan(1e-6);
      });

      it('seed-2376 vector: every element within 1e-3', () => {
        const seed = seed2376(y);
        expect(seed.length).toBe(2376);
        expect(maxAbsError(seed, ref!.seed_2376)).toBeLessThan(1e-3);
      });
    });
  });
});
