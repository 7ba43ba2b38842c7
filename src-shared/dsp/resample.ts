import { StudioError } from '../contract/result.js';

/**
 * Band-limited resampling with the response of libsoxr's 'HQ' recipe, which librosa.load uses by
 * default (res_type='soxr_hq'): linear phase and no delay, 20-bit precision, passband flat to
 * 0.913 of the lower Nyquist frequency, stopband from that Nyquist frequency on. Features computed
 * from librosa-loaded audio (MFCCs most of all, whose top mel bands sit in the transition band)
 * only reproduce when the transition band is in the same place with the same shape, which is why
 * this is not a generic resampler.
 *
 * The filter is one Kaiser-windowed sinc h(t) on the input time axis (t in input samples),
 * evaluated as a polyphase FIR: output n lies at input position n * srIn / srOut and is
 * sum_j x[j] h(j - position). When srOut/srIn reduces to L/M with L <= MAX_EXACT_PHASES every
 * position falls on one of L phases and the taps are exact; otherwise a table of FINE_PHASES
 * phases is interpolated linearly. Samples outside the signal count as zero, as in soxr.
 */

export interface ResampleDesign {
  /** End of the passband as a fraction of the lower Nyquist frequency. */
  passbandEnd: number;
  /** Start of the stopband as a fraction of the lower Nyquist frequency. */
  stopbandBegin: number;
  /** Shape of the Kaiser window (higher: lower sidelobes, wider main lobe). */
  kaiserBeta: number;
  /**
   * Half-width of the window in input samples times the transition width in cycles per input
   * sample: a dimensionless length that keeps the same response shape at every rate pair.
   */
  windowCycles: number;
}

/**
 * libsoxr's HQ recipe as it comes out of its own design (soxr_quality_spec(SOXR_HQ): 20-bit
 * precision, passband_end ≈ 0.913, stopband_begin 1, linear phase). soxr builds its filter in
 * stages with its own Kaiser-beta fit, so rather than re-deriving each stage we measured the
 * impulse response of python-soxr 'soxr_hq' at 48000 -> 22050 Hz (an impulse at each of the 320
 * input phases, which samples h(t) on a 1/(147 * 48 kHz) grid) and fitted one Kaiser sinc to it:
 * the -6 dB point lands at 0.95684 (passband 0.91368, stopband 1), beta 15.954, half-width 239.6
 * input samples. Residual: RMS 4e-6, max 4e-5 of a 0.44 peak. On RAVDESS clips this gives
 * 86-93 dB SNR against librosa.load, where the textbook Kaiser design from the same band edges
 * (A = 126 dB, beta 12.97, 415 taps) gives 68-70 dB.
 */
export const SOXR_HQ: ResampleDesign = { passbandEnd: 0.91368, stopbandBegin: 1, kaiserBeta: 15.954, windowCycles: 4.75 };

const MAX_EXACT_PHASES = 2048;
const FINE_PHASES = 1024;

