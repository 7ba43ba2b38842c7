/**
 * Mixed-radix FFTs for lengths whose only prime factors are 2, 3, 5 and 7, computed in float64.
 *
 * The power-of-two FFT in fft.ts covers STFT frames; this one exists for transforms whose length
 * is dictated by something else, such as the resampler, whose padded lengths must be multiples of
 * the reduced rate ratio (320 and 147 for 48000 -> 22050 Hz).
 *
 * `MixedRadixFft` is a Stockham autosort FFT (decimation in frequency): each pass reads one buffer
 * and writes the other in natural order, so there is no bit-reversal step, with hand-written
 * radix-2, 3, 4, 5 and 7 butterflies and one twiddle table per pass. `MixedRadixRealFft` transforms
 * a real signal of even length n through one complex FFT of length n/2, in both directions.
 *
 * Plans hold their twiddles and are cached per size; work buffers are shared by all plans. Like
 * fft.ts they are not re-entrant, which is fine because each JS thread has its own module
 * instance and code runs to completion.
 *
 * Sign convention (numpy.fft): X[k] = sum_n x[n] * exp(-2*pi*i*k*n/N); inverses scale by 1/N.
 */

const RADICES = [7, 5, 3, 4, 2] as const;

/** True when `n` is a positive integer with no prime factor above 7. */
export function isSevenSmooth(n: number): boolean {
  if (!Number.isSafeInteger(n) || n < 1) return false;
  for (const p of [2, 3, 5, 7]) while (n % p === 0) n /= p;
  return n === 1;
}

/** Smallest 7-smooth integer >= n (n >= 1). */
export function nextSevenSmooth(n: number): number {
  let m = Math.max(1, Math.ceil(n));
  while (!isSevenSmooth(m)) m++;
  return m;
}

/**
 * The passes of a transform of length n, as radices in execution order: the odd ones from 7 down
 * first, then radix 4 as often as it goes (fewer passes over memory than radix 2), then one 2.
 * Odd radices first measured a few per cent faster in V8 than powers of two first.
 */
export function fftRadices(n: number): number[] {
  if (!isSevenSmooth(n)) throw new RangeError(`Mixed-radix FFT size must be a positive integer with no prime factor above 7, got ${n}`);
  const out: number[] = [];
  let rest = n;
  for (const p of RADICES) {
    while (rest % p === 0) {
      out.push(p);
      rest /= p;
    }
  }
  return out;
}

interface Pass {
  radix: number;
  /** Sub-transform length after this pass (n / radix). */
  m: number;
  /** Stride between the elements of one butterfly in the output (product of earlier radices). */
  s: number;
  /** exp(-2*pi*i*q*k/n) for q < m, k = 1..radix-1, as [re, im] pairs, q-major. */
  twiddles: Float64Array;
}

/** Complex FFT of one fixed 7-smooth length, on split real/imaginary arrays. */
export class MixedRadixFft {
  /** Transform length (number of complex points). */
  readonly size: number;
  /** Radix of each pass, in order. */
  readonly radices: readonly number[];
  private readonly passes: Pass[];

  constructor(size: number) {
    this.radices = fftRadices(size);
    this.size = size;
    this.passes = [];
    let n = size;
    let s = 1;
    for (const radix of this.radices) {
      const m = n / radix;
      const twiddles = new Float64Array(2 * (radix - 1) * m);
      for (let q = 0; q < m; q++) {
        for (let k = 1; k < radix; k++) {
          // Reduce q*k mod n first so the angle stays accurate.
          const angle = (-2 * Math.PI * ((q * k) % n)) / n;
          const at = 2 * (q * (radix - 1) + k - 1);
          twiddles[at] = Math.cos(angle);
          twiddles[at + 1] = Math.sin(angle);
        }
      }
      this.passes.push({ radix, m, s, twiddles });
      n = m;
      s *= radix;
    }
  }

