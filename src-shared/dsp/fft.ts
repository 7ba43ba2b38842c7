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

/**
 * In-place complex FFT of one fixed power-of-two length.
 *
 * After the bit-reversal permutation, pairs of radix-2 stages are fused into
 * radix-4 passes (half the passes over memory, 3 instead of 4 complex
 * multiplications per 4 points); an odd number of stages starts with one
 * radix-2 pass, whose twiddles are all 1.
 */
export class ComplexFft {
  /** Transform length (number of complex points). */
  readonly size: number;
  private readonly bitReversed: Int32Array;
  /** True when log2(size) is odd: one radix-2 pass precedes the radix-4 passes. */
  readonly leadingRadix2: boolean;
  /**
   * Twiddles of each radix-4 pass of span L (quarter q = L/4), k < q:
   * [cos, -sin] of 2*pi*k/L, 2*pi*2k/L and 2*pi*3k/L, 6 values per k.
   */
  private readonly passTwiddles: Float64Array[];

  constructor(size: number) {
    assertPowerOfTwo(size, 'Complex FFT size', 1);
    this.size = size;
    const bits = Math.round(Math.log2(size));
    this.bitReversed = new Int32Array(size);
    for (let i = 0; i < size; i++) {
      let r = 0;
      for (let b = 0, v = i; b < bits; b++, v >>>= 1) r = (r << 1) | (v & 1);
      this.bitReversed[i] = r;
    }
    this.leadingRadix2 = bits % 2 === 1;
    this.passTwiddles = [];
    for (let span = this.leadingRadix2 ? 8 : 4; span <= size; span *= 4) {
      const quarter = span / 4;
      const table = new Float64Array(6 * quarter);
      for (let k = 0; k < quarter; k++) {
        for (let j = 1; j <= 3; j++) {
          const angle = (2 * Math.PI * j * k) / span;
          table[6 * k + 2 * (j - 1)] = Math.cos(angle);
          table[6 * k + 2 * (j - 1) + 1] = -Math.sin(angle);
        }
      }
      this.passTwiddles.push(table);
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
   * Butterfly passes on data that is already in bit-reversed order.
   * `RealFft` fuses the first pass (radix-2 of span 2 when `leadingRadix2`,
   * else radix-4 of span 4; both with unit twiddles) into its packing step
   * and then runs the rest with `skipFirstPass`.
   */
  butterflies(re: Float64Array, im: Float64Array, skipFirstPass = false): void {
    const n = this.size;
    let span = this.leadingRadix2 ? 8 : 4;
    let first = 0;
    if (skipFirstPass) {
      if (!this.leadingRadix2) {
        first = 1;
        span = 16;
      }
    } else if (this.leadingRadix2) {
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
    }
    const passes = this.passTwiddles;
    for (let p = first; p < passes.length; p++, span *= 4) {
      const w = passes[p];
      const quarter = span >>> 2;
      for (let k = 0; k < quarter; k++) {
        const c1 = w[6 * k];
        const s1 = w[6 * k + 1];
        const c2 = w[6 * k + 2];
        const s2 = w[6 * k + 3];
        const c3 = w[6 * k + 4];
        const s3 = w[6 * k + 5];
        for (let i0 = k; i0 < n; i0 += span) {
          const i1 = i0 + quarter;
          const i2 = i1 + quarter;
          const i3 = i2 + quarter;
          // Bit-reversed order puts the sub-transform that needs twiddle w^2k at i1 and w^k at i2.
          const x1r = re[i1];
          const x1i = im[i1];
          const x2r = re[i2];
          const x2i = im[i2];
          const x3r = re[i3];
          const x3i = im[i3];
          const u1r = x1r * c2 - x1i * s2;
          const u1i = x1r * s2 + x1i * c2;
          const u2r = x2r * c1 - x2i * s1;
          const u2i = x2r * s1 + x2i * c1;
          const u3r = x3r * c3 - x3i * s3;
          const u3i = x3r * s3 + x3i * c3;
          const x0r = re[i0];
          const x0i = im[i0];
          const s0r = x0r + u1r;
          const s0i = x0i + u1i;
          const d0r = x0r - u1r;
          const d0i = x0i - u1i;
          const t2r = u2r + u3r;
          const t2i = u2i + u3i;
          // -i * (u2 - u3)
          const t3r = u2i - u3i;
          const t3i = u3r - u2r;
          re[i0] = s0r + t2r;
          im[i0] = s0i + t2i;
          re[i2] = s0r - t2r;
          im[i2] = s0i - t2i;
          re[i1] = d0r + t3r;
          im[i1] = d0i + t3i;
          re[i3] = d0r - t3r;
          im[i3] = d0i - t3i;
        }
      }
    }
  }

  /** Bit-reversal permutation used by this plan (read-only view). */
  get permutation(): Int32Array {
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

  /**
   * Half-size FFT of z[m] = x[2m] + i*x[2m+1], where x[i] = signal[offset + i]
   * (times window[i] when a window is given). The bit-reversal permutation
   * and the first butterfly pass are fused: each group of the first pass
   * gathers its inputs straight from the signal. With N = size/2 and
   * b = rev(g*r) for a group g of radix r, the group's inputs are
   * z[b], z[b + N/2] (radix 2) and also z[b + N/4], z[b + 3N/4] (radix 4).
   */
  private halfTransform(signal: ArrayLike<number>, offset: number, window: Float64Array | null): void {
    const n = this.size;
    if (offset < 0 || offset + n > signal.length || (window !== null && window.length < n)) {
      throw new RangeError(`Real FFT input [${offset}, ${offset + n}) is outside a signal of ${signal.length} samples`);
    }
    const half = n >>> 1;
    const rev = this.inner.permutation;
    const zr = this.zRe;
    const zi = this.zIm;
    if (half === 1) {
      zr[0] = window === null ? signal[offset] : signal[offset] * window[0];
      zi[0] = window === null ? signal[offset + 1] : signal[offset + 1] * window[1];
      return;
    }
    if (this.inner.leadingRadix2) {
      // z index m lives at signal offset + 2m.
      const h2 = half; // 2 * (N/2) samples apart
      for (let g = 0; g < half; g += 2) {
        const i0 = offset + 2 * rev[g];
        const i1 = i0 + h2;
        let ar: number, ai: number, br: number, bi: number;
        if (window === null) {
          ar = signal[i0];
          ai = signal[i0 + 1];
          br = signal[i1];
          bi = signal[i1 + 1];
        } else {
          const w0 = i0 - offset;
          const w1 = i1 - offset;
          ar = signal[i0] * window[w0];
          ai = signal[i0 + 1] * window[w0 + 1];
          br = signal[i1] * window[w1];
          bi = signal[i1 + 1] * window[w1 + 1];
        }
        zr[g] = ar + br;
        zi[g] = ai + bi;
        zr[g + 1] = ar - br;
        zi[g + 1] = ai - bi;
      }
      this.inner.butterflies(zr, zi, true);
      return;
    }
    const quarterSamples = half >>> 1; // z index N/4 is sample N/2
    for (let g = 0; g < half; g += 4) {
      const w0 = 2 * rev[g];
      const w1 = w0 + half; // z[b + N/2]
      const w2 = w0 + quarterSamples; // z[b + N/4]
      const w3 = w1 + quarterSamples; // z[b + 3N/4]
      let x0r: number, x0i: number, x1r: number, x1i: number;
      let x2r: number, x2i: number, x3r: number, x3i: number;
      if (window === null) {
        x0r = signal[offset + w0];
        x0i = signal[offset + w0 + 1];
        x1r = signal[offset + w1];
        x1i = signal[offset + w1 + 1];
        x2r = signal[offset + w2];
        x2i = signal[offset + w2 + 1];
        x3r = signal[offset + w3];
        x3i = signal[offset + w3 + 1];
      } else {
        x0r = signal[offset + w0] * window[w0];
        x0i = signal[offset + w0 + 1] * window[w0 + 1];
        x1r = signal[offset + w1] * window[w1];
        x1i = signal[offset + w1 + 1] * window[w1 + 1];
        x2r = signal[offset + w2] * window[w2];
        x2i = signal[offset + w2 + 1] * window[w2 + 1];
        x3r = signal[offset + w3] * window[w3];
        x3i = signal[offset + w3 + 1] * window[w3 + 1];
      }
      // Radix-4 butterfly with unit twiddles; slots g..g+3 hold z[b], z[b+N/2], z[b+N/4], z[b+3N/4].
      const s0r = x0r + x1r;
      const s0i = x0i + x1i;
      const d0r = x0r - x1r;
      const d0i = x0i - x1i;
      const t2r = x2r + x3r;
      const t2i = x2i + x3i;
      const t3r = x2i - x3i;
      const t3i = x3r - x2r;
      zr[g] = s0r + t2r;
      zi[g] = s0i + t2i;
      zr[g + 2] = s0r - t2r;
      zi[g + 2] = s0i - t2i;
      zr[g + 1] = d0r + t3r;
      zi[g + 1] = d0i + t3i;
      zr[g + 3] = d0r - t3r;
      zi[g + 3] = d0i - t3i;
    }
    this.inner.butterflies(zr, zi, true);
  }

  /**
   * Complex spectrum of a real signal.
   * @param input real samples, length `size` (only the first `size` are read)
   * @param outRe real parts, length >= nFreq (bins 0..n/2)
   * @param outIm imaginary parts, length >= nFreq
   */
  forward(input: ArrayLike<number>, outRe: Float64Array, outIm: Float64Array): void {
    this.halfTransform(input, 0, null);
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
    this.halfTransform(input, 0, null);
    this.splitPower(out);
  }

  /**
   * Power spectrum of the windowed frame signal[offset + i] * window[i],
   * i < size, without an intermediate frame buffer.
   * @param offset first sample of the frame; the frame must lie inside `signal`
   * @param window `size` weights
   * @param out length >= nFreq
   */
  windowedPower(signal: ArrayLike<number>, offset: number, window: Float64Array, out: Float64Array): void {
    this.halfTransform(signal, offset, window);
    this.splitPower(out);
  }

  /**
   * Split step of `forward`, keeping only |X[k]|^2. Bins k and N-k share
   * their inputs: with E and O as in `forward` and P = W^k O,
   * X[k] = E + P and X[N-k] = conj(E - P).
   */
  private splitPower(out: Float64Array): void {
    const half = this.size >>> 1;
    const zr = this.zRe;
    const zi = this.zIm;
    const wr = this.splitRe;
    const wi = this.splitIm;
    const dc = zr[0] + zi[0];
    const nyquist = zr[0] - zi[0];
    out[0] = dc * dc;
    out[half] = nyquist * nyquist;
    for (let k = 1, j = half - 1; k <= j; k++, j--) {
      const ar = zr[k];
      const ai = zi[k];
      const br = zr[j];
      const bi = -zi[j];
      const er = 0.5 * (ar + br);
      const ei = 0.5 * (ai + bi);
      const or = 0.5 * (ai - bi);
      const oi = -0.5 * (ar - br);
      const c = wr[k];
      const s = wi[k];
      const pr = or * c - oi * s;
      const pi = or * s + oi * c;
      const xr = er + pr;
      const xi = ei + pi;
      const yr = er - pr;
      const yi = ei - pi;
      out[k] = xr * xr + xi * xi;
      out[j] = yr * yr + yi * yi;
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
