import Database from 'better-sqlite3';
import { existsSync, readdirSync, readFileSync, renameSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CatalogChanged, JobProgress } from '../../../src-shared/contract/events.js';
import { StudioError } from '../../../src-shared/contract/result.js';
import { EMOTIONS } from '../../../src-shared/model/labels.js';
import { parseRavdessName } from '../../../src-shared/model/ravdess.js';
import { headerProbe, openHarness, SHARED_DIR, tempDir, writeFile, writeFlacHeader, writeWav, type Harness } from './helpers.js';

const pad = (n: number) => String(n).padStart(2, '0');

/** 2 actors × 8 emotions × 2 repetitions of good WAVs, plus a FLAC, an upper-case .WAV and bad files. */
function ravdessLayout(root: string): { good: number; bad: string[] } {
  let seed = 0;
  for (const actor of [1, 2]) {
    for (let emotion = 1; emotion <= 8; emotion++) {
      for (const repetition of [1, 2]) {
        writeWav(join(root, `Actor_${pad(actor)}`, `03-01-${pad(emotion)}-01-01-${pad(repetition)}-${pad(actor)}.wav`), { seed: seed++ });
      }
    }
  }
  writeWav(join(root, 'Actor_02', '03-01-06-02-02-02-02.WAV'), { seed: seed++, sampleRate: 16000, channels: 2 });
  writeFlacHeader(join(root, 'Actor_01', '03-01-02-02-02-02-01.flac'), { sampleRate: 48000, channels: 1, frames: 96000, seed: 1 });
  const bad = [
    join(root, 'Actor_01', '03-01-03-02-02-02-01.wav'), // empty
    join(root, 'Actor_02', '03-01-04-02-02-02-02.wav'), // truncated
    join(root, 'Actor_02', '03-01-05-02-02-02-02.wav'), // random bytes
    join(root, 'Actor_01', 'readme.wav'), // not a RAVDESS name
    join(root, 'Actor_01', '03-01-07-02-02-02-01.mp3'), // a format the test probe cannot read
  ];
  writeFile(bad[0], '');
  writeWav(bad[1], { seed: 999, frames: 1000 });
  writeFile(bad[1], readFileSync(bad[1]).subarray(0, 300));
  writeFile(bad[2], Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 7919) % 251)));
  writeWav(bad[3], { seed: 998 });
  writeFile(bad[4], Buffer.from('ID3 not really'));
  writeFile(join(root, 'notes.txt'), 'ignored: not audio');
  writeWav(join(root, '.hidden', '03-01-01-01-01-01-01.wav'), { seed: 997 });
  return { good: 34, bad };
}

function progressOf(harness: Harness, jobId: string): JobProgress[] {
  return harness.emitted.filter((e) => e.name === 'job.progress').map((e) => e.payload as JobProgress).filter((p) => p.jobId === jobId);
}

function changedIds(harness: Harness): number[] {
  return harness.emitted.filter((e) => e.name === 'catalog.changed').flatMap((e) => (e.payload as CatalogChanged).clipIds);
}