  /**
   * Unscaled forward transform from (aRe, aIm) using (bRe, bIm) as the other buffer of the
   * ping-pong. Both pairs are overwritten. Returns true when the result is in a, false when in b.
   */
  run(aRe: Float64Array, aIm: Float64Array, bRe: Float64Array, bIm: Float64Array): boolean {
    let xr = aRe;
    let xi = aIm;
    let yr = bRe;
    let yi = bIm;
    for (const pass of this.passes) {
      const { m, s, twiddles } = pass;
      switch (pass.radix) {
        case 2:
          radix2(m, s, xr, xi, yr, yi, twiddles);
          break;
        case 3:
          radix3(m, s, xr, xi, yr, yi, twiddles);
          break;
        case 4:
          radix4(m, s, xr, xi, yr, yi, twiddles);
          break;
        case 5:
          radix5(m, s, xr, xi, yr, yi, twiddles);
          break;
        default:
          radix7(m, s, xr, xi, yr, yi, twiddles);
      }
      [xr, yr] = [yr, xr];
      [xi, yi] = [yi, xi];
    }
    return xr === aRe;
  }

  /** Forward transform in place; re and im hold `size` values each. */
  forward(re: Float64Array, im: Float64Array): void {
    this.checkLength(re, im);
    const scratchRe = sharedBuffer(SLOT_B_RE, this.size);
    const scratchIm = sharedBuffer(SLOT_B_IM, this.size);
    if (!this.run(re, im, scratchRe, scratchIm)) {
      re.set(scratchRe);
      im.set(scratchIm);
    }
  }

  /** Inverse transform in place, scaled by 1/size (numpy.fft.ifft). */
  inverse(re: Float64Array, im: Float64Array): void {
    // ifft(x) * n = swap(fft(swap(x))), where swap exchanges real and imaginary parts.
    this.forward(im, re);
    const scale = 1 / this.size;
    for (let i = 0; i < this.size; i++) {
      re[i] *= scale;
      im[i] *= scale;
    }
  }

  private checkLength(re: Float64Array, im: Float64Array): void {
    if (re.length < this.size || im.length < this.size) throw new RangeError(`FFT buffers must hold ${this.size} values`);
  }
}

// Stockham DIF pass of radix p on sub-transforms of length n = p * m with stride s: the butterfly
// (q, r) reads x[r + s * (q + m * j)] for j < p, takes their p-point DFT, multiplies output k by
// exp(-2*pi*i*q*k/n) and writes it to y[r + s * (p * q + k)].

function radix2(m: number, s: number, xr: Float64Array, xi: Float64Array, yr: Float64Array, yi: Float64Array, tw: Float64Array): void {
  const sm = s * m;
  for (let q = 0; q < m; q++) {
    const w1r = tw[2 * q];
    const w1i = tw[2 * q + 1];
    const inBase = s * q;
    const outBase = 2 * s * q;
    for (let r = 0; r < s; r++) {
      const i0 = inBase + r;
      const i1 = i0 + sm;
      const o0 = outBase + r;
      const a0r = xr[i0];
      const a0i = xi[i0];
      const a1r = xr[i1];
      const a1i = xi[i1];
      const dr = a0r - a1r;
      const di = a0i - a1i;
      yr[o0] = a0r + a1r;
      yi[o0] = a0i + a1i;
      yr[o0 + s] = dr * w1r - di * w1i;
      yi[o0 + s] = dr * w1i + di * w1r;
    }
  }
}

const SIN_3 = Math.sin((2 * Math.PI) / 3);

function radix3(m: number, s: number, xr: Float64Array, xi: Float64Array, yr: Float64Array, yi: Float64Array, tw: Float64Array): void {
  const sm = s * m;
  for (let q = 0; q < m; q++) {
    const w1r = tw[4 * q];
    const w1i = tw[4 * q + 1];
    const w2r = tw[4 * q + 2];
    const w2i = tw[4 * q + 3];
    const inBase = s * q;
    const outBase = 3 * s * q;
    for (let r = 0; r < s; r++) {
      const i0 = inBase + r;
      const i1 = i0 + sm;
      const i2 = i1 + sm;
      const a0r = xr[i0];
      const a0i = xi[i0];
      const br = xr[i1] + xr[i2];
      const bi = xi[i1] + xi[i2];
      // B = sin(2*pi/3) * (a1 - a2); outputs 1 and 2 are A -/+ i*B.
      const Br = SIN_3 * (xr[i1] - xr[i2]);
      const Bi = SIN_3 * (xi[i1] - xi[i2]);
      const Ar = a0r - 0.5 * br;
      const Ai = a0i - 0.5 * bi;
      const y1r = Ar + Bi;
      const y1i = Ai - Br;
      const y2r = Ar - Bi;
      const y2i = Ai + Br;
      const o0 = outBase + r;
      yr[o0] = a0r + br;
      yi[o0] = a0i + bi;
      yr[o0 + s] = y1r * w1r - y1i * w1i;
      yi[o0 + s] = y1r * w1i + y1i * w1r;
      yr[o0 + 2 * s] = y2r * w2r - y2i * w2i;
      yi[o0 + 2 * s] = y2r * w2i + y2i * w2r;
    }
  }
}