/** Modified Bessel function of the first kind, order 0 (power series; converges for all x we use). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 500; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/** Kaiser's beta for a stopband attenuation in dB. */
export function kaiserBeta(attenuationDb: number): number {
  if (attenuationDb > 50) return 0.1102 * (attenuationDb - 8.7);
  if (attenuationDb > 21) return 0.5842 * (attenuationDb - 21) ** 0.4 + 0.07886 * (attenuationDb - 21);
  return 0;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** Output length of soxr/librosa for n input samples: ceil(n * srOut / srIn). */
export function resampledLength(n: number, srIn: number, srOut: number): number {
  // Integer arithmetic where it is exact, so 120000 * 22050 / 48000 does not become 55125.000001.
  const g = gcd(srIn, srOut);
  const num = n * (srOut / g);
  const den = srIn / g;
  return Number.isSafeInteger(num + den) ? Math.floor((num + den - 1) / den) : Math.ceil((n * srOut) / srIn);
}

/** A resampler for one rate pair; build once, reuse for every clip (the tap table is the cost). */
export class Resampler {
  readonly srIn: number;
  readonly srOut: number;
  /** Taps on each side of the output position: phase tables hold 2 * halfTaps taps. */
  readonly halfTaps: number;
  /** Number of tabulated phases (L when exact). */
  readonly phases: number;
  readonly exact: boolean;
  /** Input samples advanced per output sample, as the reduced fraction step = M / L (exact mode). */
  private readonly up: number;
  private readonly down: number;
  /** [phases (+1 when interpolated)][2 * halfTaps] taps, row-major. */
  private readonly table: Float64Array;

  constructor(srIn: number, srOut: number, design: ResampleDesign = SOXR_HQ) {
    if (!Number.isInteger(srIn) || !Number.isInteger(srOut) || srIn <= 0 || srOut <= 0) {
      throw new StudioError('INVALID_ARGUMENT', `resample: sample rates must be positive integers, got ${srIn} -> ${srOut}`);
    }
    if (!(design.passbandEnd > 0 && design.passbandEnd < design.stopbandBegin && design.stopbandBegin <= 1.5)) {
      throw new StudioError('INVALID_ARGUMENT', `resample: need 0 < passbandEnd < stopbandBegin <= 1.5, got ${design.passbandEnd}, ${design.stopbandBegin}`);
    }
    this.srIn = srIn;
    this.srOut = srOut;
    const g = gcd(srIn, srOut);
    this.up = srOut / g;
    this.down = srIn / g;
    this.exact = this.up <= MAX_EXACT_PHASES;
    this.phases = this.exact ? this.up : FINE_PHASES;

    // Frequencies in cycles per input sample. The lower Nyquist frequency is where aliasing
    // (downsampling) or imaging (upsampling) starts.
    const nyquist = Math.min(srIn, srOut) / 2 / srIn;
    const passband = design.passbandEnd * nyquist;
    const stopband = design.stopbandBegin * nyquist;
    const cutoff = (passband + stopband) / 2;
    const transition = stopband - passband;
    const beta = design.kaiserBeta;
    const halfWidth = design.windowCycles / transition;
    this.halfTaps = Math.ceil(halfWidth);

    const rows = this.exact ? this.phases : this.phases + 1;
    const width = 2 * this.halfTaps;
    this.table = new Float64Array(rows * width);
    const i0beta = besselI0(beta);
    for (let r = 0; r < rows; r++) {
      const frac = r / this.phases;
      for (let k = 0; k < width; k++) {
        // Tap k multiplies x[base - halfTaps + 1 + k]; its distance from the output position is t.
        const t = k - this.halfTaps + 1 - frac;
        const u = t / halfWidth;
        if (Math.abs(u) >= 1) continue;
        const arg = 2 * cutoff * t;
        const sinc = arg === 0 ? 1 : Math.sin(Math.PI * arg) / (Math.PI * arg);
        this.table[r * width + k] = 2 * cutoff * sinc * (besselI0(beta * Math.sqrt(1 - u * u)) / i0beta);
      }
    }
  }

  outputLength(inputLength: number): number {
    return resampledLength(inputLength, this.srIn, this.srOut);
  }

  /** Resamples one channel. Returns a new array of outputLength(x.length) samples. */
  process(x: Float32Array): Float32Array {
    const n = x.length;
    const nOut = this.outputLength(n);
    const out = new Float32Array(nOut);
    if (n === 0) return out;
    const half = this.halfTaps;
    const width = 2 * half;
    // Zero padding on both sides keeps bounds checks out of the inner loop.
    const padded = new Float64Array(n + 2 * width + 2);
    for (let i = 0; i < n; i++) padded[i + width] = x[i];
    const table = this.table;
    const up = this.up;
    const down = this.down;
    if (this.exact) {
      let base = 0;
      let phase = 0;
      for (let o = 0; o < nOut; o++) {
        out[o] = dot(table, phase * width, padded, base + width - half + 1, width);
        phase += down;
        base += Math.floor(phase / up);
        phase %= up;
      }
    } else {
      const step = this.srIn / this.srOut;
      const phases = this.phases;
      for (let o = 0; o < nOut; o++) {
        const position = o * step;
        const base = Math.floor(position);
        const f = (position - base) * phases;
        const p = Math.min(phases - 1, Math.floor(f));
        const w = f - p;
        const start = base + width - half + 1;
        const a = dot(table, p * width, padded, start, width);
        const b = dot(table, (p + 1) * width, padded, start, width);
        out[o] = a + (b - a) * w;
      }
    }
    return out;
  }
}

/** sum_k taps[t0 + k] * x[x0 + k] for k < n (n even), in four running sums. */
function dot(taps: Float64Array, t0: number, x: Float64Array, x0: number, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 3 < n; k += 4) {
    s0 += taps[t0 + k] * x[x0 + k];
    s1 += taps[t0 + k + 1] * x[x0 + k + 1];
    s2 += taps[t0 + k + 2] * x[x0 + k + 2];
    s3 += taps[t0 + k + 3] * x[x0 + k + 3];
  }
  for (; k < n; k++) s0 += taps[t0 + k] * x[x0 + k];
  return s0 + s1 + s2 + s3;
}

const cache = new Map<string, Resampler>();

/**
 * Resamples one channel from srIn to srOut with the soxr-HQ response, reusing one Resampler per
 * rate pair. Equal rates return a copy.
 */
export function resample(x: Float32Array, srIn: number, srOut: number): Float32Array {
  if (srIn === srOut) return x.slice();
  const key = `${srIn}:${srOut}`;
  let resampler = cache.get(key);
  if (resampler === undefined) {
    resampler = new Resampler(srIn, srOut);
    cache.set(key, resampler);
  }
  return resampler.process(x);
}
