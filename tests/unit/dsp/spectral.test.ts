import { describe, expect, it } from 'vitest';
import {
  applyMelFilterbank,
  dctOrthoMatrix,
  dctRows,
  fftFrequencies,
  frameCount,
  hannWindow,
  hzToMel,
  melFilterbank,
  melFilterbankDense,
  melFrequencies,
  melSpectrogram,
  melToHz,
  powerSpectrogram,
  powerToDb,
} from '../../../src-shared/dsp/index.js';
import { DSP_BACKENDS, randomSignal, withDspBackend } from './helpers.js';

describe('window and framing', () => {
  it('periodic Hann is 0.5 - 0.5 cos(2 pi n / N), symmetric Hann uses N - 1', () => {
    const w = hannWindow(8);
    expect(w[0]).toBe(0);
    expect(w[4]).toBeCloseTo(1, 15);
    expect(w[2]).toBeCloseTo(0.5, 15);
    const sym = hannWindow(9, false);
    expect(sym[8]).toBeCloseTo(0, 15);
    expect(sym[4]).toBeCloseTo(1, 15);
  });

  it('counts frames like librosa', () => {
    expect(frameCount(55125, 2048, 512, true)).toBe(108);
    expect(frameCount(33075, 2048, 512, true)).toBe(65);
    expect(frameCount(0, 2048, 512, true)).toBe(1);
    expect(frameCount(4096, 2048, 512, false)).toBe(5);
    expect(() => frameCount(100, 2048, 512, false)).toThrow(RangeError);
  });
});

describe('STFT', () => {
  it('puts a sine in the bin nearest its frequency, in every interior frame', () => {
    const sr = 22050;
    const nFft = 2048;
    const bin = 93;
    const frequency = (bin * sr) / nFft;
    const y = new Float32Array(sr);
    for (let i = 0; i < y.length; i++) y[i] = 0.5 * Math.sin((2 * Math.PI * frequency * i) / sr);
    const spec = powerSpectrogram(y, { nFft, hopLength: 512 });
    expect(spec.nRows).toBe(1025);
    expect(spec.nFrames).toBe(1 + Math.floor(y.length / 512));
    for (let t = 4; t < spec.nFrames - 4; t++) {
      let best = 0;
      for (let k = 1; k < spec.nRows; k++) if (spec.data[k * spec.nFrames + t] > spec.data[best * spec.nFrames + t]) best = k;
      expect(best).toBe(bin);
      // Hann window: peak amplitude A * sum(w) / 2 = A * nFft / 4.
      const expected = ((0.5 * nFft) / 4) ** 2;
      expect(Math.abs(spec.data[bin * spec.nFrames + t] - expected) / expected).toBeLessThan(1e-3);
    }
  });

  it('zero-pads when centered: frame 0 of a constant signal sees only the right half of the window', () => {
    const y = new Float64Array(8192).fill(1);
    const spec = powerSpectrogram(y, { nFft: 1024, hopLength: 256 });
    const w = hannWindow(1024);
    let dcFirst = 0;
    for (let i = 512; i < 1024; i++) dcFirst += w[i];
    let dcFull = 0;
    for (const v of w) dcFull += v;
    expect(spec.data[0]).toBeCloseTo(dcFirst * dcFirst, 6);
    expect(spec.data[10]).toBeCloseTo(dcFull * dcFull, 6);
  });

  it('magnitude (power=1) is the square root of power', () => {
    const y = randomSignal(5000, 4);
    const power = powerSpectrogram(y, { nFft: 512 });
    const magnitude = powerSpectrogram(y, { nFft: 512, power: 1 });
    for (let i = 0; i < power.data.length; i += 97) {
      expect(magnitude.data[i]).toBeCloseTo(Math.sqrt(power.data[i]), 9);
    }
  });
});

