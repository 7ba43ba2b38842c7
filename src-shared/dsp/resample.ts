import { StudioError } from '../contract/result.js';
import { firKernel, wasmFir } from './wasm/fir-kernel.js';
import { type MixedRadixRealFft, fftRadices, isSevenSmooth, mixedRadixRealFftPlan } from './fft-mixed.js';
import type { WasmKernel } from './wasm/instance.js';
import { WASM_HALF_ALIGN, WasmResamplePlan, resampleKernel, wasmPlanSupported } from './wasm/resample-kernel.js';

/**
 * Band-limited resampling with the response of libsoxr's 'HQ' recipe, which librosa.load uses by
 * default (res_type='soxr_hq'): linear phase and no delay, 20-bit precision, passband flat to
 * 0.913 of the lower Nyquist frequency, stopband from that Nyquist frequency on. Features computed
 * from librosa-loaded audio (MFCCs most of all, whose top mel bands sit in the transition band)
 * only reproduce when the transition band is in the same place with the same shape, which is why
 * this is not a generic resampler.
 *
 * The filter is one Kaiser-windowed sinc h(t) on the input time axis (t in input samples):
 * output n lies at input position n * srIn / srOut and is sum_j x[j] h(j - position), samples
 * outside the signal counting as zero, as in soxr. Two implementations compute that same sum:
 *
 * - 'fir': a polyphase FIR. When srOut/srIn reduces to L/M with L <= MAX_EXACT_PHASES every
 *   position falls on one of L phases and the taps are exact; otherwise a table of FINE_PHASES
 *   phases is interpolated linearly. Cost: 2 * halfTaps multiply-adds per output sample.
 * - 'fft': the same sum in the frequency domain (`FftPlan`): one real FFT of the zero-padded
 *   input, a product with the filter's frequency response, one inverse real FFT at the output
 *   length. The padding leaves no wraparound, so the two agree to about 1e-9 of the peak
 *   (-170 dB; float32 output rounds both the same almost everywhere) at a tenth of the cost for
 *   clips. Long inputs go in overlapping segments. It needs exact phases and a reduced ratio L/M
 *   with no prime factor above 7, as every common audio rate pair has. Where the WebAssembly
 *   kernel loads (wasm/resample-kernel.ts) the transforms run there in float32 SIMD, in segments
 *   of about 2^13 points, about five times faster than in JavaScript; the results agree with the
 *   float64 JavaScript path to about 1e-7 of the peak (SNR ~135 dB) and digital silence stays
 *   exactly zero. The JavaScript path stays the reference and the fallback (setDspBackend('js')).
 *   The FIR-vs-FFT agreement quoted above is the JavaScript path's.
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

/** Which implementation computes the sum; 'auto' takes the FFT wherever it is available and faster. */
export type ResampleMethod = 'auto' | 'fft' | 'fir';

/**
 * Shortest input (in samples) for which 'auto' takes the FFT path. Below it the FIR is about as
 * fast and needs no plan; with plans cached the FFT wins from about 128 samples on.
 */
const FFT_MIN_INPUT = 256;
/**
 * Largest transform (in points, the longer of input and output) for a whole input in one FFT.
 * Longer inputs are resampled in overlapping segments of about FFT_SEGMENT_POINTS (overlap-save),
 * which bounds memory and lets every segment share one cached plan.
 */
const FFT_MAX_POINTS = 1 << 19;
const FFT_SEGMENT_POINTS = 1 << 18;
/**
 * Both of the above for the WebAssembly kernel. Its float32 rounding is relative to the energy of
 * the transform it happens in: short segments keep it local, so quiet passages beside loud ones
 * keep their own small values (the sign pattern a zero-crossing rate counts, as soxr's blockwise
 * float32 convolution leaves it), and they stay in cache. Measured on RAVDESS (seed-parity
 * test): with a whole 2.5 s crop in one transform one clip's ZCR came 0.020 from librosa's, with
 * 2^13-point segments 0.004, with the float64 JavaScript path 0.002 (the bound is 0.05).
 */