function radix4(m: number, s: number, xr: Float64Array, xi: Float64Array, yr: Float64Array, yi: Float64Array, tw: Float64Array): void {
  const sm = s * m;
  for (let q = 0; q < m; q++) {
    const w1r = tw[6 * q];
    const w1i = tw[6 * q + 1];
    const w2r = tw[6 * q + 2];
    const w2i = tw[6 * q + 3];
    const w3r = tw[6 * q + 4];
    const w3i = tw[6 * q + 5];
    const inBase = s * q;
    const outBase = 4 * s * q;
    for (let r = 0; r < s; r++) {
      const i0 = inBase + r;
      const i1 = i0 + sm;
      const i2 = i1 + sm;
      const i3 = i2 + sm;
      const a0r = xr[i0];
      const a0i = xi[i0];
      const a1r = xr[i1];
      const a1i = xi[i1];
      const a2r = xr[i2];
      const a2i = xi[i2];
      const a3r = xr[i3];
      const a3i = xi[i3];
      const t0r = a0r + a2r;
      const t0i = a0i + a2i;
      const t1r = a0r - a2r;
      const t1i = a0i - a2i;
      const t2r = a1r + a3r;
      const t2i = a1i + a3i;
      const t3r = a1r - a3r;
      const t3i = a1i - a3i;
      // y1 = t1 - i*t3, y2 = t0 - t2, y3 = t1 + i*t3
      const y1r = t1r + t3i;
      const y1i = t1i - t3r;
      const y2r = t0r - t2r;
      const y2i = t0i - t2i;
      const y3r = t1r - t3i;
      const y3i = t1i + t3r;
      const o0 = outBase + r;
      yr[o0] = t0r + t2r;
      yi[o0] = t0i + t2i;
      yr[o0 + s] = y1r * w1r - y1i * w1i;
      yi[o0 + s] = y1r * w1i + y1i * w1r;
      yr[o0 + 2 * s] = y2r * w2r - y2i * w2i;
      yi[o0 + 2 * s] = y2r * w2i + y2i * w2r;
      yr[o0 + 3 * s] = y3r * w3r - y3i * w3i;
      yi[o0 + 3 * s] = y3r * w3i + y3i * w3r;
    }
  }
}

const C1_5 = Math.cos((2 * Math.PI) / 5);
const C2_5 = Math.cos((4 * Math.PI) / 5);
const S1_5 = Math.sin((2 * Math.PI) / 5);
const S2_5 = Math.sin((4 * Math.PI) / 5);

