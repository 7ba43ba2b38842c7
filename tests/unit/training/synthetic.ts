import { Random } from '../../../src-shared/dsp/random.js';
import type { SplitData, TrainingDataset } from '../../../src-main/training/dataset-files.js';

/** Four classes told apart by loudness: class c is noise with standard deviation 0.5 + c; clip ids from `firstId`. */
export function loudnessSplit(random: Random, width: number, perClass: number, speaker: string, firstId = 1): SplitData {
  const rows = perClass * 4;
  const x = new Float32Array(rows * width);
  const y = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    y[r] = r % 4;
    for (let j = 0; j < width; j++) x[r * width + j] = random.normal(0, 0.5 + y[r]);
  }
  return { x, y, clipIds: Array.from({ length: rows }, (_, i) => firstId + i), copy: new Array(rows).fill(0), speakers: new Array(rows).fill(speaker) };
}

/** A loudness dataset with one speaker per split and `perClass` rows of each class per split. */
export function loudnessDataset(seed: number, width: number, perClass: { train: number; val: number; test: number }, distinctIds = false): TrainingDataset {
  const random = new Random(seed);
  return {
    featureShape: [width],
    labels: ['neutral', 'calm', 'happy', 'sad'],
    splits: {
      train: loudnessSplit(random, width, perClass.train, 'actor-01', 1),
      val: loudnessSplit(random, width, perClass.val, 'actor-02', distinctIds ? 1001 : 1),
      test: loudnessSplit(random, width, perClass.test, 'actor-03', distinctIds ? 2001 : 1),
    },
    fingerprint: 'synthetic',
  };
}
