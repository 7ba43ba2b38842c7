import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { base64ToFloat32 } from '../../../src-shared/contract/bytes.js';
import type { JobProgress } from '../../../src-shared/contract/events.js';
import { FEATURE_PIPELINES, pipelineKey } from '../../../src-shared/model/feature-pipeline.js';
import { createStudio, type Studio } from '../../../src-main/studio.js';
import { extractFeatures } from '../../../src-main/workers/audio-worker.js';
import { tempDir, writeWav } from '../catalog/helpers.js';

// Real WAV files, a real catalog file and the real decoding + DSP path (in this thread).
describe('feature extraction and its cache', () => {
  let dir: { path: string; remove(): void };
  let studio: Studio;
  let root: string;

  beforeEach(async () => {
    dir = tempDir('es-features-');
    root = join(dir.path, 'corpus');
    for (let i = 0; i < 6; i++) writeWav(join(root, i % 2 ? 'sad' : 'angry', `c${i}.wav`), { seed: i + 1, sampleRate: 16_000, frames: 16_000 * 3 });
    studio = await createStudio({ dbPath: join(dir.path, 'catalog.db'), transport: 'http', workerThreads: 0 });
    const summary = await studio.catalog.importFolder({ folder: root, jobId: 'import' });
    expect(summary.imported).toBe(6);
  });

  afterEach(async () => {
    await studio.close();
    dir.remove();
  });

  it('computes every clip once, then serves the same values from the cache', async () => {
    const progress: JobProgress[] = [];
    studio.events.on('job.progress', (event) => progress.push(event));
    const first = await studio.features.extract({ jobId: 'f1', pipeline: 'seed-2376' });
    expect(first).toMatchObject({ total: 6, computed: 6, cached: 0, failed: [], cancelled: false });
    expect(progress.at(-1)).toMatchObject({ jobId: 'f1', kind: 'features', done: 6, total: 6 });

    const second = await studio.features.extract({ jobId: 'f2', pipeline: 'seed-2376' });
    expect(second).toMatchObject({ total: 6, computed: 0, cached: 6 });

    const clip = (await studio.catalog.queryClips({ sort: 'path' })).clips[0];
    const served = await studio.features.clipFeatures({ clipId: clip.id, pipeline: 'seed-2376' });
    expect(served.fromCache).toBe(true);
    expect(served.shape).toEqual([2376]);
    const direct = await extractFeatures(clip.path, FEATURE_PIPELINES['seed-2376']);
    expect(base64ToFloat32(served.valuesBase64)).toEqual(direct.values);
  });

  it('keys the cache by every parameter: another pipeline or another offset computes again', async () => {
    await studio.features.extract({ jobId: 'a', pipeline: 'seed-2376' });
    expect(await studio.features.extract({ jobId: 'b', pipeline: 'logmel-64' })).toMatchObject({ computed: 6, cached: 0 });
    const shifted = { ...FEATURE_PIPELINES['seed-2376'], name: 'later', load: { ...FEATURE_PIPELINES['seed-2376'].load, offsetSec: 0.1 } };
    expect(pipelineKey(shifted)).not.toBe(pipelineKey(FEATURE_PIPELINES['seed-2376']));
    expect(await studio.features.extract({ jobId: 'c', pipeline: shifted })).toMatchObject({ computed: 6, cached: 0 });
    // Renaming alone does not change a value, so it shares the cache.
    const renamed = { ...FEATURE_PIPELINES['seed-2376'], name: 'my-seed' };
    expect(await studio.features.extract({ jobId: 'd', pipeline: renamed })).toMatchObject({ computed: 0, cached: 6 });
    const logmel = await studio.features.clipFeatures({ clipId: 1, pipeline: 'logmel-64' });
    expect(logmel.shape).toEqual([64, 108]);
  });

  it('recomputes a clip whose bytes changed (at re-import), and reports a clip that no longer decodes', async () => {
    const [first, second] = (await studio.catalog.queryClips({ sort: 'path' })).clips;
    writeFileSync(second.path, 'not audio any more');
    const initial = await studio.features.extract({ jobId: 'a', pipeline: 'seed-2376' });
    expect(initial).toMatchObject({ total: 6, computed: 5, cached: 0 });
    expect(initial.failed).toEqual([{ clipId: second.id, path: second.path, reason: expect.stringContaining(second.path) }]);
    // The cache follows the catalog's content hash, which a re-import refreshes.
    writeWav(first.path, { seed: 99, sampleRate: 16_000, frames: 16_000 * 3 });
    await studio.catalog.importFolder({ folder: root, jobId: 'reimport' });
    const again = await studio.features.extract({ jobId: 'b', pipeline: 'seed-2376' });
    expect(again).toMatchObject({ total: 6, computed: 1, cached: 4 });
    const fresh = await studio.features.clipFeatures({ clipId: first.id, pipeline: 'seed-2376' });
    expect(base64ToFloat32(fresh.valuesBase64)).toEqual((await extractFeatures(first.path, FEATURE_PIPELINES['seed-2376'])).values);
  });

  it('cancels through jobs.cancel and keeps what was computed', async () => {
    const done = studio.features.extract({ jobId: 'slow', pipeline: 'logmel-128' });
    expect((await studio.services.jobs.cancel({ jobId: 'slow' })).cancelled).toBe(true);
    const summary = await done;
    expect(summary.cancelled).toBe(true);
    expect(summary.computed).toBeLessThan(6);
    const rest = await studio.features.extract({ jobId: 'rest', pipeline: 'logmel-128' });
    expect(rest.cached).toBe(summary.computed);
    expect(rest.computed).toBe(6 - summary.computed);
    expect((await studio.services.jobs.cancel({ jobId: 'slow' })).cancelled).toBe(false);
  });

  it('refuses unknown pipelines and malformed ones at the boundary', async () => {
    const unknown = await studio.dispatch('features.extract', { jobId: 'x', pipeline: 'mfcc-13' });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    const negative = await studio.dispatch('features.clipFeatures', {
      clipId: 1,
      pipeline: { ...FEATURE_PIPELINES['seed-2376'], load: { sampleRate: 22_050, offsetSec: -1, durationSec: 2.5 } },
    });
    expect(negative).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    if (!negative.ok) expect(negative.error.message).toContain('offsetSec');
  });
});
