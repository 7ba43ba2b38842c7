import { describe, expect, it } from 'vitest';
import * as shared from '../../../src-shared/dsp/mel.js';
import { formatHz, hzToMel, melAxisFraction, melTicksHz, melToHz, timeTickStep } from '../../../src-renderer/lib/spectro/mel-scale.js';

// The spectrogram's frequency axis must sit on the scale the main process builds its filter bank
// on (src-shared/dsp/mel.ts, Slaney, librosa's default), else the tick labels lie.
describe('mel scale of the spectrogram axis', () => {
  const frequenciesHz = [0, 1, 50, 125, 440, 999.999, 1000, 1000.001, 2000, 4000, 8000, 11_025, 16_000, 22_050, 96_000];

  it('gives the values of src-shared/dsp/mel.ts (Slaney) both ways', () => {
    for (const hz of frequenciesHz) expect(hzToMel(hz)).toBe(shared.hzToMel(hz, false));
    for (let mel = 0; mel <= 80; mel += 0.37) expect(melToHz(mel)).toBe(shared.melToHz(mel, false));
  });

  it('matches librosa.hz_to_mel / mel_to_hz (htk=False) at known points', () => {
    // librosa 0.11: hz_to_mel([440, 1000, 8000]) = [6.6, 15.0, 45.245640471924965]
    expect(hzToMel(440)).toBeCloseTo(6.6, 12);
    expect(hzToMel(1000)).toBeCloseTo(15, 12);
    expect(hzToMel(8000)).toBeCloseTo(45.245640471924965, 10);
    expect(melToHz(45.245640471924965)).toBeCloseTo(8000, 7);
    for (const hz of frequenciesHz) expect(melToHz(hzToMel(hz))).toBeCloseTo(hz, 6);
  });

  it('puts the centre of each mel band in the middle of its row', () => {
    // Band i's centre is the (i+1)-th of nMels+2 mel-spaced points (librosa.filters.mel).
    for (const [nMels, fmin, fmax] of [[128, 0, 11_025], [64, 50, 8000], [40, 0, 22_050]] as const) {
      const edges = shared.melFrequencies(nMels + 2, fmin, fmax);
      for (let band = 0; band < nMels; band++) expect(melAxisFraction(edges[band + 1], fmin, fmax, nMels)).toBeCloseTo((band + 0.5) / nMels, 9);
    }
  });

  it('places axis ticks on round frequencies inside the range, formatted short', () => {
    expect(melTicksHz(0, 11_025)).toEqual([0, 125, 250, 500, 1000, 2000, 3000, 4000, 6000, 8000, 11_000]);
    expect(melTicksHz(300, 4000)).toEqual([500, 1000, 2000, 3000, 4000]);
    expect(['0', '500', '1k', '2.5k', '11k']).toEqual([0, 500, 1000, 2500, 11_000].map(formatHz));
  });

  it('picks a time tick step giving about the asked number of ticks', () => {
    expect(timeTickStep(3.5, 8)).toBe(0.5);
    expect(timeTickStep(0.3, 8)).toBe(0.05);
    expect(timeTickStep(600, 10)).toBe(60);
    expect(timeTickStep(10_000, 10)).toBe(120);
  });
});
