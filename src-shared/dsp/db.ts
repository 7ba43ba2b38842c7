/**
 * Power to decibel conversion (librosa.power_to_db).
 */

/** Options of `powerToDb`. */
export interface PowerToDbOptions {
  /**
   * Reference power that maps to 0 dB: a positive number (default 1.0, so
   * values are absolute dB re. a full-scale unit power), or 'max' to use the
   * largest value of the input (the result then peaks at 0 dB).
   */
  ref?: number | 'max';
  /** Floor applied to the power and to the reference before the log. Default 1e-10 (-100 dB). */
  amin?: number;
  /**
   * Dynamic range kept below the maximum of the whole input, in dB: values
   * are raised to max - topDb. Default 80; null disables the clipping.
   */
  topDb?: number | null;
}

/** Default amin of power_to_db. */
export const DEFAULT_AMIN = 1e-10;
/** Default top_db of power_to_db. */
export const DEFAULT_TOP_DB = 80;

/** `PowerToDbOptions` with every default applied. */
export interface ResolvedPowerToDbOptions {
  readonly ref: number | 'max';
  readonly amin: number;
  readonly topDb: number | null;
}

/** Applies the defaults of `PowerToDbOptions` and validates the result. */
export function resolvePowerToDbOptions(options: PowerToDbOptions = {}): ResolvedPowerToDbOptions {
  const ref = options.ref ?? 1.0;
  const amin = options.amin ?? DEFAULT_AMIN;
  const topDb = options.topDb === undefined ? DEFAULT_TOP_DB : options.topDb;
  if (!(amin > 0)) throw new RangeError(`amin must be > 0, got ${amin}`);
  if (topDb !== null && !(topDb >= 0)) throw new RangeError(`topDb must be >= 0, got ${topDb}`);
  return { ref, amin, topDb };
}

/**
 * 10 * log10(max(amin, S) / max(amin, ref)), then clipped to topDb below the
 * global maximum. Shape-agnostic: the input is treated as one flat array
 * (the max and the topDb clipping span all of it, as in librosa).
 *
 * @param power non-negative power values, any layout
 * @param out destination of the same length (may be `power` itself); allocated when omitted
 * @returns `out`, in dB
 */
export function powerToDb(
  power: ArrayLike<number>,
  options: PowerToDbOptions = {},
  out: Float64Array = new Float64Array(power.length),
): Float64Array {
  const { ref, amin, topDb } = resolvePowerToDbOptions(options);
  if (out.length < power.length) throw new RangeError('output is shorter than the input');
  const n = power.length;
  let refValue: number;
  if (ref === 'max') {
    refValue = -Infinity;
    for (let i = 0; i < n; i++) if (power[i] > refValue) refValue = power[i];
  } else {
    refValue = Math.abs(ref);
  }
  const refDb = 10.0 * Math.log10(Math.max(amin, refValue));
  let maxDb = -Infinity;
  for (let i = 0; i < n; i++) {
    const db = 10.0 * Math.log10(Math.max(amin, power[i])) - refDb;
    out[i] = db;
    if (db > maxDb) maxDb = db;
  }
  if (topDb !== null) {
    const floor = maxDb - topDb;
    for (let i = 0; i < n; i++) if (out[i] < floor) out[i] = floor;
  }
  return out;
}

