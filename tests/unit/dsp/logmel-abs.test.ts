import { describe, expect, it } from 'vitest';
import { Random } from '../../../src-shared/dsp/random.js';
import { computeFeatureSet, FEATURE_SET_SHAPES } from '../../../src-shared/dsp/seed.js';

/** 2.5 s of a decaying harmonic voice-like tone plus a little noise, at 22,050 Hz. */
function voice(gain: number): Float32Array {
  const random = new Random(7);
  const y = new Float32Array(55_125);
  for (let i = 0; i < y.length; i++) {
    const t = i / 22_050;
    let v = 0;
    for (let h = 1; h <= 8; h++) v += Math.sin(2 * Math.PI * 180 * h * t) / h;
    y[i] = gain * (0.2 * v * Math.exp(-t) + 0.001 * random.normal());
  }
  return y;
}

describe('logmel-64-abs', () => {
  it('is logmel-64 in absolute dB: the same image shifted by the clip level, so a 10× louder clip reads 20 dB higher', () => {
    const quiet = computeFeatureSet('logmel-64-abs', voice(0.1));
    const loud = computeFeatureSet('logmel-64-abs', voice(1));
    const relative = computeFeatureSet('logmel-64', voice(0.1));
    const relativeLoud = computeFeatureSet('logmel-64', voice(1));
    expect(quiet.shape).toEqual([...FEATURE_SET_SHAPES['logmel-64-abs']]);
    expect(quiet.shape).toEqual([64, 108]);

    // ref='max' removes the level: both relative images agree; the absolute ones differ by 20 dB
    let relativeDiff = 0;
    const shifts: number[] = [];
    for (let i = 0; i < quiet.values.length; i++) {
      relativeDiff = Math.max(relativeDiff, Math.abs(relative.values[i] - relativeLoud.values[i]));
      // cells above the 80 dB floor of both images
      if (relative.values[i] > -70) shifts.push(loud.values[i] - quiet.values[i]);
    }
    expect(relativeDiff).toBeLessThan(1e-3);
    expect(shifts.length).toBeGreaterThan(1000);
    for (const shift of shifts) expect(shift).toBeCloseTo(20, 2);

    // and within one clip, absolute minus relative is one constant: the loudest cell's level
    const offsets = new Set<number>();
    for (let i = 0; i < quiet.values.length; i++) if (relative.values[i] > -70) offsets.add(Math.round((quiet.values[i] - relative.values[i]) * 100));
    expect(offsets.size).toBeLessThanOrEqual(2);
    expect(Math.max(...loud.values) - Math.max(...quiet.values)).toBeCloseTo(20, 2);
    expect(Math.max(...relative.values)).toBe(0);
  });
});