const WASM_SEGMENT_POINTS = 1 << 13;
/** Plans kept per rate pair, one per padded length (about 20 bytes per padded input sample each). */
const FFT_PLAN_CACHE = 8;
/** How much slower than the best padded length a cached plan may be and still be reused. */
const FFT_REUSE_SLACK = 0.15;
/**
 * Relative time per point of one FFT pass of each radix in V8 (radix 4 = 1), and of the O(n)
 * steps around the passes (real-FFT split, packing, spectrum product), fitted to the fastest of
 * 25 runs of sizes 2^15..2^17 and 27783..131072 mixing all radices (model within ~5 %).
 */
const PASS_COST: Readonly<Record<number, number>> = { 2: 1.1, 3: 1.25, 4: 1, 5: 1.6, 7: 2.3 };
const LINEAR_COST = 3;

/** The continuous kernel h(t), t in input samples: a Kaiser-windowed sinc, zero for |t| >= halfWidth. */
interface Kernel {
  cutoff: number;
  halfWidth: number;
  beta: number;
  i0beta: number;
}

function kernelAt(kernel: Kernel, t: number): number {
  const u = t / kernel.halfWidth;
  if (Math.abs(u) >= 1) return 0;
  const arg = 2 * kernel.cutoff * t;
  const sinc = arg === 0 ? 1 : Math.sin(Math.PI * arg) / (Math.PI * arg);
  return 2 * kernel.cutoff * sinc * (besselI0(kernel.beta * Math.sqrt(1 - u * u)) / kernel.i0beta);
}

/** A resampler for one rate pair; build once, reuse for every clip (tap table and FFT plans are the cost). */
export class Resampler {
  readonly srIn: number;
  readonly srOut: number;
  /** Taps on each side of the output position: phase tables hold 2 * halfTaps taps. */
  readonly halfTaps: number;
  /** Number of tabulated phases (L when exact). */
  readonly phases: number;
  readonly exact: boolean;
  /**
   * True when the FFT path is available: exact phases (so both paths compute the same sum) and a
   * reduced ratio L/M with no prime factor above 7 (so the padded lengths have fast FFTs).
   */
  readonly fftCapable: boolean;
  /** Output samples per M input samples, and M: srOut/srIn = up/down in lowest terms. */
  private readonly up: number;
  private readonly down: number;
  private readonly kernel: Kernel;
  /** [phases (+1 when interpolated)][2 * halfTaps] taps, row-major; built on first FIR use. */
  private tableCache: Float64Array | null = null;
  /** FFT plans by padded input length, least recently used first. */
  private readonly fftPlans = new Map<number, FftPlan>();

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
    this.fftCapable = this.exact && isSevenSmooth(this.up) && isSevenSmooth(this.down);