function radix5(m: number, s: number, xr: Float64Array, xi: Float64Array, yr: Float64Array, yi: Float64Array, tw: Float64Array): void {
  const sm = s * m;
  for (let q = 0; q < m; q++) {
    const t = 8 * q;
    const w1r = tw[t];
    const w1i = tw[t + 1];
    const w2r = tw[t + 2];
    const w2i = tw[t + 3];
    const w3r = tw[t + 4];
    const w3i = tw[t + 5];
    const w4r = tw[t + 6];
    const w4i = tw[t + 7];
    const inBase = s * q;
    const outBase = 5 * s * q;
    for (let r = 0; r < s; r++) {
      const i0 = inBase + r;
      const i1 = i0 + sm;
      const i2 = i1 + sm;
      const i3 = i2 + sm;
      const i4 = i3 + sm;
      const a0r = xr[i0];
      const a0i = xi[i0];
      const b1r = xr[i1] + xr[i4];
      const b1i = xi[i1] + xi[i4];
      const d1r = xr[i1] - xr[i4];
      const d1i = xi[i1] - xi[i4];
      const b2r = xr[i2] + xr[i3];
      const b2i = xi[i2] + xi[i3];
      const d2r = xr[i2] - xr[i3];
      const d2i = xi[i2] - xi[i3];
      // Output k and 5-k are A_k -/+ i*B_k.
      const A1r = a0r + C1_5 * b1r + C2_5 * b2r;
      const A1i = a0i + C1_5 * b1i + C2_5 * b2i;
      const B1r = S1_5 * d1r + S2_5 * d2r;
      const B1i = S1_5 * d1i + S2_5 * d2i;
      const A2r = a0r + C2_5 * b1r + C1_5 * b2r;
      const A2i = a0i + C2_5 * b1i + C1_5 * b2i;
      const B2r = S2_5 * d1r - S1_5 * d2r;
      const B2i = S2_5 * d1i - S1_5 * d2i;
      const y1r = A1r + B1i;
      const y1i = A1i - B1r;
      const y4r = A1r - B1i;
      const y4i = A1i + B1r;
      const y2r = A2r + B2i;
      const y2i = A2i - B2r;
      const y3r = A2r - B2i;
      const y3i = A2i + B2r;
      const o0 = outBase + r;
      yr[o0] = a0r + b1r + b2r;
      yi[o0] = a0i + b1i + b2i;
      yr[o0 + s] = y1r * w1r - y1i * w1i;
      yi[o0 + s] = y1r * w1i + y1i * w1r;
      yr[o0 + 2 * s] = y2r * w2r - y2i * w2i;
      yi[o0 + 2 * s] = y2r * w2i + y2i * w2r;
      yr[o0 + 3 * s] = y3r * w3r - y3i * w3i;
      yi[o0 + 3 * s] = y3r * w3i + y3i * w3r;
      yr[o0 + 4 * s] = y4r * w4r - y4i * w4i;
      yi[o0 + 4 * s] = y4r * w4i + y4i * w4r;
    }
  }
}

const C1_7 = Math.cos((2 * Math.PI) / 7);
const C2_7 = Math.cos((4 * Math.PI) / 7);
const C3_7 = Math.cos((6 * Math.PI) / 7);
const S1_7 = Math.sin((2 * Math.PI) / 7);
const S2_7 = Math.sin((4 * Math.PI) / 7);
const S3_7 = Math.sin((6 * Math.PI) / 7);

