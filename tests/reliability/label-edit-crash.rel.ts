import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog } from '../../src-main/catalog/db.js';
import { CatalogService } from '../../src-main/catalog/service.js';
import { EventBus } from '../../src-main/events.js';
import { EMOTIONS } from '../../src-shared/model/labels.js';
import { REPO_ROOT, envInt, randomInt, rng, runSeed, sleep, tempDir } from './helpers.js';

/**
 * Kill -9 a process that relabels, undoes and redoes in a loop through the CatalogService on a
 * real catalog file, at a random moment, RELIABILITY_EDIT_TRIALS times (default 24) on the SAME
 * file, so that each run starts from the previous crash and the undo stack spans the crashes.
 * After each kill, a fresh connection checks that every edit is complete with its history row,
 * or absent, and that every edit the process acknowledged is there.
 */

const TRIALS = envInt('RELIABILITY_EDIT_TRIALS', 24);
const SEED = runSeed();
const CLIPS = 120;
const CHILD = join(REPO_ROOT, 'tests', 'reliability', 'relabel-child.ts');

interface EventRow {
  id: number;
  clip_id: number;
  old_label: string | null;
  new_label: string;
  old_source: string | null;
  source: string;
  action: 'set' | 'undo' | 'redo';
  reverts_event_id: number | null;
  undone: 0 | 1;
  on_stack: 0 | 1;
}

/** Everything that must hold in the catalog file after any crash. Returns the row count. */
function checkLabels(dbPath: string): { events: number; byId: Map<number, EventRow> } {
  const db = new Database(dbPath);
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.pragma('foreign_key_check')).toEqual([]);
    const clips = db.prepare('SELECT id, label, label_source FROM clips ORDER BY id').all() as { id: number; label: string; label_source: string }[];
    expect(clips.length).toBe(CLIPS);
    const events = db.prepare('SELECT * FROM label_events ORDER BY id').all() as EventRow[];
    const byId = new Map(events.map((event) => [event.id, event]));
    const byClip = new Map<number, EventRow[]>();
    for (const event of events) byClip.set(event.clip_id, [...(byClip.get(event.clip_id) ?? []), event]);
    for (const clip of clips) {
      const history = byClip.get(clip.id) ?? [];
      // The label is the newLabel of the clip's latest history row that is not undone...
      const latest = history.filter((event) => event.undone === 0).at(-1);
      expect(latest?.new_label, `clip ${clip.id}`).toBe(clip.label);
      // ...and the history is one unbroken chain: each row starts from the label the previous one set.
      expect(history[0].action).toBe('set');
      expect(history[0].source).toBe('import');
      expect(history[0].old_label).toBeNull();
      for (let i = 1; i < history.length; i++) expect(history[i].old_label, `clip ${clip.id} row ${history[i].id}`).toBe(history[i - 1].new_label);
      // The label's source is the one the latest row gave (an undo restores the source before the change).
      const last = history[history.length - 1];
      const target = last.reverts_event_id === null ? last : byId.get(last.reverts_event_id);
      const source = last.action === 'undo' ? target?.old_source : target?.source;
      expect(clip.label_source, `clip ${clip.id}`).toBe(source);
    }
    // Undo bookkeeping: a change is marked undone exactly when the latest undo/redo row naming it is an undo.
    const lastStep = new Map<number, EventRow>();
    for (const event of events) {
      if (event.reverts_event_id === null) continue;
      const target = byId.get(event.reverts_event_id);
      expect(target?.action).toBe('set');
      expect(target?.clip_id).toBe(event.clip_id);
      lastStep.set(event.reverts_event_id, event);
    }
    for (const event of events) {
      if (event.action !== 'set') continue;
      expect(event.undone, `event ${event.id}`).toBe(lastStep.get(event.id)?.action === 'undo' ? 1 : 0);
    }
    return { events: events.length, byId };
  } finally {
    db.close();
  }
}

interface Trial {
  delayMs: number;
  acked: number;
  rowsAdded: number;
  runMs: number;
}

