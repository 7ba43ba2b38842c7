import { describe, expect, it } from 'vitest';
import { delta, rms, savgolDerivativeCoefficients, zeroCrossingRate } from '../../../src-shared/dsp/index.js';
import { randomSignal } from './helpers.js';

/** ZCR straight from the README convention: edge-pad, frame, threshold, signbit compare. */
function naiveZcr(y: ArrayLike<number>, frameLength: number, hopLength: number, threshold = 1e-10): Float64Array {
  const pad = Math.floor(frameLength / 2);
  const padded: number[] = [];
  for (let i = 0; i < pad; i++) padded.push(y[0]);
  for (let i = 0; i < y.length; i++) padded.push(y[i]);
  for (let i = 0; i < pad; i++) padded.push(y[y.length - 1]);
  const nFrames = 1 + Math.floor((padded.length - frameLength) / hopLength);
  const out = new Float64Array(nFrames);
  const negative = (v: number): boolean => (Math.abs(v) <= threshold ? false : v < 0);
  for (let t = 0; t < nFrames; t++) {
    let count = 0;
    for (let i = 1; i < frameLength; i++) {
      if (negative(padded[t * hopLength + i]) !== negative(padded[t * hopLength + i - 1])) count++;
    }
    out[t] = count / frameLength;
  }
  return out;
}

/** RMS straight from the definition with zero padding. */
function naiveRms(y: ArrayLike<number>, frameLength: number, hopLength: number): Float64Array {
  const pad = Math.floor(frameLength / 2);
  const nFrames = 1 + Math.floor((y.length + 2 * pad - frameLength) / hopLength);
  const out = new Float64Array(nFrames);
  for (let t = 0; t < nFrames; t++) {
    let acc = 0;
    for (let i = 0; i < frameLength; i++) {
      const j = t * hopLength + i - pad;
      if (j >= 0 && j < y.length) acc += y[j] * y[j];
    }
    out[t] = Math.sqrt(acc / frameLength);
  }
  return out;
}

describe('zero-crossing rate', () => {
  it('an alternating signal crosses at every pair inside interior frames: (L-1)/L', () => {
    const y = new Float32Array(4096).map((_, i) => (i % 2 === 0 ? 0.5 : -0.5));
    const zcr = zeroCrossingRate(y, { frameLength: 256, hopLength: 64 });
    expect(zcr[10]).toBe(255 / 256);
    // Frame 0 holds 128 edge copies of y[0], then 128 alternating samples.
    expect(zcr[0]).toBe(127 / 256);
  });

  it('treats |x| <= threshold as positive zero and zero as positive', () => {
    const y = new Float64Array(1000).map((_, i) => (i % 2 === 0 ? 1e-11 : -1e-11));
    expect(Math.max(...zeroCrossingRate(y, { frameLength: 100, hopLength: 25 }))).toBe(0);
    const withZeros = new Float64Array(1000).map((_, i) => (i % 2 === 0 ? 0 : 0.25));
    expect(Math.max(...zeroCrossingRate(withZeros, { frameLength: 100, hopLength: 25 }))).toBe(0);
    expect(zeroCrossingRate(y, { frameLength: 100, hopLength: 25, threshold: 0 })[10]).toBe(99 / 100);
  });

  it.each([
    [2048, 512],
    [400, 160],
    [256, 100],
    [255, 64],
  ])('matches a naive framing of the README convention (frame %i, hop %i)', (frameLength, hopLength) => {
    const y = Float32Array.from(randomSignal(9001, frameLength), (v) => (Math.abs(v) < 0.05 ? 0 : v));
    const zcr = zeroCrossingRate(y, { frameLength, hopLength });
    const expected = naiveZcr(y, frameLength, hopLength);
    expect(zcr.length).toBe(expected.length);
    for (let t = 0; t < zcr.length; t++) expect(zcr[t]).toBe(expected[t]);
  });
});

describe('RMS', () => {
  it('a constant c has rms c inside and c*sqrt(covered fraction) at the zero-padded edges', () => {
    const y = new Float64Array(8192).fill(0.3);
    const out = rms(y, { frameLength: 2048, hopLength: 512 });
    expect(out[8]).toBeCloseTo(0.3, 14);
    expect(out[0]).toBeCloseTo(0.3 * Math.sqrt(0.5), 14);
    expect(out[1]).toBeCloseTo(0.3 * Math.sqrt(1536 / 2048), 14);
  });

  it.each([
    [2048, 512],
    [400, 160],
    [300, 128],
  ])('matches the definition on random input (frame %i, hop %i)', (frameLength, hopLength) => {
    const y = randomSignal(7777, hopLength);
    const out = rms(y, { frameLength, hopLength });
    const expected = naiveRms(y, frameLength, hopLength);
    expect(out.length).toBe(expected.length);
    for (let t = 0; t < out.length; t++) expect(out[t]).toBeCloseTo(expected[t], 13);
  });
});

describe('delta (Savitzky-Golay, mode=interp)', () => {
  it('width 9, order 1 uses weights k/60', () => {
    const c = savgolDerivativeCoefficients(9, 1);
    for (let j = 0; j < 9; j++) expect(c[j]).toBeCloseTo((j - 4) / 60, 15);
  });

  it('first delta of t^2 is 2t inside and the nearest full-window value at the edges', () => {
    const nFrames = 30;
    const data = Float64Array.from({ length: 2 * nFrames }, (_, i) => (i < nFrames ? i * i : 5));
    const d = delta({ nRows: 2, nFrames, data });
    for (let t = 4; t < nFrames - 4; t++) expect(d.data[t]).toBeCloseTo(2 * t, 10);
    for (let t = 0; t < 4; t++) expect(d.data[t]).toBeCloseTo(8, 10);
    for (let t = nFrames - 4; t < nFrames; t++) expect(d.data[t]).toBeCloseTo(2 * (nFrames - 5), 10);
    for (let t = 0; t < nFrames; t++) expect(d.data[nFrames + t]).toBeCloseTo(0, 12);
  });

  it('second delta of t^3 is 6t inside (order 2, quadratic fit)', () => {
    const nFrames = 25;
    const data = Float64Array.from({ length: nFrames }, (_, t) => t ** 3);
    const d = delta({ nRows: 1, nFrames, data }, { order: 2, width: 7 });
    for (let t = 3; t < nFrames - 3; t++) expect(d.data[t]).toBeCloseTo(6 * t, 8);
    expect(d.data[0]).toBeCloseTo(18, 8);
  });

  it('rejects even widths and widths beyond the frame count, like librosa', () => {
    const m = { nRows: 1, nFrames: 5, data: new Float64Array(5) };
    expect(() => delta(m)).toThrow(RangeError);
    expect(() => delta(m, { width: 4 })).toThrow(RangeError);
  });
});