function radix7(m: number, s: number, xr: Float64Array, xi: Float64Array, yr: Float64Array, yi: Float64Array, tw: Float64Array): void {
  const sm = s * m;
  for (let q = 0; q < m; q++) {
    const t = 12 * q;
    const inBase = s * q;
    const outBase = 7 * s * q;
    for (let r = 0; r < s; r++) {
      const i0 = inBase + r;
      const i1 = i0 + sm;
      const i2 = i1 + sm;
      const i3 = i2 + sm;
      const i4 = i3 + sm;
      const i5 = i4 + sm;
      const i6 = i5 + sm;
      const a0r = xr[i0];
      const a0i = xi[i0];
      const b1r = xr[i1] + xr[i6];
      const b1i = xi[i1] + xi[i6];
      const d1r = xr[i1] - xr[i6];
      const d1i = xi[i1] - xi[i6];
      const b2r = xr[i2] + xr[i5];
      const b2i = xi[i2] + xi[i5];
      const d2r = xr[i2] - xr[i5];
      const d2i = xi[i2] - xi[i5];
      const b3r = xr[i3] + xr[i4];
      const b3i = xi[i3] + xi[i4];
      const d3r = xr[i3] - xr[i4];
      const d3i = xi[i3] - xi[i4];
      // Output k and 7-k are A_k -/+ i*B_k, with cos/sin of 2*pi*j*k/7 folded onto j*k mod 7.
      const A1r = a0r + C1_7 * b1r + C2_7 * b2r + C3_7 * b3r;
      const A1i = a0i + C1_7 * b1i + C2_7 * b2i + C3_7 * b3i;
      const B1r = S1_7 * d1r + S2_7 * d2r + S3_7 * d3r;
      const B1i = S1_7 * d1i + S2_7 * d2i + S3_7 * d3i;
      const A2r = a0r + C2_7 * b1r + C3_7 * b2r + C1_7 * b3r;
      const A2i = a0i + C2_7 * b1i + C3_7 * b2i + C1_7 * b3i;
      const B2r = S2_7 * d1r - S3_7 * d2r - S1_7 * d3r;
      const B2i = S2_7 * d1i - S3_7 * d2i - S1_7 * d3i;
      const A3r = a0r + C3_7 * b1r + C1_7 * b2r + C2_7 * b3r;
      const A3i = a0i + C3_7 * b1i + C1_7 * b2i + C2_7 * b3i;
      const B3r = S3_7 * d1r - S1_7 * d2r + S2_7 * d3r;
      const B3i = S3_7 * d1i - S1_7 * d2i + S2_7 * d3i;
      const o0 = outBase + r;
      yr[o0] = a0r + b1r + b2r + b3r;
      yi[o0] = a0i + b1i + b2i + b3i;
      const v1r = A1r + B1i;
      const v1i = A1i - B1r;
      const w1r = tw[t];
      const w1i = tw[t + 1];
      yr[o0 + s] = v1r * w1r - v1i * w1i;
      yi[o0 + s] = v1r * w1i + v1i * w1r;
      const v2r = A2r + B2i;
      const v2i = A2i - B2r;
      const w2r = tw[t + 2];
      const w2i = tw[t + 3];
      yr[o0 + 2 * s] = v2r * w2r - v2i * w2i;
      yi[o0 + 2 * s] = v2r * w2i + v2i * w2r;
      const v3r = A3r + B3i;
      const v3i = A3i - B3r;
      const w3r = tw[t + 4];
      const w3i = tw[t + 5];
      yr[o0 + 3 * s] = v3r * w3r - v3i * w3i;
      yi[o0 + 3 * s] = v3r * w3i + v3i * w3r;
      const v4r = A3r - B3i;
      const v4i = A3i + B3r;
      const w4r = tw[t + 6];
      const w4i = tw[t + 7];
      yr[o0 + 4 * s] = v4r * w4r - v4i * w4i;
      yi[o0 + 4 * s] = v4r * w4i + v4i * w4r;
      const v5r = A2r - B2i;
      const v5i = A2i + B2r;
      const w5r = tw[t + 8];
      const w5i = tw[t + 9];
      yr[o0 + 5 * s] = v5r * w5r - v5i * w5i;
      yi[o0 + 5 * s] = v5r * w5i + v5i * w5r;
      const v6r = A1r - B1i;
      const v6i = A1i + B1r;
      const w6r = tw[t + 10];
      const w6i = tw[t + 11];
      yr[o0 + 6 * s] = v6r * w6r - v6i * w6i;
      yi[o0 + 6 * s] = v6r * w6i + v6i * w6r;
    }
  }
}

/** FFT of a real signal of fixed even 7-smooth length `size`, and its inverse. */
export class MixedRadixRealFft {
  /** Signal length n (real samples). */
  readonly size: number;
  /** Number of non-negative frequency bins, n/2 + 1. */
  readonly nFreq: number;
  private readonly inner: MixedRadixFft;
  /** cos(2*pi*k/n) and -sin(2*pi*k/n) for k = 0..n/2, used by the split step. */
  private readonly splitRe: Float64Array;
  private readonly splitIm: Float64Array;

  constructor(size: number) {
    if (!(size >= 2 && size % 2 === 0 && isSevenSmooth(size))) {
      throw new RangeError(`Real mixed-radix FFT size must be even and 7-smooth, got ${size}`);
    }
    this.size = size;
    const half = size / 2;
    this.nFreq = half + 1;
    this.inner = new MixedRadixFft(half);
    this.splitRe = new Float64Array(half + 1);
    this.splitIm = new Float64Array(half + 1);
    for (let k = 0; k <= half; k++) {
      const angle = (2 * Math.PI * k) / size;
      this.splitRe[k] = Math.cos(angle);
      this.splitIm[k] = -Math.sin(angle);
    }
  }

  /**
   * Spectrum X[k], k = 0..n/2, of a real signal (numpy.fft.rfft).
   * @param input real samples; reads the first min(n, input.length), the rest count as zeros
   * @param outRe real parts, length >= nFreq
   * @param outIm imaginary parts, length >= nFreq
   */
  forward(input: ArrayLike<number>, outRe: Float64Array, outIm: Float64Array): void {
    if (outRe.length < this.nFreq || outIm.length < this.nFreq) throw new RangeError(`Real FFT output must hold ${this.nFreq} bins`);
    const half = this.size / 2;
    const [aRe, aIm, bRe, bIm] = halfBuffers(half);
    packReal(input, aRe, aIm, half);
    const inA = this.inner.run(aRe, aIm, bRe, bIm);
    splitForward(inA ? aRe : bRe, inA ? aIm : bIm, this.splitRe, this.splitIm, outRe, outIm, half);
  }

