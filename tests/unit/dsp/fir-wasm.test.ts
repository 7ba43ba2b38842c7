/**
 * The FIR resampling kernel (src-shared/dsp/wasm/fir.c) against the JavaScript FIR it replaces:
 * the same taps, positions and interpolation in double precision, so the two agree to float32
 * rounding of the output, for exact ratios, interpolated ones (the pitch shift's) and short inputs.
 */
import { describe, expect, it } from 'vitest';
import { Resampler } from '../../../src-shared/dsp/resample.js';
import { firKernel } from '../../../src-shared/dsp/wasm/fir-kernel.js';
import { pitchShift } from '../../../src-shared/dsp/augment/pitch-shift.js';
import { maxErrorRelativeToPeak, randomSignal, withDspBackend } from './helpers.js';

describe('wasm FIR resampling kernel', () => {
  it('loads here', () => {
    expect(withDspBackend('wasm', () => firKernel())).not.toBeNull();
    expect(withDspBackend('js', () => firKernel())).toBeNull();
  });

  it.each([
    ['exact, not 7-smooth (22050 -> 22051)', 22050, 22051, 4000],
    ['exact, 48000 -> 22050', 48000, 22050, 9000],
    ['exact, upsampling 8000 -> 22050', 8000, 22050, 3000],
    ['interpolated (ratio with a large prime)', 22050 * 1009, 22050 * 997, 7000],
    ['interpolated, upsampling', 21013, 22050, 7000],
    ['short input, fewer samples than taps', 48000, 22050, 37],
  ])('%s', (_, srIn, srOut, length) => {
    const x = Float32Array.from(randomSignal(length, length));
    const resampler = new Resampler(srIn, srOut);
    const js = withDspBackend('js', () => resampler.process(x, 'fir'));
    const wasm = withDspBackend('wasm', () => resampler.process(x, 'fir'));
    expect(wasm.length).toBe(js.length);
    // Both round one double to float32; only the order of the sums differs (1e-16 of the terms),
    // which moves an output by at most one float32 step of the peak near a rounding boundary.
    expect(maxErrorRelativeToPeak(wasm, js)).toBeLessThan(1.2e-7);
  });

  it('the pitch shift (whose resampling ratio is irrational) is the same through both', () => {
    const x = randomSignal(22050, 5);
    const js = withDspBackend('js', () => pitchShift(x, 22050, 0.7));
    const wasm = withDspBackend('wasm', () => pitchShift(x, 22050, 0.7));
    expect(wasm.length).toBe(js.length);
    expect(maxErrorRelativeToPeak(wasm, js)).toBeLessThan(1e-5);
  });
});
