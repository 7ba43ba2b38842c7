/**
 * Seeded pseudo-random numbers for reproducible augmentation.
 *
 * The generator is xoshiro128** (Blackman & Vigna), 128 bits of state in four
 * uint32 words, seeded by expanding the seed with splitmix32. Every step is
 * 32-bit integer arithmetic (Math.imul, shifts), so a seed gives the same
 * sequence on every platform and JS engine. Normal deviates use Marsaglia's
 * polar method, which needs only Math.log and Math.sqrt (sqrt is correctly
 * rounded by the spec; log is the same fdlibm port in V8, i.e. Node,
 * Electron and Chromium alike) rather than sin/cos.
 *
 * Period 2^128 - 1; not for cryptography.
 */

/** splitmix32 step: returns the next output and advances `state[0]`. */
function splitmix32(state: Uint32Array): number {
  state[0] = (state[0] + 0x9e3779b9) >>> 0;
  let z = state[0];
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** 2^-32 and 2^-53, exact. */
const INV_2_32 = 1 / 4294967296;
const INV_2_53 = 1 / 9007199254740992;

/** Seedable PRNG: uniform, integer and normal deviates. */
export class Random {
  private readonly s = new Uint32Array(4);
  /** Second deviate of the last polar pair, or NaN when none is pending. */
  private spareNormal = Number.NaN;

  /**
   * @param seed any finite number; integers in [0, 2^53) give distinct
   *   streams (the low and high 32-bit halves are both mixed in).
   */
  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
    const integer = Math.trunc(Math.abs(seed));
    const low = integer % 4294967296;
    const high = Math.floor(integer / 4294967296) % 4294967296;
    const mix = new Uint32Array([low ^ Math.imul(high, 0x27d4eb2d) ^ (seed < 0 ? 0x5bd1e995 : 0)]);
    for (let i = 0; i < 4; i++) this.s[i] = splitmix32(mix);
    // The all-zero state is the one fixed point of xoshiro.
    if ((this.s[0] | this.s[1] | this.s[2] | this.s[3]) === 0) this.s[0] = 1;
  }

  /** Next uniform integer in [0, 2^32). */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /**
   * Uniform deviate in [low, high) with 53 random bits, like numpy's
   * `uniform(low, high)`.
   * @param low inclusive lower bound, default 0
   * @param high exclusive upper bound, default 1
   */
  uniform(low = 0, high = 1): number {
    const a = this.nextUint32() >>> 5; // 27 bits
    const b = this.nextUint32() >>> 6; // 26 bits
    const unit = (a * 67108864 + b) * INV_2_53;
    return low + (high - low) * unit;
  }

  /** Uniform deviate in [0, 1) with 32 random bits (cheaper; for bulk noise). */
  uniform32(): number {
    return this.nextUint32() * INV_2_32;
  }

  /**
   * Uniform integer in [minInclusive, maxExclusive), unbiased (rejection
   * sampling). The range must be at most 2^32.
   */
  integer(minInclusive: number, maxExclusive: number): number {
    if (!Number.isInteger(minInclusive) || !Number.isInteger(maxExclusive) || maxExclusive <= minInclusive) {
      throw new RangeError(`integer range [${minInclusive}, ${maxExclusive}) is empty or not integral`);
    }
    const range = maxExclusive - minInclusive;
    if (range > 4294967296) throw new RangeError(`integer range ${range} exceeds 2^32`);
    // Largest multiple of range that fits in 2^32: draws at or above it are rejected.
    const limit = 4294967296 - (4294967296 % range);
    let draw = this.nextUint32();
    while (draw >= limit) draw = this.nextUint32();
    return minInclusive + (draw % range);
  }

  /**
   * Normal deviate (Marsaglia polar method), like numpy's `normal(mean, std)`.
   * @param mean default 0
   * @param std standard deviation, default 1
   */
  normal(mean = 0, std = 1): number {
    let z = this.spareNormal;
    if (Number.isNaN(z)) {
      let u: number;
      let v: number;
      let s: number;
      do {
        u = 2 * this.uniform() - 1;
        v = 2 * this.uniform() - 1;
        s = u * u + v * v;
      } while (s >= 1 || s === 0);
      const factor = Math.sqrt((-2 * Math.log(s)) / s);
      this.spareNormal = v * factor;
      z = u * factor;
    } else {
      this.spareNormal = Number.NaN;
    }
    return mean + std * z;
  }

  /** Fills `out` with independent N(mean, std^2) deviates and returns it. */
  fillNormal<T extends Float64Array | Float32Array>(out: T, mean = 0, std = 1): T {
    for (let i = 0; i < out.length; i++) out[i] = this.normal(mean, std);
    return out;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
