/**
 * Per-feature standardisation (scikit-learn's StandardScaler with population variance), fitted on
 * training rows only and saved with the model. Non-finite inputs become 0 before fitting and after
 * scaling, as the seed's `np.nan_to_num` did; a constant feature gets scale 1.
 */
export interface StandardScaler {
  kind: 'standard';
  mean: number[];
  scale: number[];
}

/** Fits on `rows` rows of `width` values each ([rows][width], row-major). */
export function fitScaler(x: Float32Array, width: number): StandardScaler {
  const rows = x.length / width;
  if (!Number.isInteger(rows) || rows === 0) throw new Error(`cannot fit a scaler: ${x.length} values are not whole rows of ${width}`);
  const sum = new Float64Array(width);
  const sumSq = new Float64Array(width);
  for (let r = 0; r < rows; r++) {
    const base = r * width;
    for (let j = 0; j < width; j++) {
      const v = x[base + j];
      const value = Number.isFinite(v) ? v : 0;
      sum[j] += value;
      sumSq[j] += value * value;
    }
  }
  const mean = new Array<number>(width);
  const scale = new Array<number>(width);
  for (let j = 0; j < width; j++) {
    const m = sum[j] / rows;
    const variance = Math.max(0, sumSq[j] / rows - m * m);
    mean[j] = m;
    // scikit-learn treats a (near-)zero variance as 1 so the column passes through centred
    scale[j] = variance > 1e-12 ? Math.sqrt(variance) : 1;
  }
  return { kind: 'standard', mean, scale };
}

/** Scales rows in place and returns them. */
export function applyScaler(scaler: StandardScaler, x: Float32Array): Float32Array {
  const width = scaler.mean.length;
  if (x.length % width !== 0) throw new Error(`cannot scale ${x.length} values with a scaler of width ${width}`);
  const mean = Float32Array.from(scaler.mean);
  const inv = Float32Array.from(scaler.scale, (s) => 1 / s);
  for (let base = 0; base < x.length; base += width) {
    for (let j = 0; j < width; j++) {
      const raw = x[base + j];
      x[base + j] = ((Number.isFinite(raw) ? raw : 0) - mean[j]) * inv[j];
    }
  }
  return x;
}
