import { describe, expect, it } from 'vitest';
import { channelLayout, channelStats, normalizeByGroup } from '../../../src-shared/model/normalize.js';
import { Random } from '../../../src-shared/dsp/random.js';

describe('per-channel normalisation', () => {
  it('maps the seed vector\'s layout: ZCR, RMS, then frame-major MFCCs, covering all 2,376 values once', () => {
    const layout = channelLayout('seed-2376', [2376]);
    const seen = new Set<number>();
    for (let c = 0; c < layout.channels; c++) for (let t = 0; t < layout.frames; t++) seen.add(layout.index(c, t));
    expect(seen.size).toBe(2376);
    expect(Math.max(...seen)).toBe(2375);
    expect(layout.index(0, 5)).toBe(5);
    expect(layout.index(1, 0)).toBe(108);
    expect(layout.index(2, 0)).toBe(216);
    expect(layout.index(3, 0)).toBe(217);
    expect(layout.index(2, 1)).toBe(236);
  });

  it('gives every speaker\'s channels mean 0 and std 1 over that speaker\'s original rows, and leaves other speakers\' offsets out', () => {
    const layout = channelLayout('logmel-64', [4, 10]);
    const width = 40;
    const random = new Random(2);
    // two speakers, 6 rows each, speaker B louder by 20 dB in every band
    const x = Float32Array.from({ length: 12 * width }, (_, i) => random.normal(i >= 6 * width ? -20 : -40, 5));
    const groupOf = (row: number) => (row < 6 ? 'a' : 'b');
    normalizeByGroup(x, width, 12, layout, groupOf);
    for (const rows of [[0, 1, 2, 3, 4, 5], [6, 7, 8, 9, 10, 11]]) {
      const stats = channelStats(x, width, rows, layout);
      for (let c = 0; c < 4; c++) {
        expect(Math.abs(stats.mean[c])).toBeLessThan(1e-5);
        expect(stats.std[c]).toBeCloseTo(1, 4);
      }
    }
  });

  it('takes statistics only from the rows it is told to (original clips, not augmented copies)', () => {
    const layout = channelLayout('logmel-64', [1, 2]);
    const x = Float32Array.from([1, 3, 100, 100]);
    normalizeByGroup(x, 2, 2, layout, () => 's', (row) => row === 0);
    // row 0 (mean 2, std 1) sets the statistics; row 1 is scaled with them
    expect(Array.from(x)).toEqual([-1, 1, 98, 98]);
  });
});
