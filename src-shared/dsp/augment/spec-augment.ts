/**
 * SpecAugment masking (Park et al. 2019) on 2-D features such as log-mel
 * spectrograms: bands of rows (frequency masks) and of columns (time masks)
 * are overwritten with a fill value. Seeded and reproducible.
 */

import type { FrameMatrix } from '../frames.js';
import { Random } from '../random.js';

/** Options of `specAugment`. */
export interface SpecAugmentOptions {
  /** Number of frequency masks (mF). Default 2. */
  freqMasks?: number;
  /**
   * Largest frequency-mask width in rows (F); each width is uniform in
   * [0, F]. Default 15 (of 128 mel bands, ~12%).
   */
  maxFreqWidth?: number;
  /** Number of time masks (mT). Default 2. */
  timeMasks?: number;
  /**
   * Largest time-mask width in frames (T); each width is uniform in
   * [0, min(T, floor(maxTimeFraction * nFrames))]. Default 20 frames
   * (0.46 s at hop 512, 22050 Hz): the paper's T = 100 would blank most
   * of a 2.5 s clip.
   */
  maxTimeWidth?: number;
  /** Upper bound on a time mask as a fraction of the frames (p). Default 1 (no extra bound). */
  maxTimeFraction?: number;
  /**
   * Value written into masked cells: 'mean' (default) is the mean of the
   * whole input matrix, a number is used as is (e.g. 0 for normalised
   * features, -80 for dB referenced to the maximum).
   */
  fill?: 'mean' | number;
}

/** One applied mask: rows (axis 'freq') or frames (axis 'time') [start, start + width). */
export interface AppliedMask {
  axis: 'freq' | 'time';
  start: number;
  width: number;
}

function nonNegativeInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
  return value;
}

/**
 * Applies `freqMasks` frequency masks, then `timeMasks` time masks. Each
 * mask draws its width w uniformly from [0, max] and its start uniformly
 * from [0, size - w]; masks may overlap, and a width of 0 masks nothing.
 *
 * @param features `[nRows][nFrames]` (e.g. `[nMels][nFrames]`); not modified
 * @param seed PRNG seed
 * @returns a masked copy and the masks in the order they were drawn
 */
export function specAugment(
  features: FrameMatrix,
  seed: number,
  options: SpecAugmentOptions = {},
): { features: FrameMatrix; masks: AppliedMask[] } {
  const { nRows, nFrames } = features;
  const freqMasks = nonNegativeInteger('freqMasks', options.freqMasks ?? 2);
  const timeMasks = nonNegativeInteger('timeMasks', options.timeMasks ?? 2);
  const maxFreqWidth = Math.min(nRows, nonNegativeInteger('maxFreqWidth', options.maxFreqWidth ?? 15));
  const fraction = options.maxTimeFraction ?? 1;
  if (!(fraction >= 0 && fraction <= 1)) throw new RangeError(`maxTimeFraction must be in [0, 1], got ${fraction}`);
  const maxTimeWidth = Math.min(
    nFrames,
    nonNegativeInteger('maxTimeWidth', options.maxTimeWidth ?? 20),
    Math.floor(fraction * nFrames),
  );
  const data = features.data.slice();
  let fill: number;
  const fillOption = options.fill ?? 'mean';
  if (fillOption === 'mean') {
    let sum = 0;
    for (let i = 0; i < data.length; i++) sum += data[i];
    fill = data.length === 0 ? 0 : sum / data.length;
  } else {
    fill = fillOption;
  }
  const rng = new Random(seed);
  const masks: AppliedMask[] = [];
  for (let m = 0; m < freqMasks; m++) {
    const width = rng.integer(0, maxFreqWidth + 1);
    const start = rng.integer(0, nRows - width + 1);
    data.fill(fill, start * nFrames, (start + width) * nFrames);
    masks.push({ axis: 'freq', start, width });
  }
  for (let m = 0; m < timeMasks; m++) {
    const width = rng.integer(0, maxTimeWidth + 1);
    const start = rng.integer(0, nFrames - width + 1);
    for (let r = 0; r < nRows; r++) data.fill(fill, r * nFrames + start, r * nFrames + start + width);
    masks.push({ axis: 'time', start, width });
  }
  return { features: { nRows, nFrames, data }, masks };
}
