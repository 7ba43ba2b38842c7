/**
 * Silence trimming against librosa.effects.trim, and level normalisation.
 */
import { describe, expect, it } from 'vitest';
import { dbfsToGain, peakNormalize, rmsNormalize, trimSilence } from '../../../src-shared/dsp/augment/index.js';
import { randomSignal } from './helpers.js';

const SR = 22050;
const tone = Array.from({ length: 20000 }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 300 * i) / SR));
const zeros = (n: number): number[] => new Array<number>(n).fill(0);

/** The signals of tools/augment_reference.py trim_inputs(), float32. */
const clean = Float32Array.from([...zeros(10000), ...tone, ...zeros(12000)]);
const floorNoise = randomSignal(clean.length, 11);
const withFloor = Float32Array.from(clean, (v, i) => v + 1e-4 * floorNoise[i]);
// np.linspace(0, 1, 20000) ** 3 fade-in.
const fade = Float32Array.from([...zeros(5000), ...tone.map((v, i) => v * (i / 19999) ** 3), ...zeros(7000)]);

describe('trimSilence (librosa.effects.trim)', () => {
  // [start, end) printed by `python tools/augment_reference.py` with librosa 0.11.0:
  // librosa.effects.trim(y, top_db=60 or 30, frame_length=2048, hop_length=512)[1].
  const cases: Array<[string, Float32Array, number, [number, number], [number, number]]> = [
    ['silence + tone + silence', clean, 42000, [9216, 31232], [9216, 31232]],
    ['the same over a -80 dB noise floor', withFloor, 42000, [9216, 31232], [9216, 31232]],
    ['a cubic fade-in', fade, 32000, [6656, 26112], [11264, 26112]],
  ];
  for (const [name, signal, length, at60, at30] of cases) {
    it(`${name}: bounds as librosa at top_db 60 and 30`, () => {
      expect(signal.length).toBe(length);
      const r60 = trimSilence(signal);
      expect([r60.startSample, r60.endSample]).toEqual(at60);
      expect(r60.y).toEqual(signal.subarray(at60[0], at60[1]));
      const r30 = trimSilence(signal, { topDb: 30 });
      expect([r30.startSample, r30.endSample]).toEqual(at30);
    });
  }

  it('relative threshold edge cases, as librosa', () => {
    // librosa 0.11: trim(zeros(5000))[1] = [0, 5000]; trim(sin(arange(5000)/10), top_db=0)[1] = [0, 0].
    const silent = trimSilence(new Float32Array(5000));
    expect([silent.startSample, silent.endSample]).toEqual([0, 5000]);
    const loudToEnd = Float32Array.from({ length: 5000 }, (_, i) => Math.sin(i / 10));
    expect(trimSilence(loudToEnd).endSample).toBe(5000);
    const none = trimSilence(loudToEnd, { topDb: 0 });
    expect([none.startSample, none.endSample, none.y.length]).toEqual([0, 0, 0]);
  });
});

describe('level normalisation', () => {
  const x = Float32Array.from(randomSignal(10000, 12), (v) => 0.3 * v);

  it('peakNormalize sets max |y| to the target dBFS', () => {
    let peak = 0;
    for (const v of peakNormalize(x, -1)) peak = Math.max(peak, Math.abs(v));
    expect(peak).toBeCloseTo(dbfsToGain(-1), 6);
    expect(dbfsToGain(-6)).toBeCloseTo(0.501187, 6);
    let unit = 0;
    for (const v of peakNormalize(x, 0)) unit = Math.max(unit, Math.abs(v));
    expect(unit).toBeCloseTo(1, 6);
  });

  it('rmsNormalize sets the clip RMS to the target dBFS', () => {
    const y = rmsNormalize(x, -20);
    let energy = 0;
    for (const v of y) energy += v * v;
    expect(20 * Math.log10(Math.sqrt(energy / y.length))).toBeCloseTo(-20, 5);
  });

  it('silent input is left unchanged', () => {
    expect(peakNormalize(new Float32Array(10)).every((v) => v === 0)).toBe(true);
    expect(rmsNormalize(new Float32Array(10)).every((v) => v === 0)).toBe(true);
  });
});