describe('kill -9 during label edits', () => {
  const temp = tempDir('es-rel-relabel-');
  const dbPath = join(temp.path, 'catalog.db');
  const trials: Trial[] = [];
  const startedAt = performance.now();

  beforeAll(async () => {
    // A RAVDESS-named folder of empty files; the probe invents the audio facts (no audio is read).
    const random = rng(SEED);
    const folder = join(temp.path, 'corpus');
    mkdirSync(join(folder, 'Actor_01'), { recursive: true });
    for (let i = 0; i < CLIPS; i++) {
      const emotion = randomInt(random, 2, 8);
      const name = `03-01-${String(emotion).padStart(2, '0')}-0${1 + (i % 2)}-0${1 + ((i >> 1) % 2)}-0${1 + ((i >> 2) % 2)}-${String(1 + (i >> 3)).padStart(2, '0')}.wav`;
      writeFileSync(join(folder, 'Actor_01', name), '');
    }
    const db = openCatalog(dbPath);
    const catalog = new CatalogService({
      db,
      events: new EventBus(),
      probe: async (path) => ({
        format: 'wav',
        sampleRate: 16000,
        channels: 1,
        frames: 16000,
        durationSec: 1,
        sha256: createHash('sha256').update(path).digest('hex'),
      }),
    });
    const summary = await catalog.importFolder({ folder, jobId: 'setup' });
    expect(summary.imported).toBe(CLIPS);
    db.close();
  });

  afterAll(() => {
    const killedMidLoop = trials.filter((trial) => trial.acked > 0).length;
    const acked = trials.map((trial) => trial.acked);
    console.log(
      `label-edit-crash: seed ${SEED}, ${trials.length} kills (${killedMidLoop} after edits had started), ` +
        `${acked.reduce((a, b) => a + b, 0)} acknowledged edits, ${Math.min(...acked)}..${Math.max(...acked)} per run, ` +
        `${((performance.now() - startedAt) / 1000).toFixed(1)} s`,
    );
    temp.remove();
  });

  for (let trial = 0; trial < TRIALS; trial++) {
    it(`trial ${trial + 1}`, async () => {
      const random = rng(SEED + 104729 * (trial + 1));
      const before = checkLabels(dbPath).events;
      const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dbPath, String(SEED + trial)], {
        cwd: REPO_ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exit = new Promise<NodeJS.Signals | null>((done) => child.once('exit', (_code, signal) => done(signal)));
      for (let waited = 0; !stdout.startsWith('ready\n'); waited += 5) {
        if (waited > 30_000 || child.exitCode !== null) throw new Error(`the relabel process did not start: ${stderr}`);
        await sleep(5);
      }
      // A random moment in the loop: the process commits a few thousand edits a second, so the
      // kill lands between two statements of a transaction as often as between transactions.
      const delayMs = randomInt(random, 0, 400);
      const started = performance.now();
      await sleep(delayMs);
      child.kill('SIGKILL');
      expect(await exit).toBe('SIGKILL');
      const runMs = performance.now() - started;

      const after = checkLabels(dbPath);
      // Every edit the service had returned before the kill is in the file.
      const acks = stdout.split('\n').slice(1, -1);
      for (const ack of acks) {
        const [kind, id, clipId, label] = ack.split(' ');
        if (Number(id) === 0) continue;
        const event = after.byId.get(Number(id));
        expect(event, ack).toBeDefined();
        expect(event?.clip_id).toBe(Number(clipId));
        if (kind === 'relabel') expect(event?.new_label).toBe(label);
        expect(EMOTIONS as readonly string[]).toContain(label);
      }
      expect(after.events).toBeGreaterThanOrEqual(before);
      trials.push({ delayMs, acked: acks.length, rowsAdded: after.events - before, runMs });
    });
  }

  it('the check itself catches half an edit (a label without its history row, a row without its label)', () => {
    for (const damage of [
      "UPDATE clips SET label = CASE label WHEN 'angry' THEN 'calm' ELSE 'angry' END WHERE id = 1",
      "INSERT INTO label_events (clip_id, old_label, new_label, old_source, source, action, at, on_stack) SELECT id, label, CASE label WHEN 'angry' THEN 'calm' ELSE 'angry' END, label_source, 'user', 'set', 'now', 1 FROM clips WHERE id = 2",
    ]) {
      const copy = join(temp.path, 'damaged.db');
      const source = new Database(dbPath);
      source.exec(`VACUUM INTO '${copy}'`);
      source.close();
      const db = new Database(copy);
      db.exec(damage);
      db.close();
      expect(() => checkLabels(copy)).toThrow();
      rmSync(copy);
    }
  });
});
