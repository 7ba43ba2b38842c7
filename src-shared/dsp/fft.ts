/**
 * Radix-2 FFTs computed in float64.
 *
 * `ComplexFft` is an iterative decimation-in-time FFT with a precomputed
 * bit-reversal permutation and twiddle table. `RealFft` transforms a real
 * signal of even power-of-two length n through one complex FFT of length n/2
 * (even samples as the real part, odd samples as the imaginary part) followed
 * by the usual split step, which halves the work of a full complex FFT.
 *
 * Plans are cached per size (`complexFftPlan`, `realFftPlan`) and own their
 * scratch buffers, so transforming many frames allocates nothing. A plan is
 * not re-entrant, which is fine: each JS thread (main, worker, renderer) has
 * its own module instance and code runs to completion.
 *
 * Sign convention (numpy.fft): X[k] = sum_n x[n] * exp(-2*pi*i*k*n/N), no scaling.
 */

/** True when `n` is a positive integer power of two. */
export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
}

function assertPowerOfTwo(n: number, what: string, min: number): void {
  if (!isPowerOfTwo(n) || n < min) {
    throw new RangeError(`${what} must be a power of two >= ${min}, got ${n}`);
  }
}

/** In-place complex FFT of one fixed power-of-two length. */
export class ComplexFft {
  /** Transform length (number of complex points). */
  readonly size: number;
  private readonly bitReversed: Uint32Array;
  /** cos(2*pi*k/size) and -sin(2*pi*k/size) for k < size/2. */
  private readonly twiddleRe: Float64Array;
  private readonly twiddleIm: Float64Array;

  constructor(size: number) {
    assertPowerOfTwo(size, 'Complex FFT size', 1);
    this.size = size;
    const bits = Math.round(Math.log2(size));
    this.bitReversed = new Uint32Array(size);
    for (let i = 0; i < size; i++) {
      let r = 0;
      for (let b = 0, v = i; b < bits; b++, v >>>= 1) r = (r << 1) | (v & 1);
      this.bitReversed[i] = r;
    }
    const half = size >>> 1;
    this.twiddleRe = new Float64Array(half);
    this.twiddleIm = new Float64Array(half);
    for (let k = 0; k < half; k++) {
      const angle = (2 * Math.PI * k) / size;
      this.twiddleRe[k] = Math.cos(angle);
      this.twiddleIm[k] = -Math.sin(angle);
    }
  }

  /**
   * Forward transform in place.
   * @param re real parts, length `size`
   * @param im imaginary parts, length `size`
   */
  transform(re: Float64Array, im: Float64Array): void {
    const n = this.size;
    if (re.length < n || im.length < n) {
      throw new RangeError(`FFT buffers must hold ${n} values`);
    }
    const rev = this.bitReversed;
    for (let i = 0; i < n; i++) {
      const j = rev[i];
      if (j > i) {
        const tr = re[i];
        re[i] = re[j];
        re[j] = tr;
        const ti = im[i];
        im[i] = im[j];
        im[j] = ti;
      }
    }
    this.butterflies(re, im);
  }

  /**
   * Butterfly passes on data that is already in bit-reversed order. Exposed
   * for `RealFft`, which writes its input straight into bit-reversed slots.
   */
  butterflies(re: Float64Array, im: Float64Array): void {
    const n = this.size;
    const wr = this.twiddleRe;
    const wi = this.twiddleIm;
    // Length-2 pass: twiddle is 1, so no multiplications.
    for (let i = 0; i + 1 < n; i += 2) {
      const ar = re[i];
      const ai = im[i];
      const br = re[i + 1];
      const bi = im[i + 1];
      re[i] = ar + br;
      im[i] = ai + bi;
      re[i + 1] = ar - br;
      im[i + 1] = ai - bi;
    }
    for (let len = 4; len <= n; len <<= 1) {
      const half = len >>> 1;
      const step = n / len;
      for (let start = 0; start < n; start += len) {
        for (let k = 0, t = 0; k < half; k++, t += step) {
          const c = wr[t];
          const s = wi[t];
          const a = start + k;
          const b = a + half;
          const xr = re[b];
          const xi = im[b];
          const pr = xr * c - xi * s;
          const pi = xr * s + xi * c;
          const ur = re[a];
          const ui = im[a];
          re[a] = ur + pr;
          im[a] = ui + pi;
          re[b] = ur - pr;
          im[b] = ui - pi;
        }
      }
    }
  }

  /** Bit-reversal permutation used by this plan (read-only view). */
  get permutation(): Uint32Array {
    return this.bitReversed;
  }
}

/** FFT of a real signal of fixed even power-of-two length `size`. */
export class RealFft {
  /** Input length n (real samples). */
  readonly size: number;
  /** Output length n/2 + 1 (non-negative frequency bins). */
  readonly nFreq: number;
  private readonly inner: ComplexFft;
  private readonly zRe: Float64Array;
  private readonly zIm: Float64Array;
  /** cos(2*pi*k/n) and -sin(2*pi*k/n) for k = 0..n/2, used by the split step. */
  private readonly splitRe: Float64Array;
  private readonly splitIm: Float64Array;