describe('importFolder on real files', () => {
  let dir: ReturnType<typeof tempDir>;
  let harness: Harness;
  beforeEach(() => {
    dir = tempDir();
    harness = openHarness(join(dir.path, 'catalog.db'), headerProbe, { importBatchSize: 7 });
  });
  afterEach(() => {
    harness.close();
    dir.remove();
  });

  it('imports a RAVDESS layout: labels and speakers from names, bad files reported, others ignored', async () => {
    const root = join(dir.path, 'ravdess');
    const { good, bad } = ravdessLayout(root);
    const summary = await harness.service.importFolder({ folder: root, jobId: 'r1' });

    expect(summary).toMatchObject({ imported: good, skipped: 0, cancelled: false });
    expect(summary.byLabel).toEqual({ neutral: 4, calm: 5, happy: 4, sad: 4, angry: 4, fearful: 5, disgust: 4, surprised: 4 });
    const failed = Object.fromEntries(summary.failed.map((f) => [f.path, f.reason]));
    expect(Object.keys(failed).sort()).toEqual([...bad].sort());
    expect(failed[bad[0]]).toBe('empty file');
    expect(failed[bad[1]]).toMatch(/^truncated: data chunk claims 2000 bytes/);
    expect(failed[bad[2]]).toBe('not a RIFF/WAVE file');
    expect(failed[bad[3]]).toMatch(/"readme.wav" is not a RAVDESS name/);
    expect(failed[bad[4]]).toMatch(/unsupported format \.mp3/);

    const [dataset] = await harness.service.listDatasets({});
    expect(dataset).toMatchObject({ id: summary.datasetId, name: 'ravdess', rootPath: root, kind: 'ravdess', clipCount: good });
    const stats = await harness.service.clipStats({});
    expect(stats).toMatchObject({ total: good, byLabel: summary.byLabel, actors: [1, 2] });
    expect(stats.labels).toEqual([...EMOTIONS].sort());

    const page = await harness.service.queryClips({ filter: { text: '03-01-06-02-02-02-02' } });
    expect(page.clips).toHaveLength(1);
    expect(page.clips[0]).toMatchObject({
      relPath: 'Actor_02/03-01-06-02-02-02-02.WAV',
      path: join(root, 'Actor_02', '03-01-06-02-02-02-02.WAV'),
      format: 'wav',
      sampleRate: 16000,
      channels: 2,
      durationSec: 400 / 16000,
      actor: 2,
      speaker: 'actor-02',
      gender: 'female',
      vocalChannel: 'speech',
      intensity: 'strong',
      statement: 2,
      repetition: 2,
      label: 'fearful',
      labelSource: 'import',
    });
    expect(page.clips[0].contentHash).toMatch(/^[0-9a-f]{64}$/);
    const flac = await harness.service.queryClips({ filter: { text: '.FLAC' } });
    expect(flac.clips[0]).toMatchObject({ format: 'flac', sampleRate: 48000, durationSec: 2, label: 'calm', actor: 1, gender: 'male' });

    const history = await harness.service.labelHistory({ clipId: page.clips[0].id });
    expect(history).toEqual([{ id: expect.any(Number), clipId: page.clips[0].id, oldLabel: null, newLabel: 'fearful', source: 'import', at: expect.any(String), undone: false, action: 'set' }]);

    // Progress: constant total (audio files found), done never goes back, ends at total.
    const progress = progressOf(harness, 'r1');
    expect(progress.length).toBeGreaterThan(3);
    expect(new Set(progress.map((p) => p.total))).toEqual(new Set([good + bad.length]));
    for (let i = 1; i < progress.length; i++) expect(progress[i].done).toBeGreaterThanOrEqual(progress[i - 1].done);
    expect(progress[0].done).toBe(0);
    expect(progress.at(-1)?.done).toBe(good + bad.length);
    expect(progress.every((p) => p.kind === 'import')).toBe(true);
    expect(new Set(changedIds(harness)).size).toBe(good);
  });

  it('re-importing is idempotent by content hash and reuses the dataset of the same root', async () => {
    const root = join(dir.path, 'ravdess');
    const { good, bad } = ravdessLayout(root);
    const first = await harness.service.importFolder({ folder: root, jobId: 'a' });
    harness.emitted.length = 0;
    const again = await harness.service.importFolder({ folder: `${root}/`, jobId: 'a' });
    expect(again).toMatchObject({ datasetId: first.datasetId, imported: 0, skipped: good, byLabel: {}, cancelled: false });
    expect(again.failed).toHaveLength(bad.length);
    expect(await harness.service.listDatasets({})).toHaveLength(1);
    expect((await harness.service.clipStats({})).total).toBe(good);
    expect(changedIds(harness)).toEqual([]);

    // A file rewritten with new bytes keeps its clip, label and history; its audio facts change.
    const file = join(root, 'Actor_01', '03-01-05-01-01-01-01.wav');
    const before = (await harness.service.queryClips({ filter: { text: '03-01-05-01-01-01-01' } })).clips[0];
    await harness.service.relabel({ clipId: before.id, label: 'sad' });
    writeWav(file, { seed: 5000, sampleRate: 22050 });
    const third = await harness.service.importFolder({ folder: root, jobId: 'a' });
    expect(third).toMatchObject({ imported: 1, skipped: good - 1, byLabel: { sad: 1 } });
    const after = await harness.service.getClip({ clipId: before.id });
    expect(after).toMatchObject({ label: 'sad', labelSource: 'user', sampleRate: 22050 });
    expect(after.contentHash).not.toBe(before.contentHash);
  });

  it('imports a labels-as-subfolders layout; the same content at two paths is two clips, reported as duplicates', async () => {
    const root = join(dir.path, 'folders');
    writeWav(join(root, 'Angry', 'a1.wav'), { seed: 1 });
    writeWav(join(root, 'Angry', 'a2.Wav'), { seed: 2 });
    writeWav(join(root, 'sad', 's1.wav'), { seed: 3 });
    writeWav(join(root, 'sad', 'copy-of-a1.wav'), { seed: 1 });
    writeWav(join(root, 'Happy Face', 'h1.wav'), { seed: 4 });
    writeWav(join(root, 'speaker 3', 'neutral', 'n1.wav'), { seed: 5 });
    writeWav(join(root, 'loose.wav'), { seed: 6 });
    writeWav(join(root, '???', 'q.wav'), { seed: 7 });
    const summary = await harness.service.importFolder({ folder: root, jobId: 'f' });
    expect(summary).toMatchObject({ imported: 6, skipped: 0, byLabel: { angry: 2, happy_face: 1, neutral: 1, sad: 2 } });
    expect(summary.duplicates).toEqual([{ path: join(root, 'sad', 'copy-of-a1.wav'), sameAs: join(root, 'Angry', 'a1.wav') }]);
    expect(summary.failed).toEqual([
      { path: join(root, '???', 'q.wav'), reason: expect.stringMatching(/folder name "\?\?\?" is not a label/) },
      { path: join(root, 'loose.wav'), reason: expect.stringMatching(/not inside a folder named after its label/) },
    ]);
    expect((await harness.service.listDatasets({}))[0]).toMatchObject({ kind: 'folders', clipCount: 6 });
    const clips = (await harness.service.queryClips({ sort: 'path' })).clips;
    expect(clips.map((c) => [c.relPath, c.label, c.actor])).toEqual([
      ['Angry/a1.wav', 'angry', null],
      ['Angry/a2.Wav', 'angry', null],
      ['Happy Face/h1.wav', 'happy_face', null],
      ['sad/copy-of-a1.wav', 'sad', null],
      ['sad/s1.wav', 'sad', null],
      ['speaker 3/neutral/n1.wav', 'neutral', null],
    ]);
  });

  it('follows a renamed file: the clip keeps its id, label and history under the new path', async () => {
    const root = join(dir.path, 'moving');
    writeWav(join(root, 'angry', 'take1.wav'), { seed: 11 });
    await harness.service.importFolder({ folder: root, jobId: 'm1' });
    const before = (await harness.service.queryClips({})).clips[0];
    await harness.service.relabel({ clipId: before.id, label: 'sad' });
    renameSync(join(root, 'angry', 'take1.wav'), join(root, 'angry', 'take1-renamed.wav'));
    const summary = await harness.service.importFolder({ folder: root, jobId: 'm2' });
    expect(summary).toMatchObject({ imported: 0, skipped: 1, duplicates: [] });
    const page = await harness.service.queryClips({});
    expect(page.total).toBe(1);
    expect(page.clips[0]).toMatchObject({ id: before.id, relPath: 'angry/take1-renamed.wav', label: 'sad' });
    expect((await harness.service.labelHistory({ clipId: before.id })).map((event) => event.newLabel)).toEqual(['angry', 'sad']);
  });

  it('reports a missing folder as NOT_FOUND, a running job id as CONFLICT, and an empty folder as nothing', async () => {
    const missing = join(dir.path, 'no-such');
    await expect(harness.service.importFolder({ folder: missing, jobId: 'x' })).rejects.toMatchObject({ code: 'NOT_FOUND', message: `${missing}: no such folder` });
    await expect(harness.service.importFolder({ folder: '', jobId: 'x' })).rejects.toBeInstanceOf(StudioError);
    expect(harness.service.cancelJob('x')).toBe(false);

    writeWav(join(dir.path, 'one', 'angry', 'a.wav'), { seed: 1 });
    const running = harness.service.importFolder({ folder: join(dir.path, 'one'), jobId: 'same' });
    await expect(harness.service.importFolder({ folder: join(dir.path, 'one'), jobId: 'same' })).rejects.toMatchObject({ code: 'CONFLICT' });
    await running;

    writeFile(join(dir.path, 'empty', 'notes.txt'), 'nothing here');
    const empty = await harness.service.importFolder({ folder: join(dir.path, 'empty'), jobId: 'e' });
    expect(empty).toMatchObject({ datasetId: null, imported: 0, skipped: 0, failed: [], cancelled: false });
  });

  it('cancels mid-way: a partial summary, every reported file committed, the rest imported later', async () => {
    const root = join(dir.path, 'many');
    for (let i = 0; i < 60; i++) writeWav(join(root, i % 2 ? 'sad' : 'calm', `c${pad(i)}.wav`), { seed: i });
    harness.close();
    const slowProbe = async (path: string) => {
      await new Promise((r) => setTimeout(r, 3));
      return headerProbe(path);
    };
    harness = openHarness(join(dir.path, 'catalog.db'), slowProbe, { importBatchSize: 4, importConcurrency: 2 });
    const reader = new Database(harness.dbPath, { readonly: true });
    const committed: [number, number][] = [];
    const stopListening = harness.events.on('job.progress', (p) => {
      // Another connection sees every file reported done: nothing reported lives only in memory.
      committed.push([p.done, (reader.prepare('SELECT count(*) AS n FROM clips').get() as { n: number }).n]);
      if (p.done >= 12 && cancelled === undefined) cancelled = harness.service.cancelJob('c');
    });
    let cancelled: boolean | undefined;
    const summary = await harness.service.importFolder({ folder: root, jobId: 'c' });
    stopListening();
    reader.close();
    expect(cancelled).toBe(true);
    expect(summary.cancelled).toBe(true);
    expect(summary.imported).toBeGreaterThanOrEqual(12);
    expect(summary.imported).toBeLessThan(60);
    expect(committed.every(([done, rows]) => rows === done)).toBe(true);
    expect((await harness.service.clipStats({})).total).toBe(summary.imported);
    expect(harness.service.cancelJob('c')).toBe(false);

    const rest = await harness.service.importFolder({ folder: root, jobId: 'c2' });
    expect(rest).toMatchObject({ imported: 60 - summary.imported, skipped: summary.imported, cancelled: false });
  });
});