  /**
   * Real signal of length n from its bins 0..n/2 (numpy.fft.irfft with n given: scaled by 1/n,
   * imaginary parts of bins 0 and n/2 ignored).
   * @param out receives samples first..first+count-1 of the result (a float32 destination saves a copy)
   * @param scale extra factor applied to the result, free of charge (default 1)
   * @param first first sample to write (default 0)
   * @param count number of samples to write (default: the rest, n - first)
   */
  inverse(inRe: Float64Array, inIm: Float64Array, out: Float64Array | Float32Array, scale = 1, first = 0, count = this.size - first): void {
    if (inRe.length < this.nFreq || inIm.length < this.nFreq) throw new RangeError(`Real FFT input must hold ${this.nFreq} bins`);
    if (!(first >= 0 && count >= 0 && first + count <= this.size && out.length >= count)) {
      throw new RangeError(`Real FFT output range [${first}, ${first + count}) does not fit ${this.size} samples or a buffer of ${out.length}`);
    }
    const half = this.size / 2;
    // Z is stored swapped (re <-> im) so that a forward FFT computes the inverse.
    const [aRe, aIm, bRe, bIm] = halfBuffers(half);
    splitInverse(inRe, inIm, this.splitRe, this.splitIm, aIm, aRe, half, scale / this.size);
    const inA = this.inner.run(aRe, aIm, bRe, bIm);
    // Swapped back: the real part of z is in the "im" buffer.
    interleave(inA ? aIm : bIm, inA ? aRe : bRe, out, first, count);
  }
}

// The O(n) steps of the real FFT, one loop per function so that V8 optimizes each on its own
// (a loop compiled on stack replacement deoptimizes at the first later line it has not seen run).

/** z[m] = x[2m] + i*x[2m+1] for m < half; samples past the end of x count as zeros. */
function packReal(x: ArrayLike<number>, zr: Float64Array, zi: Float64Array, half: number): void {
  const length = Math.min(x.length, 2 * half);
  const pairs = length >> 1;
  zr.fill(0, pairs, half);
  zi.fill(0, pairs, half);
  if (length % 2 === 1) zr[pairs] = x[length - 1];
  for (let m = 0; m < pairs; m++) {
    zr[m] = x[2 * m];
    zi[m] = x[2 * m + 1];
  }
}

/**
 * X[k] for k = 0..half from Z, the half-length FFT of z: E = (Z[k] + conj Z[half-k]) / 2 is the
 * FFT of the even samples, O = -i (Z[k] - conj Z[half-k]) / 2 that of the odd samples, and with
 * P = W^k O, X[k] = E + P and X[half-k] = conj(E - P): each step makes two bins.
 */
function splitForward(Zr: Float64Array, Zi: Float64Array, wr: Float64Array, wi: Float64Array, outRe: Float64Array, outIm: Float64Array, half: number): void {
  outRe[0] = Zr[0] + Zi[0];
  outIm[0] = 0;
  outRe[half] = Zr[0] - Zi[0];
  outIm[half] = 0;
  for (let k = 1, j = half - 1; k <= j; k++, j--) {
    const ar = Zr[k];
    const ai = Zi[k];
    const br = Zr[j];
    const bi = -Zi[j];
    const er = 0.5 * (ar + br);
    const ei = 0.5 * (ai + bi);
    const or = 0.5 * (ai - bi);
    const oi = -0.5 * (ar - br);
    const c = wr[k];
    const s = wi[k];
    const pr = or * c - oi * s;
    const pi = or * s + oi * c;
    outRe[k] = er + pr;
    outIm[k] = ei + pi;
    outRe[j] = er - pr;
    outIm[j] = pi - ei;
  }
}

