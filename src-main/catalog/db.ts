import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { StudioError } from '../../src-shared/contract/result.js';
import { MIGRATIONS, type Migration } from './migrations/index.js';

export type CatalogDb = Database.Database;

/**
 * Opens (creating if needed) the catalog file and brings its schema up to date.
 * `migrations` is a parameter so tests can stop at an older version and upgrade later.
 */
export function openCatalog(path: string, migrations: readonly Migration[] = MIGRATIONS): CatalogDb {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  // In Electron the launcher points at a build of the native module for Electron's ABI.
  const nativeBinding = process.env.EMOTION_STUDIO_SQLITE_BINDING;
  const db = new Database(path, nativeBinding ? { nativeBinding } : {});
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    // A 100,000-clip catalog is ~40 MB; the default 2 MB page cache would reread it per query.
    db.pragma('cache_size = -65536');
    db.pragma('temp_store = MEMORY');
    migrate(db, migrations);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

export function schemaVersion(db: CatalogDb): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Runs each migration newer than `user_version`, each in its own transaction; returns the versions applied. */
export function migrate(db: CatalogDb, migrations: readonly Migration[] = MIGRATIONS): number[] {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new StudioError('INTERNAL', `migration ${migration.name} has version ${migration.version}, expected ${index + 1}`);
    }
  });
  const current = schemaVersion(db);
  if (current > migrations.length) {
    throw new StudioError(
      'CONFLICT',
      `${db.name}: catalog schema version ${current} is newer than this studio understands (${migrations.length}); update the studio`,
    );
  }
  const applied: number[] = [];
  for (const migration of migrations.slice(current)) {
    db.transaction(() => {
      migration.up(db);
      // user_version lives in the file header and is written by this same transaction.
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
    applied.push(migration.version);
  }
  return applied;
}
