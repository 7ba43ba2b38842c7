import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, openCatalog, schemaVersion } from '../../../src-main/catalog/db.js';
import { MIGRATIONS } from '../../../src-main/catalog/migrations/index.js';
import { tempDir } from './helpers.js';

const LATEST = MIGRATIONS.length;
const TABLES = ['augment_recipes', 'clips', 'datasets', 'epochs', 'feature_cache', 'label_events', 'predictions', 'runs'];

function insertClip(db: Database.Database, overrides: Record<string, unknown> = {}): void {
  const row = {
    dataset_id: 1,
    path: '/data/a.wav',
    rel_path: 'a.wav',
    content_hash: 'a'.repeat(64),
    format: 'wav',
    sample_rate: 16000,
    channels: 1,
    frames: 16000,
    duration_sec: 1.0,
    label: 'angry',
    label_source: 'import',
    ...overrides,
  };
  const columns = Object.keys(row);
  db.prepare(`INSERT INTO clips (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`).run(row);
}

describe('catalog migrations on a real file', () => {
  let dir: ReturnType<typeof tempDir>;
  let dbPath: string;
  beforeEach(() => {
    dir = tempDir();
    dbPath = join(dir.path, 'nested', 'catalog.db');
  });
  afterEach(() => dir.remove());

  it('numbers migrations 1..n, one per file', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(Array.from({ length: LATEST }, (_, i) => i + 1));
    expect(new Set(MIGRATIONS.map((m) => m.name)).size).toBe(LATEST);
  });

  it('creates the schema from empty, sets user_version and the connection pragmas', () => {
    const db = openCatalog(dbPath);
    expect(schemaVersion(db)).toBe(LATEST);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    expect(db.pragma('busy_timeout', { simple: true })).toBeGreaterThan(0);
    const tables = db.prepare("SELECT name, strict FROM pragma_table_list WHERE schema = 'main' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string; strict: number }[];
    expect(tables.map((t) => t.name)).toEqual(TABLES);
    expect(tables.every((t) => t.strict === 1)).toBe(true);
    const indices = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND name LIKE 'clips_%'").all() as { name: string }[];
    expect(indices.map((i) => i.name)).toContain('clips_browse');
    db.close();
  });

  it('applies each migration on its own, in a transaction, setting user_version step by step', () => {
    const db = new Database(dbPath.replace('nested/', ''));
    for (let version = 1; version <= LATEST; version++) {
      expect(migrate(db, MIGRATIONS.slice(0, version))).toEqual([version]);
      expect(schemaVersion(db)).toBe(version);
    }
    db.close();
  });

  it('rolls a failing migration back entirely, user_version included', () => {
    const db = openCatalog(dbPath, MIGRATIONS.slice(0, 1));
    const broken = { version: 2, name: 'broken', up: (d: Database.Database) => d.exec('CREATE TABLE half (x INTEGER) STRICT; SELECT * FROM no_such_table;') };
    expect(() => migrate(db, [MIGRATIONS[0], broken])).toThrow(/no_such_table/);
    expect(schemaVersion(db)).toBe(1);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name = 'half'").get()).toEqual({ n: 0 });
    db.close();
  });

  it('refuses wrong types (STRICT), bad enumerations (CHECK) and dangling references (foreign keys)', () => {
    const db = openCatalog(dbPath);
    db.prepare("INSERT INTO datasets (id, name, root_path, kind, created_at) VALUES (1, 'd', '/data', 'ravdess', 'now')").run();
    insertClip(db);
    expect(() => insertClip(db, { path: '/data/b.wav', content_hash: 'b'.repeat(64), sample_rate: 'fast' })).toThrow(/cannot store TEXT value in INTEGER column/);
    expect(() => insertClip(db, { path: '/data/c.wav', content_hash: 'c'.repeat(64), duration_sec: 'long' })).toThrow(/cannot store TEXT value in REAL column/);
    expect(() => insertClip(db, { path: '/data/d.wav', content_hash: 'd'.repeat(64), label_source: 'guess' })).toThrow(/CHECK constraint/);
    expect(() => insertClip(db, { path: '/data/e.wav', content_hash: 'e'.repeat(64), dataset_id: 99 })).toThrow(/FOREIGN KEY/);
    expect(() => insertClip(db, { path: '/data/a.wav', content_hash: 'f'.repeat(64) })).toThrow(/UNIQUE constraint failed: clips.path/);
    // Identical content at another path is allowed (corpora hold byte-identical recordings).
    expect(() => insertClip(db, { path: '/data/g.wav' })).not.toThrow();
    expect(() =>
      db.prepare("INSERT INTO label_events (clip_id, new_label, source, action, at) VALUES (42, 'sad', 'user', 'set', 'now')").run(),
    ).toThrow(/FOREIGN KEY/);
    const insertRun = (status: string, config: string) =>
      db.prepare("INSERT INTO runs (name, status, preset, feature_set, config_json, created_at) VALUES ('r', ?, 'tiny-cnn1d', 'seed-2376', ?, 'now')").run(status, config);
    expect(() => insertRun('running', '{nope')).toThrow(/CHECK constraint/);
    expect(() => insertRun('paused', '{}')).toThrow(/CHECK constraint/);
    const run = insertRun('interrupted', '{}');
    db.prepare('INSERT INTO epochs (run_id, epoch, loss, acc, val_loss, val_acc, lr, duration_ms, samples_per_sec, at) VALUES (?, 1, 1.5, 0.2, 1.6, 0.2, 0.001, 900, 50, ?)').run(run.lastInsertRowid, 'now');
    expect(() => db.prepare('INSERT INTO epochs (run_id, epoch, loss, acc, lr, duration_ms, samples_per_sec, at) VALUES (?, 0, 1, 1, 1, 1, 1, ?)').run(run.lastInsertRowid, 'now')).toThrow(/CHECK/);
    db.prepare("INSERT INTO predictions (run_id, clip_id, split, label, predicted, confidence, loss, probabilities_json) VALUES (?, 1, 'val', 'angry', 'sad', 0.9, 2.3, '[0.1,0.9]')").run(run.lastInsertRowid);
    expect(() => db.prepare("INSERT INTO predictions (run_id, clip_id, split, label, predicted, confidence, loss, probabilities_json) VALUES (?, 1, 'holdout', 'angry', 'sad', 1, 0, '[]')").run(run.lastInsertRowid)).toThrow(/CHECK|UNIQUE/);
    // Deleting a run takes its epochs and predictions with it.
    db.prepare('DELETE FROM runs').run();
    expect(db.prepare('SELECT (SELECT count(*) FROM epochs) + (SELECT count(*) FROM predictions) AS n').get()).toEqual({ n: 0 });
    db.close();
  });

  it('re-opening an up-to-date catalog changes nothing', () => {
    openCatalog(dbPath).close();
    const db = openCatalog(dbPath);
    const schemaBefore = db.prepare('SELECT sql FROM sqlite_schema ORDER BY name').all();
    expect(migrate(db)).toEqual([]);
    expect(schemaVersion(db)).toBe(LATEST);
    expect(db.prepare('SELECT sql FROM sqlite_schema ORDER BY name').all()).toEqual(schemaBefore);
    db.close();
  });

  it('upgrades a version-1 catalog to the latest, keeping its rows', () => {
    const v1 = openCatalog(dbPath, MIGRATIONS.slice(0, 1));
    expect(schemaVersion(v1)).toBe(1);
    v1.prepare("INSERT INTO datasets (id, name, root_path, kind, created_at) VALUES (1, 'd', '/data', 'folders', 'now')").run();
    insertClip(v1);
    v1.close();

    const db = openCatalog(dbPath);
    expect(schemaVersion(db)).toBe(LATEST);
    expect(db.prepare('SELECT path, label FROM clips').all()).toEqual([{ path: '/data/a.wav', label: 'angry' }]);
    const plan = db.prepare("EXPLAIN QUERY PLAN SELECT id FROM clips WHERE label = 'angry' AND actor = 3 ORDER BY path").all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/USING COVERING INDEX clips_browse/);
    db.close();
  });

  it('refuses a catalog newer than this studio', () => {
    const db = openCatalog(dbPath);
    db.pragma(`user_version = ${LATEST + 1}`);
    db.close();
    expect(() => openCatalog(dbPath)).toThrow(/newer than this studio/);
  });
});