    // Frequencies in cycles per input sample. The lower Nyquist frequency is where aliasing
    // (downsampling) or imaging (upsampling) starts.
    const nyquist = Math.min(srIn, srOut) / 2 / srIn;
    const passband = design.passbandEnd * nyquist;
    const stopband = design.stopbandBegin * nyquist;
    const transition = stopband - passband;
    const halfWidth = design.windowCycles / transition;
    this.kernel = { cutoff: (passband + stopband) / 2, halfWidth, beta: design.kaiserBeta, i0beta: besselI0(design.kaiserBeta) };
    this.halfTaps = Math.ceil(halfWidth);
  }

  private get table(): Float64Array {
    if (this.tableCache !== null) return this.tableCache;
    const rows = this.exact ? this.phases : this.phases + 1;
    const width = 2 * this.halfTaps;
    const table = new Float64Array(rows * width);
    for (let r = 0; r < rows; r++) {
      const frac = r / this.phases;
      // Tap k multiplies x[base - halfTaps + 1 + k]; its distance from the output position is t.
      for (let k = 0; k < width; k++) table[r * width + k] = kernelAt(this.kernel, k - this.halfTaps + 1 - frac);
    }
    this.tableCache = table;
    return table;
  }

  outputLength(inputLength: number): number {
    return resampledLength(inputLength, this.srIn, this.srOut);
  }

  /** The implementation 'auto' uses for an input of `inputLength` samples. */
  methodFor(inputLength: number): 'fft' | 'fir' {
    return this.fftCapable && inputLength >= FFT_MIN_INPUT ? 'fft' : 'fir';
  }

  /**
   * Resamples one channel. Returns a new array of outputLength(x.length) samples.
   * @param method 'fft' throws when `fftCapable` is false
   */
  process(x: Float32Array, method: ResampleMethod = 'auto'): Float32Array {
    const chosen = method === 'auto' ? this.methodFor(x.length) : method;
    if (chosen === 'fir') return this.processFir(x);
    if (!this.fftCapable) {
      throw new StudioError('INVALID_ARGUMENT', `resample: no FFT path for ${this.srIn} -> ${this.srOut} Hz (ratio ${this.up}/${this.down})`);
    }
    return this.processFft(x);
  }

  private processFir(x: Float32Array): Float32Array {
    const n = x.length;
    const nOut = this.outputLength(n);
    const out = new Float32Array(nOut);
    if (n === 0) return out;
    const half = this.halfTaps;
    const width = 2 * half;
    const fir = firKernel();
    if (fir !== null) {
      const phases = this.exact
        ? { kind: 'exact' as const, up: this.up, down: this.down }
        : { kind: 'interpolated' as const, phases: this.phases, step: this.srIn / this.srOut };
      return wasmFir(fir, { table: this.table, width, half, phases }, x, nOut);
    }
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

  /**
   * The FFT path. Padded lengths are multiples of M input (L output) samples, so output o of a
   * block that starts at input sample a (a multiple of M) is output a * L / M + o of the whole.
   */
  private processFft(x: Float32Array): Float32Array {
    const n = x.length;
    const nOut = this.outputLength(n);
    const out = new Float32Array(nOut);
    if (n === 0) return out;
    const up = this.up;
    const down = this.down;
    const kernel = resampleKernel();
    // The kernel's transforms need both half lengths to be multiples of WASM_HALF_ALIGN.
    const unit = kernel === null ? 1 : halfMultiplierUnit(down, up);
    // A whole input needs halfTaps zeros after it: the one gap serves both ends of the cycle.
    const kWhole = this.multiplierFor(Math.ceil((n + this.halfTaps) / down), unit);
    if (kWhole * Math.max(up, down) <= (kernel === null ? FFT_MAX_POINTS : WASM_SEGMENT_POINTS)) {
      this.fftPlan(kWhole).run(x, out, 0, kernel);
      return out;
    }
    // Overlap-save: each segment keeps the outputs whose kernel support lies inside it, so the
    // circular convolution never wraps for them. Guards of kGuard * M input samples on each side.
    const kGuard = Math.ceil(this.halfTaps / down);
    const segmentPoints = kernel === null ? FFT_SEGMENT_POINTS : WASM_SEGMENT_POINTS;
    const kSegment = cheapestMultiplier(Math.max(4 * kGuard, Math.floor(segmentPoints / Math.max(up, down))), down, up, unit);
    const kKeep = kSegment - 2 * kGuard;
    const plan = this.fftPlan(kSegment);
    const segment = workspace.get(SLOT_SEGMENT, kSegment * down);
    for (let start = 0; start * up < nOut * down; start += kKeep * down) {
      const from = start - kGuard * down;
      segment.fill(0);
      segment.set(x.subarray(Math.max(0, from), Math.min(n, from + segment.length)), Math.max(0, -from));
      const o0 = (start / down) * up;
      plan.run(segment, out.subarray(o0, o0 + Math.min(kKeep * up, nOut - o0)), kGuard * up, kernel);
    }
    return out;
  }

  /**
   * The padded-length multiplier for inputs that need k >= kMin: the cheapest one, unless a cached
   * plan with k >= kMin costs at most FFT_REUSE_SLACK more. Clip lengths vary from file to file,
   * and building a plan costs a few transforms, so lengths close together share a plan.
   * @param unit k / 2 must be a multiple of it (see halfMultiplierUnit)
   */
  private multiplierFor(kMin: number, unit: number): number {
    const best = cheapestMultiplier(kMin, this.down, this.up, unit);
    const limit = (1 + FFT_REUSE_SLACK) * multiplierCost(best, this.down, this.up);
    let chosen = best;
    let chosenCost = Infinity;
    for (const plan of this.fftPlans.values()) {
      if (plan.multiplier >= kMin && (plan.multiplier / 2) % unit === 0 && plan.cost <= limit && plan.cost < chosenCost) {
        chosen = plan.multiplier;
        chosenCost = plan.cost;
      }
    }
    return chosen;
  }

  private fftPlan(k: number): FftPlan {
    const inputLength = k * this.down;
    let plan = this.fftPlans.get(inputLength);
    if (plan === undefined) {
      plan = new FftPlan(this.kernel, this.up, this.down, k);
      if (this.fftPlans.size >= FFT_PLAN_CACHE) this.fftPlans.delete(this.fftPlans.keys().next().value as number);
    } else {
      this.fftPlans.delete(inputLength);
    }
    this.fftPlans.set(inputLength, plan);
    return plan;
  }
}