describe('mel scale and filterbank', () => {
  it('implements the Slaney and HTK formulas', () => {
    expect(hzToMel(1000)).toBeCloseTo(15, 12);
    expect(hzToMel(500)).toBeCloseTo(7.5, 12);
    expect(hzToMel(6400)).toBeCloseTo(15 + 27, 12); // logstep = ln(6.4)/27
    expect(hzToMel(1000, true)).toBeCloseTo(2595 * Math.log10(1 + 1000 / 700), 10);
    for (const f of [0, 123.4, 999.9, 1000, 4321, 11025]) {
      expect(melToHz(hzToMel(f))).toBeCloseTo(f, 8);
      expect(melToHz(hzToMel(f, true), true)).toBeCloseTo(f, 8);
    }
  });

  it('spaces band edges evenly in mel from fmin to fmax', () => {
    const edges = melFrequencies(130, 0, 11025);
    expect(edges[0]).toBe(0);
    expect(edges[129]).toBeCloseTo(11025, 9);
    const step = hzToMel(edges[1]);
    for (let i = 1; i < 130; i++) expect(hzToMel(edges[i]) - hzToMel(edges[i - 1])).toBeCloseTo(step, 9);
    expect(fftFrequencies(22050, 2048)[1024]).toBe(11025);
  });

  it('has triangles peaking at 1 between adjacent edges (norm=null)', () => {
    const fb = melFilterbank({ sr: 22050, nFft: 2048, nMels: 40, norm: null });
    const dense = melFilterbankDense(fb);
    const freqs = fftFrequencies(22050, 2048);
    const edges = melFrequencies(42, 0, 11025);
    for (let m = 0; m < 40; m++) {
      for (let k = 0; k < fb.nFreq; k++) {
        const w = dense[m * fb.nFreq + k];
        expect(w).toBeGreaterThanOrEqual(0);
        expect(w).toBeLessThanOrEqual(1 + 1e-12);
        if (freqs[k] <= edges[m] || freqs[k] >= edges[m + 2]) expect(w).toBe(0);
        else if (freqs[k] <= edges[m + 1]) expect(w).toBeCloseTo((freqs[k] - edges[m]) / (edges[m + 1] - edges[m]), 12);
      }
      expect(fb.end[m]).toBeGreaterThan(fb.start[m]);
    }
  });

  it("Slaney norm gives each wide band unit area in Hz", () => {
    const sr = 22050;
    const nFft = 2048;
    const fb = melFilterbank({ sr, nFft, nMels: 128 });
    const binHz = sr / nFft;
    let checked = 0;
    for (let m = 0; m < fb.nMels; m++) {
      if (fb.end[m] - fb.start[m] < 12) continue; // narrow bands are poorly sampled by the bins
      let area = 0;
      for (let k = fb.start[m]; k < fb.end[m]; k++) area += fb.weights[fb.offset[m] + k - fb.start[m]] * binHz;
      expect(area).toBeGreaterThan(0.95);
      expect(area).toBeLessThan(1.05);
      checked++;
    }
    expect(checked).toBeGreaterThan(40);
  });

  it('sparse projection equals the dense matrix product', () => {
    const fb = melFilterbank({ sr: 16000, nFft: 512, nMels: 64, fmin: 50, fmax: 7600, htk: true });
    const dense = melFilterbankDense(fb);
    const spectrum = randomSignal(fb.nFreq, 12).map((v) => v * v);
    const sparse = new Float64Array(fb.nMels);
    applyMelFilterbank(fb, spectrum, sparse);
    for (let m = 0; m < fb.nMels; m++) {
      let acc = 0;
      for (let k = 0; k < fb.nFreq; k++) acc += dense[m * fb.nFreq + k] * spectrum[k];
      expect(sparse[m]).toBeCloseTo(acc, 12);
    }
  });

  it.each(DSP_BACKENDS)('melSpectrogram equals the filterbank applied to powerSpectrogram (%s)', (backend) => {
    const y = randomSignal(6000, 8);
    const [spec, mel] = withDspBackend(backend, () => [
      powerSpectrogram(y, { nFft: 1024, hopLength: 300 }),
      melSpectrogram(y, { sr: 16000, nFft: 1024, hopLength: 300, nMels: 32 }),
    ]);
    // float64 in JavaScript; the wasm kernel sums float32 products (7 significant digits).
    const digits = backend === 'js' ? 9 : 4;
    const fb = melFilterbank({ sr: 16000, nFft: 1024, nMels: 32 });
    expect(mel.nFrames).toBe(spec.nFrames);
    const column = new Float64Array(spec.nRows);
    const projected = new Float64Array(32);
    for (let t = 0; t < spec.nFrames; t++) {
      for (let k = 0; k < spec.nRows; k++) column[k] = spec.data[k * spec.nFrames + t];
      applyMelFilterbank(fb, column, projected);
      for (let m = 0; m < 32; m++) expect(mel.data[m * mel.nFrames + t]).toBeCloseTo(projected[m], digits);
    }
  });
});

describe('power_to_db', () => {
  it('is 10 log10(S / ref) with the amin floor and top_db clipping', () => {
    const s = [1, 10, 100, 1e-3, 0];
    expect(Array.from(powerToDb(s, { topDb: null }))).toEqual([0, 10, 20, -30, -100]);
    expect(Array.from(powerToDb(s, { ref: 'max', topDb: 40 }))).toEqual([-20, -10, 0, -40, -40]);
    expect(Array.from(powerToDb(s, { ref: 10, amin: 1e-5, topDb: null }))).toEqual([-10, 0, 10, -40, -60]);
    const inPlace = Float64Array.from(s);
    expect(powerToDb(inPlace, {}, inPlace)).toBe(inPlace);
    expect(inPlace[2]).toBe(20);
    expect(inPlace[4]).toBe(-60); // top_db=80 below the 20 dB maximum
  });
});

describe('DCT-II (ortho)', () => {
  it('is orthonormal', () => {
    for (const n of [5, 20, 128]) {
      const d = dctOrthoMatrix(n, n);
      for (let a = 0; a < n; a++) {
        for (let b = 0; b < n; b++) {
          let dot = 0;
          for (let i = 0; i < n; i++) dot += d[a * n + i] * d[b * n + i];
          expect(Math.abs(dot - (a === b ? 1 : 0))).toBeLessThan(1e-12);
        }
      }
    }
  });

  it('dctRows (symmetric folding) equals the plain matrix product, even and odd band counts', () => {
    for (const nMels of [128, 41]) {
      const nFrames = 7;
      const data = randomSignal(nMels * nFrames, nMels);
      const d = dctOrthoMatrix(20, nMels);
      const out = dctRows({ nRows: nMels, nFrames, data }, 20);
      for (let c = 0; c < 20; c++) {
        for (let t = 0; t < nFrames; t++) {
          let acc = 0;
          for (let m = 0; m < nMels; m++) acc += d[c * nMels + m] * data[m * nFrames + t];
          expect(out.data[c * nFrames + t]).toBeCloseTo(acc, 12);
        }
      }
    }
  });

  it('maps a constant column to its scaled mean in c0 and nothing else', () => {
    const nMels = 128;
    const data = new Float64Array(nMels).fill(-30);
    const out = dctRows({ nRows: nMels, nFrames: 1, data }, 20);
    expect(out.data[0]).toBeCloseTo(-30 * Math.sqrt(nMels), 10);
    for (let c = 1; c < 20; c++) expect(Math.abs(out.data[c])).toBeLessThan(1e-10);
  });
});
