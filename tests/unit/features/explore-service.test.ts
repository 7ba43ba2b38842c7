import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { base64ToBytes, base64ToFloat32 } from '../../../src-shared/contract/bytes.js';
import { float32ToPcm16Base64, pcm16Base64ToFloat32 } from '../../../src-shared/contract/live.js';
import { StudioError } from '../../../src-shared/contract/result.js';
import { FEATURE_PIPELINES } from '../../../src-shared/model/feature-pipeline.js';
import { decodeFile } from '../../../src-main/audio/decode.js';
import { recordingsRoot } from '../../../src-main/services/live-service.js';
import { createStudio, type Studio } from '../../../src-main/studio.js';
import { extractFeatures, samplesFeatures } from '../../../src-main/workers/audio-worker.js';
import { decodePcm16Wav } from '../../../src-renderer/lib/audio/wav.js';
import { tempDir, writeWav } from '../catalog/helpers.js';

const NEUTRAL = { noiseAmount: 0, stretchRate: 1, shiftSec: 0, pitchSemitones: 0, denoise: false };

// The explore and live services on a real catalog file, real WAVs and the real DSP (in this thread).
describe('explore and live services', () => {
  let dir: { path: string; remove(): void };
  let dbPath: string;
  let studio: Studio;

  beforeEach(async () => {
    dir = tempDir('es-explore-');
    const root = join(dir.path, 'corpus');
    for (let i = 0; i < 4; i++) writeWav(join(root, i % 2 ? 'sad' : 'angry', `c${i}.wav`), { seed: i + 1, sampleRate: 16_000, frames: 16_000 * 3.5 });
    writeWav(join(root, 'calm', 'short.wav'), { seed: 9, sampleRate: 16_000, frames: 16_000 * 1.6 });
    dbPath = join(dir.path, 'catalog.db');
    studio = await createStudio({ dbPath, transport: 'http', workerThreads: 0 });
    expect((await studio.catalog.importFolder({ folder: root, jobId: 'import' })).imported).toBe(5);
  });

  afterEach(async () => {
    await studio.close();
    dir.remove();
  });

  async function clipNamed(name: string): Promise<number> {
    const page = await studio.catalog.queryClips({ filter: { text: name } });
    return page.clips[0].id;
  }

  it('previews an augmentation: neutral settings give the excerpt back, others change it; both spectrograms share one dB scale', async () => {
    const clipId = await clipNamed('c0.wav');
    const neutral = await studio.services.explore.augmentPreview({ clipId, settings: NEUTRAL });
    expect(neutral.sampleRate).toBe(22_050);
    expect(neutral.offsetSec).toBe(0.6);
    const a = decodePcm16Wav(base64ToBytes(neutral.original.wavBase64));
    const b = decodePcm16Wav(base64ToBytes(neutral.transformed.wavBase64));
    expect(a.samples.length).toBe(Math.floor(2.5 * 22_050));
    expect(b.samples).toEqual(a.samples);

    const changed = await studio.services.explore.augmentPreview({ clipId, settings: { ...NEUTRAL, noiseAmount: 0.2, pitchSemitones: 3 }, seed: 7 });
    const c = decodePcm16Wav(base64ToBytes(changed.transformed.wavBase64));
    expect(decodePcm16Wav(base64ToBytes(changed.original.wavBase64)).samples).toEqual(a.samples);
    let difference = 0;
    for (let i = 0; i < a.samples.length; i++) difference += Math.abs(a.samples[i] - c.samples[i]);
    expect(difference / a.samples.length).toBeGreaterThan(0.01);
    for (const side of [changed.original, changed.transformed]) {
      expect(side.mel).toMatchObject({ nMels: 96, dbMin: -80, dbMax: 0, hopLength: 256 });
      const db = base64ToFloat32(side.mel.dbBase64);
      expect(db.length).toBe(side.mel.nMels * side.mel.nFrames);
      expect(Math.max(...db)).toBeLessThanOrEqual(0);
    }
    // The same seed gives the same noise; the stretch changes the length.
    const again = await studio.services.explore.augmentPreview({ clipId, settings: { ...NEUTRAL, noiseAmount: 0.2, pitchSemitones: 3 }, seed: 7 });
    expect(again.transformed.wavBase64).toBe(changed.transformed.wavBase64);
    const slower = await studio.services.explore.augmentPreview({ clipId, settings: { ...NEUTRAL, stretchRate: 0.8 } });
    expect(slower.transformed.durationSec).toBeCloseTo(2.5 / 0.8, 1);

    const whole = await studio.services.explore.augmentPreview({ clipId, settings: NEUTRAL, span: 'whole' });
    expect(whole.original.durationSec).toBeCloseTo(3.5, 2);
  });

  it('says in plain words when a clip is shorter than the pipeline offset, and when a clip does not exist', async () => {
    await expect(studio.services.explore.augmentPreview({ clipId: 999, settings: NEUTRAL })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const other = join(dir.path, 'other');
    writeWav(join(other, 'sad', 'blip.wav'), { seed: 3, sampleRate: 16_000, frames: 8000 });
    await studio.catalog.importFolder({ folder: other, jobId: 'other' });
    const blip = await clipNamed('blip.wav');
    await expect(studio.services.explore.augmentPreview({ clipId: blip, settings: NEUTRAL })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringMatching(/sad\/blip\.wav lasts 0\.50 s, less than the pipeline's 0\.6 s offset/),
    });
    expect((await studio.services.explore.augmentPreview({ clipId: blip, settings: NEUTRAL, span: 'whole' })).original.durationSec).toBeCloseTo(0.5, 2);
  });

  it('saves, lists, replaces and deletes recipes, and keeps them across a restart', async () => {
    const explore = studio.services.explore;
    const saved = await explore.saveRecipe({ name: 'noisy pitch', copies: [{ ...NEUTRAL, noiseAmount: 0.05, pitchSemitones: 1 }] });
    expect(saved.recipe).toEqual({ name: 'noisy pitch', copies: [{ ...NEUTRAL, noiseAmount: 0.05, pitchSemitones: 1 }] });
    await expect(explore.saveRecipe({ name: 'noisy pitch', copies: [NEUTRAL] })).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('noisy pitch') });
    const replaced = await explore.saveRecipe({ name: 'noisy pitch', copies: [{ ...NEUTRAL, stretchRate: 1.1 }], replace: true });
    expect(replaced.id).toBe(saved.id);
    expect(replaced.recipe.copies[0].stretchRate).toBe(1.1);
    const other = await explore.saveRecipe({ name: 'Denoised', copies: [{ ...NEUTRAL, denoise: true }] });

    await studio.close();
    studio = await createStudio({ dbPath, transport: 'http', workerThreads: 0 });
    const listed = await studio.services.explore.recipes({});
    expect(listed.map((recipe) => recipe.recipe.name)).toEqual(['Denoised', 'noisy pitch']);
    expect(listed[1].recipe.copies[0].stretchRate).toBe(1.1);
    expect(await studio.services.explore.deleteRecipe({ id: other.id })).toEqual({ deleted: true });
    expect(await studio.services.explore.deleteRecipe({ id: other.id })).toEqual({ deleted: false });
    expect((await studio.services.explore.recipes({})).length).toBe(1);
  });

  it("gives a clip's seed vector with its frame count, the same values the feature cache serves", async () => {
    const clipId = await clipNamed('c1.wav');
    const detail = await studio.services.explore.clipFeatureDetail({ clipId });
    expect(detail.nFrames).toBe(108);
    const cached = await studio.features.clipFeatures({ clipId, pipeline: 'seed-2376' });
    expect(base64ToFloat32(detail.valuesBase64)).toEqual(base64ToFloat32(cached.valuesBase64));
    const short = await studio.services.explore.clipFeatureDetail({ clipId: await clipNamed('short.wav') });
    expect(short.nFrames).toBe(44);
  });

  it('averages seed features per emotion over the catalog, with progress, from the cache the second time', async () => {
    const progress: number[] = [];
    studio.events.on('job.progress', (event) => {
      if (event.jobId === 'avg') progress.push(event.done);
    });
    const first = await studio.services.explore.emotionAverages({ jobId: 'avg' });
    expect(first.labels.map((entry) => [entry.label, entry.clips])).toEqual([
      ['calm', 1],
      ['sad', 2],
      ['angry', 2],
    ]);
    expect(first.extract).toMatchObject({ total: 5, computed: 5, cancelled: false });
    expect(progress.at(-1)).toBe(5);
    const angry = first.labels[2];
    expect(angry.mfccMean).toHaveLength(20);
    expect(angry.rmsContour).toHaveLength(108);
    expect(angry.rmsContour.every((value) => value !== null && value > 0)).toBe(true);
    // the short clip reaches 44 frames only
    const calm = first.labels[0];
    expect(calm.rmsContour[43]).not.toBeNull();
    expect(calm.rmsContour[44]).toBeNull();
    const second = await studio.services.explore.emotionAverages({ jobId: 'avg2', filter: { labels: ['sad'] } });
    expect(second.extract).toMatchObject({ total: 2, cached: 2, computed: 0 });
    expect(second.labels[0].mfccMean).toEqual(first.labels[1].mfccMean);
    expect(await studio.services.explore.cancel({ jobId: 'nothing' })).toEqual({ cancelled: false });
  });

  it('stops an averages job on cancel and returns what it had, marked cancelled; a second job of the same id conflicts', async () => {
    const running = studio.services.explore.emotionAverages({ jobId: 'big' });
    await expect(studio.services.explore.emotionAverages({ jobId: 'big' })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await studio.services.explore.cancel({ jobId: 'big' })).toEqual({ cancelled: true });
    const partial = await running;
    expect(partial.extract.cancelled).toBe(true);
    expect(partial.extract.computed).toBeLessThan(5);
    expect(partial.labels.reduce((sum, entry) => sum + entry.clips, 0)).toBe(partial.extract.computed + partial.extract.cached);
    // The id is free again once the job has ended.
    expect((await studio.services.explore.emotionAverages({ jobId: 'big' })).extract.cancelled).toBe(false);
  });

  it('computes features of in-memory samples exactly as from the file', async () => {
    const path = join(dir.path, 'corpus', 'sad', 'c1.wav');
    const decoded = await decodeFile(path, { mono: true });
    const pipeline = FEATURE_PIPELINES['seed-2376'];
    const fromFile = await extractFeatures(path, pipeline);
    const fromSamples = samplesFeatures(decoded.data[0], decoded.sampleRate, pipeline, 'file');
    expect(fromSamples.values).toEqual(fromFile.values);
    // 'last' keeps the newest 2.5 s of a rolling window
    const window = decoded.data[0].subarray(decoded.data[0].length - 16_000 * 2.5);
    expect(samplesFeatures(decoded.data[0], decoded.sampleRate, pipeline, 'last').values).toEqual(samplesFeatures(window, decoded.sampleRate, pipeline, 'last').values);
  });

  it('saves a recording as a WAV beside the catalog and imports it with its label', async () => {
    const samples = new Float32Array(48_000 * 2.5).map((_, i) => 0.3 * Math.sin(i / 10));
    const saved = await studio.services.live.saveRecording({ audio: { sampleRate: 48_000, pcm16Base64: float32ToPcm16Base64(samples) }, label: 'happy' });
    expect(saved.path.startsWith(join(recordingsRoot(dbPath), 'happy'))).toBe(true);
    expect(existsSync(saved.path)).toBe(true);
    expect(saved.clip).toMatchObject({ label: 'happy', sampleRate: 48_000, path: saved.path });
    expect(saved.clip.durationSec).toBeCloseTo(2.5, 3);
    const written = decodePcm16Wav(new Uint8Array(readFileSync(saved.path)));
    expect(written.samples).toEqual(pcm16Base64ToFloat32(float32ToPcm16Base64(samples)));
    const second = await studio.services.live.saveRecording({ audio: { sampleRate: 48_000, pcm16Base64: float32ToPcm16Base64(samples.map((v) => v / 2)) }, label: 'sad' });
    expect(second.clip.id).not.toBe(saved.clip.id);
    expect((await studio.catalog.clipStats({})).total).toBe(7);
    await expect(studio.services.live.saveRecording({ audio: { sampleRate: 48_000, pcm16Base64: float32ToPcm16Base64(new Float32Array(100)) }, label: 'sad' })).rejects.toBeInstanceOf(StudioError);
  });

  it('lists no models before any run finished, and names the run a bad id points at', async () => {
    expect(await studio.services.live.models({})).toEqual([]);
    await expect(studio.services.live.load({ runId: 42 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