/**
 * Resampling of one period of N = k * M input samples to Nout = k * L output samples in the
 * frequency domain. For x periodic with period N, sum_j x[j] h(j - o M/L) is y = irfft(Y) with
 *   Y[q] = (Nout / N) * sum over m = q (mod Nout) of X[m mod N] * H(m / N),
 * X = rfft(x) and H the continuous-time Fourier transform of h (cycles per input sample). A
 * zero-padded input is one period, so with halfTaps zeros of padding this is the FIR's sum.
 *
 * No delay to compensate: h is even about t = 0 and its taps are laid out circularly around
 * index 0, so H is real and output o stays at input time o * M / L, as in the FIR.
 *
 * H comes from h sampled on the grid of the higher rate (spacing min(1, M/L) input samples): an
 * rfft of length B = max(N, Nout), computed once per (rate pair, N). The sampling aliases H by
 * the higher rate, where it is below -170 dB, and the sum keeps every m in [-B/2, B/2]: the
 * passband, the transition band (|H| is -109 dB at the lower Nyquist frequency) and the stopband
 * terms that fold back into it, as the FIR has them.
 */
class FftPlan {
  /** k: the padded lengths are k * M in and k * L out. */
  readonly multiplier: number;
  readonly inputLength: number;
  readonly outputLength: number;
  /** Estimated time of one run (arbitrary units, see fftCost). */
  readonly cost: number;
  /** Real H(m / N) for m = 0..B/2 (h is even, so H is real). */
  private readonly response: Float64Array;
  /** The filter's half-width in input samples: h(t) = 0 for |t| >= reach. */
  private readonly reach: number;
  /** The JavaScript transforms and the kernel's tables, each built on first use. */
  private forward: MixedRadixRealFft | null = null;
  private inverse: MixedRadixRealFft | null = null;
  private wasm: WasmResamplePlan | null = null;

  constructor(kernel: Kernel, up: number, down: number, k: number) {
    this.multiplier = k;
    this.inputLength = k * down;
    this.outputLength = k * up;
    this.cost = multiplierCost(k, down, up);
    this.reach = kernel.halfWidth;
    const points = Math.max(this.inputLength, this.outputLength);
    const step = Math.min(1, down / up);
    const taps = new Float64Array(points);
    taps[0] = step * kernelAt(kernel, 0);
    for (let i = 1; i * step < kernel.halfWidth && i < points / 2; i++) {
      const v = step * kernelAt(kernel, i * step);
      taps[i] = v;
      taps[points - i] = v;
    }
    const plan = mixedRadixRealFftPlan(points);
    this.response = new Float64Array(plan.nFreq);
    const imaginary = new Float64Array(plan.nFreq);
    plan.forward(taps, this.response, imaginary);
  }

  /**
   * Resamples one period: reads the first inputLength samples of `input` (fewer count as zeros)
   * and writes outputs first..first+out.length-1 of the outputLength to `out`.
   * @param kernel the WebAssembly kernel, used when it can take this plan's lengths; null: JavaScript
   */
  run(input: ArrayLike<number>, out: Float32Array, first = 0, kernel: WasmKernel | null = null): void {
    if (kernel !== null && wasmPlanSupported(this.inputLength, this.outputLength)) {
      this.wasm ??= new WasmResamplePlan(kernel, this.inputLength, this.outputLength, this.response, this.reach);
      this.wasm.run(kernel, input, out, first);
      return;
    }
    // Held here as well as in the global cache, which other users may churn.
    this.forward ??= mixedRadixRealFftPlan(this.inputLength);
    this.inverse ??= mixedRadixRealFftPlan(this.outputLength);
    const n = this.inputLength;
    const nOut = this.outputLength;
    const halfIn = n / 2;
    const halfOut = nOut / 2;
    const xRe = workspace.get(SLOT_X_RE, halfIn + 1);
    const xIm = workspace.get(SLOT_X_IM, halfIn + 1);
    const yRe = workspace.get(SLOT_Y_RE, halfOut + 1);
    const yIm = workspace.get(SLOT_Y_IM, halfOut + 1);
    this.forward.forward(input, xRe, xIm);
    if (nOut < n) foldDown(xRe, xIm, this.response, yRe, yIm, n, nOut);
    else repeatUp(xRe, xIm, this.response, yRe, yIm, n, nOut);
    this.inverse.inverse(yRe, yIm, out, nOut / n, first, out.length);
  }
}

