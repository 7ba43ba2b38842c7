import type { Random } from '../dsp/random.js';

/**
 * Batch-level augmentation for training batches only, on features already scaled (so 0 is the
 * training mean): SpecAugment-style masks for spectrogram inputs and mixup for any input.
 */

/** Gamma(shape, 1) deviate (Marsaglia & Tsang 2000; shape < 1 through the boost Gamma(a+1)·U^(1/a)). */
function gamma(random: Random, shape: number): number {
  if (shape < 1) return gamma(random, shape + 1) * Math.pow(random.uniform(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = random.normal();
    const v0 = 1 + c * x;
    if (v0 <= 0) continue;
    const v = v0 * v0 * v0;
    const u = random.uniform();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** Beta(α, α) deviate. */
export function betaSymmetric(random: Random, alpha: number): number {
  const a = gamma(random, alpha);
  const b = gamma(random, alpha);
  return a / (a + b);
}

/**
 * Mixup (Zhang et al. 2018) in place: row i becomes λ·row i + (1-λ)·row perm(i), and so do its
 * targets; one λ ~ Beta(α, α) per batch, folded to ≥ 0.5 so each row keeps its own identity.
 * @param x [n][width] features, @param targets [n][k] one-hot targets
 */
export function mixup(random: Random, alpha: number, x: Float32Array, width: number, targets: Float32Array, k: number): void {
  const n = targets.length / k;
  if (n < 2 || alpha <= 0) return;
  let lambda = betaSymmetric(random, alpha);
  lambda = Math.max(lambda, 1 - lambda);
  const perm = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = random.integer(0, i + 1);
    [perm[i], perm[j]] = [perm[j], perm[i]];
  }
  const x0 = x.slice();
  const t0 = targets.slice();
  for (let i = 0; i < n; i++) {
    const p = perm[i];
    for (let j = 0; j < width; j++) x[i * width + j] = lambda * x0[i * width + j] + (1 - lambda) * x0[p * width + j];
    for (let c = 0; c < k; c++) targets[i * k + c] = lambda * t0[i * k + c] + (1 - lambda) * t0[p * k + c];
  }
}

export interface SpecAugmentOptions {
  /** Widest frequency mask, in mel bands. */
  maxBands: number;
  /** Widest time mask, in frames. */
  maxFrames: number;
  /** Masks of each kind per example. */
  masks: number;
}

export const DEFAULT_SPEC_AUGMENT: SpecAugmentOptions = { maxBands: 8, maxFrames: 12, masks: 1 };

/**
 * SpecAugment's frequency and time masking (Park et al. 2019, without time warping), in place,
 * on rows laid out [bands][frames]. Masked cells are set to 0, the scaled features' mean.
 */
export function specAugment(random: Random, x: Float32Array, bands: number, frames: number, options: SpecAugmentOptions = DEFAULT_SPEC_AUGMENT): void {
  const width = bands * frames;
  for (let base = 0; base < x.length; base += width) {
    for (let m = 0; m < options.masks; m++) {
      const f = random.integer(0, options.maxBands + 1);
      const f0 = random.integer(0, Math.max(1, bands - f));
      for (let b = f0; b < Math.min(bands, f0 + f); b++) x.fill(0, base + b * frames, base + (b + 1) * frames);
      const t = random.integer(0, options.maxFrames + 1);
      const t0 = random.integer(0, Math.max(1, frames - t));
      for (let b = 0; b < bands; b++) x.fill(0, base + b * frames + t0, base + b * frames + Math.min(frames, t0 + t));
    }
  }
}

/**
 * Frequency warping of spectrogram rows laid out [bands][frames], in place: each example's band
 * axis is stretched by its own factor α ~ U(1 − maxWarp, 1 + maxWarp) (band b takes the value at
 * b / α, linearly interpolated, the top band held past the edge), so a voice's formants and
 * harmonics land a few bands higher or lower — a cheap stand-in for another speaker's vocal tract
 * (VTLP, Jaitly & Hinton 2013).
 */
export function frequencyWarp(random: Random, x: Float32Array, bands: number, frames: number, maxWarp: number): void {
  if (maxWarp <= 0) return;
  const width = bands * frames;
  const source = new Float32Array(width);
  for (let base = 0; base < x.length; base += width) {
    const alpha = 1 + (2 * random.uniform() - 1) * maxWarp;
    source.set(x.subarray(base, base + width));
    for (let b = 0; b < bands; b++) {
      const s = Math.min(bands - 1, b / alpha);
      const lo = Math.floor(s);
      const hi = Math.min(bands - 1, lo + 1);
      const w = s - lo;
      const out = base + b * frames;
      for (let t = 0; t < frames; t++) x[out + t] = (1 - w) * source[lo * frames + t] + w * source[hi * frames + t];
    }
  }
}
