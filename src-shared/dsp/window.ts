/**
 * Analysis windows (scipy.signal.get_window conventions, as used by librosa).
 */

/**
 * Hann window.
 *
 * @param length number of samples (win_length)
 * @param periodic true (default, librosa's `fftbins=True`) for the DFT-even
 *   window used in spectral analysis, w[n] = 0.5 - 0.5*cos(2*pi*n/length);
 *   false for the symmetric filter-design window with denominator length-1.
 * @returns Float64Array of `length` weights in [0, 1]
 */
export function hannWindow(length: number, periodic = true): Float64Array {
  if (!Number.isInteger(length) || length < 0) {
    throw new RangeError(`window length must be a non-negative integer, got ${length}`);
  }
  const w = new Float64Array(length);
  if (length === 1) {
    w[0] = 1;
    return w;
  }
  const denominator = periodic ? length : length - 1;
  for (let n = 0; n < length; n++) {
    w[n] = 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / denominator);
  }
  return w;
}

/**
 * Centers `window` inside `size` samples with zeros on both sides
 * (librosa.util.pad_center: left pad = floor((size - length) / 2)).
 *
 * @returns Float64Array of length `size`
 */
export function padCenter(window: Float64Array, size: number): Float64Array {
  if (window.length > size) {
    throw new RangeError(`window length ${window.length} exceeds target size ${size}`);
  }
  const out = new Float64Array(size);
  out.set(window, Math.floor((size - window.length) / 2));
  return out;
}