// One loop per function: V8 then optimizes each on its own.

/**
 * Downsampling: output bin q = (Nout/N) * sum over m = q (mod Nout) of X[m] H(m/N). Bins m below
 * Nout/2 map to themselves; the others land on u = m mod Nout, or as a conjugate on its mirror
 * Nout - u: only bins 0..Nout/2 are stored, and the partner -m of each m supplies the other half.
 * At m = N/2 the two partners are one DFT point of h, so each takes half.
 */
function foldDown(xRe: Float64Array, xIm: Float64Array, h: Float64Array, yRe: Float64Array, yIm: Float64Array, n: number, nOut: number): void {
  const halfOut = nOut / 2;
  multiplyBins(xRe, xIm, h, yRe, yIm, halfOut);
  yRe[halfOut] = 0;
  yIm[halfOut] = 0;
  foldAliases(xRe, xIm, h, yRe, yIm, n, nOut);
}

function multiplyBins(xRe: Float64Array, xIm: Float64Array, h: Float64Array, yRe: Float64Array, yIm: Float64Array, count: number): void {
  for (let q = 0; q < count; q++) {
    yRe[q] = xRe[q] * h[q];
    yIm[q] = xIm[q] * h[q];
  }
}

function foldAliases(xRe: Float64Array, xIm: Float64Array, h: Float64Array, yRe: Float64Array, yIm: Float64Array, n: number, nOut: number): void {
  const halfIn = n / 2;
  const halfOut = nOut / 2;
  // Bin m lands on u = m mod Nout. Runs of m whose u stays strictly inside (0, Nout/2) add to
  // Y[u]; runs with u inside (Nout/2, Nout) add their conjugate to Y[Nout - u]. u = 0 and
  // u = Nout/2 take both (twice the real part), and m = N/2 takes half its weight.
  let m = halfOut;
  while (m <= halfIn) {
    const u = m % nOut;
    if (u === 0 || u === halfOut || m === halfIn) {
      const g = m === halfIn ? 0.5 * h[m] : h[m];
      const vr = xRe[m] * g;
      const vi = xIm[m] * g;
      if (u === 0 || u === halfOut) {
        yRe[u] += 2 * vr;
      } else if (u < halfOut) {
        yRe[u] += vr;
        yIm[u] += vi;
      } else {
        yRe[nOut - u] += vr;
        yIm[nOut - u] -= vi;
      }
      m++;
    } else if (u < halfOut) {
      const end = Math.min(halfIn - 1, m + (halfOut - 1 - u));
      addRun(xRe, xIm, h, yRe, yIm, m, end, u);
      m = end + 1;
    } else {
      const end = Math.min(halfIn - 1, m + (nOut - 1 - u));
      addMirroredRun(xRe, xIm, h, yRe, yIm, m, end, nOut - u);
      m = end + 1;
    }
  }
}

/** Y[u + i] += X[m + i] h[m + i] for m + i in [m, end]. */
function addRun(xRe: Float64Array, xIm: Float64Array, h: Float64Array, yRe: Float64Array, yIm: Float64Array, m: number, end: number, u: number): void {
  for (let i = 0; m + i <= end; i++) {
    const g = h[m + i];
    yRe[u + i] += xRe[m + i] * g;
    yIm[u + i] += xIm[m + i] * g;
  }
}

/** Y[v - i] += conj(X[m + i]) h[m + i] for m + i in [m, end]. */
function addMirroredRun(xRe: Float64Array, xIm: Float64Array, h: Float64Array, yRe: Float64Array, yIm: Float64Array, m: number, end: number, v: number): void {
  for (let i = 0; m + i <= end; i++) {
    const g = h[m + i];
    yRe[v - i] += xRe[m + i] * g;
    yIm[v - i] -= xIm[m + i] * g;
  }
}

