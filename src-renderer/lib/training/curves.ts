import type { RunEpoch, RunPrediction } from '../../../src-shared/contract/index.js';

/** One run's per-epoch curves as uPlot columns: x is the epoch number (1-based). */
export interface EpochCurves {
  x: number[];
  loss: number[];
  acc: number[];
  valLoss: (number | null)[];
  valAcc: (number | null)[];
  lr: number[];
}

export function epochCurves(epochs: readonly RunEpoch[]): EpochCurves {
  const sorted = [...epochs].sort((a, b) => a.epoch - b.epoch);
  return {
    x: sorted.map((e) => e.epoch),
    loss: sorted.map((e) => e.loss),
    acc: sorted.map((e) => e.acc),
    valLoss: sorted.map((e) => e.valLoss),
    valAcc: sorted.map((e) => e.valAcc),
    lr: sorted.map((e) => e.lr),
  };
}

/**
 * Several runs' values of one quantity on a shared epoch axis (1..the longest run), null where a
 * run has no such epoch, so uPlot draws them overlaid with gaps rather than misaligned.
 */
export function alignedEpochs(runs: readonly (readonly RunEpoch[])[], pick: (epoch: RunEpoch) => number | null): { x: number[]; series: (number | null)[][] } {
  const last = Math.max(0, ...runs.flatMap((epochs) => epochs.map((e) => e.epoch)));
  const x = Array.from({ length: last }, (_, i) => i + 1);
  const series = runs.map((epochs) => {
    const values = new Array<number | null>(last).fill(null);
    for (const epoch of epochs) if (epoch.epoch >= 1 && epoch.epoch <= last) values[epoch.epoch - 1] = pick(epoch);
    return values;
  });
  return { x, series };
}

/**
 * Epochs with a new one merged in: an epoch replaces the one of the same number and drops any
 * after it (a resume restarts from its checkpoint and rewrites the later epochs).
 */
export function mergeEpoch(epochs: readonly RunEpoch[], next: RunEpoch): RunEpoch[] {
  return [...epochs.filter((e) => e.epoch < next.epoch), next];
}

export interface ClipDiff {
  /** Clips that the first run classifies correctly and the second does not. */
  onlyA: { a: RunPrediction; b: RunPrediction }[];
  onlyB: { a: RunPrediction; b: RunPrediction }[];
  /** Clips both runs predicted (the intersection of their prediction sets). */
  shared: number;
}

/** Per-clip comparison of two runs' predictions, by the label each run trained against. */
export function clipDiff(a: readonly RunPrediction[], b: readonly RunPrediction[]): ClipDiff {
  const byClip = new Map(b.map((p) => [p.clipId, p]));
  const diff: ClipDiff = { onlyA: [], onlyB: [], shared: 0 };
  for (const pa of a) {
    const pb = byClip.get(pa.clipId);
    if (pb === undefined) continue;
    diff.shared += 1;
    const rightA = pa.predicted === pa.label;
    const rightB = pb.predicted === pb.label;
    if (rightA && !rightB) diff.onlyA.push({ a: pa, b: pb });
    else if (rightB && !rightA) diff.onlyB.push({ a: pa, b: pb });
  }
  return diff;
}

/** One line of a chart: values aligned with the chart's x, null for a gap. */
export interface ChartSeries {
  label: string;
  colour: string;
  values: readonly (number | null)[];
  /** Dash pattern in CSS px, e.g. [5, 4] for validation curves. */
  dash?: number[];
}