  constructor(size: number) {
    assertPowerOfTwo(size, 'Real FFT size', 2);
    this.size = size;
    const half = size >>> 1;
    this.nFreq = half + 1;
    this.inner = new ComplexFft(half);
    this.zRe = new Float64Array(half);
    this.zIm = new Float64Array(half);
    this.splitRe = new Float64Array(half + 1);
    this.splitIm = new Float64Array(half + 1);
    for (let k = 0; k <= half; k++) {
      const angle = (2 * Math.PI * k) / size;
      this.splitRe[k] = Math.cos(angle);
      this.splitIm[k] = -Math.sin(angle);
    }
  }

  /** Packs x[2m] + i*x[2m+1] into bit-reversed order and runs the half-size FFT. */
  private halfTransform(input: ArrayLike<number>): void {
    if (input.length < this.size) {
      throw new RangeError(`Real FFT input must hold ${this.size} samples, got ${input.length}`);
    }
    const half = this.size >>> 1;
    const rev = this.inner.permutation;
    const zr = this.zRe;
    const zi = this.zIm;
    for (let m = 0; m < half; m++) {
      const j = rev[m];
      zr[j] = input[2 * m];
      zi[j] = input[2 * m + 1];
    }
    this.inner.butterflies(zr, zi);
  }

  /**
   * Complex spectrum of a real signal.
   * @param input real samples, length `size` (only the first `size` are read)
   * @param outRe real parts, length >= nFreq (bins 0..n/2)
   * @param outIm imaginary parts, length >= nFreq
   */
  forward(input: ArrayLike<number>, outRe: Float64Array, outIm: Float64Array): void {
    this.halfTransform(input);
    const half = this.size >>> 1;
    const zr = this.zRe;
    const zi = this.zIm;
    const wr = this.splitRe;
    const wi = this.splitIm;
    outRe[0] = zr[0] + zi[0];
    outIm[0] = 0;
    outRe[half] = zr[0] - zi[0];
    outIm[half] = 0;
    for (let k = 1; k < half; k++) {
      const ar = zr[k];
      const ai = zi[k];
      const br = zr[half - k];
      const bi = -zi[half - k];
      // E = (Z[k] + conj Z[N-k]) / 2 is the FFT of the even samples,
      // O = -i (Z[k] - conj Z[N-k]) / 2 the FFT of the odd samples.
      const er = 0.5 * (ar + br);
      const ei = 0.5 * (ai + bi);
      const or = 0.5 * (ai - bi);
      const oi = -0.5 * (ar - br);
      const c = wr[k];
      const s = wi[k];
      outRe[k] = er + or * c - oi * s;
      outIm[k] = ei + or * s + oi * c;
    }
  }

  /**
   * Power spectrum |X[k]|^2 of a real signal, bins 0..n/2.
   * @param input real samples, length `size`
   * @param out length >= nFreq
   */
  power(input: ArrayLike<number>, out: Float64Array): void {
    this.halfTransform(input);
    const half = this.size >>> 1;
    const zr = this.zRe;
    const zi = this.zIm;
    const wr = this.splitRe;
    const wi = this.splitIm;
    const dc = zr[0] + zi[0];
    const nyquist = zr[0] - zi[0];
    out[0] = dc * dc;
    out[half] = nyquist * nyquist;
    for (let k = 1; k < half; k++) {
      const ar = zr[k];
      const ai = zi[k];
      const br = zr[half - k];
      const bi = -zi[half - k];
      const er = 0.5 * (ar + br);
      const ei = 0.5 * (ai + bi);
      const or = 0.5 * (ai - bi);
      const oi = -0.5 * (ar - br);
      const c = wr[k];
      const s = wi[k];
      const xr = er + or * c - oi * s;
      const xi = ei + or * s + oi * c;
      out[k] = xr * xr + xi * xi;
    }
  }
}

const complexPlans = new Map<number, ComplexFft>();
const realPlans = new Map<number, RealFft>();

/** Cached complex FFT plan for `size` (a power of two). */
export function complexFftPlan(size: number): ComplexFft {
  let plan = complexPlans.get(size);
  if (plan === undefined) {
    plan = new ComplexFft(size);
    complexPlans.set(size, plan);
  }
  return plan;
}

/** Cached real FFT plan for `size` (a power of two >= 2). */
export function realFftPlan(size: number): RealFft {
  let plan = realPlans.get(size);
  if (plan === undefined) {
    plan = new RealFft(size);
    realPlans.set(size, plan);
  }
  return plan;
}

/**
 * Convenience real FFT that allocates its output (numpy.fft.rfft).
 * @param x real signal whose length is a power of two >= 2
 * @returns `re`, `im`, each of length x.length/2 + 1
 */
export function rfft(x: ArrayLike<number>): { re: Float64Array; im: Float64Array } {
  const plan = realFftPlan(x.length);
  const re = new Float64Array(plan.nFreq);
  const im = new Float64Array(plan.nFreq);
  plan.forward(x, re, im);
  return { re, im };
}