/**
 * Upsampling: output bin q takes input bin q mod N (the spectrum repeats; H removes the images).
 * Bin Nout/2 stands for +Nout/2 and -Nout/2 together: its value is real.
 */
function repeatUp(xRe: Float64Array, xIm: Float64Array, h: Float64Array, yRe: Float64Array, yIm: Float64Array, n: number, nOut: number): void {
  const halfIn = n / 2;
  const halfOut = nOut / 2;
  let m = 0;
  for (let q = 0; q <= halfOut; q++) {
    const re = m <= halfIn ? xRe[m] : xRe[n - m];
    const im = m <= halfIn ? xIm[m] : -xIm[n - m];
    yRe[q] = re * h[q];
    yIm[q] = q === halfOut ? 0 : im * h[q];
    if (++m === n) m = 0;
  }
}

/**
 * The even multiplier k >= kMin (padded lengths k * M in, k * L out) whose two real FFTs are
 * cheapest, among the 7-smooth k up to 25 % above kMin with k / 2 a multiple of `unit` (a power
 * of two). M and L are 7-smooth themselves.
 */
function cheapestMultiplier(kMin: number, down: number, up: number, unit = 1): number {
  let best = 0;
  let bestCost = Infinity;
  const lo = Math.max(1, Math.ceil(kMin / 2 / unit));
  for (const multiple of sevenSmoothBetween(lo, Math.max(lo, Math.ceil(lo * 1.25)))) {
    const k = 2 * unit * multiple;
    const cost = multiplierCost(k, down, up);
    if (cost < bestCost) {
      best = k;
      bestCost = cost;
    }
  }
  return best;
}

/**
 * The smallest power of two u such that any k with k / 2 a multiple of u makes both half lengths,
 * k * M / 2 and k * L / 2, multiples of WASM_HALF_ALIGN, as the kernel needs.
 */
function halfMultiplierUnit(down: number, up: number): number {
  let u = 1;
  while ((u * down) % WASM_HALF_ALIGN !== 0 || (u * up) % WASM_HALF_ALIGN !== 0) u *= 2;
  return u;
}

/** Estimated time of the two real FFTs for multiplier k. */
function multiplierCost(k: number, down: number, up: number): number {
  return fftCost((k * down) / 2) + fftCost((k * up) / 2);
}

/** Estimated time of a real FFT of 2n points: n points per pass, plus the O(n) steps. */
function fftCost(n: number): number {
  let perPoint = LINEAR_COST;
  for (const r of fftRadices(n)) perPoint += PASS_COST[r];
  return n * perPoint;
}

/** The 7-smooth integers in [lo, hi]. */
function sevenSmoothBetween(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let a = 1; a <= hi; a *= 7) {
    for (let b = a; b <= hi; b *= 5) {
      for (let c = b; c <= hi; c *= 3) {
        let d = c;
        while (d < lo) d *= 2;
        if (d <= hi) out.push(d);
        for (d *= 2; d <= hi; d *= 2) out.push(d);
      }
    }
  }
  return out.sort((p, q) => p - q);
}

const SLOT_X_RE = 0;
const SLOT_X_IM = 1;
const SLOT_Y_RE = 2;
const SLOT_Y_IM = 3;
const SLOT_SEGMENT = 4;

/**
 * Work buffers shared by every FFT plan, grown on demand: plans for many lengths stay cheap to keep.
 * Not re-entrant, like the FFT plans; each JS thread has its own module instance.
 */
const workspace = {
  buffers: [] as Float64Array[],
  get(slot: number, length: number): Float64Array {
    const current = this.buffers[slot];
    if (current !== undefined && current.length >= length) return current.length === length ? current : current.subarray(0, length);
    const grown = new Float64Array(length);
    this.buffers[slot] = grown;
    return grown;
  },
};

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
 * @param method 'auto' (default) takes the FFT path where it is available and faster; 'fir' and
 *   'fft' force one implementation (both compute the same sum)
 */
export function resample(x: Float32Array, srIn: number, srOut: number, method: ResampleMethod = 'auto'): Float32Array {
  if (srIn === srOut) return x.slice();
  const key = `${srIn}:${srOut}`;
  let resampler = cache.get(key);
  if (resampler === undefined) {
    resampler = new Resampler(srIn, srOut);
    cache.set(key, resampler);
  }
  return resampler.process(x, method);
}
