import Database from 'better-sqlite3';
import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EMOTIONS } from '../../src-shared/model/labels.js';
import { parseRavdessName } from '../../src-shared/model/ravdess.js';
import { runImport, summaryOf, usePty, type ImportRun, type KillPlan } from './cli-import.js';
import { BUILT_CLI, RAVDESS_DIR, envInt, missing, randomInt, rng, runSeed, tempDir } from './helpers.js';

/**
 * Kill -9 during `emotion-studio import` of the shared RAVDESS copy (1,200 clips, 20 actors), then
 * check the catalog file the way a restarted studio would find it, then re-import to completion.
 *
 * RELIABILITY_TRIALS trials (default 20); the first RELIABILITY_FULL_TRIALS (default 4) import all
 * 1,200 clips and are killed twice (during the first import and again during the re-import that
 * resumes it); the rest import a random 3 to 5 actors (180 to 300 clips, symlinked into a temp
 * folder) to keep the suite within minutes. Kill points alternate between "after the progress
 * line reaching a random count (up to 85% of the clips), plus 0-150 ms" and "a random delay
 * after spawn".
 */

const skipReason = missing(RAVDESS_DIR, 'the shared RAVDESS copy') ?? missing(BUILT_CLI, 'the built CLI: run npx electron-vite build');
if (skipReason !== null) console.warn(`import-crash: skipped, ${skipReason}`);

const TRIALS = envInt('RELIABILITY_TRIALS', 20);
const FULL_TRIALS = Math.min(TRIALS, envInt('RELIABILITY_FULL_TRIALS', 4));
const SEED = runSeed();

interface KillRecord {
  trial: number;
  clips: number;
  plan: string;
  killed: boolean;
  elapsedMs: number;
  lastReported: number;
  inCatalog: number;
}

/** What a restarted studio finds in the catalog file; asserts everything that must hold after any crash. */
function checkCatalog(dbPath: string, expectedRelPaths: Set<string>): { paths: string[]; count: number; byLabel: Record<string, number> } {
  if (!existsSync(dbPath)) return { paths: [], count: 0, byLabel: {} };
  const db = new Database(dbPath);
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.pragma('foreign_key_check')).toEqual([]);
    const hasClips = db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'clips'").pluck().get() as number;
    if (hasClips === 0) return { paths: [], count: 0, byLabel: {} };
    const rows = db.prepare('SELECT id, path, rel_path, label, label_source FROM clips').all() as {
      id: number;
      path: string;
      rel_path: string;
      label: string;
      label_source: string;
    }[];
    // Exactly once: no path twice (the UNIQUE index says so; this checks it survived the crash).
    const paths = rows.map((row) => row.rel_path);
    expect(new Set(paths).size).toBe(paths.length);
    for (const row of rows) {
      expect(expectedRelPaths.has(row.rel_path), row.rel_path).toBe(true);
      const parsed = parseRavdessName(row.rel_path);
      expect(parsed.ok && parsed.value.emotion, row.rel_path).toBe(row.label);
      expect(row.label_source).toBe('import');
    }
    // Each clip came with its one import history row, in the same transaction.
    const orphans = db
      .prepare(
        "SELECT count(*) FROM clips c WHERE (SELECT count(*) FROM label_events e WHERE e.clip_id = c.id AND e.source = 'import' AND e.old_label IS NULL AND e.new_label = c.label) != 1",
      )
      .pluck()
      .get();
    expect(orphans).toBe(0);
    expect(db.prepare('SELECT count(*) FROM label_events').pluck().get()).toBe(rows.length);
    const byLabel: Record<string, number> = {};
    for (const row of rows) byLabel[row.label] = (byLabel[row.label] ?? 0) + 1;
    return { paths, count: rows.length, byLabel };
  } finally {
    db.close();
  }
}

/** The clips counted done in the last progress line written before the kill are in the catalog. */
function checkReported(run: ImportRun, found: { paths: string[]; count: number }): number {
  const last = run.progress[run.progress.length - 1];
  if (last === undefined) return 0;
  expect(found.count).toBeGreaterThanOrEqual(last.done);
  // The line names the last file of the batch it reports (cut to the terminal's width).
  if (last.done > 0 && last.detail.length >= 8 && !last.detail.includes('audio files found')) {
    expect(found.paths.some((path) => path.startsWith(last.detail)), `${last.detail} reported done, not in the catalog`).toBe(true);
  }
  return last.done;
}

function expectedLabels(actors: number): Record<string, number> {
  // Per actor: 4 neutral (normal intensity only) and 8 of each other emotion.
  return Object.fromEntries(EMOTIONS.map((emotion) => [emotion, (emotion === 'neutral' ? 4 : 8) * actors]));
}

function relPathsOf(folder: string, actors: string[]): Set<string> {
  const paths = new Set<string>();
  for (const actor of actors) for (const name of readdirSync(join(folder, actor))) if (!name.startsWith('.')) paths.add(`${actor}/${name}`);
  return paths;
}

