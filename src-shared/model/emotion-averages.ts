import { SEED_FULL_FRAMES, SEED_N_MFCC, splitSeedVector } from './seed-layout.js';

/** One label's averages over the seed vectors of its clips. */
export interface EmotionAverage {
  label: string;
  clips: number;
  /** [nMfcc]: each coefficient's mean over every frame of every clip. */
  mfccMean: number[];
  /** [nMfcc]: the standard deviation of those frame values. */
  mfccStd: number[];
  /** [108]: RMS at each frame, averaged over the clips that reach that frame; null where none does. */
  rmsContour: (number | null)[];
  /** [108]: the same for the zero-crossing rate. */
  zcrContour: (number | null)[];
}

interface Sums {
  clips: number;
  mfccSum: Float64Array;
  mfccSquares: Float64Array;
  mfccFrames: number;
  rmsSum: Float64Array;
  zcrSum: Float64Array;
  frameClips: Float64Array;
}

/**
 * Accumulates per-label averages from seed vectors one clip at a time, so a large catalog never
 * has to be held in memory. Each clip is split with its own frame count (a short excerpt has
 * fewer frames and its blocks sit earlier in the vector).
 */
export class SeedAverages {
  private readonly sums = new Map<string, Sums>();

  add(label: string, vector: ArrayLike<number>, nFrames: number = SEED_FULL_FRAMES): void {
    const frames = Math.min(nFrames, SEED_FULL_FRAMES);
    const parts = splitSeedVector(vector, nFrames);
    let sums = this.sums.get(label);
    if (sums === undefined) {
      sums = {
        clips: 0,
        mfccSum: new Float64Array(SEED_N_MFCC),
        mfccSquares: new Float64Array(SEED_N_MFCC),
        mfccFrames: 0,
        rmsSum: new Float64Array(SEED_FULL_FRAMES),
        zcrSum: new Float64Array(SEED_FULL_FRAMES),
        frameClips: new Float64Array(SEED_FULL_FRAMES),
      };
      this.sums.set(label, sums);
    }
    sums.clips += 1;
    for (let t = 0; t < frames; t++) {
      if (Number.isNaN(parts.rms[t])) break;
      sums.rmsSum[t] += parts.rms[t];
      sums.zcrSum[t] += parts.zcr[t];
      sums.frameClips[t] += 1;
    }
    for (let t = 0; t < parts.nFrames; t++) {
      if (Number.isNaN(parts.mfcc[t])) break;
      for (let k = 0; k < SEED_N_MFCC; k++) {
        const value = parts.mfcc[k * parts.nFrames + t];
        sums.mfccSum[k] += value;
        sums.mfccSquares[k] += value * value;
      }
      sums.mfccFrames += 1;
    }
  }

  /** Labels in the given order first, then the rest A–Z. */
  result(order: readonly string[] = []): EmotionAverage[] {
    const labels = [...order.filter((label) => this.sums.has(label)), ...[...this.sums.keys()].filter((label) => !order.includes(label)).sort()];
    return labels.map((label) => {
      const sums = this.sums.get(label) as Sums;
      const n = Math.max(1, sums.mfccFrames);
      const mfccMean = Array.from(sums.mfccSum, (sum) => sum / n);
      const mfccStd = Array.from(sums.mfccSquares, (squares, k) => Math.sqrt(Math.max(0, squares / n - mfccMean[k] ** 2)));
      const contour = (values: Float64Array) => Array.from(values, (sum, t) => (sums.frameClips[t] > 0 ? sum / sums.frameClips[t] : null));
      return { label, clips: sums.clips, mfccMean, mfccStd, rmsContour: contour(sums.rmsSum), zcrContour: contour(sums.zcrSum) };
    });
  }
}
