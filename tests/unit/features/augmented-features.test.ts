import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Clip } from '../../../src-shared/contract/catalog.js';
import { FEATURE_PIPELINES } from '../../../src-shared/model/feature-pipeline.js';
import { augmentSettingsSchema } from '../../../src-shared/model/augment-recipe.js';
import { createStudio, type Studio } from '../../../src-main/studio.js';
import { extractFeatures } from '../../../src-main/workers/audio-worker.js';
import { tempDir, writeWav } from '../catalog/helpers.js';

const pipeline = FEATURE_PIPELINES['seed-2376'];
const noise = augmentSettingsSchema.parse({ noiseAmount: 0.035 });
const pitch = augmentSettingsSchema.parse({ pitchSemitones: 2 });

describe('augmented features for training', () => {
  let dir: { path: string; remove(): void };
  let studio: Studio;
  let file: string;

  beforeEach(async () => {
    dir = tempDir('es-augfeat-');
    file = join(dir.path, 'corpus', 'sad', 'c1.wav');
    writeWav(file, { seed: 3, sampleRate: 22_050, frames: 22_050 * 4 });
    studio = await createStudio({ dbPath: join(dir.path, 'catalog.db'), transport: 'http', workerThreads: 0 });
    await studio.catalog.importFolder({ folder: join(dir.path, 'corpus'), jobId: 'import' });
  });

  afterEach(async () => {
    await studio.close();
    dir.remove();
  });

  it('a custom recipe yields the original plus one row per copy, each changed by its own transform', async () => {
    const plain = await extractFeatures(file, pipeline);
    const augmented = await extractFeatures(file, pipeline, { recipe: 'custom', copies: [noise, pitch], seed: 7 });
    expect(augmented.shape).toEqual([3, 2376]);
    const row = (i: number) => augmented.values.subarray(i * 2376, (i + 1) * 2376);
    expect(Array.from(row(0))).toEqual(Array.from(plain.values));
    const differs = (a: Float32Array, b: Float32Array) => a.some((v, i) => Math.abs(v - b[i]) > 1e-3);
    expect(differs(row(1), plain.values)).toBe(true);
    expect(differs(row(2), plain.values)).toBe(true);
    expect(differs(row(1), row(2))).toBe(true);
    // the same seed gives the same noise; another seed another
    const again = await extractFeatures(file, pipeline, { recipe: 'custom', copies: [noise], seed: 7 });
    expect(Array.from(again.values.subarray(2376))).toEqual(Array.from(row(1)));
    const other = await extractFeatures(file, pipeline, { recipe: 'custom', copies: [noise], seed: 8 });
    expect(differs(other.values.subarray(2376), row(1))).toBe(true);
  });

  it('caches augmented copies apart from plain features and per recipe', async () => {
    const clip = (await studio.catalog.queryClips({})).clips[0] as Clip;
    const signal = new AbortController().signal;
    const seen: number[] = [];
    const collect = (_clip: Clip, features: { shape: number[] }) => seen.push(features.shape[0]);
    await studio.features.runClips('a', pipeline, [clip], signal, collect);
    const first = await studio.features.runClips('b', pipeline, [clip], signal, collect, { recipe: 'custom', copies: [noise], seedOf: () => 1 });
    expect(first).toMatchObject({ computed: 1, cached: 0 });
    const second = await studio.features.runClips('c', pipeline, [clip], signal, collect, { recipe: 'custom', copies: [noise], seedOf: () => 1 });
    expect(second).toMatchObject({ computed: 0, cached: 1 });
    const otherRecipe = await studio.features.runClips('d', pipeline, [clip], signal, collect, { recipe: 'custom', copies: [pitch], seedOf: () => 1 });
    expect(otherRecipe).toMatchObject({ computed: 1, cached: 0 });
    expect(seen).toEqual([2376, 2, 2, 2]);
  });
});
