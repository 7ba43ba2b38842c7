/**
 * Framing conventions shared by the STFT and the frame-wise features
 * (librosa.util.frame with librosa's `center` padding).
 */

/**
 * A real matrix with one column per analysis frame, stored row-major:
 * element (row r, frame t) is `data[r * nFrames + t]`, layout `[nRows][nFrames]`.
 * This is librosa's `(..., n_rows, n_frames)` orientation.
 */
export interface FrameMatrix {
  readonly nRows: number;
  readonly nFrames: number;
  readonly data: Float64Array;
}

/** Throws unless `value` is an integer >= `min`. */
export function assertInteger(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`${name} must be an integer >= ${min}, got ${value}`);
  }
}

/**
 * Number of frames librosa produces for a signal.
 *
 * With `center`, the signal is padded by floor(frameLength/2) samples on each
 * side, so frame t is centered on sample t*hopLength and, for even
 * frameLength, nFrames = 1 + floor(signalLength / hopLength).
 * Without `center`, frames start at sample 0 and only whole frames count.
 *
 * @throws RangeError when the (padded) signal is shorter than one frame,
 *   as librosa does.
 */
export function frameCount(
  signalLength: number,
  frameLength: number,
  hopLength: number,
  center: boolean,
): number {
  assertInteger('frameLength', frameLength, 1);
  assertInteger('hopLength', hopLength, 1);
  const padded = signalLength + (center ? 2 * Math.floor(frameLength / 2) : 0);
  if (padded < frameLength) {
    throw new RangeError(
      `signal of ${signalLength} samples is shorter than one frame of ${frameLength}` +
        (center ? ' after centering' : ''),
    );
  }
  return 1 + Math.floor((padded - frameLength) / hopLength);
}

/** Samples of padding on the left of the signal: floor(frameLength/2) when centered, else 0. */
export function centerPadding(frameLength: number, center: boolean): number {
  return center ? Math.floor(frameLength / 2) : 0;
}