const RAVDESS = join(SHARED_DIR, 'data', 'ravdess-speech');

describe.skipIf(!existsSync(RAVDESS))(`real RAVDESS speech (needs ${RAVDESS})`, () => {
  it('imports Actor_01 and Actor_02: 120 clips with labels, actors and genders from the names', async () => {
    const dir = tempDir();
    const harness = openHarness(join(dir.path, 'catalog.db'));
    try {
      // Links to the two actors' files: the catalog records paths, it never copies audio.
      const root = join(dir.path, 'two-actors');
      for (const actor of ['Actor_01', 'Actor_02']) {
        for (const name of readdirSync(join(RAVDESS, actor))) {
          writeFile(join(root, actor, '.keep'), '');
          symlinkSync(join(RAVDESS, actor, name), join(root, actor, name));
        }
      }
      const summary = await harness.service.importFolder({ folder: root, jobId: 'ravdess' });
      expect(summary).toMatchObject({ imported: 120, skipped: 0, failed: [], cancelled: false });
      expect(summary.byLabel).toEqual({ neutral: 8, calm: 16, happy: 16, sad: 16, angry: 16, fearful: 16, disgust: 16, surprised: 16 });
      const clips = (await harness.service.queryClips({ limit: 1000 })).clips;
      expect(clips).toHaveLength(120);
      for (const clip of clips) {
        const parsed = parseRavdessName(clip.relPath);
        if (!parsed.ok) throw new Error(parsed.reason);
        expect(clip).toMatchObject({ label: parsed.value.emotion, actor: parsed.value.actor, gender: clip.actor === 1 ? 'male' : 'female', format: 'wav', sampleRate: 48000 });
        expect(clip.durationSec).toBeGreaterThan(2);
      }
      expect((await harness.service.clipStats({ filter: { gender: 'female' } })).actors).toEqual([2]);
    } finally {
      harness.close();
      dir.remove();
    }
  });
});

if (!existsSync(RAVDESS)) console.warn(`skipping the real RAVDESS import: ${RAVDESS} is missing`);
