/**
 * Time shifts: the seed notebook's circular roll and a zero-filling shift.
 */

import { Random } from '../random.js';

/**
 * numpy.roll(x, shift) for 1-D x: y[(i + shift) mod n] = x[i]. Positive
 * shifts move samples later, and the tail wraps to the front.
 */
export function roll(x: ArrayLike<number>, shift: number): Float32Array {
  if (!Number.isInteger(shift)) throw new RangeError(`shift must be an integer, got ${shift}`);
  const n = x.length;
  const y = new Float32Array(n);
  if (n === 0) return y;
  const s = ((shift % n) + n) % n;
  for (let i = 0; i < n; i++) y[(i + s) % n] = x[i];
  return y;
}

/**
 * Shift with zero fill: y[i + shift] = x[i] where both indices are in
 * range, 0 elsewhere (nothing wraps around).
 */
export function shiftWithZeros(x: ArrayLike<number>, shift: number): Float32Array {
  if (!Number.isInteger(shift)) throw new RangeError(`shift must be an integer, got ${shift}`);
  const n = x.length;
  const y = new Float32Array(n);
  const lo = Math.max(0, -shift);
  const hi = Math.min(n, n - shift);
  for (let i = lo; i < hi; i++) y[i + shift] = x[i];
  return y;
}

/** Options of `randomTimeShift`. */
export interface RandomShiftOptions {
  /**
   * The shift is int(U(-maxUnits, maxUnits) * unitSamples) samples, truncated
   * toward zero as Python's int(). Default 5 (the seed notebook).
   */
  maxUnits?: number;
  /** Samples per unit. Default 1000 (the notebook: up to ±5000 samples, ±0.23 s at 22050 Hz). */
  unitSamples?: number;
  /** 'roll' (default, the notebook's np.roll) wraps around; 'zero' fills with silence. */
  mode?: 'roll' | 'zero';
}

/**
 * The seed notebook's `shift`: shift_range = int(np.random.uniform(-5, 5) * 1000);
 * np.roll(data, shift_range), seeded.
 *
 * @returns the shifted signal and the shift in samples (positive: later)
 */
export function randomTimeShift(
  x: ArrayLike<number>,
  seed: number,
  options: RandomShiftOptions = {},
): { y: Float32Array; shiftSamples: number } {
  const maxUnits = options.maxUnits ?? 5;
  const unitSamples = options.unitSamples ?? 1000;
  if (!(maxUnits >= 0) || !(unitSamples >= 0)) throw new RangeError('maxUnits and unitSamples must be >= 0');
  const rng = new Random(seed);
  const shiftSamples = Math.trunc(rng.uniform(-maxUnits, maxUnits) * unitSamples) + 0; // + 0 turns -0 into 0
  const y = (options.mode ?? 'roll') === 'roll' ? roll(x, shiftSamples) : shiftWithZeros(x, shiftSamples);
  return { y, shiftSamples };
}
