import { mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { SplitName } from '../../src-shared/model/splits.js';

/** One split's rows: features [n, ...featureShape] row-major, and per row its clip and class. */
export interface SplitData {
  x: Float32Array;
  /** Class index per row, into DatasetFiles.labels. */
  y: Int32Array;
  /** Source clip per row (augmented copies share their clip's id). */
  clipIds: number[];
  /** 0 for the original, 1.. for augmented copies. */
  copy: number[];
  /** Speaker group per row ("actor-07"), for per-speaker accuracy. */
  speakers: (string | null)[];
}

export interface TrainingDataset {
  featureShape: number[];
  labels: string[];
  splits: Record<SplitName, SplitData>;
  /** sha-256 over clip ids, labels and content hashes per split: two runs with the same fingerprint saw the same data. */
  fingerprint: string;
}

interface Meta {
  featureShape: number[];
  labels: string[];
  fingerprint: string;
  splits: Record<SplitName, Omit<SplitData, 'x' | 'y'> & { rows: number }>;
}

const SPLITS: readonly SplitName[] = ['train', 'val', 'test'];

/**
 * Writes the dataset a run trains on into `dir` (features as raw float32, the rest as JSON), so
 * the training process reads it without the catalog, and a resumed run sees the same data.
 * Written under a temporary name and renamed, so a crash never leaves a half dataset.
 */
export function writeDataset(dir: string, dataset: TrainingDataset): void {
  mkdirSync(dir, { recursive: true });
  const meta: Meta = { featureShape: dataset.featureShape, labels: dataset.labels, fingerprint: dataset.fingerprint, splits: {} as Meta['splits'] };
  for (const split of SPLITS) {
    const data = dataset.splits[split];
    writeFileSync(join(dir, `${split}.x.f32`), Buffer.from(data.x.buffer, data.x.byteOffset, data.x.byteLength));
    writeFileSync(join(dir, `${split}.y.i32`), Buffer.from(data.y.buffer, data.y.byteOffset, data.y.byteLength));
    meta.splits[split] = { rows: data.y.length, clipIds: data.clipIds, copy: data.copy, speakers: data.speakers };
  }
  writeFileSync(join(dir, 'meta.json.partial'), JSON.stringify(meta));
  renameSync(join(dir, 'meta.json.partial'), join(dir, 'meta.json'));
}

export function readDataset(dir: string): TrainingDataset {
  const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as Meta;
  const width = meta.featureShape.reduce((a, b) => a * b, 1);
  const splits = {} as Record<SplitName, SplitData>;
  for (const split of SPLITS) {
    const entry = meta.splits[split];
    const x = floatView(readFileSync(join(dir, `${split}.x.f32`)));
    const y = intView(readFileSync(join(dir, `${split}.y.i32`)));
    if (x.length !== entry.rows * width || y.length !== entry.rows) {
      throw new Error(`${dir}: the ${split} split's files hold ${x.length / width} feature rows and ${y.length} labels, its meta says ${entry.rows}`);
    }
    splits[split] = { x, y, clipIds: entry.clipIds, copy: entry.copy, speakers: entry.speakers };
  }
  return { featureShape: meta.featureShape, labels: meta.labels, fingerprint: meta.fingerprint, splits };
}

// Copies: a Buffer from readFileSync may share a pool and need not be 4-byte aligned.
function floatView(buffer: Buffer): Float32Array {
  const out = new Float32Array(buffer.byteLength / 4);
  new Uint8Array(out.buffer).set(buffer);
  return out;
}

function intView(buffer: Buffer): Int32Array {
  const out = new Int32Array(buffer.byteLength / 4);
  new Uint8Array(out.buffer).set(buffer);
  return out;
}
