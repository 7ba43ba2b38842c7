import type { FeatureSetName } from '../dsp/seed.js';

/**
 * Per-channel normalisation of feature rows before the model's scaler: each channel (a mel band,
 * an MFCC coefficient, ZCR, RMS) is centred and scaled by statistics over time and over a group
 * of rows. With the group = one speaker's clips this is speaker-level CMVN, the classic remedy
 * for models that learn the speaker instead of the emotion; with the group = one clip it is
 * utterance-level CMVN, which needs nothing but the clip itself. Uses no labels.
 */
export type Normalization = 'none' | 'utterance' | 'speaker';

/** Where channel c's value at frame t sits in a flat feature row. */
export interface ChannelLayout {
  channels: number;
  frames: number;
  index(channel: number, frame: number): number;
}

export function channelLayout(featureSet: FeatureSetName, featureShape: readonly number[]): ChannelLayout {
  if (featureSet === 'seed-2376') {
    // [zcr × 108 | rms × 108 | mfcc frame-major 108 × 20] (src-shared/dsp/seed.ts)
    const frames = 108;
    return {
      channels: 22,
      frames,
      index: (c, t) => (c === 0 ? t : c === 1 ? frames + t : 2 * frames + t * 20 + (c - 2)),
    };
  }
  const [bands, frames] = featureShape;
  return { channels: bands, frames, index: (c, t) => c * frames + t };
}

export interface ChannelStats {
  mean: Float64Array;
  std: Float64Array;
}

/** Mean and standard deviation per channel over every frame of the given rows. */
export function channelStats(x: Float32Array, width: number, rows: readonly number[], layout: ChannelLayout): ChannelStats {
  const mean = new Float64Array(layout.channels);
  const sq = new Float64Array(layout.channels);
  const n = Math.max(1, rows.length * layout.frames);
  for (const row of rows) {
    const base = row * width;
    for (let c = 0; c < layout.channels; c++) {
      for (let t = 0; t < layout.frames; t++) {
        const v = x[base + layout.index(c, t)];
        const value = Number.isFinite(v) ? v : 0;
        mean[c] += value;
        sq[c] += value * value;
      }
    }
  }
  const std = new Float64Array(layout.channels);
  for (let c = 0; c < layout.channels; c++) {
    mean[c] /= n;
    const variance = sq[c] / n - mean[c] * mean[c];
    std[c] = variance > 1e-12 ? Math.sqrt(variance) : 1;
  }
  return { mean, std };
}

/** Normalises the given rows in place with `stats`. */
export function applyChannelStats(x: Float32Array, width: number, rows: readonly number[], layout: ChannelLayout, stats: ChannelStats): void {
  for (const row of rows) {
    const base = row * width;
    for (let c = 0; c < layout.channels; c++) {
      const mean = stats.mean[c];
      const inv = 1 / stats.std[c];
      for (let t = 0; t < layout.frames; t++) {
        const i = base + layout.index(c, t);
        x[i] = ((Number.isFinite(x[i]) ? x[i] : 0) - mean) * inv;
      }
    }
  }
}

/**
 * Normalises rows in place by group: `groupOf(row)` names a row's group (a speaker, or the row's
 * own clip for 'utterance'); statistics come from the rows `statsRow(row)` admits (original
 * clips, not their augmented copies) and apply to every row of the group.
 */
export function normalizeByGroup(
  x: Float32Array,
  width: number,
  rowCount: number,
  layout: ChannelLayout,
  groupOf: (row: number) => string,
  statsRow: (row: number) => boolean = () => true,
): void {
  const groups = new Map<string, number[]>();
  for (let row = 0; row < rowCount; row++) {
    const key = groupOf(row);
    const list = groups.get(key) ?? [];
    list.push(row);
    groups.set(key, list);
  }
  for (const rows of groups.values()) {
    const source = rows.filter(statsRow);
    const stats = channelStats(x, width, source.length > 0 ? source : rows, layout);
    applyChannelStats(x, width, rows, layout, stats);
  }
}