describe.skipIf(skipReason !== null)('kill -9 during import', () => {
  const temp = tempDir('es-rel-import-');
  const kills: KillRecord[] = [];
  const startedAt = performance.now();
  afterAll(() => {
    const killed = kills.filter((kill) => kill.killed);
    console.log(
      `import-crash: seed ${SEED}, ${TRIALS} trials (${FULL_TRIALS} on 1,200 clips), ${kills.length} kill attempts, ${killed.length} killed mid-import ` +
        `(progress via ${usePty ? 'pty, a line per commit' : 'pipe, a line per 2 s'}), ${((performance.now() - startedAt) / 1000).toFixed(1)} s`,
    );
    for (const kill of kills) {
      console.log(
        `  trial ${String(kill.trial).padStart(2)} ${String(kill.clips).padStart(4)} clips  ${kill.plan.padEnd(24)} ` +
          `${kill.killed ? `killed at ${(kill.elapsedMs / 1000).toFixed(2)} s` : 'finished first'}: reported ${kill.lastReported}, in catalog ${kill.inCatalog}`,
      );
    }
    temp.remove();
  });

  /** A running estimate of an import's length: start-up, then time per clip (2 cores). */
  const startupMs = 900;
  let msPerClip = 5;
  const allActors = skipReason === null ? readdirSync(RAVDESS_DIR).filter((name) => /^Actor_\d\d$/.test(name)).sort() : [];

  for (let trial = 0; trial < TRIALS; trial++) {
    const full = trial < FULL_TRIALS;
    it(`trial ${trial + 1}: ${full ? 'all 1,200 clips, killed twice' : 'a few actors, killed once'}`, async () => {
      const random = rng(SEED + trial * 7919);
      const dbPath = join(temp.path, `trial-${trial}.db`);
      let folder = RAVDESS_DIR;
      let actors = allActors;
      if (!full) {
        // A subset of the corpus as a folder of symlinks (the importer follows links to files).
        const pool = [...allActors];
        actors = Array.from({ length: randomInt(random, 3, 5) }, () => pool.splice(randomInt(random, 0, pool.length - 1), 1)[0]).sort();
        folder = join(temp.path, `subset-${trial}`);
        for (const actor of actors) {
          mkdirSync(join(folder, actor), { recursive: true });
          for (const name of readdirSync(join(RAVDESS_DIR, actor))) symlinkSync(join(RAVDESS_DIR, actor, name), join(folder, actor, name));
        }
      }
      const expected = relPathsOf(RAVDESS_DIR, actors);
      const total = expected.size;
      if (full) expect(total).toBe(1200);
      // Delay plans spread over 90% of an import's expected length, learnt from the completed runs.
      const expectedMs = startupMs + total * msPerClip;

      for (let kill = 0, attempt = 0; kill < (full ? 2 : 1); attempt++) {
        const plan: KillPlan =
          (trial + kill + attempt) % 2 === 0
            ? { kind: 'count', done: randomInt(random, 0, Math.floor(total * 0.85)), extraDelayMs: randomInt(random, 0, 150) }
            : { kind: 'delay', afterMs: randomInt(random, 300, Math.round(expectedMs * 0.9)) };
        const run = await runImport(folder, dbPath, plan);
        const found = checkCatalog(dbPath, expected);
        const reported = checkReported(run, found);
        kills.push({
          trial: trial + 1,
          clips: total,
          plan: plan.kind === 'count' ? `at ${plan.done} done +${plan.extraDelayMs} ms` : `after ${plan.afterMs} ms`,
          killed: run.killed,
          elapsedMs: run.elapsedMs,
          lastReported: reported,
          inCatalog: found.count,
        });
        if (run.killed) kill += 1;
        else {
          // The import won the race: start this kill over on a fresh catalog (at most 3 misses).
          expect(run.exitCode).toBe(0);
          expect(attempt, 'three kills in a row came too late').toBeLessThan(3);
          for (const suffix of ['', '-wal', '-shm']) rmSync(`${dbPath}${suffix}`, { force: true });
        }
      }

      // Restart: the re-import completes the rest, skipping what survived, adding none twice.
      const before = checkCatalog(dbPath, expected).count;
      const complete = await runImport(folder, dbPath, null);
      expect(complete.exitCode, complete.output.slice(-2000)).toBe(0);
      // Every file is hashed again on a re-import, so this run's length is a whole import's.
      msPerClip = Math.max(1, (complete.elapsedMs - startupMs) / total);
      const summary = summaryOf(complete);
      expect(summary.failed).toEqual([]);
      expect(summary.cancelled).toBe(false);
      expect(summary.skipped).toBe(before);
      expect(summary.imported).toBe(total - before);
      const after = checkCatalog(dbPath, expected);
      expect(after.count).toBe(total);
      expect(new Set(after.paths)).toEqual(expected);
      expect(after.byLabel).toEqual(expectedLabels(actors.length));
    });
  }

  it(`every trial's kills landed while the import ran (${TRIALS + FULL_TRIALS} at least)`, () => {
    expect(kills.filter((kill) => kill.killed).length).toBeGreaterThanOrEqual(TRIALS + FULL_TRIALS);
  });
});