/**
 * Z[k] = E[k] + i*O[k], k < half, from the bins X[0..half]: E = (X[k] + conj X[half-k]) / 2 and
 * O = (X[k] - conj X[half-k]) / (2 W^k) are the spectra of the even and odd samples. `f` carries
 * the 1/2, the 1/half of the inverse and any extra scale. Imaginary parts of X[0], X[half] are
 * ignored. Bins k and j = half-k share their inputs: E[j] = conj E[k] and, as W^j = -conj W^k,
 * O[j] = conj O[k]; so each step makes Z[k] and Z[j].
 */
function splitInverse(inRe: Float64Array, inIm: Float64Array, wr: Float64Array, wi: Float64Array, zr: Float64Array, zi: Float64Array, half: number, f: number): void {
  {
    // k = 0: X[0] and X[half] are real.
    const x0 = inRe[0];
    const xh = inRe[half];
    zr[0] = f * (x0 + xh);
    zi[0] = f * (x0 - xh);
  }
  for (let k = 1, j = half - 1; k <= j; k++, j--) {
    const xr = inRe[k];
    const xi = inIm[k];
    const cr = inRe[j];
    const ci = -inIm[j];
    // E = f (X[k] + conj X[j]), D = f (X[k] - conj X[j]); O = D conj(W^k).
    const er = f * (xr + cr);
    const ei = f * (xi + ci);
    const dr = f * (xr - cr);
    const di = f * (xi - ci);
    const c = wr[k];
    const s = -wi[k];
    const or = dr * c - di * s;
    const oi = dr * s + di * c;
    zr[k] = er - oi;
    zi[k] = ei + or;
    zr[j] = er + oi;
    zi[j] = or - ei;
  }
}

/** out[i] = x[first + i] for i < count, where x[2m] = re[m] and x[2m+1] = im[m]. */
function interleave(re: Float64Array, im: Float64Array, out: Float64Array | Float32Array, first: number, count: number): void {
  if (count === 0) return;
  // An odd first sample and an even last one are written apart, so the loop moves whole pairs.
  const lead = first & 1;
  if (lead === 1) out[0] = im[first >> 1];
  const rest = count - lead;
  if (rest & 1) out[count - 1] = re[(first + count - 1) >> 1];
  const pairs = rest >> 1;
  const base = (first + lead) >> 1;
  for (let p = 0; p < pairs; p++) {
    out[lead + 2 * p] = re[base + p];
    out[lead + 2 * p + 1] = im[base + p];
  }
}

const SLOT_A_RE = 0;
const SLOT_A_IM = 1;
const SLOT_B_RE = 2;
const SLOT_B_IM = 3;
const shared: Float64Array[] = [];

/**
 * Work buffers shared by all plans, grown on demand, so that a plan holds only its twiddles.
 * Safe because no transform calls another while it runs and each JS thread has its own module.
 */
function sharedBuffer(slot: number, length: number): Float64Array {
  let buffer = shared[slot];
  if (buffer === undefined || buffer.length < length) {
    buffer = new Float64Array(length);
    shared[slot] = buffer;
  }
  return buffer.length === length ? buffer : buffer.subarray(0, length);
}

function halfBuffers(half: number): [Float64Array, Float64Array, Float64Array, Float64Array] {
  return [sharedBuffer(SLOT_A_RE, half), sharedBuffer(SLOT_A_IM, half), sharedBuffer(SLOT_B_RE, half), sharedBuffer(SLOT_B_IM, half)];
}

const PLAN_CACHE_LIMIT = 16;
const complexPlans = new Map<number, MixedRadixFft>();
const realPlans = new Map<number, MixedRadixRealFft>();

function cached<T>(cache: Map<number, T>, size: number, build: (size: number) => T): T {
  let plan = cache.get(size);
  if (plan === undefined) {
    plan = build(size);
    // Least recently used first: a plan holds about 2 * size doubles of twiddles.
    if (cache.size >= PLAN_CACHE_LIMIT) cache.delete(cache.keys().next().value as number);
  } else {
    cache.delete(size);
  }
  cache.set(size, plan);
  return plan;
}

/** Cached complex plan for a 7-smooth `size`. */
export function mixedRadixFftPlan(size: number): MixedRadixFft {
  return cached(complexPlans, size, (n) => new MixedRadixFft(n));
}

/** Cached real plan for an even 7-smooth `size`. */
export function mixedRadixRealFftPlan(size: number): MixedRadixRealFft {
  return cached(realPlans, size, (n) => new MixedRadixRealFft(n));
}
